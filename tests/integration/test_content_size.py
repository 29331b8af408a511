"""Posts stay storable: a byte budget at create and edit (422 content_too_large), never a 500
from DynamoDB's 400 KB item limit (moto's server enforces it)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.integration.api_helpers import Api

KB = 1024


@pytest.fixture
def api(client: Any) -> Api:
    return Api(client)


def test_a_241_kb_post_is_refused_with_a_422_that_names_the_limit(api: Api) -> None:
    # The request model allows 70,000 characters: in emoji that is over 240 KB.
    response = api.create(text="😀" * (241 * KB // 4))
    assert response.status_code == 422
    assert response.data["error"] == "content_too_large"
    assert "100 KB" in response.data["message"]
    assert api.call("GET", "/api/posts").data["posts"] == []


def test_a_variant_counts_towards_the_budget(api: Api) -> None:
    response = api.create(text="a" * 60 * KB, channels=["outbox", "hooks"],
                          variants={"hooks": "b" * 60 * KB})
    assert response.status_code == 422 and response.data["error"] == "content_too_large"
    german = api.call("POST", "/api/posts", {"text": "ä" * (101 * KB // 2), "channels": ["outbox"]},
                      **{"Accept-Language": "de"})
    assert german.status_code == 422 and "100 KB" in german.data["message"]


def test_an_edit_over_the_budget_is_refused_and_changes_nothing(api: Api) -> None:
    post = api.create(text="klein").data
    response = api.call("PATCH", f"/api/posts/{post['id']}",
                        {"version": post["version"], "text": "€" * (120 * KB // 3)})
    assert response.status_code == 422 and response.data["error"] == "content_too_large"
    assert api.call("GET", f"/api/posts/{post['id']}").data["version"] == post["version"]


def test_a_post_just_under_the_budget_with_a_variant_is_stored(api: Api) -> None:
    response = api.create(text="a" * 45 * KB, channels=["outbox", "hooks"],
                          variants={"hooks": "b" * 45 * KB})
    assert response.status_code == 201, response.data
