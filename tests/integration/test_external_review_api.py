"""External review through the HTTP boundary (CONTRACT §9), over moto's DynamoDB and S3: the
author makes a link, the page behind it shows the whole content (images included) and only the
comments marked shared, under the strict CSP; a decision there is stored as the external
reviewer's and schedules the post; an edit, a forged or an expired link decides nothing."""

from __future__ import annotations

import hashlib
import re
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from html import unescape
from pathlib import Path
from typing import Any

import boto3
import pytest
import requests

from chalicelib.domain.post import Reviewer
from chalicelib.services import external_review as ext
from dev.resources import ensure_media_bucket
from tests.fakes.media import png
from tests.integration.api_helpers import OTHER, WRITER, Api
from tests.integration.publish_support import create_queues
from tests.integration.test_post_media_api import uploaded

KEY = "integration-link-key"
HOSTILE = '<script>alert("x")</script><img src=x onerror=alert(1)> & {{7*7}}'
WORKFLOW = '''
timezone = "Europe/Berlin"
language = "de"
review_order = "parallel"
admins = ["U0ADMIN"]

[[steps]]
name = "brand"
label = "Brand"
slack_channel = "C0BRAND"
reviewers = ["U0BRAND1"]

[[steps]]
name = "client"
label = "Kunde"
slack_channel = "C0BRAND"
kind = "link"
link_valid_hours = 48
[steps.when]
channels = ["mastodon"]

[channels.outbox]
type = "outbox"
path = ".freigabe/test-outbox.jsonl"

[channels.mastodon]
type = "mastodon"
base_url = "https://mastodon.example"
access_token = "env:MASTODON_TOKEN"
'''


@pytest.fixture
def bucket(aws_endpoint: str, table: str, monkeypatch: pytest.MonkeyPatch,
           tmp_path: Path) -> Iterator[str]:
    from chalicelib import bootstrap

    name = f"freigabe-media-{uuid.uuid4().hex[:10]}"
    ensure_media_bucket(boto3.client("s3", endpoint_url=aws_endpoint), name,
                        ["http://localhost:8000"])
    config = tmp_path / "workflow.toml"
    config.write_text(WORKFLOW, encoding="utf-8")
    # The client's last approval of a post without a time sends it to the publish queue.
    queue_url, _ = create_queues(boto3.client("sqs", endpoint_url=aws_endpoint), name[-10:])
    monkeypatch.setenv("FREIGABE_PUBLISH_QUEUE", queue_url.rsplit("/", 1)[-1])
    monkeypatch.setenv("TEST_PUBLISH_QUEUE_URL", queue_url)
    monkeypatch.setenv("FREIGABE_MEDIA_BUCKET", name)
    monkeypatch.setenv("FREIGABE_CONFIG", str(config))
    monkeypatch.setenv("TEST_LINK_KEY", KEY)
    monkeypatch.setenv("FREIGABE_LINK_KEY", "env:TEST_LINK_KEY")
    bootstrap.reset()
    yield name
    bootstrap.reset()


@pytest.fixture
def api(client: Any, bucket: str) -> Api:
    return Api(client)


def in_review(api: Api, **fields: Any) -> dict[str, Any]:
    created = api.create(channels=["mastodon"], **fields)
    assert created.status_code == 201, created.data
    assert created.data["status"] == "in_review"
    return created.data  # type: ignore[no-any-return]


def make_link(api: Api, post_id: str) -> str:
    """The path of a fresh review link (/review/<token>)."""
    made = api.call("POST", f"/api/posts/{post_id}/review-links")
    assert made.status_code == 201, made.data
    return "/" + made.data["url"].split("/", 3)[3]


def page(api: Api, path: str, lang: str | None = None) -> Any:
    headers = {"Accept-Language": lang} if lang else {}
    return api.client.http.get(path, headers=headers)


def decide(api: Api, path: str, payload: dict[str, Any], **headers: str) -> Any:
    return api.call("POST", path + "/decision", payload, **headers)


def text_of(response: Any) -> str:
    return unescape(re.sub(r"<[^>]+>", " ", response.body.decode()))


def approve_brand(post_id: str) -> None:
    from chalicelib import bootstrap
    from chalicelib.services import review

    ctx = bootstrap.container().context()
    post = ctx.repo.get(post_id)
    review.decide(ctx, post_id, "brand", Reviewer("U0BRAND1", "brand@freigabe.example"),
                  "approve", post.content_hash)


def comment(post_id: str, author: str, text: str, visibility: str) -> None:
    from chalicelib import bootstrap

    repo = bootstrap.container().repository
    post = repo.get(post_id)
    post.comment(author, text, visibility, datetime.now(UTC))
    repo.save(post)


def test_the_author_makes_a_link_for_the_open_link_step(api: Api) -> None:
    post = in_review(api)
    before = datetime.now(UTC)
    made = api.call("POST", f"/api/posts/{post['id']}/review-links")
    assert made.status_code == 201, made.data
    assert made.data["url"].startswith("http://localhost/review/")
    assert made.data["step"] == "client"
    expires = datetime.fromisoformat(made.data["expires_at"].replace("Z", "+00:00"))
    assert before + timedelta(hours=47, minutes=59) < expires < before + timedelta(hours=48, minutes=1)
    token = ext.decode(made.data["url"].rsplit("/", 1)[1], KEY.encode())
    assert (token.post_id, token.step, token.content_hash) == (post["id"], "client",
                                                               post["content_hash"])


def test_others_drafts_and_posts_without_a_link_step_get_no_link(api: Api) -> None:
    post = in_review(api)
    other = Api(api.client, user=OTHER).call("POST", f"/api/posts/{post['id']}/review-links")
    assert other.status_code == 404
    draft = api.create(channels=["mastodon"], submit=False).data
    refused = api.call("POST", f"/api/posts/{draft['id']}/review-links")
    assert refused.status_code == 409
    assert "in review" in refused.data["message"]
    slack_only = api.create(channels=["outbox"]).data  # the client step applies to Mastodon only
    refused = api.call("POST", f"/api/posts/{slack_only['id']}/review-links")
    assert refused.status_code == 409
    assert "outside the company" in refused.data["message"]
    for body, status in [({"step": 3}, 422), ({"x": 1}, 422), ("[]", 422), ("{", 400)]:
        assert api.call("POST", f"/api/posts/{post['id']}/review-links", body).status_code == status
    assert api.call("POST", "/api/posts/nope/review-links").status_code == 404
    anonymous = api.client.http.post(f"/api/posts/{post['id']}/review-links", body="{}",
                                     headers={"Content-Type": "application/json"})
    assert anonymous.status_code == 401


def test_the_page_shows_the_content_images_and_only_shared_comments(api: Api) -> None:
    image = png(width=120, height=80)
    media_id = uploaded(api, image, "image/png")
    post = in_review(api, text=HOSTILE, title="Adventskalender",
                     media=[{"id": media_id, "alt": "Ein rotes Feld"}])
    comment(post["id"], WRITER, "Bitte bis Freitag ansehen.", "shared")
    comment(post["id"], WRITER, "INTERN: Kunde hat schon zweimal abgelehnt.", "internal")
    comment(post["id"], "U0BRAND1", "INTERN: Ton ist grenzwertig.", "internal")
    path = make_link(api, post["id"])

    shown = page(api, path)

    assert shown.status_code == 200
    html = shown.body.decode()
    assert shown.headers["Content-Type"].startswith("text/html")
    csp = shown.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert shown.headers["X-Robots-Tag"].startswith("noindex")
    assert shown.headers["Referrer-Policy"] == "no-referrer"
    assert shown.headers["Cache-Control"] == "no-store"
    # Every piece of text as text: nothing the writer typed becomes markup.
    assert "<script>alert" not in html and "<img src=x" not in html
    words = text_of(shown)
    assert HOSTILE in words and "Adventskalender" in words
    assert "Bitte bis Freitag ansehen." in words
    assert "INTERN" not in html
    assert "Wanda" in words and "Kunde" in words  # who asks, for which step
    # The image as its GET URL, with its alt text; the URL reads the exact bytes.
    url = unescape(re.search(r'<img src="([^"]+)" alt="Ein rotes Feld"', html)[1])  # type: ignore[index]
    assert requests.get(url, timeout=10).content == image
    assert hashlib.sha256(image).hexdigest() in url
    # German by default (the workflow's language), English on request.
    assert "Freigeben" in words and "Änderungen anfordern" in words
    english = text_of(page(api, path + "?lang=en"))
    assert "Approve" in english and "Request changes" in english


def test_an_approval_through_the_link_schedules_the_post(api: Api) -> None:
    post = in_review(api, publish_at=(datetime.now(UTC) + timedelta(days=1)).isoformat())
    approve_brand(post["id"])
    path = make_link(api, post["id"])

    answer = decide(api, path, {"decision": "approve", "name": "Carla Client"})

    assert answer.status_code == 200, answer.data
    assert answer.data["step_status"] == "approved" and answer.data["status"] == "scheduled"
    stored = api.call("GET", f"/api/posts/{post['id']}").data
    assert stored["status"] == "scheduled"
    client = next(s for s in stored["steps"] if s["name"] == "client")
    assert client["status"] == "approved" and client["decided_by"] == "external:Carla Client"
    decision = [e for e in stored["timeline"] if e["type"] == "decision"][-1]
    assert decision["actor"] == "external:Carla Client"
    assert decision["data"]["content_hash"] == post["content_hash"]
    # A retried click records nothing more; the page now says who approved.
    again = decide(api, path, {"decision": "approve", "name": "Carla Client"})
    assert again.status_code == 200 and again.data["recorded"] is False
    assert len(api.call("GET", f"/api/posts/{post['id']}").data["timeline"]) == len(stored["timeline"])
    shown = page(api, path)
    assert shown.status_code == 200
    assert "Freigegeben von Carla Client" in text_of(shown)
    assert 'id="review-form"' not in shown.body.decode()


def test_the_last_approval_through_the_link_of_a_post_due_now_queues_it_at_once(api: Api) -> None:
    """As a reviewer's last click does: claimed in the approval's own write, then queued."""
    import json
    import os

    post = in_review(api)  # no publish time: as soon as approved
    approve_brand(post["id"])
    path = make_link(api, post["id"])

    answer = decide(api, path, {"decision": "approve", "name": "Carla Client"})

    assert answer.status_code == 200 and answer.data["status"] == "publishing", answer.data
    stored = api.call("GET", f"/api/posts/{post['id']}").data
    assert [e["type"] for e in stored["timeline"]][-3:] == ["decision", "scheduled", "publishing"]
    received = boto3.client("sqs").receive_message(
        QueueUrl=os.environ["TEST_PUBLISH_QUEUE_URL"], MaxNumberOfMessages=10, WaitTimeSeconds=1)
    bodies = [json.loads(m["Body"]) for m in received.get("Messages", [])]
    assert [(b["post_id"], b["channel"], b["content_hash"]) for b in bodies] == [
        (post["id"], "mastodon", post["content_hash"])]


def test_request_changes_needs_a_comment_and_sends_the_post_back(api: Api) -> None:
    post = in_review(api)
    path = make_link(api, post["id"])
    refusals = [({"decision": "request_changes", "name": "Carla"}, 422),
                ({"decision": "approve", "name": " "}, 422),
                ({"decision": "reject", "name": "Carla", "comment": "nein"}, 422),
                ({"decision": "approve"}, 422),
                ({"decision": "approve", "name": "Carla", "extra": 1}, 422),
                ({"decision": 1, "name": "Carla"}, 422)]
    for payload, status in refusals:
        refused = decide(api, path, payload)
        assert refused.status_code == status, (payload, refused.data)
        assert refused.data["message"]
    assert "Kommentar" in decide(api, path, {"decision": "request_changes", "name": "Carla"},
                                 **{"Accept-Language": "de"}).data["message"]
    assert decide(api, path, "nicht json").status_code == 400
    wrong_type = api.client.http.post(path + "/decision", body="decision=approve",
                                      headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert wrong_type.status_code == 415
    assert api.call("GET", f"/api/posts/{post['id']}").data["status"] == "in_review"

    answer = decide(api, path, {"decision": "request_changes", "name": "Carla Client",
                                "comment": "Bitte das Datum prüfen."})
    assert answer.status_code == 200, answer.data
    stored = api.call("GET", f"/api/posts/{post['id']}").data
    assert stored["status"] == "changes_requested"
    client = next(s for s in stored["steps"] if s["name"] == "client")
    assert client["comment"] == "Bitte das Datum prüfen."


def test_an_edit_voids_the_link_and_its_page(api: Api) -> None:
    post = in_review(api)
    path = make_link(api, post["id"])
    edited = api.call("PATCH", f"/api/posts/{post['id']}", {"version": post["version"],
                                                            "text": "Neuer Text"})
    assert edited.status_code == 200, edited.data

    gone = page(api, path)
    assert gone.status_code == 410
    assert "neuere Fassung" in text_of(gone)
    assert "Hallo Welt" not in gone.body.decode()
    assert "replaced by a newer version" in text_of(page(api, path + "?lang=en"))
    stale = decide(api, path, {"decision": "approve", "name": "Carla Client"})
    assert stale.status_code == 409
    stored = api.call("GET", f"/api/posts/{post['id']}").data
    assert next(s for s in stored["steps"] if s["name"] == "client")["status"] == "pending"
    assert stored["version"] == edited.data["version"]


def test_a_forged_or_expired_link_shows_nothing(api: Api) -> None:
    post = in_review(api)
    path = make_link(api, post["id"])
    token = ext.decode(path.rsplit("/", 1)[1], KEY.encode())
    expired = ext.encode(ext.LinkToken(token.post_id, token.step, token.content_hash,
                                       int(datetime.now(UTC).timestamp()) - 1), KEY.encode())
    forged = ext.encode(token, b"someone else's key")

    assert page(api, "/review/" + expired).status_code == 410
    assert "abgelaufen" in text_of(page(api, "/review/" + expired))
    assert decide(api, "/review/" + expired, {"decision": "approve", "name": "Carla"}).status_code == 410
    for bad in (forged, "nonsense", "a.b", "x" * 3000):
        shown = page(api, "/review/" + bad)
        assert shown.status_code == 404, bad
        assert "Hallo Welt" not in shown.body.decode()
        assert decide(api, "/review/" + bad, {"decision": "approve",
                                               "name": "Carla"}).status_code == 404
    assert api.call("GET", f"/api/posts/{post['id']}").data["status"] == "in_review"


def test_without_a_link_key_nothing_is_handed_out(api: Api, monkeypatch: pytest.MonkeyPatch) -> None:
    from chalicelib import bootstrap

    post = in_review(api)
    monkeypatch.delenv("FREIGABE_LINK_KEY")
    bootstrap.reset()
    refused = api.call("POST", f"/api/posts/{post['id']}/review-links")
    assert refused.status_code == 503
    assert "FREIGABE_LINK_KEY" in refused.data["message"]
    # Without a key no link can exist: every token is one this server did not make.
    path = "/review/" + ext.encode(ext.LinkToken(post["id"], "client", post["content_hash"],
                                                 int(datetime.now(UTC).timestamp()) + 60),
                                   KEY.encode())
    assert page(api, path).status_code == 404
    assert decide(api, path, {"decision": "approve", "name": "Carla"}).status_code == 404
    # A key that is set up but cannot be read is the server's trouble, said as such.
    monkeypatch.setenv("FREIGABE_LINK_KEY", "env:NOT_SET_ANYWHERE")
    bootstrap.reset()
    assert page(api, path).status_code == 503
    assert "FREIGABE_LINK_KEY" in decide(api, path, {"decision": "approve",
                                                     "name": "Carla"}).data["message"]
