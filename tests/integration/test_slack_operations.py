"""/freigabe, App Home, reminders and publication results in the request's thread."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from chalicelib.adapters.slack.blocks import APPROVE, RETRY, REVIEW
from chalicelib.domain.post import ChannelResult
from chalicelib.domain.status import ResultStatus
from tests.integration.slack_helpers import (
    WRITER_ID,
    SlackRig,
    buttons,
    refs,
    shown_text,
    stored,
)


def answer_text(answer: dict[str, Any]) -> str:
    return shown_text(answer["body"])


# -- /freigabe --------------------------------------------------------------------------------


def test_status_counts_posts_and_shows_the_pause(slack_rig: SlackRig) -> None:
    slack_rig.create(text="Hallo")
    slack_rig.create(text="Entwurf", submit=False)
    answer = slack_rig.command("U0LEGAL1", "status")
    assert answer["status"] == 200
    text = answer_text(answer)
    assert "in Prüfung: *1*" in text and "Entwurf: *1*" in text
    assert "Veröffentlichung läuft" in text
    shown = [e for e in slack_rig.ephemerals("U0LEGAL1") if e["source"] == "command_response"]
    assert shown and "in Prüfung: *1*" in shown_text(shown[-1])


def test_only_admins_pause_and_resume(slack_rig: SlackRig) -> None:
    from chalicelib import bootstrap

    control = bootstrap.container().control
    # as Slack sends it with should_escape: true: typed markup arrives as entities
    refused = slack_rig.command("U0LEGAL1", "pause Wartung &lt;!channel&gt;")
    assert "Nur Admins" in answer_text(refused)
    assert control.pause_state() is None

    paused = slack_rig.command("U0ADMIN", "pause Wartung &lt;!channel&gt;")
    assert "angehalten: Wartung &lt;!channel&gt;" in answer_text(paused)
    state = control.pause_state()
    assert state is not None and state["reason"] == "Wartung <!channel>" and state["by"] == "U0ADMIN"
    status = answer_text(slack_rig.command("U0BRAND1", "status"))
    assert "Angehalten seit" in status and "<@U0ADMIN>" in status and "Wartung &lt;!channel&gt;" in status

    assert "Nur Admins" in answer_text(slack_rig.command("U0BRAND1", "resume"))
    assert control.pause_state() is not None
    assert "läuft wieder" in answer_text(slack_rig.command("U0ADMIN", "resume"))
    assert control.pause_state() is None
    assert "nicht angehalten" in answer_text(slack_rig.command("U0ADMIN", "resume"))
    assert "Grund" in answer_text(slack_rig.command("U0ADMIN", "pause"))
    assert control.pause_state() is None


def test_queue_lists_the_next_scheduled_posts(slack_rig: SlackRig) -> None:
    assert "Nichts geplant" in answer_text(slack_rig.command("U0LEGAL1", "queue"))
    publish_at = datetime(datetime.now(UTC).year + 1, 1, 15, 11, 0, tzinfo=UTC)
    post = slack_rig.create(text="Neujahr & <@U0ADMIN>", publish_at=publish_at.isoformat())
    slack_rig.relay.pump()
    slack_rig.click("U0BRAND1", slack_rig.request_for("C0BRAND", post["id"]), APPROVE)
    text = answer_text(slack_rig.command("U0LEGAL1", "queue"))
    assert f"15. Januar {publish_at.year}, 12:00 Uhr" in text
    assert "Neujahr &amp; &lt;@U0ADMIN&gt;" in text


def test_only_reviewers_and_admins_see_the_queue(slack_rig: SlackRig) -> None:
    publish_at = datetime(datetime.now(UTC).year + 1, 1, 15, 11, 0, tzinfo=UTC)
    post = slack_rig.create(text="Geheime Neujahrsaktion", publish_at=publish_at.isoformat())
    slack_rig.relay.pump()
    slack_rig.click("U0BRAND1", slack_rig.request_for("C0BRAND", post["id"]), APPROVE)
    for user in ("U0ADMIN", "U0BRAND1", "U0LEGAL2"):
        assert "Geheime Neujahrsaktion" in answer_text(slack_rig.command(user, "queue")), user
    refused = slack_rig.command(WRITER_ID, "queue")
    assert refused["status"] == 200
    text = answer_text(refused)
    assert "Geheime Neujahrsaktion" not in text and "Nichts geplant" not in text
    assert "Prüfer" in text
    # the counts stay visible to everyone
    assert "geplant: *1*" in answer_text(slack_rig.command(WRITER_ID, "status"))


def test_help_and_unknown_words(slack_rig: SlackRig) -> None:
    assert "/freigabe pause" in answer_text(slack_rig.command("U0LEGAL1", "help"))
    unknown = answer_text(slack_rig.command("U0LEGAL1", "&lt;!here&gt; tanzen"))
    assert "&lt;!here&gt; tanzen" in unknown and "/freigabe status" in unknown


# -- App Home ---------------------------------------------------------------------------------


def test_app_home_lists_the_viewers_pending_reviews_with_buttons(slack_rig: SlackRig) -> None:
    mine = slack_rig.create(text="Rabatt im Advent")
    slack_rig.create(text="Nur Marke")  # no legal step: not pending for legal reviewers
    own = slack_rig.create(user="legal1@freigabe.example", text="Rabatt von Lena")
    assert slack_rig.open_home("U0LEGAL1")["status"] == 200
    home = slack_rig.state()["homes"]["U0LEGAL1"]
    shown = shown_text(home)
    assert "Rabatt im Advent" in shown and "Nur Marke" not in shown and "Rabatt von Lena" not in shown
    values = [json.loads(b["value"]) for b in buttons(home)]
    assert {(v["p"], v["s"]) for v in values} == {(mine["id"], "legal")}
    assert own["id"] not in json.dumps(home)

    assert APPROVE not in [b["action_id"] for b in buttons(home)]
    answer = slack_rig.click_in_view("U0LEGAL1", home["id"], REVIEW)
    assert answer["status"] == 200
    (modal,) = slack_rig.open_views("U0LEGAL1")
    assert "Rabatt im Advent" in shown_text(modal)
    assert slack_rig.dev("/_dev/submit_view", {"user": "U0LEGAL1", "view_id": modal["id"],
                                                "values": {}})["status"] == 200
    assert stored(mine["id"])["steps"][0]["status"] == "approved"
    refreshed = slack_rig.state()["homes"]["U0LEGAL1"]
    assert buttons(refreshed) == [] and "Nichts wartet auf Sie" in shown_text(refreshed)


def test_a_refusal_in_app_home_is_explained_in_the_dm(slack_rig: SlackRig) -> None:
    post = slack_rig.create(text="Rabatt heute")
    slack_rig.open_home("U0LEGAL1")
    home = slack_rig.state()["homes"]["U0LEGAL1"]
    slack_rig.api("PATCH", f"/api/posts/{post['id']}", {"version": 1, "text": "Rabatt morgen"})
    before = stored(post["id"])
    slack_rig.click_in_view("U0LEGAL1", home["id"], REVIEW)
    assert stored(post["id"]) == before and slack_rig.open_views("U0LEGAL1") == []
    said = slack_rig.ephemerals("U0LEGAL1")[-1]
    assert said["channel"] == "D0LEGAL1" and "alte Fassung" in said["text"]
    assert "Rabatt morgen" in shown_text(slack_rig.state()["homes"]["U0LEGAL1"])


def test_app_home_approves_only_after_showing_every_channel_text_in_full(slack_rig: SlackRig) -> None:
    hidden = "Versteckte Variante: " + "v" * 4000 + " ENDE"
    post = slack_rig.create(text="Rabatt " * 500, channels=["outbox", "hooks"],
                            variants={"hooks": hidden})
    slack_rig.open_home("U0LEGAL1")
    home = slack_rig.state()["homes"]["U0LEGAL1"]
    assert APPROVE not in [b["action_id"] for b in buttons(home)]
    slack_rig.click_in_view("U0LEGAL1", home["id"], REVIEW)
    (modal,) = slack_rig.open_views("U0LEGAL1")
    assert hidden in shown_text(modal).replace("\n", "")
    slack_rig.dev("/_dev/submit_view", {"user": "U0LEGAL1", "view_id": modal["id"], "values": {}})
    step = stored(post["id"])["steps"][0]
    assert (step["name"], step["status"]) == ("legal", "approved")
    from chalicelib import bootstrap

    approval = bootstrap.container().repository.get(post["id"]).step("legal").approvals[0]
    assert (approval.reviewer_id, approval.content_hash) == ("U0LEGAL1", post["content_hash"])


# -- reminders --------------------------------------------------------------------------------


def remind(client: Any) -> None:
    event = client.events.generate_cw_event(source="aws.events", detail_type="Scheduled Event",
                                            detail={}, resources=[])
    assert client.lambda_.invoke("send_reminders", event).payload["failed"] == 0


def test_reminders_reply_in_the_thread_once_per_period(slack_rig: SlackRig, client: Any,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    from chalicelib import bootstrap

    post = slack_rig.create(text="Rabatt")
    slack_rig.relay.pump()
    legal = slack_rig.request_for("C0LEGAL", post["id"])
    start = datetime.now(UTC)

    def at(hours: float) -> None:
        monkeypatch.setattr(bootstrap.container(), "clock", lambda: start + timedelta(hours=hours))

    at(23)
    remind(client)
    assert slack_rig.thread(legal) == []
    at(25)
    remind(client)
    (reminder,) = slack_rig.thread(legal)
    assert reminder["text"] == ("Erinnerung: <@U0LEGAL1>, <@U0LEGAL2>, diese Anfrage wartet seit "
                                "25 Stunden auf eine Prüfung.")
    assert refs(post["id"])["slack:legal"]["reminded_at"]
    at(40)
    remind(client)
    assert len(slack_rig.thread(legal)) == 1
    at(50)
    remind(client)
    assert len(slack_rig.thread(legal)) == 2
    # Brand's request has the default period too, and both threads are independent.
    assert len(slack_rig.thread(slack_rig.request_for("C0BRAND", post["id"]))) == 2

    slack_rig.click("U0LEGAL1", legal, APPROVE)
    slack_rig.relay.pump()
    at(80)
    remind(client)
    assert len(slack_rig.thread(legal)) == 2  # decided: no more reminders


# -- publication results ----------------------------------------------------------------------


def approved_post(slack_rig: SlackRig, text: str = "Rabatt im Advent",
                  status: str = "publishing") -> dict[str, Any]:
    post = slack_rig.create(text=text, channels=["outbox", "hooks"])
    slack_rig.relay.pump()
    slack_rig.click("U0LEGAL1", slack_rig.request_for("C0LEGAL", post["id"]), APPROVE)
    slack_rig.click("U0BRAND1", slack_rig.request_for("C0BRAND", post["id"]), APPROVE)
    # Without a publish time, the last approval took it to the queue at once (not while paused).
    assert stored(post["id"])["status"] == status
    slack_rig.relay.pump()
    return post


def settle(post_id: str, results: dict[str, ChannelResult]) -> None:
    """What the publishing side stores when every channel has its result."""
    from chalicelib import bootstrap

    repo = bootstrap.container().repository
    post = repo.get(post_id)
    now = datetime.now(UTC)
    if post.status.value == "scheduled":  # else the approval or the relay took it at once
        post.claim(now)
    for channel, result in results.items():
        post.record_result(channel, result, now)
    repo.save(post)


def test_results_are_replied_in_the_threads_and_sent_to_the_author(slack_rig: SlackRig) -> None:
    post = approved_post(slack_rig)
    settle(post["id"], {
        "outbox": ChannelResult(ResultStatus.PUBLISHED, url="https://social.example/p/1"),
        "hooks": ChannelResult(ResultStatus.PUBLISHED, url="https://hooks.example/x|<!channel>"),
    })
    slack_rig.relay.pump()
    assert slack_rig.relay.failures == []
    for channel in ("C0LEGAL", "C0BRAND"):
        (reply,) = slack_rig.thread(slack_rig.request_for(channel, post["id"]))
        shown = shown_text(reply)
        assert "Veröffentlichung: veröffentlicht" in shown
        assert "<https://social.example/p/1|https://social.example/p/1>" in shown
        assert "<!channel>" not in shown and "hooks.example/x|&lt;!channel&gt;" in shown
        assert buttons(reply) == []
    assert "Veröffentlichung: veröffentlicht" in shown_text(slack_rig.dms(WRITER_ID)[-1])


def test_a_failure_carries_a_retry_button_for_admins(slack_rig: SlackRig) -> None:
    post = approved_post(slack_rig)
    settle(post["id"], {
        "outbox": ChannelResult(ResultStatus.PUBLISHED, url="https://social.example/p/2"),
        "hooks": ChannelResult(ResultStatus.FAILED, error="401 <b>token</b> & expired"),
    })
    slack_rig.relay.pump()
    (reply,) = slack_rig.thread(slack_rig.request_for("C0LEGAL", post["id"]))
    assert "teilweise veröffentlicht" in shown_text(reply)
    assert "fehlgeschlagen – 401 &lt;b&gt;token&lt;/b&gt; &amp; expired" in shown_text(reply)
    (retry,) = buttons(reply)
    assert retry["action_id"] == RETRY and json.loads(retry["value"]) == {"p": post["id"], "c": ["hooks"]}
    assert buttons(slack_rig.dms(WRITER_ID)[-1]) == []

    before = stored(post["id"])
    slack_rig.click("U0LEGAL1", {**reply, "channel": "C0LEGAL"}, RETRY)
    assert stored(post["id"]) == before
    assert "Nur Admins" in slack_rig.ephemerals("U0LEGAL1")[-1]["text"]

    slack_rig.click("U0ADMIN", {**reply, "channel": "C0LEGAL"}, RETRY)
    said = slack_rig.ephemerals("U0ADMIN")[-1]["text"]
    after = stored(post["id"])
    assert after["status"] == "publishing", said
    assert after["timeline"][-1]["data"] == {"channels": ["hooks"], "retry": True}


def test_an_unknown_result_can_be_marked_published_by_an_admin_only(slack_rig: SlackRig) -> None:
    post = approved_post(slack_rig)
    settle(post["id"], {
        "outbox": ChannelResult(ResultStatus.PUBLISHED, url="https://social.example/p/3"),
        "hooks": ChannelResult(ResultStatus.UNKNOWN, error="timed out after sending"),
    })
    slack_rig.relay.pump()
    (reply,) = slack_rig.thread(slack_rig.request_for("C0BRAND", post["id"]))
    retry, mark = buttons(reply)
    assert retry["action_id"] == RETRY
    assert mark["action_id"] == "freigabe_mark_published:hooks"
    assert json.loads(mark["value"]) == {"p": post["id"], "c": "hooks"}

    before = stored(post["id"])
    slack_rig.click("U0BRAND1", {**reply, "channel": "C0BRAND"}, mark["action_id"])
    assert stored(post["id"]) == before
    assert "Nur Admins" in slack_rig.ephemerals("U0BRAND1")[-1]["text"]

    slack_rig.click("U0ADMIN", {**reply, "channel": "C0BRAND"}, mark["action_id"])
    after = stored(post["id"])
    assert after["status"] == "published", slack_rig.ephemerals("U0ADMIN")[-1]["text"]
    from chalicelib import bootstrap

    assert bootstrap.container().repository.get(post["id"]).results["hooks"].status is ResultStatus.PUBLISHED
    assert after["timeline"][-2]["type"] == "publish_result"
    assert after["timeline"][-2]["actor"] == "U0ADMIN"
    assert "als veröffentlicht vermerkt" in slack_rig.ephemerals("U0ADMIN")[-1]["text"]


def test_an_expired_post_is_told_in_the_threads_and_to_the_author(slack_rig: SlackRig) -> None:
    from chalicelib import bootstrap

    # Paused, so neither the approval nor the relay queues the approved post: it can expire.
    bootstrap.container().control.pause("expiry test", "U0ADMIN", datetime.now(UTC))
    post = approved_post(slack_rig, text="Rabatt zu spät", status="scheduled")
    repo = bootstrap.container().repository
    stale = repo.get(post["id"])
    stale.expire(datetime.now(UTC))
    repo.save(stale)
    slack_rig.relay.pump()
    (reply,) = slack_rig.thread(slack_rig.request_for("C0BRAND", post["id"]))
    assert "Abgelaufen" in shown_text(reply)
    assert "„Rabatt zu spät“ ist abgelaufen" in slack_rig.dms(WRITER_ID)[-1]["text"]
