"""A post's images through the writers' API (CONTRACT §7), against DynamoDB and S3 on moto's
server: images uploaded the way the web page uploads them (POST /api/media, the presigned POST
to S3, complete), then put in a post by id with their alt text."""

from __future__ import annotations

import hashlib
import io
import random
import uuid
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
import requests

from chalicelib.adapters.s3_media import ATTACHED_TAG, media_key
from dev.resources import ensure_media_bucket
from tests.fakes.media import gif, jpeg, png
from tests.integration.api_helpers import OTHER, Api


@pytest.fixture
def bucket(aws_endpoint: str, table: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    from chalicelib import bootstrap

    name = f"freigabe-media-{uuid.uuid4().hex[:10]}"
    ensure_media_bucket(boto3.client("s3", endpoint_url=aws_endpoint), name,
                        ["http://localhost:8000"])
    monkeypatch.setenv("FREIGABE_MEDIA_BUCKET", name)
    bootstrap.reset()
    yield name
    bootstrap.reset()


@pytest.fixture
def s3(aws_endpoint: str) -> Any:
    return boto3.client("s3", endpoint_url=aws_endpoint)


@pytest.fixture
def api(client: Any, bucket: str) -> Api:
    return Api(client)


def uploaded(api: Api, data: bytes, content_type: str, complete: bool = True) -> str:
    """An image as the web page uploads it; its media id (ready unless ``complete`` is False)."""
    created = api.call("POST", "/api/media", {"filename": "bild", "content_type": content_type,
                                              "size": len(data)})
    assert created.status_code == 201, created.data
    upload = created.data["upload"]
    sent = requests.post(upload["url"], data=upload["fields"],
                         files={"file": ("bild", data, content_type)}, timeout=10)
    assert sent.status_code == 204, sent.text
    if complete:
        done = api.call("POST", f"/api/media/{created.data['id']}/complete")
        assert done.status_code == 200, done.data
    return str(created.data["id"])


def noise_png(width: int, height: int) -> bytes:
    """A PNG that does not compress: over 2 MB at 1000 × 800."""
    from PIL import Image

    pixels = random.Random(width * height).randbytes(width * height * 3)
    buffer = io.BytesIO()
    Image.frombytes("RGB", (width, height), pixels).save(buffer, format="PNG", compress_level=0)
    return buffer.getvalue()


def tags(s3: Any, bucket: str, sha256: str) -> dict[str, str]:
    found = s3.get_object_tagging(Bucket=bucket, Key=media_key(sha256))["TagSet"]
    return {tag["Key"]: tag["Value"] for tag in found}


def test_a_post_with_two_images_shows_them_in_order_with_preview_urls(
        api: Api, s3: Any, bucket: str) -> None:
    red, blue = png(width=120, height=80), jpeg(width=90, height=90)
    first, second = uploaded(api, red, "image/png"), uploaded(api, blue, "image/jpeg")

    created = api.create(channels=["mastodon", "bluesky"], media=[
        {"id": second, "alt": " Ein blaues Quadrat "}, {"id": first, "alt": "Ein rotes Feld"}])

    assert created.status_code == 201, created.data
    post = api.call("GET", f"/api/posts/{created.data['id']}").data
    assert [(m["id"], m["alt"], m["sha256"], m["content_type"], m["width"], m["height"], m["size"])
            for m in post["media"]] == [
        (second, "Ein blaues Quadrat", hashlib.sha256(blue).hexdigest(), "image/jpeg", 90, 90,
         len(blue)),
        (first, "Ein rotes Feld", hashlib.sha256(red).hexdigest(), "image/png", 120, 80,
         len(red))]
    # The preview URL reads exactly the bytes the reviewers approve.
    assert [requests.get(m["url"], timeout=10).content for m in post["media"]] == [blue, red]
    # Referred to by a post: no longer expiring.
    assert all(tags(s3, bucket, m["sha256"]) == {ATTACHED_TAG: "yes"} for m in post["media"])
    created_event = post["timeline"][0]
    assert created_event["data"]["media"] == [{"sha256": m["sha256"], "alt": m["alt"]}
                                              for m in post["media"]]
    listed = api.call("GET", "/api/posts").data["posts"]
    assert [m["id"] for m in listed[0]["media"]] == [second, first]


def test_a_text_only_post_has_no_images(api: Api) -> None:
    assert api.create().data["media"] == []


def test_changing_an_alt_text_or_the_order_changes_the_hash_and_sends_the_post_back_to_review(
        api: Api) -> None:
    first, second = uploaded(api, png(), "image/png"), uploaded(api, gif(), "image/gif")
    post = api.create(channels=["mastodon"], media=[{"id": first, "alt": "Rot"},
                                                    {"id": second, "alt": "Grau"}]).data
    hashes = {post["content_hash"]}

    for media in ([{"id": first, "alt": "Rot!"}, {"id": second, "alt": "Grau"}],
                  [{"id": second, "alt": "Grau"}, {"id": first, "alt": "Rot!"}]):
        edited = api.call("PATCH", f"/api/posts/{post['id']}",
                          {"version": post["version"], "media": media})
        assert edited.status_code == 200, edited.data
        post = edited.data
        assert post["status"] == "in_review"
        hashes.add(post["content_hash"])
    assert len(hashes) == 3

    timeline = api.call("GET", f"/api/posts/{post['id']}").data["timeline"]
    assert [e["data"]["changed"] for e in timeline if e["type"] == "edited"] == [
        ["image 1 alt text changed"], ["images reordered"]]

    kept = api.call("PATCH", f"/api/posts/{post['id']}", {"version": post["version"],
                                                          "text": "Neu"}).data
    assert [m["alt"] for m in kept["media"]] == ["Grau", "Rot!"]
    removed = api.call("PATCH", f"/api/posts/{post['id']}", {"version": kept["version"],
                                                             "media": []}).data
    assert removed["media"] == []
    refused = api.call("PATCH", f"/api/posts/{post['id']}", {"version": removed["version"],
                                                             "media": None})
    assert refused.status_code == 422


def test_bluesky_without_alt_text_is_refused_naming_the_channel(api: Api) -> None:
    image = uploaded(api, png(), "image/png")

    response = api.create(channels=["bluesky"], media=[{"id": image, "alt": ""}])

    assert response.status_code == 422
    assert response.data["message"] == (
        "bluesky: image 1 has no alt text (a description for people who cannot see it).")
    assert api.call("GET", "/api/posts").data["posts"] == []


def test_in_german_an_image_over_blueskys_size_is_refused_naming_channel_and_image(
        api: Api, client: Any) -> None:
    small, large = png(), noise_png(1000, 800)
    assert len(large) > 2_000_000
    first, second = uploaded(api, small, "image/png"), uploaded(api, large, "image/png")

    response = Api(client, lang="de").create(channels=["mastodon", "bluesky"], media=[
        {"id": first, "alt": "Klein"}, {"id": second, "alt": "Groß"}])

    assert response.status_code == 422
    assert response.data["message"] == "bluesky: Bild 2 ist größer als 2 MB."


def test_require_alt_text_false_lets_mastodon_through_but_not_bluesky(
        api: Api, tmp_path: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    from chalicelib import bootstrap
    from tests.conftest import WORKFLOW

    relaxed = tmp_path / "workflow.toml"
    relaxed.write_text(WORKFLOW.read_text(encoding="utf-8").replace(
        "require_alt_text = true", "require_alt_text = false"), encoding="utf-8")
    monkeypatch.setenv("FREIGABE_CONFIG", str(relaxed))
    bootstrap.reset()
    image = uploaded(api, png(), "image/png")

    mastodon = api.create(channels=["mastodon"], media=[{"id": image, "alt": ""}])
    bluesky = api.create(channels=["mastodon", "bluesky"], media=[{"id": image, "alt": ""}])

    assert mastodon.status_code == 201, mastodon.data
    assert mastodon.data["media"][0]["alt"] == ""
    assert bluesky.status_code == 422 and bluesky.data["message"].startswith("bluesky: ")


def test_another_writers_image_is_refused_naming_the_image(api: Api, client: Any) -> None:
    mine = uploaded(api, png(), "image/png")
    theirs = uploaded(Api(client, OTHER), jpeg(), "image/jpeg")

    response = api.create(media=[{"id": mine, "alt": "Meins"}, {"id": theirs, "alt": "Fremd"}])

    assert response.status_code == 422
    assert response.data["message"] == "Image 2 was not found among your uploads. Add it again."
    assert api.call("GET", "/api/posts").data["posts"] == []


def test_an_unfinished_upload_is_refused(api: Api) -> None:
    pending = uploaded(api, png(), "image/png", complete=False)
    response = api.create(media=[{"id": pending, "alt": "Rot"}])
    assert response.status_code == 422
    assert response.data["message"] == "Image 1 has not finished uploading."


def test_five_images_are_over_mastodons_four(api: Api) -> None:
    images = [uploaded(api, png(color=(n * 40, 0, 0)), "image/png") for n in range(5)]
    media = [{"id": image, "alt": f"Bild {n}"} for n, image in enumerate(images, start=1)]

    refused = api.create(channels=["outbox", "mastodon"], media=media)
    accepted = api.create(channels=["outbox"], media=media)

    assert refused.status_code == 422
    assert refused.data["message"] == "mastodon: at most 4 images per post; this one has 5."
    assert accepted.status_code == 201 and len(accepted.data["media"]) == 5


@pytest.mark.parametrize("media", [
    [{"id": "x"}, "not an object"], [{"alt": "no id"}], [{"id": 1, "alt": ""}],
    [{"id": "x", "alt": "", "url": "https://elsewhere.example"}], {"id": "x"}])
def test_malformed_media_is_a_422_and_stores_nothing(api: Api, media: Any) -> None:
    response = api.create(media=media)
    assert response.status_code == 422 and response.data["message"]
    assert api.call("GET", "/api/posts").data["posts"] == []
