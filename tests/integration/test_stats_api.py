"""The figures of posts created in the test: written through the API, reviewed with signed
clicks from the Slack dev workspace, published by the queue's worker, with the table's stream
relayed to the app as Lambda would; then `GET /api/stats` and `/freigabe stats` show them."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from chalicelib.adapters.slack.blocks import APPROVE, REQUEST_CHANGES
from tests.integration.publish_support import PublishRig, publish_rig
from tests.integration.slack_helpers import SlackRig, shown_text


@pytest.fixture
def rig(table: str, aws_endpoint: str, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> Iterator[PublishRig]:
    with publish_rig(table, aws_endpoint, tmp_path, monkeypatch) as publishing:
        yield publishing


def reviewed_and_published(rig: PublishRig, slack: SlackRig) -> str:
    """Legal asks for changes, the writer submits again, legal and brand approve, it goes out."""
    post = slack.create(text="Gewinnspiel im Advent", channels=["outbox"])
    slack.relay.pump()
    slack.click("U0LEGAL1", slack.request_for("C0LEGAL", post["id"]), REQUEST_CHANGES)
    (modal,) = slack.open_views("U0LEGAL1")
    assert slack.submit("U0LEGAL1", modal["id"], "Bitte Teilnahmebedingungen verlinken")["status"] == 200
    slack.relay.pump()
    assert slack.api("POST", f"/api/posts/{post['id']}/submit", {})["status"] == "in_review"
    slack.relay.pump()
    slack.click("U0LEGAL1", slack.request_for("C0LEGAL", post["id"]), APPROVE)
    slack.click("U0BRAND1", slack.request_for("C0BRAND", post["id"]), APPROVE)
    slack.relay.pump()  # the relay takes the post, due now, to the publish queue
    assert rig.drain() == 1
    slack.relay.pump()
    assert slack.relay.failures == []
    assert slack.post(post["id"])["status"] == "published"
    return str(post["id"])


def test_the_figures_of_posts_reviewed_and_published_in_the_test(rig: PublishRig,
                                                                 slack_rig: SlackRig) -> None:
    post_id = reviewed_and_published(rig, slack_rig)
    today = datetime.now(UTC).date().isoformat()

    figures = slack_rig.api("GET", f"/api/stats?from={today}&to={today}")
    steps = {s["step"]: s for s in figures["steps"]}
    assert set(steps) == {"legal", "brand"}
    assert (steps["legal"]["brand"], steps["legal"]["decisions"],
            steps["legal"]["changes_requested_rate"]) == ("default", 2, 0.5)
    assert (steps["brand"]["decisions"], steps["brand"]["changes_requested_rate"]) == (1, 0.0)
    for step in steps.values():  # seconds in the test: a few thousandths of an hour
        assert 0 <= step["median_hours_to_decision"] <= step["p90_hours_to_decision"] < 0.1
    reviewers = {(r["step"], r["reviewer"]): r["decisions"] for r in figures["reviewers"]}
    assert reviewers == {("legal", "U0LEGAL1"): 2, ("brand", "U0BRAND1"): 1}
    assert (figures["published"], figures["on_time_rate"], figures["failures"]) == (1, 1.0, {})
    [brand] = figures["brands"]
    assert brand["brand"] == "default" and brand["scheduled"] == 1
    assert 0 <= brand["median_hours_to_schedule"] < 0.1

    # The facts live in the day's partition under the brand and post: one per counted event.
    import boto3

    from chalicelib import bootstrap

    items = boto3.client("dynamodb").query(
        TableName=bootstrap.container().table, KeyConditionExpression="PK = :pk",
        ExpressionAttributeValues={":pk": {"S": f"STATS#{today}"}})["Items"]
    assert sorted(i["kind"]["S"] for i in items) == [
        "decision", "decision", "decision", "publish_result", "scheduled"]
    assert all(i["SK"]["S"].startswith(f"default#{post_id}#") for i in items)

    # Relaying the whole stream again (a redelivery) changes no figure.
    from tests.integration.slack_helpers import StreamRelay

    StreamRelay(bootstrap.container().table).pump()
    assert slack_rig.api("GET", f"/api/stats?from={today}&to={today}") == figures

    # Slack shows the same figures.
    slack_rig.command("U0LEGAL1", "stats 7d")
    [answer] = [e for e in slack_rig.ephemerals("U0LEGAL1")]
    shown = shown_text(answer)
    assert "Legal" in shown and "2 Entscheidungen" in shown and "50 %" in shown
    assert "Pünktlich veröffentlicht: 100 %" in shown


def test_a_period_in_other_words_is_a_422_that_says_why(slack_rig: SlackRig) -> None:
    cases = {"/api/stats?from=2026-11-02&to=2026-11-01": "ends before it begins",
             "/api/stats?from=2020-01-01&to=2026-11-01": "at most 366 days",
             "/api/stats?from=gestern": "YYYY-MM-DD",
             "/api/stats?brand=nobody": "no brand named 'nobody'"}
    for path, words in cases.items():
        response = slack_rig.http.get(slack_rig.servers.app_url + path, timeout=30, headers={
            "X-Freigabe-User": "writer@freigabe.example", "Accept-Language": "en"})
        assert response.status_code == 422, path
        assert words in response.json()["message"], path
    anonymous = slack_rig.http.get(slack_rig.servers.app_url + "/api/stats", timeout=30)
    assert anonymous.status_code == 401
    empty = slack_rig.api("GET", "/api/stats")
    assert empty["steps"] == [] and empty["on_time_rate"] is None
