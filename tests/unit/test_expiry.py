"""A post nobody approved by its publish time plus the late window ends `expired` (the
reminders' 15-minute schedule finds it on the calendar index), and the author and the steps'
channels are told; a post still inside the window, a scheduled one (the tick's) or one without a
time is left alone."""

from __future__ import annotations

from datetime import timedelta

from chalicelib.domain import events as ev
from chalicelib.domain.status import Status
from chalicelib.services import review_desk
from tests.fakes import Clock, MemoryPostRepository
from tests.fakes.builders import context
from tests.unit.helpers import AUTHOR, BRAND, NOW, eligible, new_post, workflow


def test_unapproved_posts_past_their_late_window_expire_and_the_steps_are_told() -> None:
    wf = workflow()
    repo, clock = MemoryPostRepository(), Clock(NOW)
    ctx = context(repo, wf, clock)
    edge = NOW - wf.late_window
    late = new_post("Rabatt von gestern", post_id="late", publish_at=edge - timedelta(minutes=1))
    inside = new_post("Rabatt gleich", post_id="inside", publish_at=edge + timedelta(minutes=5))
    sent_back = new_post("Rabatt zurück", post_id="back", publish_at=edge - timedelta(hours=2))
    untimed = new_post("Ohne Zeit", post_id="untimed")
    scheduled = new_post("Geplant", post_id="planned", publish_at=edge - timedelta(minutes=1))
    for post in (late, inside, sent_back, untimed, scheduled):
        post.submit(wf, AUTHOR, NOW - timedelta(days=1))
    sent_back.decide(wf, "brand", BRAND, "request_changes", sent_back.content_hash, "Bitte ändern",
                     NOW - timedelta(days=1), eligible(wf, "brand"))
    scheduled.decide(wf, "brand", BRAND, "approve", scheduled.content_hash, "",
                     NOW - timedelta(days=1), eligible(wf, "brand"))
    for post in (late, inside, sent_back, untimed, scheduled):
        repo.save(post)

    assert review_desk.expire_unapproved(ctx) == 2

    statuses = {p: repo.get(p).status for p in ("late", "inside", "back", "untimed", "planned")}
    assert statuses == {"late": Status.EXPIRED, "inside": Status.IN_REVIEW,
                        "back": Status.EXPIRED, "untimed": Status.IN_REVIEW,
                        "planned": Status.SCHEDULED}
    told = [m for _, m in repo.outbox if isinstance(m, ev.PostExpired)]
    assert sorted(m.post_id for m in told) == ["back", "late"]
    assert all(m.steps for m in told)
    assert review_desk.expire_unapproved(ctx) == 0  # once
