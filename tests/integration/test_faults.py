"""Faults on the local stack (moto's DynamoDB and SQS, network stand-ins, the outbox file):
a worker dying midway, duplicate deliveries, overlapping ticks, pause and resume, a post
edited while the tick looks at it, and a tick that claimed but could not send."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from chalicelib import bootstrap
from chalicelib.adapters.dynamodb import keys
from chalicelib.domain.errors import Conflict
from chalicelib.domain.post import Post
from chalicelib.domain.publication import Copy, Outcome, Publication
from chalicelib.domain.status import ResultStatus, Status
from chalicelib.handlers.queue import publish_worker
from chalicelib.handlers.schedule import publish_due
from chalicelib.services import delivery, scheduling, writing
from tests.integration.publish_support import WRITER, PublishRig, lambda_context, publish_rig

# network stand-in (or outbox) that holds each channel's publications
WHERE = {"outbox": "outbox", "x": "x", "mastodon": "mastodon", "hooks": "webhook"}


@pytest.fixture
def rig(table: str, aws_endpoint: str, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> Iterator[PublishRig]:
    with publish_rig(table, aws_endpoint, tmp_path, monkeypatch) as publishing_rig:
        yield publishing_rig


def published_count(rig: PublishRig, channel: str, post_id: str) -> int:
    if channel == "outbox":
        return len([line for line in rig.outbox_lines(post_id) if line["channel"] == "outbox"])
    return len(rig.network_posts(WHERE[channel]))


def later(minutes: float) -> scheduling.Scheduling:
    moment = datetime.now(UTC) + timedelta(minutes=minutes)
    return replace(bootstrap.container().scheduling(), clock=lambda: moment)


def claim_and_receive(rig: PublishRig, channels: list[str]) -> tuple[Post, list[Any]]:
    post = rig.approved(channels)
    assert publish_due()["claimed"] == 1
    return post, rig.receive_all()


class Killed(BaseException):
    """The Lambda runtime ending an invocation: no handler of ours or Powertools' runs."""


@pytest.mark.parametrize("dies_on", ["x", "outbox", "mastodon"])
def test_worker_dying_before_the_result_is_stored_publishes_nothing_twice(
        rig: PublishRig, monkeypatch: pytest.MonkeyPatch, dies_on: str) -> None:
    # GIVEN storing the result of one channel fails once, after the network accepted the post
    post, messages = claim_and_receive(rig, ["outbox", "x", "mastodon"])
    repo = bootstrap.container().repository
    real_save, died = repo.save, list[str]()

    def save(changed: Post) -> None:
        if not died and changed.results[dies_on].status is not ResultStatus.PENDING:
            died.append(dies_on)
            raise RuntimeError("worker died")
        real_save(changed)

    monkeypatch.setattr(repo, "save", save)
    # WHEN the batch runs: that record fails and SQS delivers it again
    first = rig.deliver(messages)
    assert len(first.failed) == 1
    assert rig.post(post.id).results[dies_on].status is ResultStatus.PENDING
    assert rig.drain() == 1
    # THEN every channel has exactly one publication, and the post is published
    assert {c: published_count(rig, c, post.id) for c in ("outbox", "x", "mastodon")} == {
        "outbox": 1, "x": 1, "mastodon": 1}
    assert rig.post(post.id).status is Status.PUBLISHED


@pytest.mark.parametrize(("channel", "result"), [("x", "unknown"), ("outbox", "published"),
                                                 ("mastodon", "published")])
def test_worker_killed_right_after_the_network_accepted_never_publishes_twice(
        rig: PublishRig, monkeypatch: pytest.MonkeyPatch, channel: str, result: str) -> None:
    # GIVEN an invocation that ends right after the network took the post: no outcome stored,
    # the idempotency record left in progress until the invocation's timeout
    post, [message] = claim_and_receive(rig, [channel])
    publisher = bootstrap.container().channels.publisher(channel)
    real_publish = publisher.publish

    def publish_then_die(publication: Publication, copy: Copy) -> Outcome:
        real_publish(publication, copy)
        raise Killed

    monkeypatch.setattr(publisher, "publish", publish_then_die)
    with pytest.raises(Killed):
        rig.deliver([message], lambda_context(timeout_seconds=0.5))
    monkeypatch.setattr(publisher, "publish", real_publish)
    # WHEN SQS delivers it again while that invocation could still be running: it waits
    rig.release([message])
    [again] = rig.receive()
    assert rig.deliver([again]).failed == [again["MessageId"]]
    assert published_count(rig, channel, post.id) == 1
    # AND once the timeout has passed
    threading.Event().wait(0.6)
    rig.drain()
    # THEN the network has the post once: a key it honours (Mastodon, the outbox) answers the
    # repeat with the first post; a network without one (X) is not asked again: unknown
    assert published_count(rig, channel, post.id) == 1
    stored = rig.post(post.id)
    assert stored.results[channel].status.value == result
    if result == "unknown":
        assert stored.status is Status.FAILED
        assert "check there before retrying" in (stored.results[channel].error or "")


def test_the_same_message_delivered_twice_and_at_once_publishes_once(rig: PublishRig) -> None:
    post, messages = claim_and_receive(rig, ["outbox", "x", "hooks"])
    event = rig.event(messages)
    answers: list[Any] = []
    start = threading.Barrier(2)

    def invoke() -> None:
        start.wait()
        answers.append(publish_worker(event, lambda_context()))

    threads = [threading.Thread(target=invoke) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    # Records of the loser that found a publication in progress failed: SQS brings them again.
    for _ in range(5):
        if not publish_worker(event, lambda_context())["batchItemFailures"]:
            break
    assert {c: published_count(rig, c, post.id) for c in ("outbox", "x", "hooks")} == {
        "outbox": 1, "x": 1, "hooks": 1}
    assert rig.post(post.id).status is Status.PUBLISHED


def test_two_overlapping_ticks_claim_each_post_once(rig: PublishRig) -> None:
    due = [rig.approved(["outbox", "hooks"], text=f"Beitrag {n}") for n in range(12)]
    start = threading.Barrier(3)
    counts: list[dict[str, int]] = []

    def tick() -> None:
        start.wait()
        counts.append(publish_due())

    threads = [threading.Thread(target=tick) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sum(c["claimed"] for c in counts) == 12
    bodies = rig.bodies(rig.receive_all())
    assert sorted((b["post_id"], b["channel"]) for b in bodies) == sorted(
        (p.id, c) for p in due for c in ("outbox", "hooks"))
    for post in due:
        _, events, _ = bootstrap.container().repository.get_full(post.id)
        assert [e.type for e in events].count("publishing") == 1


def test_two_saves_of_the_same_version_on_the_local_stack_make_one_winner(rig: PublishRig) -> None:
    post = rig.approved(["outbox"])
    repo, start, outcomes = bootstrap.container().repository, threading.Barrier(4), list[str]()

    def claim() -> None:
        mine = repo.get(post.id)
        mine.claim(datetime.now(UTC))
        start.wait()
        try:
            repo.save(mine)
            outcomes.append("saved")
        except Conflict:
            outcomes.append("conflict")

    threads = [threading.Thread(target=claim) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["conflict"] * 3 + ["saved"]


def test_pause_during_publishing_sends_nothing_further_and_resume_sends_the_rest(
        rig: PublishRig, monkeypatch: pytest.MonkeyPatch) -> None:
    # GIVEN three posts claimed, their messages in the queue
    for n in range(3):
        rig.approved(["outbox"], text=f"Beitrag {n}")
    assert publish_due()["claimed"] == 3
    first, *rest = rig.receive_all()
    outbox = bootstrap.container().channels.publisher("outbox")
    real_publish = outbox.publish

    def publish_then_pause(publication: Publication, copy: Copy) -> Outcome:
        outcome = real_publish(publication, copy)
        bootstrap.container().control.pause("Krise", "U0ADMIN", datetime.now(UTC))
        return outcome

    # WHEN an admin pauses while the first is at its network
    monkeypatch.setattr(outbox, "publish", publish_then_pause)
    assert rig.deliver([first]).failed == []
    monkeypatch.setattr(outbox, "publish", real_publish)
    # THEN that one went out, and the rest are handed back untouched, however often they come
    assert len(rig.deliver(rest).failed) == 2
    assert rig.drain(rounds=2) == 0
    assert len(rig.outbox_lines()) == 1
    # AND resume sends them, once each
    bootstrap.container().control.resume("U0ADMIN", datetime.now(UTC))
    assert rig.drain() == 2
    assert len(rig.outbox_lines()) == 3


def test_a_message_held_long_by_the_pause_is_let_go_and_sent_again_after_resume(rig: PublishRig) -> None:
    post, [message] = claim_and_receive(rig, ["outbox"])
    bootstrap.container().control.pause("Krise", "U0ADMIN", datetime.now(UTC))
    message["Attributes"]["ApproximateReceiveCount"] = str(delivery.HOLD_RECEIVES)
    assert rig.deliver([message]).failed == []  # acknowledged before SQS dead-letters it
    assert rig.receive_all() == []
    bootstrap.container().control.resume("U0ADMIN", datetime.now(UTC))
    assert scheduling.publish_due(later(minutes=6))["redispatched"] == 1
    rig.drain()
    assert len(rig.outbox_lines(post.id)) == 1 and rig.post(post.id).status is Status.PUBLISHED


def test_resume_sends_posts_inside_the_late_window_and_expires_older_ones(rig: PublishRig,
                                                                          dynamodb: Any) -> None:
    now = datetime.now(UTC)
    bootstrap.container().control.pause("Krise", "U0ADMIN", now)
    inside = rig.approved(["outbox"], text="noch rechtzeitig", publish_at=now - timedelta(minutes=30),
                          clock=lambda: now - timedelta(minutes=31))
    outside = rig.approved(["outbox"], text="zu spät", publish_at=now - timedelta(hours=3),
                           clock=lambda: now - timedelta(hours=3, minutes=1))
    assert publish_due()["paused"] == 1
    assert rig.receive_all() == []
    bootstrap.container().control.resume("U0ADMIN", datetime.now(UTC))
    counts = publish_due()
    assert (counts["claimed"], counts["expired"]) == (1, 1)
    rig.drain()
    assert [line["text"] for line in rig.outbox_lines()] == ["noch rechtzeitig"]
    assert rig.post(inside.id).status is Status.PUBLISHED
    expired, events, _ = bootstrap.container().repository.get_full(outside.id)
    assert expired.status is Status.EXPIRED and events[-1].type == "expired"
    item = dynamodb.get_item(TableName=bootstrap.container().table, Key={
        keys.PK: {"S": keys.post_pk(outside.id)}, keys.SK: {"S": keys.event_sk(events[-1].seq)}})["Item"]
    assert "PostExpired" in item[keys.OUTBOX_ATTR]["S"]  # the stream tells the author


def test_a_post_edited_back_to_review_after_the_due_query_is_not_published(
        rig: PublishRig, monkeypatch: pytest.MonkeyPatch) -> None:
    post = rig.approved(["outbox"])
    repo = bootstrap.container().repository
    real_due = repo.due

    def due_then_edited(now: datetime, limit: int = 500) -> list[Post]:
        found = real_due(now, limit)
        writing.edit(rig.context(), WRITER, post.id, post.version, {"text": "Geändert"})
        return found

    monkeypatch.setattr(repo, "due", due_then_edited)
    counts = publish_due()
    assert (counts["due"], counts["claimed"], counts["skipped"]) == (1, 0, 1)
    assert rig.post(post.id).status is Status.IN_REVIEW
    assert rig.receive_all() == []


def test_a_tick_that_claimed_but_could_not_send_strands_nothing(rig: PublishRig,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    post = rig.approved(["outbox", "x"])
    monkeypatch.setattr(bootstrap.container().queue, "_url", rig.queue_url + "-gone")
    assert publish_due()["unsent"] == 1
    assert rig.post(post.id).status is Status.PUBLISHING
    monkeypatch.setattr(bootstrap.container().queue, "_url", rig.queue_url)
    assert publish_due()["redispatched"] == 0  # not yet quiet for long enough
    assert rig.receive_all() == []
    assert scheduling.publish_due(later(minutes=6))["redispatched"] == 1
    rig.drain()
    assert rig.post(post.id).status is Status.PUBLISHED
    assert published_count(rig, "outbox", post.id) == 1 and published_count(rig, "x", post.id) == 1


def test_a_broken_workflow_file_answers_503_naming_the_key(
        client: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # GIVEN the app running on a workflow file with an unknown key
    sample = Path(bootstrap.__file__).resolve().parent / "freigabe.toml"
    broken = tmp_path / "flow.toml"
    broken.write_text(sample.read_text(encoding="utf-8") + "\nbogus = 1\n", encoding="utf-8")
    monkeypatch.setenv("FREIGABE_CONFIG", str(broken))
    bootstrap.reset()
    # WHEN a writer asks for the channels
    response = client.http.get("/api/channels", headers={"X-Freigabe-User": WRITER,
                                                         "Accept-Language": "en"})
    # THEN a clear 503 names the key and the problem, not a bare 500
    assert response.status_code == 503
    assert "bogus: unknown key" in response.json_body["message"]
    assert response.json_body["error"] == "workflow_invalid"
