"""Posts stay storable: a byte budget at create and edit (422 content_too_large), never a 500
from DynamoDB's 400 KB item limit (moto's server enforces it)."""

from __future__ import annotations

from typing import Any

import pytest

from chalicelib.adapters.slack.blocks import REQUEST_CHANGES
from tests.integration.api_helpers import Api
from tests.integration.slack_helpers import WRITER, SlackRig, stored

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


def stored_near_the_item_limit(post_id: str, margin: int) -> str:
    """A post in review stored before the byte budget existed, its item ``margin`` bytes under
    the 405,000 bytes moto's server lets through (DynamoDB: 400 KB)."""
    from datetime import UTC, datetime

    from chalicelib import bootstrap
    from chalicelib.domain.content import Content
    from chalicelib.domain.post import Post

    container = bootstrap.container()
    repo, workflow, now = container.repository, container.workflow, datetime.now(UTC)

    def build(size: int) -> Post:
        post = Post.create(post_id, WRITER, "Wanda", Content("Rabatt " + "x" * size, ("outbox",)),
                           None, now)
        post.submit(workflow, WRITER, now)
        return post

    def item_size(post: Post) -> int:
        return sum(len(name.encode()) + len(next(iter(value.values())).encode())
                   for name, value in repo._post_item(post, 1).items())

    probe = build(390_000)
    post = build(390_000 + 405_000 - margin - item_size(probe))
    repo.save(post)
    return post.id


def test_a_decision_the_table_refuses_is_explained_in_slack_and_changes_nothing(
        slack_rig: SlackRig) -> None:
    post_id = stored_near_the_item_limit("nearlimit", margin=600)
    slack_rig.relay.pump()
    request = slack_rig.request_for("C0LEGAL", post_id)
    before = stored(post_id)
    assert slack_rig.click("U0LEGAL1", request, REQUEST_CHANGES)["status"] == 200
    (modal,) = slack_rig.open_views("U0LEGAL1")
    answer = slack_rig.submit("U0LEGAL1", modal["id"], "Bitte kürzen. " * 150)
    assert answer["status"] == 200  # not a 500: the item would have passed 400 KB
    assert stored(post_id) == before
    said = slack_rig.ephemerals("U0LEGAL1")[-1]
    assert "zu groß zum Speichern" in said["text"] and "nichts geändert" in said["text"]
