"""Fakes of the publishing ports. They keep state, so tests assert what was sent and stored."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from typing import Any

from chalicelib.domain.errors import Conflict
from chalicelib.domain.post import Post
from chalicelib.domain.publication import Copy, Outcome, Publication
from chalicelib.services import admin, delivery, scheduling
from chalicelib.services.ports import QueueRefused, RetryLater
from tests.fakes import Clock, FakeControlStore, MemoryPostRepository
from tests.unit.helpers import AUTHOR, BRAND, LEGAL1, NOW, eligible, new_post, workflow


class FakeQueue:
    def __init__(self) -> None:
        self.messages: list[Publication] = []
        self.delays: dict[tuple[str, str, int], int] = {}  # (post, channel, attempt) -> seconds
        self.refuse = False

    def send(self, publications: Sequence[Publication], delays: Sequence[int] = ()) -> None:
        assert len(publications) <= 10 and len(delays) in (0, len(publications))
        assert all(0 <= d <= 900 for d in delays)
        if self.refuse:
            raise QueueRefused("refused")
        self.messages.extend(publications)
        for publication, delay in zip(publications, delays or [0] * len(publications), strict=True):
            self.delays[(publication.post_id, publication.channel, publication.attempt)] = delay

    def take(self) -> list[Publication]:
        taken, self.messages = self.messages, []
        return taken


class FakeNetwork:
    """A network that keeps what it accepted; ``keyed`` ones de-duplicate on the key."""

    def __init__(self, keyed: bool = False) -> None:
        self.sends_idempotency_key = keyed
        self.posts: list[Copy] = []
        self.keys: list[str] = []  # the idempotency key each post came with
        self.script: list[str] = []  # "retry", "failed", "unknown"
        self.after_publish: Callable[[], None] | None = None

    def publish(self, publication: Publication, copy: Copy) -> Outcome:
        answer = self.script.pop(0) if self.script else "ok"
        if answer == "retry":
            raise RetryLater(1.0, "429")
        if answer == "failed":
            return Outcome("failed", error="HTTP 401: invalid token")
        if self.sends_idempotency_key:
            for index, seen in enumerate(self.keys):
                if seen == publication.idempotency_key:
                    return Outcome("published", url=f"https://net.example/{index}", external_id=str(index))
        self.posts.append(copy)
        self.keys.append(publication.idempotency_key)
        if self.after_publish:
            self.after_publish()
        if answer == "unknown":
            return Outcome("unknown", error="no answer after send")
        index = len(self.posts) - 1
        return Outcome("published", url=f"https://net.example/{index}", external_id=str(index))


class FakeChannels:
    def __init__(self, networks: dict[str, FakeNetwork]) -> None:
        self.networks = networks

    def publisher(self, name: str) -> FakeNetwork:
        return self.networks[name]


class MemoryLedger:
    def __init__(self) -> None:
        self.begun: set[str] = set()

    def begin(self, publication: Publication) -> bool:
        token = json.dumps(publication.key(), sort_keys=True)
        fresh = token not in self.begun
        self.begun.add(token)
        return fresh

    def forget(self, publication: Publication) -> None:
        self.begun.discard(json.dumps(publication.key(), sort_keys=True))


class MemoryOnce:
    """Like Powertools idempotency: a stored result is returned; a raising run stores nothing.
    Outcomes are kept as the JSON the real store keeps."""

    def __init__(self) -> None:
        self.results: dict[str, dict[str, str | None]] = {}

    def __call__(self, publication: Publication, send: Callable[[], Outcome]) -> Outcome:
        token = json.dumps(publication.key(), sort_keys=True)
        if token not in self.results:
            self.results[token] = send().to_dict()
        return Outcome.from_dict(self.results[token])


class FakeAdminNotices:
    """The admins' Slack DMs about posts the tick had to leave behind: (post id, problem)."""

    def __init__(self) -> None:
        self.sent: list[tuple[str, str]] = []

    def post_held(self, post_id: str, problem: str) -> None:
        self.sent.append((post_id, problem))


class FlakyRepository(MemoryPostRepository):
    """Saves fail as scripted: ``conflicts`` lose a race, ``crashes`` raise like a dying worker."""

    def __init__(self) -> None:
        super().__init__()
        self.conflicts = 0
        self.crashes = 0
        self.before_save: Callable[[Post], None] | None = None

    def save(self, post: Post, *, unless_paused: bool = False) -> None:
        if self.before_save:
            hook, self.before_save = self.before_save, None
            hook(post)
        if self.crashes:
            self.crashes -= 1
            raise RuntimeError("worker died before the result was stored")
        if self.conflicts:
            self.conflicts -= 1
            raise Conflict("conflict", post=post.id)
        super().save(post, unless_paused=unless_paused)


class PublishingPorts:
    """One set of ports around a memory repository and a clock."""

    def __init__(self, networks: dict[str, FakeNetwork] | None = None, **overrides: Any) -> None:
        self.wf = workflow(**overrides)
        self.repo = FlakyRepository()
        self.clock = Clock(NOW)
        self.queue = FakeQueue()
        self.control = FakeControlStore()
        self.repo.control = self.control
        self.networks = networks or {"outbox": FakeNetwork(keyed=True), "hooks": FakeNetwork(),
                                     "mastodon": FakeNetwork(keyed=True), "x": FakeNetwork()}
        self.ledger = MemoryLedger()
        self.once = MemoryOnce()
        self.notices = FakeAdminNotices()
        self.scheduling = scheduling.Scheduling(repo=self.repo, workflow=self.wf, clock=self.clock,
                                                queue=self.queue, control=self.control,
                                                notices=self.notices)
        self.slept: list[float] = []  # the worker's waits for a post's second, on this clock
        self.delivery = delivery.Delivery(repo=self.repo, workflow=self.wf, clock=self.clock,
                                          control=self.control, channels=FakeChannels(self.networks),
                                          ledger=self.ledger, once=self.once, sleep=self._sleep)
        self.admin = admin.Admin(repo=self.repo, workflow=self.wf, clock=self.clock,
                                 queue=self.queue, control=self.control)

    def approved(self, post_id: str = "p1", channels: tuple[str, ...] = ("outbox", "hooks"),
                 publish_at: datetime | None = NOW + timedelta(hours=1)) -> Post:
        post = new_post("Hallo Welt", channels, post_id=post_id, publish_at=publish_at)
        post.submit(self.wf, AUTHOR, self.clock())
        for step, reviewer in (("legal", LEGAL1), ("brand", BRAND)):
            if post.step(step).required:
                post.decide(self.wf, step, reviewer, "approve", post.content_hash, "", self.clock(),
                            eligible(self.wf, step))
        self.repo.save(post)
        return post

    def tick(self) -> dict[str, int]:
        return scheduling.publish_due(self.scheduling)

    def _sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.clock.advance(seconds=seconds)

    def deliver(self, publication: Publication, receives: int = 1) -> str:
        return delivery.deliver(self.delivery, publication, receive_count=receives)

    def drain(self) -> list[str]:
        return [self.deliver(m) for m in self.queue.take()]


def claimed(rig: PublishingPorts, channels: tuple[str, ...] = ("outbox", "hooks")) -> dict[str, Publication]:
    """A post approved, due and claimed by the tick: its publications by channel."""
    rig.approved(channels=channels)
    rig.clock.now = NOW + timedelta(hours=1)
    rig.tick()
    return {p.channel: p for p in rig.queue.take()}
