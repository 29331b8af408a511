"""The admins' channel routes over the HTTP boundary on moto (CONTRACT §8): who may call them,
what is stored (table and SSM), what the health check and the list say, and what is refused."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.integration.api_helpers import WRITER, Api
from tests.standins.bluesky import BlueskyStandin

ADMIN = "admin@freigabe.example"


@pytest.fixture
def admin(client: Any) -> Api:
    return Api(client, user=ADMIN)


def channels(api: Api) -> dict[str, dict[str, Any]]:
    answer = api.call("GET", "/api/admin/channels")
    assert answer.status_code == 200
    return {c["name"]: c for c in answer.data["channels"]}


def stored_secret(name: str) -> dict[str, str] | None:
    from chalicelib import bootstrap

    return bootstrap.container().token_vault.get(name)


def test_file_channels_are_listed_with_their_source_and_status(admin: Api) -> None:
    listed = channels(admin)
    assert listed["outbox"]["source"] == "file" and listed["outbox"]["status"] == "connected"
    assert set(listed["mastodon"]) >= {"name", "type", "source", "status", "account",
                                       "expires_at", "last_ok_at", "last_error"}


def test_only_admins_may_call_any_admin_route(client: Any, table: str) -> None:
    writer = Api(client, user=WRITER)
    for method, path, payload in [
        ("GET", "/api/admin/channels", None),
        ("POST", "/api/admin/channels", {"name": "x2", "type": "x"}),
        ("DELETE", "/api/admin/channels/x2", None),
        ("POST", "/api/admin/channels/x2/credentials", {"handle": "a", "app_password": "b"}),
        ("POST", "/api/admin/channels/x2/disconnect", {}),
        ("GET", "/api/admin/channels/x2/log", None),
    ]:
        answer = writer.call(method, path, payload)
        assert answer.status_code == 403, path
        assert "admin" in answer.data["message"]
    assert "x2" not in channels(Api(client, user=ADMIN))


def test_an_admin_creates_a_channel_that_starts_not_connected_and_is_logged(admin: Api) -> None:
    answer = admin.call("POST", "/api/admin/channels", {
        "name": "team-x", "type": "x",
        "settings": {"client_id": "cid", "client_secret": "very-secret",
                     "auth_url": "http://127.0.0.1:9/authorize"},
        "x_monthly_budget_usd": 20})
    assert answer.status_code == 201, answer.data
    assert answer.data["status"] == "not_connected" and answer.data["source"] == "runtime"
    assert answer.data["base_url"] == "https://api.x.com"
    assert "very-secret" not in json.dumps(answer.data)
    assert channels(admin)["team-x"]["status"] == "not_connected"
    # The client secret went to the vault, never to the table.
    assert stored_secret("team-x") == {"client_secret": "very-secret"}
    log = admin.call("GET", "/api/admin/channels/team-x/log").data["changes"]
    assert [(c["by"], c["what"]) for c in log] == [(ADMIN, "created (x)")]


@pytest.mark.parametrize(("payload", "status", "words"), [
    ({"name": "outbox", "type": "mastodon", "base_url": "https://m.example"}, 409, "exists"),
    ({"name": "Bad Name", "type": "x"}, 422, "channel name"),
    ({"name": "ok", "type": "myspace"}, 422, "Unknown network"),
    ({"name": "ok", "type": "mastodon"}, 422, "base_url"),
    ({"name": "ok", "type": "x", "settings": {"password": "p"}}, 422, "not a known setting"),
    ({"name": "ok", "type": "linkedin", "settings": {"linkedin_version": "2025"}}, 422,
     "linkedin_version"),
    ({"name": "ok", "type": "x", "base_url": "ftp://x"}, 422, "base_url"),
    ({"name": "ok", "type": "x", "extra": 1}, 422, "extra"),
])
def test_bad_channels_are_refused_in_words_and_nothing_is_stored(
        admin: Api, payload: dict[str, Any], status: int, words: str) -> None:
    answer = admin.call("POST", "/api/admin/channels", payload)
    assert answer.status_code == status
    assert words in answer.data["message"]
    assert "ok" not in channels(admin)


def test_a_name_in_use_at_run_time_is_a_conflict(admin: Api) -> None:
    assert admin.call("POST", "/api/admin/channels", {"name": "mine", "type": "x"}).status_code == 201
    again = admin.call("POST", "/api/admin/channels",
                       {"name": "mine", "type": "mastodon", "base_url": "https://m.example"})
    assert again.status_code == 409
    assert channels(admin)["mine"]["type"] == "x"


def test_bluesky_credentials_are_kept_only_after_a_session(admin: Api) -> None:
    with BlueskyStandin() as pds:
        created = admin.call("POST", "/api/admin/channels",
                             {"name": "sky", "type": "bluesky", "base_url": pds.base_url})
        assert created.status_code == 201
        wrong = admin.call("POST", "/api/admin/channels/sky/credentials",
                           {"handle": pds.handle_name, "app_password": "wrong-pass"})
        assert wrong.status_code == 422
        assert "Bluesky" in wrong.data["message"] and "wrong-pass" not in wrong.data["message"]
        assert stored_secret("sky") is None
        assert channels(admin)["sky"]["status"] == "not_connected"

        right = admin.call("POST", "/api/admin/channels/sky/credentials",
                           {"handle": "@" + pds.handle_name, "app_password": pds.secret})
        assert right.status_code == 200, right.data
        assert right.data["status"] == "connected" and right.data["account"] == pds.handle_name
    assert stored_secret("sky") == {"app_password": pds.secret}
    assert channels(admin)["sky"]["status"] == "connected"


def test_credentials_are_only_for_bluesky(admin: Api) -> None:
    admin.call("POST", "/api/admin/channels", {"name": "tx", "type": "x"})
    answer = admin.call("POST", "/api/admin/channels/tx/credentials",
                        {"handle": "a.test", "app_password": "pw"})
    assert answer.status_code == 422 and "Bluesky" in answer.data["message"]


def test_deleting_removes_the_channel_and_its_secrets(admin: Api) -> None:
    admin.call("POST", "/api/admin/channels",
               {"name": "gone", "type": "x", "settings": {"client_secret": "s"}})
    answer = admin.call("DELETE", "/api/admin/channels/gone")
    assert answer.status_code == 200
    assert "gone" not in channels(admin)
    assert stored_secret("gone") is None
    log = admin.call("GET", "/api/admin/channels/gone/log").data["changes"]
    assert [c["what"] for c in log] == ["created (x)", "deleted"]
    assert admin.call("DELETE", "/api/admin/channels/gone").status_code == 404
    assert admin.call("DELETE", "/api/admin/channels/outbox").status_code == 409


def test_a_channel_used_by_a_post_in_review_cannot_be_deleted(admin: Api, client: Any) -> None:
    from chalicelib import bootstrap
    from chalicelib.domain.accounts import ChannelAccount

    # Connected (as a finished connect flow leaves it), so a post may name it.
    store = bootstrap.container().channel_store
    store.save(ChannelAccount(name="live", type="mastodon", base_url="https://m.example",
                              status="connected"), ADMIN, "connected")
    bootstrap.container().token_vault.put("live", {"access_token": "t"})
    writer = Api(client, user=WRITER)
    post = writer.create(channels=["live"])
    assert post.status_code == 201, post.data
    answer = admin.call("DELETE", "/api/admin/channels/live")
    assert answer.status_code == 409 and "live" in answer.data["message"]
    assert "live" in channels(admin)


def test_disconnecting_forgets_the_tokens_but_keeps_the_app_secret(admin: Api) -> None:
    from chalicelib import bootstrap

    admin.call("POST", "/api/admin/channels",
               {"name": "tx", "type": "x", "settings": {"client_secret": "app"}})
    vault = bootstrap.container().token_vault
    vault.put("tx", {"client_secret": "app", "access_token": "tok", "refresh_token": "ref"})
    answer = admin.call("POST", "/api/admin/channels/tx/disconnect", {})
    assert answer.status_code == 200 and answer.data["status"] == "not_connected"
    assert vault.get("tx") == {"client_secret": "app"}


def test_health_stays_up_and_names_channels_that_are_not_connected(admin: Api,
                                                                   client: Any) -> None:
    admin.call("POST", "/api/admin/channels", {"name": "tx", "type": "x"})
    answer = client.http.get("/health")
    assert answer.status_code == 200
    body = json.loads(answer.body)
    assert body["status"] == "degraded"
    assert body["channels"]["not_connected"] == ["tx"]
    assert body["channels"]["connected"] >= 1
