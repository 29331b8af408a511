"""What the web page learns about the caller and the channels: whether the caller is a web
admin (the admin section), and what a post costs on each X channel (beside its counter)."""

from __future__ import annotations

from typing import Any

from tests.integration.api_helpers import Api

ADMIN = "admin@freigabe.example"  # admin_emails in tests/fixtures/workflow.toml


def test_me_says_whether_the_caller_is_a_web_admin(client: Any) -> None:
    assert Api(client).call("GET", "/api/me").data["admin"] is False
    shown = Api(client, user="Admin@Freigabe.example").call("GET", "/api/me").data
    assert shown["admin"] is True and shown["email"] == ADMIN


def test_x_channels_carry_their_prices_and_others_none(client: Any) -> None:
    channels = {c["name"]: c for c in Api(client).call("GET", "/api/channels").data["channels"]}
    assert channels["x"]["x_prices"] == {"post": 0.015, "post_with_url": 0.2}
    assert all("x_prices" not in c for name, c in channels.items() if c["type"] != "x")
