"""Brands through the writers' API (CONTRACT §10): a writer with several brands names one, a
writer may write only for their own, each post is checked and reviewed under its brand's
workflow, and lists and the calendar filter by brand."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from tests.conftest import ROOT
from tests.integration.api_helpers import Api

BRANDS = ROOT / "tests" / "fixtures" / "workflow_brands.toml"
BOTH = "wanda.writer@freigabe.example"  # writes for freigabe (@freigabe.example) and kaffeebar
KIM = "kim@kaffeebar.example"  # kaffeebar only
NOBODY = "nora@elsewhere.example"  # no brand


@pytest.fixture
def client(table: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    from chalice.test import Client

    import app as application
    from chalicelib import bootstrap

    monkeypatch.setenv("FREIGABE_CONFIG", str(BRANDS))
    bootstrap.reset()
    with Client(application.app, stage_name="local", project_dir=str(ROOT)) as test_client:
        yield test_client
    bootstrap.reset()


def stored(post_id: str) -> Any:
    from chalicelib import bootstrap

    return bootstrap.container().repository.get(post_id)


def test_a_writer_with_two_brands_must_name_one_and_nothing_is_stored_without(client: Any) -> None:
    api = Api(client, user=BOTH)

    refused = api.create(channels=["outbox"])

    assert refused.status_code == 422
    assert "freigabe, kaffeebar" in refused.data["message"]
    assert api.call("GET", "/api/posts").data["posts"] == []


def test_the_post_belongs_to_the_brand_named_and_is_reviewed_by_its_steps(client: Any) -> None:
    api = Api(client, user=BOTH)

    created = api.create(brand="kaffeebar", channels=["kaffee_outbox"], text="Neue Bohnen")

    assert created.status_code == 201, created.data
    assert created.data["brand"] == "kaffeebar"
    assert [s["name"] for s in created.data["steps"]] == ["brand"]
    assert created.data["steps"][0]["label"] == "Kaffeebar brand"
    post = stored(created.data["id"])
    assert post.brand == "kaffeebar" and post.status.value == "in_review"


def test_a_writer_of_one_brand_needs_not_name_it(client: Any) -> None:
    created = Api(client, user=KIM).create(channels=["kaffee_outbox"])

    assert created.status_code == 201, created.data
    assert created.data["brand"] == "kaffeebar"


def test_a_brand_the_writer_may_not_write_for_is_403_in_words(client: Any) -> None:
    api = Api(client, user=KIM)

    refused = api.create(brand="freigabe", channels=["outbox"])

    assert refused.status_code == 403
    assert "Freigabe GmbH" in refused.data["message"]
    assert api.call("GET", "/api/posts").data["posts"] == []


def test_someone_of_no_brand_is_told_to_ask_an_admin(client: Any) -> None:
    refused = Api(client, user=NOBODY, lang="de").create(channels=["outbox"])

    assert refused.status_code == 403
    assert "Admin" in refused.data["message"]


def test_an_unknown_brand_is_422_naming_it(client: Any) -> None:
    refused = Api(client, user=BOTH).create(brand="tee", channels=["outbox"])

    assert refused.status_code == 422
    assert "tee" in refused.data["message"]


def test_a_post_may_name_only_its_brands_channels(client: Any) -> None:
    refused = Api(client, user=BOTH).create(brand="freigabe", channels=["kaffee_outbox"])

    assert refused.status_code == 422
    assert "kaffee_outbox" in refused.data["message"]


def test_me_lists_the_callers_brands_with_their_channels(client: Any) -> None:
    both = Api(client, user=BOTH).call("GET", "/api/me").data["brands"]
    kim = Api(client, user=KIM).call("GET", "/api/me").data["brands"]

    assert [b["name"] for b in both] == ["freigabe", "kaffeebar"]
    assert both[1] == {"name": "kaffeebar", "label": "Kaffeebar Süd",
                       "timezone": "America/New_York", "language": "en",
                       "channels": ["kaffee_hooks", "kaffee_outbox"], "require_alt_text": True}
    assert [b["name"] for b in kim] == ["kaffeebar"]
    assert Api(client, user=NOBODY).call("GET", "/api/me").data["brands"] == []


def test_posts_and_calendar_filter_by_brand(client: Any) -> None:
    api = Api(client, user=BOTH)
    at = (datetime.now(UTC) + timedelta(days=2)).replace(microsecond=0).isoformat()
    ours = api.create(brand="freigabe", channels=["outbox"], publish_at=at).data["id"]
    theirs = api.create(brand="kaffeebar", channels=["kaffee_outbox"], publish_at=at,
                        submit=False).data["id"]

    def ids(path: str) -> list[str]:
        response = api.call("GET", path)
        assert response.status_code == 200, response.data
        return sorted(p["id"] for p in response.data["posts"])

    assert ids("/api/posts") == sorted([ours, theirs])
    assert ids("/api/posts?brand=freigabe") == [ours]
    assert ids("/api/posts?brand=kaffeebar") == [theirs]
    start = datetime.now(UTC).date().isoformat() + "T00:00:00Z"
    end = (datetime.now(UTC) + timedelta(days=5)).date().isoformat() + "T00:00:00Z"
    assert ids(f"/api/calendar?from={start}&to={end}&brand=kaffeebar") == [theirs]
    assert ids(f"/api/calendar?from={start}&to={end}&brand=freigabe") == [ours]
    unknown = api.call("GET", "/api/posts?brand=tee")
    assert unknown.status_code == 422 and "tee" in unknown.data["message"]
