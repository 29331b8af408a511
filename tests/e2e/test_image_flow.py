"""A post with two images through the whole product as `make run` starts it: uploaded the way the
web page uploads (a presigned POST straight to the emulator's S3, then complete), reviewed by two
reviewers in the Slack dev workspace who see both images as private files with the exact bytes,
and published at its time once each to the Mastodon and Bluesky stand-ins, the webhook and the
outbox, every image's bytes and alt text intact and in order. An image change after an approval
voids it."""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import requests

from dev.testing import StackHandle, start_stack
from tests.conftest import free_port
from tests.fakes.media import jpeg, png
from tests.standins.bluesky import BlueskyStandin
from tests.standins.mastodon import MastodonStandin

pytestmark = pytest.mark.e2e

WRITER = "writer@freigabe.example"
PUBLISH_IN_SECONDS = 30
CHANNELS = ["outbox", "hooks", "mastodon", "bluesky"]

WORKFLOW = """
timezone = "Europe/Berlin"
language = "de"
review_order = "parallel"
late_publish_minutes = 120
admins = ["U0ADMIN"]

[[steps]]
name = "legal"
label = "Legal"
slack_channel = "C0LEGAL"
reviewers = ["U0LEGAL1", "U0LEGAL2"]
[steps.when]
keywords = ["gewinnspiel"]

[[steps]]
name = "brand"
label = "Brand"
slack_channel = "C0BRAND"
reviewers = ["U0BRAND1"]

[channels.outbox]
type = "outbox"
path = "{outbox}"

[channels.hooks]
type = "webhook"
url = "http://127.0.0.1:{hooks_port}/freigabe"
secret = "env:WEBHOOK_SECRET"

[channels.mastodon]
type = "mastodon"
base_url = "{mastodon}"
access_token = "env:MASTODON_TOKEN"

[channels.bluesky]
type = "bluesky"
base_url = "{bluesky}"
identifier = "{bluesky_handle}"
app_password = "env:BLUESKY_PASSWORD"
"""


@pytest.fixture(scope="module")
def networks() -> Iterator[tuple[MastodonStandin, BlueskyStandin]]:
    mastodon, bluesky = MastodonStandin(), BlueskyStandin()
    mastodon.processing_polls = 2  # Mastodon's 202 while it processes, then 206, then ready
    yield mastodon, bluesky
    mastodon.stop()
    bluesky.stop()


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory,
          networks: tuple[MastodonStandin, BlueskyStandin]) -> Iterator[StackHandle]:
    mastodon, bluesky = networks
    state = tmp_path_factory.mktemp("image-stack")
    hooks_port = free_port()
    workflow = state / "workflow.toml"
    workflow.write_text(WORKFLOW.format(
        outbox=state / "outbox.jsonl", hooks_port=hooks_port, mastodon=mastodon.base_url,
        bluesky=bluesky.base_url, bluesky_handle=BlueskyStandin.handle_name))
    handle = start_stack(state, {
        "FREIGABE_CONFIG": str(workflow), "FREIGABE_TABLE": "freigabe-images",
        "FREIGABE_TICK_SECONDS": "1", "FREIGABE_WEBHOOK_PORT": str(hooks_port),
        "WEBHOOK_SECRET": "image-secret", "MASTODON_TOKEN": MastodonStandin.secret,
        "BLUESKY_PASSWORD": BlueskyStandin.secret,
    })
    yield handle
    handle.stop()


def api(stack: StackHandle, method: str, path: str, body: Any = None) -> tuple[int, Any]:
    answer = requests.request(method, stack.base_url + path, json=body, timeout=15,
                              headers={"X-Freigabe-User": WRITER})
    return answer.status_code, answer.json() if answer.content else None


def upload(stack: StackHandle, data: bytes, content_type: str, filename: str) -> dict[str, Any]:
    """As the web page does: announce, POST the form straight to the bucket, complete."""
    status, created = api(stack, "POST", "/api/media",
                          {"filename": filename, "content_type": content_type, "size": len(data)})
    assert status == 201, created
    form = created["upload"]
    sent = requests.post(form["url"], data=form["fields"], timeout=15,
                         files={"file": (filename, data, content_type)})
    assert sent.status_code in (200, 201, 204), sent.text
    status, done = api(stack, "POST", f"/api/media/{created['id']}/complete")
    assert status == 200, done
    assert done["status"] == "ready" and done["sha256"] == hashlib.sha256(data).hexdigest()
    return done  # type: ignore[no-any-return]


def eventually(check: Callable[[], Any], timeout: float, what: str) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.3)
    raise AssertionError(f"not within {timeout:g} s: {what}")


def slack_state(stack: StackHandle) -> dict[str, Any]:
    return requests.get(f"{stack.slack_url}/_dev/state", timeout=5).json()  # type: ignore[no-any-return]


def review_request(stack: StackHandle, channel: str, post_id: str) -> dict[str, Any] | None:
    found = [m for m in slack_state(stack)["messages"].get(channel, [])
             if m.get("thread_ts") in (None, m["ts"]) and post_id in json.dumps(m.get("blocks"))]
    return found[-1] if found else None


def click(stack: StackHandle, reviewer: str, channel: str, message: dict[str, Any]) -> None:
    answer = requests.post(f"{stack.slack_url}/_dev/click", timeout=15, json={
        "user": reviewer, "channel": channel, "ts": message["ts"],
        "action_id": "freigabe_approve"}).json()
    assert answer["status"] == 200, answer


IMAGES = ((png(120, 80, (200, 40, 40)), "image/png", "kranz.png",
           "Ein Adventskranz mit vier roten Kerzen auf einem Holztisch"),
          (jpeg(90, 90, (40, 40, 200)), "image/jpeg", "team.jpg",
           "Das Social-Media-Team hält ein Schild: „Frohe Weihnachten“"))


def test_two_images_go_from_upload_through_two_reviewers_to_every_network_once(
        stack: StackHandle, networks: tuple[MastodonStandin, BlueskyStandin]) -> None:
    mastodon, bluesky = networks
    uploaded = [upload(stack, data, kind, name) for data, kind, name, _ in IMAGES]
    publish_at = datetime.now(UTC).replace(microsecond=0) + timedelta(seconds=PUBLISH_IN_SECONDS)
    status, post = api(stack, "POST", "/api/posts", {
        "title": "Adventsgewinnspiel", "text": "Unser Gewinnspiel im Advent beginnt heute!",
        "channels": CHANNELS, "publish_at": publish_at.isoformat(),
        "media": [{"id": media["id"], "alt": alt}
                  for media, (_, _, _, alt) in zip(uploaded, IMAGES, strict=True)]})
    assert status == 201, post
    shas = [hashlib.sha256(data).hexdigest() for data, *_ in IMAGES]
    assert [m["sha256"] for m in post["media"]] == shas
    assert [m["alt"] for m in post["media"]] == [alt for *_, alt in IMAGES]

    for channel, reviewer in (("C0LEGAL", "U0LEGAL1"), ("C0BRAND", "U0BRAND1")):
        request = eventually(lambda c=channel: review_request(stack, c, post["id"]), 30,
                             f"review request in {channel}")
        files = slack_state(stack)["files"]
        shown = [b["slack_file"]["id"] for b in request["blocks"] if b["type"] == "image"]
        # both images, in order, as private Slack files holding exactly the approved bytes
        assert [files[f]["sha256"] for f in shown] == shas
        assert all(files[f]["complete"] for f in shown)
        said = json.dumps(request["blocks"], ensure_ascii=False)
        assert all(alt in said for *_, alt in IMAGES)
        click(stack, reviewer, channel, request)

    # Due within the tick's look-ahead: the last approval claimed and queued it.
    assert api(stack, "GET", f"/api/posts/{post['id']}")[1]["status"] == "publishing"
    published = eventually(
        lambda: (p := api(stack, "GET", f"/api/posts/{post['id']}")[1])["status"] == "published" and p,
        PUBLISH_IN_SECONDS + 60, "post published")
    assert {name: r["status"] for name, r in published["results"].items()} == dict.fromkeys(
        CHANNELS, "published")

    (toot,) = mastodon.posts
    assert [(i["bytes"], i["alt"]) for i in toot["images"]] == [(d, a) for d, _, _, a in IMAGES]
    (skeet,) = bluesky.posts
    assert [(i["bytes"], i["alt"]) for i in skeet["images"]] == [(d, a) for d, _, _, a in IMAGES]
    assert [i["aspect_ratio"] for i in skeet["images"]] == [{"width": 120, "height": 80},
                                                            {"width": 90, "height": 90}]

    (line,) = [json.loads(x) for x in (stack.state_dir / "outbox.jsonl").read_text().splitlines()]
    (delivery,) = [json.loads(x) for x in (stack.state_dir / "webhook.jsonl").read_text().splitlines()]
    assert delivery["signature_ok"]
    for carried in (line["media"], delivery["body"]["media"]):
        assert [(m["sha256"], m["alt"], m["content_type"]) for m in carried] == [
            (sha, alt, kind) for sha, (_, kind, _, alt) in zip(shas, IMAGES, strict=True)]
        for item, (data, *_) in zip(carried, IMAGES, strict=True):
            assert requests.get(item["url"], timeout=10).content == data

    time.sleep(3)  # a few more ticks: nothing goes out twice
    assert len(mastodon.posts) == 1 and len(bluesky.posts) == 1
    assert len((stack.state_dir / "outbox.jsonl").read_text().splitlines()) == 1
    assert len((stack.state_dir / "webhook.jsonl").read_text().splitlines()) == 1


def test_an_image_edit_after_an_approval_voids_it(stack: StackHandle) -> None:
    first, second = (upload(stack, data, kind, name) for data, kind, name, _ in IMAGES)
    status, post = api(stack, "POST", "/api/posts", {
        "text": "Adventsgrüße", "channels": ["outbox"],
        "publish_at": (datetime.now(UTC) + timedelta(days=2)).isoformat(),
        "media": [{"id": first["id"], "alt": "Ein Kranz"}]})
    assert status == 201, post
    request = eventually(lambda: review_request(stack, "C0BRAND", post["id"]), 30, "review request")
    click(stack, "U0BRAND1", "C0BRAND", request)
    approved = api(stack, "GET", f"/api/posts/{post['id']}")[1]
    assert approved["status"] == "scheduled"

    status, edited = api(stack, "PATCH", f"/api/posts/{post['id']}", {
        "version": approved["version"], "media": [{"id": second["id"], "alt": "Das Team"}]})
    assert status == 200, edited
    assert edited["status"] == "in_review" and edited["content_hash"] != approved["content_hash"]
    assert {s["name"]: s["status"] for s in edited["steps"]}["brand"] == "pending"
    timeline = api(stack, "GET", f"/api/posts/{post['id']}")[1]["timeline"]
    edit = next(e for e in reversed(timeline) if e["type"] == "edited")
    assert "image 1 replaced" in json.dumps(edit, ensure_ascii=False)
