"""A post's images in the review requests, over the Slack dev workspace: uploaded privately as
Slack files with the exact bytes of the image store (the emulator's S3), shown in every step's
request and in App Home, uploaded once however often a request is sent, alt texts escaped, and
no Approve where an image could not be shown."""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from chalicelib.adapters.slack.blocks import APPROVE, HOLD, REJECT, REQUEST_CHANGES
from chalicelib.domain.content import Content
from chalicelib.domain.media import Image
from chalicelib.domain.post import Post
from tests.fakes.media import jpeg, png, webp
from tests.integration.slack_helpers import WRITER, SlackRig, buttons, refs, shown_text, stored

HOSTILE_ALT = "<!channel> *bold* <http://x|y>"


@pytest.fixture
def media_bucket(aws_endpoint: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """A fresh image bucket in the emulator, the app pointed at it; yields its S3 client."""
    import boto3

    from chalicelib import bootstrap

    name = f"freigabe-media-{uuid.uuid4().hex[:10]}"
    s3 = boto3.client("s3", endpoint_url=aws_endpoint, region_name="us-east-1")
    s3.create_bucket(Bucket=name)
    monkeypatch.setenv("FREIGABE_MEDIA_BUCKET", name)
    bootstrap.reset()
    s3.bucket = name  # type: ignore[attr-defined]
    yield s3
    bootstrap.reset()


def kept(s3: Any, data: bytes, content_type: str, alt: str, n: int) -> Image:
    """An image as the upload leaves it: checked and stored under media/<sha256>."""
    sha256 = hashlib.sha256(data).hexdigest()
    s3.put_object(Bucket=s3.bucket, Key=f"media/{sha256}", Body=data, ContentType=content_type)
    return Image(media_id=f"m{n}", sha256=sha256, content_type=content_type, size=len(data),
                 width=64, height=48, alt=alt)


def submit(images: tuple[Image, ...], text: str = "Gewinnspiel im Advent") -> Post:
    """A post with images submitted and stored, as the writers' API does (its outbox carries the
    review requests to the stream)."""
    from datetime import UTC, datetime

    from chalicelib import bootstrap

    container = bootstrap.container()
    now = datetime.now(UTC)
    post = Post.create(uuid.uuid4().hex[:16], WRITER, "Wanda Writer",
                       Content(text=text, channels=("outbox",), media=images), None, now,
                       author_id=WRITER)
    post.submit(container.workflow, WRITER, now)
    container.repository.save(post)
    return post


def request_for(rig: SlackRig, channel: str, post_id: str) -> dict[str, Any]:
    return rig.request_for(channel, post_id)


def image_ids(message: dict[str, Any]) -> list[str]:
    return [b["slack_file"]["id"] for b in message.get("blocks") or [] if b["type"] == "image"]


def uploads(rig: SlackRig) -> int:
    return sum(1 for call in rig.state()["calls"] if call["method"] == "files.getUploadURLExternal")


def test_two_images_reach_both_steps_as_private_files_with_their_exact_bytes(
        slack_rig: SlackRig, media_bucket: Any) -> None:
    wreath, team = png(80, 60), jpeg(60, 80)
    post = submit((kept(media_bucket, wreath, "image/png", "Ein Adventskranz", 1),
                   kept(media_bucket, team, "image/jpeg", "Das Team im Schnee", 2)))
    slack_rig.relay.pump()
    assert slack_rig.relay.failures == []

    files = slack_rig.state()["files"]
    legal = request_for(slack_rig, "C0LEGAL", post.id)
    brand = request_for(slack_rig, "C0BRAND", post.id)
    assert image_ids(legal) == image_ids(brand) and len(image_ids(legal)) == 2
    first, second = (files[file_id] for file_id in image_ids(legal))
    assert (first["sha256"], second["sha256"]) == (hashlib.sha256(wreath).hexdigest(),
                                                   hashlib.sha256(team).hexdigest())
    for file in (first, second):
        assert file["complete"] and file["channels"] == [] and file["is_public"] is False
    assert (first["alt_txt"], second["alt_txt"]) == ("Ein Adventskranz", "Das Team im Schnee")
    assert uploads(slack_rig) == 2  # the second step used the files the first one uploaded
    for message in (legal, brand):
        shown = shown_text(message)
        assert "*Bild 1* · Alternativtext: Ein Adventskranz" in shown
        assert "*Bild 2* · Alternativtext: Das Team im Schnee" in shown
        assert [b["action_id"] for b in buttons(message)] == [APPROVE, REQUEST_CHANGES, REJECT, HOLD]
    remembered = refs(post.id)
    assert {remembered[f"slack_file:{image.sha256}"]["id"] for image in post.content.media} == set(
        image_ids(legal))

    # the workspace's page shows the very bytes, served by the workspace
    page = slack_rig.http.get(f"{slack_rig.servers.workspace.url}/_dev/ui/panel",
                              params={"user": "U0LEGAL1", "conv": "C0LEGAL"}, timeout=30).text
    for file_id in image_ids(legal):
        assert f'src="/_dev/files/{file_id}"' in page
    served = slack_rig.http.get(f"{slack_rig.servers.workspace.url}/_dev/files/{image_ids(legal)[0]}",
                                timeout=30)
    assert served.content == wreath and served.headers["Content-Type"] == "image/png"

    # both reviewers approve what they saw
    assert slack_rig.click("U0LEGAL1", legal, APPROVE)["status"] == 200
    assert slack_rig.click("U0BRAND1", brand, APPROVE)["status"] == 200
    assert [s["status"] for s in stored(post.id)["steps"]] == ["approved", "approved"]
    slack_rig.relay.pump()
    assert image_ids(request_for(slack_rig, "C0LEGAL", post.id)) == image_ids(legal)
    assert uploads(slack_rig) == 2


def test_app_home_shows_the_images_without_uploading_them_again(
        slack_rig: SlackRig, media_bucket: Any) -> None:
    post = submit((kept(media_bucket, png(), "image/png", "Kranz", 1),
                   kept(media_bucket, png(32, 32, (1, 2, 3)), "image/png", "", 2)))
    slack_rig.relay.pump()
    legal = request_for(slack_rig, "C0LEGAL", post.id)

    slack_rig.open_home("U0LEGAL1")
    home = slack_rig.state()["homes"]["U0LEGAL1"]
    assert image_ids(home) == image_ids(legal)
    said = shown_text(home)
    assert "*Bild 1* · Alternativtext: Kranz" in said and "*Bild 2* · _(kein Alternativtext)_" in said
    assert uploads(slack_rig) == 2


def test_a_lost_answer_re_sends_no_image_and_posts_one_request(slack_rig: SlackRig, table: str,
                                                               media_bucket: Any) -> None:
    from tests.integration.slack_helpers import StreamRelay

    slack_rig.dev("/_dev/flags", {"lose_answers": ["chat.postMessage"]})
    post = submit((kept(media_bucket, png(), "image/png", "Kranz", 1),))
    slack_rig.relay.pump()
    assert slack_rig.relay.failures  # the stream retries the record
    StreamRelay(table).pump()

    for channel in ("C0LEGAL", "C0BRAND"):
        sent = [m for m in slack_rig.messages(channel) if post.id in json.dumps(m.get("blocks"))]
        assert len(sent) == 1, channel
        assert len(image_ids(sent[0])) == 1
    assert uploads(slack_rig) == 1


def test_a_hostile_alt_text_is_shown_literally(slack_rig: SlackRig, media_bucket: Any) -> None:
    post = submit((kept(media_bucket, png(), "image/png", HOSTILE_ALT, 1),))
    slack_rig.relay.pump()
    legal = request_for(slack_rig, "C0LEGAL", post.id)

    assert "Alternativtext: &lt;!channel&gt; *bold* &lt;http://x|y&gt;" in shown_text(legal)
    dumped = json.dumps(legal["blocks"])
    assert "<!channel>" not in dumped and "<http://x|y>" not in dumped


def test_webp_is_shown_as_png_while_the_approval_binds_to_the_webp(
        slack_rig: SlackRig, media_bucket: Any) -> None:
    original = webp(50, 40)
    post = submit((kept(media_bucket, original, "image/webp", "Grün", 1),))
    slack_rig.relay.pump()
    legal = request_for(slack_rig, "C0LEGAL", post.id)

    file = slack_rig.state()["files"][image_ids(legal)[0]]
    assert file["filetype"] == "png" and file["name"] == "image-1.png"
    assert APPROVE in [b["action_id"] for b in buttons(legal)]
    assert post.content.media[0].sha256 == hashlib.sha256(original).hexdigest()


def test_an_image_slack_refuses_leaves_a_marked_request_without_approve(
        slack_rig: SlackRig, media_bucket: Any) -> None:
    slack_rig.dev("/_dev/flags", {"refuse_uploads": True})
    post = submit((kept(media_bucket, png(), "image/png", "Kranz", 1),))
    slack_rig.relay.pump()
    assert slack_rig.relay.failures == []

    legal = request_for(slack_rig, "C0LEGAL", post.id)
    assert image_ids(legal) == []
    assert "Bild 1 konnte hier nicht angezeigt werden" in shown_text(legal)
    assert [b["action_id"] for b in buttons(legal)] == [REQUEST_CHANGES, REJECT, HOLD]
    assert not any(name.startswith("slack_file:") for name in refs(post.id))


def test_an_image_missing_from_the_store_is_marked_not_shown(slack_rig: SlackRig,
                                                             media_bucket: Any) -> None:
    image = kept(media_bucket, png(), "image/png", "Kranz", 1)
    media_bucket.delete_object(Bucket=media_bucket.bucket, Key=f"media/{image.sha256}")
    post = submit((image,))
    slack_rig.relay.pump()
    assert slack_rig.relay.failures == []

    legal = request_for(slack_rig, "C0LEGAL", post.id)
    assert [b["action_id"] for b in buttons(legal)] == [REQUEST_CHANGES, REJECT, HOLD]
    assert uploads(slack_rig) == 0


def test_the_review_modal_can_show_the_request_s_files_without_uploading_again(
        slack_rig: SlackRig, media_bucket: Any) -> None:
    from chalicelib import bootstrap
    from chalicelib.adapters.slack import blocks
    from chalicelib.adapters.slack.files import images_of

    post = submit((kept(media_bucket, png(), "image/png", "Kranz", 1),
                   kept(media_bucket, jpeg(), "image/jpeg", "Team", 2)))
    slack_rig.relay.pump()
    legal = request_for(slack_rig, "C0LEGAL", post.id)

    container = bootstrap.container()
    shown = images_of(container.slack_client, lambda: container.media, container.repository,
                      post.id, post.content.media)
    assert [item.file_id for item in shown] == image_ids(legal)
    view = blocks.review_modal(post, post.steps[0], container.workflow, "de", "meta", images=shown)
    assert view["submit"]["text"] == "Freigeben"
    # its blocks pass the workspace's checks of image blocks (a refused file would raise here)
    container.slack_client.views_publish(user_id="U0LEGAL1", view={"type": "home",
                                                                   "blocks": view["blocks"]})
    assert uploads(slack_rig) == 2


def test_app_home_s_review_modal_shows_the_images_and_approves_what_it_showed(
        slack_rig: SlackRig, media_bucket: Any) -> None:
    from chalicelib.adapters.slack.blocks import REVIEW

    post = submit((kept(media_bucket, png(), "image/png", "Kranz", 1),
                   kept(media_bucket, jpeg(), "image/jpeg", "Team", 2)))
    slack_rig.relay.pump()
    legal = request_for(slack_rig, "C0LEGAL", post.id)
    slack_rig.open_home("U0LEGAL1")
    home = slack_rig.state()["homes"]["U0LEGAL1"]

    assert slack_rig.click_in_view("U0LEGAL1", home["id"], REVIEW)["status"] == 200
    (modal,) = slack_rig.open_views("U0LEGAL1")
    assert image_ids(modal) == image_ids(legal)
    assert "Kranz" in shown_text(modal) and "Team" in shown_text(modal)
    assert slack_rig.dev("/_dev/submit_view", {"user": "U0LEGAL1", "view_id": modal["id"],
                                                "values": {}})["status"] == 200
    assert stored(post.id)["steps"][0]["status"] == "approved"
    assert uploads(slack_rig) == 2
