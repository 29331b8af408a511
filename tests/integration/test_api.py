"""The writers' API through Chalice's test client, against DynamoDB on moto's server:
every route of docs/api.md, bad input included."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from tests.integration.api_helpers import OTHER, Api


@pytest.fixture
def api(client: Any) -> Api:
    return Api(client)


def future(hours: int = 24) -> str:
    return (datetime.now(UTC) + timedelta(hours=hours)).astimezone().isoformat()


def test_create_submits_by_default_and_returns_the_post(api: Api) -> None:
    response = api.create(title="Advent", publish_at=future())
    assert response.status_code == 201
    post = response.data
    assert post["status"] == "in_review"
    assert post["author"] == "wanda.writer@freigabe.example"
    assert post["version"] == 1 and len(post["content_hash"]) == 64
    assert post["publish_at"].endswith("Z")
    assert [(s["name"], s["status"]) for s in post["steps"]] == [
        ("legal", "not_required"), ("brand", "pending")]
    stored = api.call("GET", f"/api/posts/{post['id']}").data
    assert [e["type"] for e in stored["timeline"]] == ["created", "submitted", "in_review"]


def test_submit_false_keeps_a_draft_and_submit_moves_it(api: Api) -> None:
    draft = api.create(submit=False).data
    assert draft["status"] == "draft" and draft["steps"] == []
    submitted = api.call("POST", f"/api/posts/{draft['id']}/submit")
    assert submitted.status_code == 200 and submitted.data["status"] == "in_review"
    again = api.call("POST", f"/api/posts/{draft['id']}/submit")
    assert again.status_code == 409


def test_list_is_newest_first_and_filters_by_status(api: Api) -> None:
    first = api.create(submit=False).data
    second = api.create().data
    listed = api.call("GET", "/api/posts").data["posts"]
    assert [p["id"] for p in listed][:2] == [second["id"], first["id"]]
    drafts = api.call("GET", "/api/posts?status=draft").data["posts"]
    assert [p["id"] for p in drafts] == [first["id"]]
    bad = api.call("GET", "/api/posts?status=bogus")
    assert bad.status_code == 422 and "status" in bad.data["message"]


def test_others_cannot_see_or_change_my_post(api: Api, client: Any) -> None:
    post = api.create().data
    other = Api(client, OTHER)
    assert other.call("GET", f"/api/posts/{post['id']}").status_code == 404
    patched = other.call("PATCH", f"/api/posts/{post['id']}", {"version": 1, "text": "x"})
    assert patched.status_code == 404
    assert other.call("POST", f"/api/posts/{post['id']}/withdraw").status_code == 404
    assert other.call("GET", "/api/posts").data["posts"] == []
    assert api.call("GET", f"/api/posts/{post['id']}").data["version"] == 1


def test_patch_content_voids_approvals_and_stale_version_is_409(api: Api) -> None:
    post = api.create().data
    edited = api.call("PATCH", f"/api/posts/{post['id']}", {"version": 1, "text": "Neu"})
    assert edited.status_code == 200
    assert edited.data["text"] == "Neu" and edited.data["version"] == 2
    assert edited.data["content_hash"] != post["content_hash"]
    stale = api.call("PATCH", f"/api/posts/{post['id']}", {"version": 1, "text": "Alt"})
    assert stale.status_code == 409
    assert "version 2" in stale.data["message"]
    assert api.call("GET", f"/api/posts/{post['id']}").data["text"] == "Neu"


def test_moving_publish_at_is_recorded(api: Api) -> None:
    post = api.create(publish_at=future(24)).data
    moved = api.call("PATCH", f"/api/posts/{post['id']}", {"version": 1, "publish_at": future(48)})
    assert moved.status_code == 200
    assert moved.data["content_hash"] == post["content_hash"]
    timeline = api.call("GET", f"/api/posts/{post['id']}").data["timeline"]
    assert timeline[-1]["type"] == "rescheduled"


def test_withdraw(api: Api) -> None:
    post = api.create().data
    withdrawn = api.call("POST", f"/api/posts/{post['id']}/withdraw")
    assert withdrawn.status_code == 200 and withdrawn.data["status"] == "withdrawn"
    assert api.call("POST", f"/api/posts/{post['id']}/withdraw").status_code == 409


def test_no_identity_is_401(api: Api) -> None:
    response = api.call("GET", "/api/posts", **{"X-Freigabe-User": ""})
    assert response.status_code == 401 and response.data["message"]


def test_non_json_write_is_415_with_a_message(api: Api) -> None:
    response = api.call("POST", "/api/posts", "text=hi", **{"Content-Type": "text/plain"})
    assert response.status_code == 415
    assert "JSON" in response.data["message"]
    form = api.call("PATCH", "/api/posts/x", "a=b",
                    **{"Content-Type": "application/x-www-form-urlencoded"})
    assert form.status_code == 415


@pytest.mark.parametrize(("payload", "fragment"), [
    ({"channels": ["outbox"]}, "text"),
    ({"text": "Hi", "channels": ["tiktok"]}, "tiktok"),
    ({"text": "Hi", "channels": []}, "channel"),
    ({"text": "   ", "channels": ["outbox"]}, "empty"),
    ({"text": "x" * 281, "channels": ["x"]}, "x: 281 of 280"),
    ({"text": "👨‍👩‍👧‍👦" * 140, "channels": ["bluesky"]}, "bluesky: 3500 of 3000 bytes"),
    ({"text": "Hi", "channels": ["outbox"], "variants": {"x": "Hi"}}, "x"),
    ({"text": "Hi", "channels": ["outbox"], "publish_at": "2020-01-01T00:00:00+00:00"}, "past"),
    ({"text": "Hi", "channels": ["outbox"], "publish_at": "2030-01-01T00:00:00"}, "time zone"),
    ({"text": "Hi", "channels": ["outbox"], "colour": "red"}, "colour"),
    ({"text": 5, "channels": ["outbox"]}, "text"),
])
def test_invalid_content_is_422_and_stores_nothing(api: Api, payload: dict[str, Any],
                                                    fragment: str) -> None:
    response = api.call("POST", "/api/posts", payload)
    assert response.status_code == 422, response.data
    assert fragment in response.data["message"]
    assert api.call("GET", "/api/posts").data["posts"] == []


def test_messages_follow_accept_language(client: Any) -> None:
    german = Api(client, lang="de-DE,de;q=0.9,en;q=0.5")
    response = german.call("POST", "/api/posts", {"text": "x" * 281, "channels": ["x"]})
    assert response.data["message"] == "Zu lang für x: 281 von 280 Zeichen."
    default = Api(client, lang="")
    assert "Zeichen" in default.call("POST", "/api/posts",
                                      {"text": "x" * 281, "channels": ["x"]}).data["message"]


def test_invalid_json_is_400(api: Api) -> None:
    response = api.call("POST", "/api/posts", "{not json")
    assert response.status_code == 400 and response.data["message"]
    array = api.call("POST", "/api/posts", "[1, 2]")
    assert array.status_code == 422


def test_channels_list_their_limits(api: Api) -> None:
    answer = api.call("GET", "/api/channels").data
    channels = {c["name"]: c for c in answer["channels"]}
    assert channels["x"]["limit"] == 280 and channels["bluesky"]["limit"] == 300
    assert channels["mastodon"]["limit"] == 500 and channels["outbox"]["limit"] is None
    assert answer["require_alt_text"] is True  # the workflow file's default


def test_calendar_shows_the_teams_scheduled_posts_and_only_my_drafts(api: Api, client: Any) -> None:
    mine = api.create(submit=False, publish_at=future(24)).data
    other = Api(client, OTHER)
    theirs = other.create(submit=False, publish_at=future(25)).data
    start = datetime.now(UTC).isoformat()
    end = (datetime.now(UTC) + timedelta(days=3)).isoformat()
    from urllib.parse import quote

    path = f"/api/calendar?from={quote(start)}&to={quote(end)}"
    ids = [p["id"] for p in api.call("GET", path).data["posts"]]
    assert mine["id"] in ids and theirs["id"] not in ids
    assert api.call("GET", "/api/calendar?from=yesterday&to=x").status_code == 422


FAR = "9999-12-31T23:59:59-23:59"


@pytest.mark.parametrize("publish_at", [FAR, "9999-12-31T23:59:59+14:00", "0001-01-01T00:00:00+14:00"])
def test_extreme_publish_times_are_422_never_500(api: Api, publish_at: str) -> None:
    # Issue item 9: a time the calendar cannot hold in UTC was an OverflowError, a 500.
    created = api.create(publish_at=publish_at)
    assert created.status_code == 422, created.data
    assert created.data["error"] in ("publish_at_too_far", "publish_at_in_past")
    post = api.create(submit=False).data
    patched = api.call("PATCH", f"/api/posts/{post['id']}",
                       {"version": post["version"], "publish_at": publish_at})
    assert patched.status_code == 422, patched.data
    assert api.call("GET", f"/api/posts/{post['id']}").data["version"] == post["version"]
    assert api.call("GET", "/api/posts").data["posts"] == [post]


def test_publish_at_more_than_two_years_ahead_is_refused_and_says_so(api: Api) -> None:
    response = api.create(publish_at=future(24 * 365 * 3))
    assert response.status_code == 422
    assert response.data["error"] == "publish_at_too_far"
    assert "2 years" in response.data["message"]
    german = api.call("POST", "/api/posts", {"text": "x", "channels": ["outbox"],
                                             "publish_at": future(24 * 365 * 3)},
                      **{"Accept-Language": "de"})
    assert "2 Jahre" in german.data["message"]
    assert api.create(publish_at=future(24 * 365)).status_code == 201


@pytest.mark.parametrize(("start", "end"), [
    ("0001-01-01T00:00:00+14:00", "0001-01-02T00:00:00+14:00"),
    ("9999-12-31T00:00:00-12:00", "9999-12-31T23:59:59-12:00"),
    ("0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-12:00"),
    ("1999-12-31T00:00:00Z", "2000-01-02T00:00:00Z"),
    ("2100-12-31T00:00:00Z", "2101-01-02T00:00:00Z"),
    ("9999-12-31T23:59:59", "0001-01-01T00:00:00"),
])
def test_extreme_calendar_bounds_are_422_never_500(api: Api, start: str, end: str) -> None:
    from urllib.parse import quote

    response = api.call("GET", f"/api/calendar?from={quote(start)}&to={quote(end)}")
    assert response.status_code == 422, response.data
    assert response.data["message"] and response.data["error"]


def test_health_reports_the_table(client: Any) -> None:
    response = client.http.get("/health")
    assert response.status_code == 200


def test_health_is_503_when_the_table_is_gone(client: Any, table: str, dynamodb: Any) -> None:
    from chalicelib.adapters.dynamodb.schema import table_definition

    dynamodb.delete_table(TableName=table)
    response = client.http.get("/health")
    assert response.status_code == 503
    assert json.loads(response.body)["status"] == "unavailable"
    dynamodb.create_table(**table_definition(table))  # the fixture deletes it afterwards
