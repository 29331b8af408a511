"""Deputies through the Slack dev workspace and the web API: a reviewer sets an absence with
`/freigabe away`, the deputy approves in that period and the record says for whom; after the
absence, or on a post the deputy wrote, a click changes nothing; the web page's Away calls."""

from __future__ import annotations

from datetime import timedelta

from chalicelib.adapters.slack.blocks import APPROVE
from tests.integration.slack_helpers import SlackRig, shown_text, stored

ADMIN_EMAIL = "admin@freigabe.example"


def decision_events(post_id: str) -> list[dict[str, object]]:
    return [e for e in stored(post_id)["timeline"] if e["type"] == "decision"]


def test_a_deputy_approves_during_the_absence_and_the_record_says_so(slack_rig: SlackRig) -> None:
    said = slack_rig.command("U0LEGAL1", "away 3d <@U0ADMIN|ada>")
    assert said["status"] == 200, said
    assert "<@U0ADMIN>" in said["body"]["text"], "the answer names the deputy"
    post = slack_rig.create(text="Rabatt")
    slack_rig.relay.pump()
    legal = slack_rig.request_for("C0LEGAL", post["id"])
    assert slack_rig.click("U0ADMIN", legal, APPROVE)["status"] == 200
    (event,) = decision_events(post["id"])
    assert event["actor"] == "U0ADMIN"
    assert event["data"]["as_deputy_for"] == "U0LEGAL1"
    assert stored(post["id"])["steps"][0]["status"] == "approved"
    # what the deputy covers is listed for them
    for word in ("away", "due"):
        covering = slack_rig.command("U0ADMIN", word)["body"]["text"]
        assert "<@U0LEGAL1>" in covering, covering


def test_after_the_absence_the_deputy_changes_nothing(slack_rig: SlackRig) -> None:
    from chalicelib import bootstrap
    from chalicelib.domain.deputies import Away

    container = bootstrap.container()
    now = container.clock()
    container.deputies.put(Away("U0LEGAL1", "U0ADMIN", now - timedelta(days=3),
                                now - timedelta(seconds=1), "U0LEGAL1"))
    post = slack_rig.create(text="Rabatt")
    slack_rig.relay.pump()
    before = stored(post["id"])
    slack_rig.click("U0ADMIN", slack_rig.request_for("C0LEGAL", post["id"]), APPROVE)
    assert stored(post["id"]) == before
    assert "Prüfenden für Legal" in slack_rig.ephemerals("U0ADMIN")[-1]["text"]


def test_away_off_ends_the_deputys_right_at_once(slack_rig: SlackRig) -> None:
    slack_rig.command("U0LEGAL1", "away 24.12. <@U0ADMIN>")
    slack_rig.command("U0LEGAL1", "away off")
    post = slack_rig.create(text="Rabatt")
    slack_rig.relay.pump()
    before = stored(post["id"])
    slack_rig.click("U0ADMIN", slack_rig.request_for("C0LEGAL", post["id"]), APPROVE)
    assert stored(post["id"]) == before


def test_a_deputy_who_wrote_the_post_is_refused(slack_rig: SlackRig) -> None:
    slack_rig.command("U0LEGAL1", "away 3d <@U0ADMIN>")
    post = slack_rig.create(user=ADMIN_EMAIL, text="Rabatt")
    slack_rig.relay.pump()
    before = stored(post["id"])
    slack_rig.click("U0ADMIN", slack_rig.request_for("C0LEGAL", post["id"]), APPROVE)
    assert stored(post["id"]) == before
    assert "Das ist Ihr eigener Beitrag" in slack_rig.ephemerals("U0ADMIN")[-1]["text"]


def test_a_bot_or_oneself_cannot_be_the_deputy_and_nothing_is_stored(slack_rig: SlackRig) -> None:
    from chalicelib import bootstrap

    for text in ("away 3d <@U0FREIGBOT>", "away 3d <@U0LEGAL1>", "away morgen <@U0ADMIN>"):
        assert slack_rig.command("U0LEGAL1", text)["status"] == 200
    container = bootstrap.container()
    assert container.deputies.of_reviewer("U0LEGAL1", container.clock()) == []


def test_the_web_page_sets_and_ends_an_absence(slack_rig: SlackRig) -> None:
    legal = "legal1@freigabe.example"
    assert slack_rig.api("GET", "/api/me/away", user=legal) == {
        "reviewer": True, "away": None, "covering": []}
    answer = slack_rig.api("PUT", "/api/me/away", {"until": "2d", "deputy": ADMIN_EMAIL}, user=legal)
    assert answer["away"]["deputy"] == "U0ADMIN"
    assert slack_rig.api("GET", "/api/me/away", user=ADMIN_EMAIL)["covering"][0]["reviewer"] == "U0LEGAL1"
    # bad input is a 4xx in words and changes nothing
    for bad in ({"until": "morgen", "deputy": ADMIN_EMAIL}, {"until": "2d", "deputy": legal},
                {"until": "2d", "deputy": "nobody@freigabe.example"}, {"until": "2d"}):
        response = slack_rig.http.put(slack_rig.servers.app_url + "/api/me/away", json=bad,
                                      headers={"X-Freigabe-User": legal}, timeout=30)
        assert response.status_code in (400, 422), (bad, response.text)
        assert response.json()["message"]
    assert slack_rig.api("GET", "/api/me/away", user=legal)["away"]["deputy"] == "U0ADMIN"
    assert slack_rig.api("DELETE", "/api/me/away", user=legal)["away"] is None
    outsider = slack_rig.http.get(slack_rig.servers.app_url + "/api/me/away",
                                  headers={"X-Freigabe-User": "stranger@elsewhere.example"}, timeout=30)
    assert outsider.status_code == 403
    assert slack_rig.api("GET", "/api/me/away", user="writer@freigabe.example")["reviewer"] is False


def test_the_answer_in_slack_is_shown_only_to_the_reviewer(slack_rig: SlackRig) -> None:
    slack_rig.command("U0LEGAL1", "away 2026-12-24 <@U0ADMIN|ada>")
    text = " ".join(shown_text(m) for m in slack_rig.messages("C0LEGAL"))
    assert "U0ADMIN" not in text  # nothing said in the channel


def test_a_request_during_the_absence_reaches_the_deputy_in_the_thread_and_a_dm(
        slack_rig: SlackRig) -> None:
    slack_rig.command("U0LEGAL1", "away 3d <@U0ADMIN|ada>")
    post = slack_rig.create(text="Rabatt")
    slack_rig.relay.pump()
    legal = slack_rig.request_for("C0LEGAL", post["id"])
    (said,) = [m for m in slack_rig.thread(legal) if "U0ADMIN" in m["text"]]
    assert "<@U0ADMIN> vertritt <@U0LEGAL1> bis" in said["text"], said["text"]
    (dm,) = [m for m in slack_rig.dms("U0ADMIN") if "U0LEGAL1" in m["text"]]
    assert "Sie vertreten <@U0LEGAL1>" in dm["text"] and "Rabatt" in dm["text"]
    assert "|Zur Anfrage>" in dm["text"], "the DM links to the request"
    # the stream delivering the request again tells nobody twice
    from chalicelib import bootstrap
    from chalicelib.domain.events import ReviewRequested

    container = bootstrap.container()
    again = container.repository.get(post["id"])
    container.bus.dispatch(again, [ReviewRequested(post["id"], "legal", again.content_hash)])
    assert len([m for m in slack_rig.thread(legal) if "U0ADMIN" in m["text"]]) == 1
    assert len([m for m in slack_rig.dms("U0ADMIN") if "U0LEGAL1" in m["text"]]) == 1
    # the deputy's approval says for whom, on the request and to the author
    assert slack_rig.click("U0ADMIN", legal, APPROVE)["status"] == 200
    slack_rig.relay.pump()
    shown = shown_text(slack_rig.request_for("C0LEGAL", post["id"]))
    assert "<@U0ADMIN> in Vertretung für <@U0LEGAL1>" in shown, shown


def test_without_an_absence_nobody_else_hears_of_the_request(slack_rig: SlackRig) -> None:
    post = slack_rig.create(text="Rabatt")
    slack_rig.relay.pump()
    legal = slack_rig.request_for("C0LEGAL", post["id"])
    assert not [m for m in slack_rig.thread(legal) if "vertritt" in m["text"]]
    assert not [m for m in slack_rig.dms("U0ADMIN") if "U0LEGAL1" in m["text"]]
