"""The admins' use cases with fakes: retry and mark-as-published on publications, pause and
resume of all publishing; each refused to anyone else, changing nothing."""

from __future__ import annotations

from datetime import timedelta

import pytest

from chalicelib.domain.errors import Forbidden, InvalidTransition, NotEligible
from chalicelib.domain.status import Status
from chalicelib.services import admin
from tests.fakes.publishing import PublishingPorts, claimed
from tests.unit.helpers import NOW


def test_admin_retry_sends_only_the_failed_channels_as_a_new_attempt() -> None:
    # GIVEN hooks failed while outbox went out
    rig = PublishingPorts()
    messages = claimed(rig)
    rig.networks["hooks"].script = ["failed"]
    rig.deliver(messages["outbox"])
    rig.deliver(messages["hooks"])
    # WHEN an admin retries
    post = admin.retry_publication(rig.admin, "p1", None, "U0ADMIN")
    # THEN only hooks is sent again, as attempt 2, which the idempotency store has not seen
    assert post.status is Status.PUBLISHING
    [retry] = rig.queue.take()
    assert (retry.channel, retry.attempt) == ("hooks", 2)
    assert rig.deliver(retry) == "published"
    assert rig.repo.get("p1").status is Status.PUBLISHED
    assert len(rig.networks["outbox"].posts) == 1
    # AND a duplicate delivery of the retry is swallowed
    assert rig.deliver(retry) == "stale"
    assert len(rig.networks["hooks"].posts) == 1


def test_retry_is_for_admins_and_for_failed_channels_only() -> None:
    rig = PublishingPorts()
    messages = claimed(rig)
    rig.networks["hooks"].script = ["failed"]
    rig.deliver(messages["outbox"])
    rig.deliver(messages["hooks"])
    with pytest.raises(Forbidden) as refused:
        admin.retry_publication(rig.admin, "p1", ["hooks"], "U0LEGAL1")
    assert refused.value.key == "admins_only"
    with pytest.raises(InvalidTransition):
        admin.retry_publication(rig.admin, "p1", ["outbox"], "U0ADMIN")
    assert rig.queue.messages == []


def test_admin_marks_an_unknown_channel_as_published() -> None:
    rig = PublishingPorts()
    messages = claimed(rig)
    rig.networks["hooks"].script = ["unknown"]
    rig.deliver(messages["outbox"])
    assert rig.deliver(messages["hooks"]) == "unknown"
    assert rig.repo.get("p1").status is Status.PARTIALLY_PUBLISHED
    with pytest.raises(Forbidden):
        admin.mark_published(rig.admin, "p1", "hooks", "U0BRAND1", "https://h/1")
    post = admin.mark_published(rig.admin, "p1", "hooks", "U0ADMIN", "https://h/1")
    assert post.status is Status.PUBLISHED
    assert post.results["hooks"].url == "https://h/1"


def test_a_stalled_retry_keeps_its_own_deadline() -> None:
    rig = PublishingPorts()
    messages = claimed(rig)
    rig.networks["hooks"].script = ["failed"]
    rig.deliver(messages["outbox"])
    rig.deliver(messages["hooks"])
    rig.clock.advance(hours=5)
    admin.retry_publication(rig.admin, "p1", None, "U0ADMIN")
    [first] = rig.queue.take()  # lost
    rig.clock.advance(minutes=6)
    rig.tick()
    [again] = rig.queue.take()
    assert again == first
    assert again.not_after == "2026-11-26T17:00:00Z"  # retried at 15:00, plus 120 minutes


def test_a_retry_that_loses_a_race_is_applied_to_the_post_as_stored_now() -> None:
    rig = PublishingPorts()
    messages = claimed(rig)
    rig.networks["hooks"].script = ["failed"]
    rig.deliver(messages["outbox"])
    rig.deliver(messages["hooks"])
    rig.repo.conflicts = 2  # two other saves got there first
    admin.retry_publication(rig.admin, "p1", ["hooks"], "U0ADMIN")
    [retry] = rig.queue.take()
    assert (retry.channel, retry.attempt) == ("hooks", 2)
    assert rig.repo.get("p1").results["hooks"].attempts == 2


def test_a_retry_the_queue_refused_is_sent_by_the_recovery() -> None:
    rig = PublishingPorts()
    messages = claimed(rig)
    rig.networks["hooks"].script = ["failed"]
    rig.deliver(messages["outbox"])
    rig.deliver(messages["hooks"])
    rig.queue.refuse = True
    post = admin.retry_publication(rig.admin, "p1", None, "U0ADMIN")
    assert post.status is Status.PUBLISHING and rig.queue.messages == []
    rig.queue.refuse = False
    rig.clock.advance(minutes=6)
    assert rig.tick()["redispatched"] == 1
    [again] = rig.queue.take()
    assert (again.channel, again.attempt) == ("hooks", 2)
    assert rig.deliver(again) == "published"


def test_pause_and_resume_are_for_admins_and_a_pause_needs_a_reason() -> None:
    rig = PublishingPorts()
    with pytest.raises(Forbidden) as refused:
        admin.pause(rig.admin, "U0BRAND1", "Krise")
    assert refused.value.key == "admins_only"
    with pytest.raises(NotEligible) as empty:
        admin.pause(rig.admin, "U0ADMIN", "   ")
    assert empty.value.key == "pause_needs_reason"
    assert rig.control.pause_state() is None
    with pytest.raises(Forbidden):
        admin.resume(rig.admin, "U0BRAND1")


def test_a_pause_keeps_its_reason_trimmed_and_resume_returns_it() -> None:
    rig = PublishingPorts()
    admin.pause(rig.admin, "U0ADMIN", "  Krise " + "x" * 600)
    state = rig.control.pause_state()
    assert state is not None
    assert state["by"] == "U0ADMIN" and state["reason"] == ("Krise " + "x" * 600)[:500]
    assert admin.resume(rig.admin, "U0ADMIN") == state
    assert rig.control.pause_state() is None
    assert admin.resume(rig.admin, "U0ADMIN") is None  # was not paused


def test_a_paused_tick_claims_nothing_until_an_admin_resumes() -> None:
    rig = PublishingPorts()
    rig.approved()
    rig.clock.now = NOW + timedelta(hours=1)
    admin.pause(rig.admin, "U0ADMIN", "Krise")
    assert rig.tick()["paused"] == 1
    admin.resume(rig.admin, "U0ADMIN")
    assert rig.tick()["claimed"] == 1
