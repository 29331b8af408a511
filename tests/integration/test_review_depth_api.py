"""Review depth through the writers' API (Chalice's test client, DynamoDB on moto, the Slack dev
workspace for who is who): holds and each step's review fields in the post JSON, releasing a
hold from the web page, comments, and the word diff between versions."""

from __future__ import annotations

from typing import Any

import pytest

from chalicelib.domain.post import Reviewer
from tests.integration.api_helpers import OTHER, Api
from tests.integration.slack_helpers import SlackRig

LEGAL1 = "legal1@freigabe.example"


@pytest.fixture
def api(slack_rig: SlackRig, client: Any) -> Api:
    return Api(client)


def hold(post: dict[str, Any], reason: str = "Rechtliche Prüfung läuft") -> None:
    """A legal reviewer holds the post (as the Slack button does, through the same use case)."""
    from chalicelib import bootstrap
    from chalicelib.services import review

    review.hold(bootstrap.container().context(), post["id"], "legal",
                Reviewer("U0LEGAL1", LEGAL1), reason, post["content_hash"])


def test_a_hold_shows_in_the_post_and_a_reviewer_releases_it_from_the_web_page(api: Api) -> None:
    post = api.create(text="50% Rabatt").data
    hold(post)
    shown = api.call("GET", f"/api/posts/{post['id']}").data
    (held,) = shown["holds"]
    assert (held["step"], held["by"], held["reason"]) == ("legal", "U0LEGAL1",
                                                          "Rechtliche Prüfung läuft")
    legal = next(s for s in shown["steps"] if s["name"] == "legal")
    assert {k: legal[k] for k in ("kind", "labels", "quote", "checklist", "due_at", "overdue")} == {
        "kind": "slack", "labels": [], "quote": None, "checklist": [], "due_at": None,
        "overdue": False}
    # the author is no reviewer of legal: refused in words, nothing changes
    refused = api.call("POST", f"/api/posts/{post['id']}/holds/legal/release", {})
    assert refused.status_code == 403 and refused.data["message"]
    assert len(api.call("GET", f"/api/posts/{post['id']}").data["holds"]) == 1
    # a legal reviewer signed in on the web page releases it
    reviewer = Api(api.client, user=LEGAL1)
    released = reviewer.call("POST", f"/api/posts/{post['id']}/holds/legal/release", {})
    assert released.status_code == 200 and released.data["holds"] == []
    timeline = api.call("GET", f"/api/posts/{post['id']}").data["timeline"]
    assert [e["type"] for e in timeline][-2:] == ["hold", "hold_released"]
    assert timeline[-1]["actor"] == "U0LEGAL1"
    again = reviewer.call("POST", f"/api/posts/{post['id']}/holds/legal/release", {})
    assert again.status_code == 403 and "legal" in again.data["message"]


def test_comments_are_added_to_the_timeline_and_bad_ones_store_nothing(api: Api) -> None:
    post = api.create().data
    made = api.call("POST", f"/api/posts/{post['id']}/comments",
                    {"text": "Bild kommt morgen", "visibility": "shared"})
    assert made.status_code == 201
    assert made.data["id"] == post["id"]
    for bad in ({"text": "  ", "visibility": "internal"}, {"text": "x", "visibility": "public"},
                {"visibility": "shared"}):
        answer = api.call("POST", f"/api/posts/{post['id']}/comments", bad)
        assert answer.status_code == 422 and answer.data["message"], bad
    other = Api(api.client, user=OTHER).call("POST", f"/api/posts/{post['id']}/comments",
                                              {"text": "Hallo", "visibility": "internal"})
    assert other.status_code == 404
    timeline = api.call("GET", f"/api/posts/{post['id']}").data["timeline"]
    comments = [e for e in timeline if e["type"] == "comment"]
    assert [(c["actor"], c["data"]) for c in comments] == [
        ("wanda.writer@freigabe.example", {"text": "Bild kommt morgen", "visibility": "shared"})]


def test_changes_show_a_word_diff_from_an_earlier_version(api: Api) -> None:
    post = api.create(text="Jetzt 50% Rabatt sichern").data
    edited = api.call("PATCH", f"/api/posts/{post['id']}",
                      {"version": post["version"], "text": "Jetzt 30% Rabatt sichern"}).data
    answer = api.call("GET", f"/api/posts/{post['id']}/changes?from={post['content_hash']}")
    assert answer.status_code == 200
    assert answer.data["from"] == post["content_hash"] and answer.data["to"] == edited["content_hash"]
    (text,) = [t for t in answer.data["texts"] if t["field"] == "text"]
    assert text["diff"] == [["same", "Jetzt "], ["removed", "50%"], ["added", "30%"],
                            ["same", " Rabatt sichern"]]
    assert answer.data["images"] == []
    unknown = api.call("GET", f"/api/posts/{post['id']}/changes?from={'0' * 64}")
    assert unknown.status_code == 404 and unknown.data["message"]
    missing = api.call("GET", f"/api/posts/{post['id']}/changes")
    assert missing.status_code == 422
