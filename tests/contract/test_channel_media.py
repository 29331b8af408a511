"""Images, network by network: each publication with images goes out once, carrying exactly the
approved bytes and alt texts in their order, through the network's documented media flow (the
stand-ins keep what they received). Media steps are re-sent freely; the post request is not."""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from chalicelib.adapters.channels import bluesky
from chalicelib.adapters.channels.images import MEDIA_URL_SECONDS
from chalicelib.adapters.channels.registry import build_publisher
from chalicelib.config import OutboxChannel
from chalicelib.domain.media import Image
from tests.fakes.media import MemoryMediaStore, jpeg, png
from tests.standins import start
from tests.standins.bluesky import BlueskyStandin
from tests.standins.mastodon import MastodonStandin
from tests.standins.rig import Outgoing, approved_image, make_rig, outgoing

NETWORKS = ("mastodon", "bluesky", "linkedin", "x", "facebook_page")
FIRST_ALT = "Zwei Tulpen in einer Vase vor einem Fenster, Morgenlicht"
SECOND_ALT = "Logo „Frühling“ in Grün: ein Blatt über dem Schriftzug"


@pytest.fixture(autouse=True)
def fresh_bluesky_sessions() -> Iterator[None]:
    bluesky.forget_sessions()
    yield
    bluesky.forget_sessions()


@pytest.fixture
def store() -> MemoryMediaStore:
    return MemoryMediaStore()


def two_images(store: MemoryMediaStore) -> tuple[tuple[Image, ...], list[bytes]]:
    first, second = png(320, 200), jpeg(90, 160)
    images = (
        approved_image(store.add(first), first, FIRST_ALT, "image/png", 320, 200),
        approved_image(store.add(second), second, SECOND_ALT, "image/jpeg", 90, 160),
    )
    return images, [first, second]


def with_images(images: tuple[Image, ...], **kwargs: str) -> Outgoing:
    return outgoing(images=images, **kwargs)


@pytest.mark.parametrize("network", NETWORKS)
def test_two_images_go_out_once_with_their_exact_bytes_and_alt_texts_in_order(
    network: str, store: MemoryMediaStore
) -> None:
    images, data = two_images(store)
    with start(network) as standin:
        outcome = make_rig(standin, media=store).publisher.publish(*with_images(images))

    assert outcome.status == "published", outcome.error
    (post,) = standin.posts
    assert [image["bytes"] for image in post["images"]] == data
    assert [image["alt"] for image in post["images"]] == [FIRST_ALT, SECOND_ALT]
    assert len(standin.publish_requests()) == 1


@pytest.mark.parametrize("network", NETWORKS)
def test_a_text_only_post_uploads_nothing(network: str, store: MemoryMediaStore) -> None:
    with start(network) as standin:
        outcome = make_rig(standin, media=store).publisher.publish(*outgoing())

    assert outcome.status == "published"
    assert standin.media == {} and standin.posts[0].get("images", []) == []


def test_mastodon_sends_alt_text_as_description_and_names_the_attachments_in_order(
    store: MemoryMediaStore,
) -> None:
    images, _ = two_images(store)
    with start("mastodon") as network:
        pub, copy = with_images(images)
        make_rig(network, media=store).publisher.publish(pub, copy)

    uploads = network.media_uploads()
    assert [u.form()["description"].text for u in uploads] == [FIRST_ALT, SECOND_ALT]
    assert [u.form()["file"].content_type for u in uploads] == ["image/png", "image/jpeg"]
    (status,) = network.publish_requests()
    assert status.json()["media_ids"] == [image["id"] for image in network.posts[0]["images"]]
    assert status.headers["idempotency-key"] == pub.idempotency_key


def test_mastodon_waits_for_processing_after_a_202_before_attaching(store: MemoryMediaStore) -> None:
    images, data = two_images(store)
    with MastodonStandin() as network:
        network.processing_polls = 2  # 202 on upload, then 206, 206, 200 per attachment
        rig = make_rig(network, media=store)
        outcome = rig.publisher.publish(*with_images(images))

    assert outcome.status == "published", outcome.error
    polls = [r for r in network.requests if r.method == "GET" and r.path.startswith("/api/v1/media/")]
    assert len(polls) == 6
    assert rig.sleeps  # it waited between polls (recorded, not slept)
    assert [image["bytes"] for image in network.posts[0]["images"]] == data
    assert len(network.publish_requests()) == 1


def test_mastodon_still_processing_after_the_wait_hands_the_message_back_without_posting(
    store: MemoryMediaStore,
) -> None:
    from chalicelib.services.ports import RetryLater

    images, _ = two_images(store)
    with MastodonStandin() as network:
        network.processing_polls = 1000
        rig = make_rig(network, media=store)
        with pytest.raises(RetryLater, match="still processing"):
            rig.publisher.publish(*with_images(images))

    assert network.posts == [] and network.publish_requests() == []
    assert sum(rig.sleeps) <= 20.0


def test_the_mastodon_stand_in_refuses_attachments_still_processing() -> None:
    # What the wait is for: attaching too early is a 422 on the network.
    import urllib3

    with MastodonStandin() as network:
        network.processing_polls = 1
        auth = {"Authorization": f"Bearer {network.secret}"}
        body, content_type = urllib3.encode_multipart_formdata(
            [("file", ("a.png", png(), "image/png")), ("description", "alt")])
        upload = urllib3.request("POST", f"{network.base_url}/api/v2/media", body=body,
                                 headers={**auth, "Content-Type": content_type})
        status = urllib3.request("POST", f"{network.base_url}/api/v1/statuses",
                                 json={"status": "x", "media_ids": [upload.json()["id"]]}, headers=auth)

    assert upload.status == 202 and upload.json()["url"] is None
    assert status.status == 422 and "not finished processing" in status.json()["error"]


def test_bluesky_embeds_blobs_with_alt_and_aspect_ratio(store: MemoryMediaStore) -> None:
    images, _ = two_images(store)
    with BlueskyStandin() as pds:
        make_rig(pds, media=store).publisher.publish(*with_images(images))

    uploads = pds.media_uploads()
    assert [u.headers["content-type"] for u in uploads] == ["image/png", "image/jpeg"]
    embed = pds.publish_requests()[0].json()["record"]["embed"]
    assert embed["$type"] == "app.bsky.embed.images"
    assert [i["aspectRatio"] for i in embed["images"]] == [
        {"width": 320, "height": 200}, {"width": 90, "height": 160}]


def test_bluesky_refuses_an_oversized_blob_and_the_publication_fails_clearly(
    store: MemoryMediaStore,
) -> None:
    big = b"\x89PNG\r\n\x1a\n" + bytes(2_000_001)
    image = approved_image(store.add(big), big, "Groß", "image/png", 4000, 3000)
    with BlueskyStandin() as pds:
        outcome = make_rig(pds, media=store).publisher.publish(*outgoing(images=(image,)))

    assert outcome.status == "failed"
    assert outcome.error is not None and outcome.error.startswith("image 1: HTTP 400: BlobTooLarge")
    assert pds.posts == [] and pds.publish_requests() == []


def test_bluesky_renews_an_expired_session_during_the_upload(store: MemoryMediaStore) -> None:
    images, data = two_images(store)
    with BlueskyStandin() as pds:
        publisher = make_rig(pds, media=store).publisher
        publisher.publish(*outgoing(post_id="a", text="Eins"))
        pds.expire_access_tokens()
        outcome = publisher.publish(*with_images(images, post_id="b", text="Zwei"))

    assert outcome.status == "published"
    assert pds.calls("com.atproto.server.refreshSession") == 1
    assert [i["bytes"] for i in pds.posts[1]["images"]] == data


def test_linkedin_uploads_through_the_images_api_and_posts_multi_image(store: MemoryMediaStore) -> None:
    images, _ = two_images(store)
    with start("linkedin") as network:
        make_rig(network, media=store).publisher.publish(*with_images(images))

    inits = [r for r in network.requests if r.path == "/rest/images"]
    assert [r.query for r in inits] == [{"action": ["initializeUpload"]}] * 2
    assert all(r.headers["linkedin-version"] == "202510" for r in inits)
    content = network.publish_requests()[0].json()["content"]
    assert [i["altText"] for i in content["multiImage"]["images"]] == [FIRST_ALT, SECOND_ALT]


def test_linkedin_posts_one_image_as_content_media(store: MemoryMediaStore) -> None:
    images, data = two_images(store)
    with start("linkedin") as network:
        outcome = make_rig(network, media=store).publisher.publish(*outgoing(images=images[:1]))

    assert outcome.status == "published"
    content = network.publish_requests()[0].json()["content"]
    assert content == {"media": {"id": network.posts[0]["images"][0]["urn"], "altText": FIRST_ALT}}
    assert network.posts[0]["images"][0]["bytes"] == data[0]


def test_x_sets_alt_text_through_media_metadata_before_the_post(store: MemoryMediaStore) -> None:
    images, _ = two_images(store)
    with start("x") as network:
        make_rig(network, media=store).publisher.publish(*with_images(images))

    paths = [r.path for r in network.requests]
    assert paths == ["/2/media/upload", "/2/media/metadata"] * 2 + ["/2/tweets"]
    assert [u.form()["media_category"].text for u in network.media_uploads()] == ["tweet_image"] * 2
    body = network.publish_requests()[0].json()
    assert body["media"]["media_ids"] == [i["id"] for i in network.posts[0]["images"]]


def test_facebook_attaches_unpublished_photos_to_one_feed_post(store: MemoryMediaStore) -> None:
    images, _ = two_images(store)
    with start("facebook_page") as network:
        make_rig(network, media=store).publisher.publish(*with_images(images))

    photos = network.media_uploads()
    assert [p.params()["published"] for p in photos] == ["false", "false"]
    assert [p.params()["alt_text_custom"] for p in photos] == [FIRST_ALT, SECOND_ALT]
    assert all("access_token" not in p.query for p in photos)  # the token stays out of URLs
    (post,) = network.posts  # the photos are no posts of their own
    feed = network.publish_requests()[0].json()
    assert feed["attached_media"] == [{"media_fbid": i["id"]} for i in post["images"]]


@pytest.mark.parametrize("network", NETWORKS)
def test_an_image_upload_answered_503_is_sent_again(network: str, store: MemoryMediaStore) -> None:
    images, data = two_images(store)
    with start(network) as standin:
        standin.script_media("503")
        rig = make_rig(standin, media=store)
        outcome = rig.publisher.publish(*with_images(images))

    assert outcome.status == "published", outcome.error
    assert len(standin.media_uploads()) == 3
    assert [image["bytes"] for image in standin.posts[0]["images"]] == data
    assert len(standin.publish_requests()) == 1


@pytest.mark.parametrize("network", NETWORKS)
def test_an_image_upload_answered_500_is_sent_again_too(network: str, store: MemoryMediaStore) -> None:
    # Unlike the post request: an upload that may have been stored publishes nothing.
    images, _ = two_images(store)
    with start(network) as standin:
        standin.script_media("500")
        outcome = make_rig(standin, media=store).publisher.publish(*with_images(images))

    assert outcome.status == "published", outcome.error
    assert len(standin.publish_requests()) == 1 and len(standin.posts) == 1


@pytest.mark.parametrize("network", ("bluesky", "linkedin", "x", "facebook_page"))
def test_the_post_request_with_images_is_never_sent_twice(network: str, store: MemoryMediaStore) -> None:
    images, _ = two_images(store)
    with start(network) as standin:
        standin.script("500")
        outcome = make_rig(standin, media=store).publisher.publish(*with_images(images))

    assert outcome.status == "unknown"
    assert len(standin.publish_requests()) == 1


def test_mastodon_resends_the_post_with_the_same_key_and_posts_once(store: MemoryMediaStore) -> None:
    images, data = two_images(store)
    with start("mastodon") as network:
        network.script("500")
        outcome = make_rig(network, media=store).publisher.publish(*with_images(images))

    assert outcome.status == "published"
    keys = {r.headers["idempotency-key"] for r in network.publish_requests()}
    assert len(network.publish_requests()) == 2 and len(keys) == 1
    (post,) = network.posts
    assert [i["bytes"] for i in post["images"]] == data


@pytest.mark.parametrize("network", NETWORKS)
def test_an_image_whose_stored_bytes_changed_is_not_published(network: str, store: MemoryMediaStore) -> None:
    images, _ = two_images(store)
    store.objects[images[1].sha256] = png(10, 10)  # someone replaced the object behind the key
    with start(network) as standin:
        outcome = make_rig(standin, media=store).publisher.publish(*with_images(images))

    assert outcome.status == "failed"
    assert outcome.error is not None and outcome.error.startswith("image 2: the stored bytes differ")
    assert standin.posts == [] and standin.publish_requests() == []


@pytest.mark.parametrize("network", NETWORKS)
def test_an_image_gone_from_the_store_fails_before_anything_is_posted(
    network: str, store: MemoryMediaStore
) -> None:
    images, _ = two_images(store)
    del store.objects[images[0].sha256]
    with start(network) as standin:
        outcome = make_rig(standin, media=store).publisher.publish(*with_images(images))

    assert outcome.status == "failed"
    assert outcome.error == "image 1 is no longer in the image store; it cannot go out as approved"
    assert standin.posts == []


def test_a_network_refusing_an_image_fails_naming_the_image(store: MemoryMediaStore) -> None:
    images, _ = two_images(store)
    with start("x") as network:
        network.script_media("401")
        outcome = make_rig(network, media=store).publisher.publish(*with_images(images))

    assert outcome.status == "failed"
    assert outcome.error == "image 1: HTTP 401: Unauthorized"
    assert network.posts == []


def entries_for(images: tuple[Image, ...]) -> list[dict[str, object]]:
    return [{"sha256": i.sha256, "content_type": i.content_type, "size": i.size, "alt": i.alt,
             "url": f"memory://media/{i.sha256}?expires={MEDIA_URL_SECONDS}"} for i in images]


def test_the_webhook_body_lists_the_images_with_urls_and_stays_signed(store: MemoryMediaStore) -> None:
    images, _ = two_images(store)
    with start("webhook") as receiver:
        outcome = make_rig(receiver, media=store).publisher.publish(*with_images(images))

    assert outcome.status == "published"
    assert receiver.posts[0]["signature_valid"] is True
    assert receiver.posts[0]["media"] == entries_for(images)
    assert MEDIA_URL_SECONDS >= 3600


def test_the_outbox_line_lists_the_images_with_urls(tmp_path: Path, store: MemoryMediaStore) -> None:
    images, data = two_images(store)
    path = tmp_path / "outbox.jsonl"
    publisher = build_publisher("outbox", OutboxChannel(type="outbox", path=str(path)),
                                lambda ref: "", media=lambda: store)

    outcome = publisher.publish(*with_images(images))

    assert outcome.status == "published"
    (line,) = [json.loads(text) for text in path.read_text(encoding="utf-8").splitlines()]
    assert line["media"] == entries_for(images)
    assert [hashlib.sha256(store.read(e["sha256"])).hexdigest() for e in line["media"]] == [
        hashlib.sha256(d).hexdigest() for d in data]


def test_without_an_image_store_a_post_with_images_fails_clearly(tmp_path: Path) -> None:
    store = MemoryMediaStore()
    images, _ = two_images(store)
    publisher = build_publisher("outbox", OutboxChannel(type="outbox", path=str(tmp_path / "o.jsonl")),
                                lambda ref: "")

    outcome = publisher.publish(*with_images(images))

    assert outcome.status == "failed"
    assert outcome.error == "outbox: the post has images but no image store is configured"
    assert not (tmp_path / "o.jsonl").exists()



@pytest.fixture
def s3_store(aws_endpoint: str) -> Any:
    """The S3 image store on a fresh bucket in the emulator."""
    import boto3

    from chalicelib.adapters.s3_media import S3MediaStore

    s3 = boto3.client("s3", endpoint_url=aws_endpoint, region_name="us-east-1")
    bucket = f"freigabe-media-{uuid.uuid4().hex[:10]}"
    s3.create_bucket(Bucket=bucket)
    return S3MediaStore(s3, bucket)


def kept_in_s3(store: Any, data: bytes, alt: str, content_type: str) -> Image:
    sha256 = hashlib.sha256(data).hexdigest()
    store.s3.put_object(Bucket=store.bucket, Key=f"media/{sha256}", Body=data, ContentType=content_type)
    return approved_image(sha256, data, alt, content_type, 64, 48)


def valid_for(url: str) -> float:
    """Seconds a presigned URL stays valid (SigV2's absolute Expires or SigV4's X-Amz-Expires)."""
    import time
    from urllib.parse import parse_qs, urlsplit

    query = parse_qs(urlsplit(url).query)
    if "X-Amz-Expires" in query:
        return float(query["X-Amz-Expires"][0])
    return float(query["Expires"][0]) - time.time()


def test_the_webhook_and_outbox_urls_serve_the_approved_bytes_from_s3(tmp_path: Path, s3_store: Any) -> None:
    import requests

    data = [png(), jpeg()]
    images = (kept_in_s3(s3_store, data[0], FIRST_ALT, "image/png"),
              kept_in_s3(s3_store, data[1], SECOND_ALT, "image/jpeg"))
    path = tmp_path / "outbox.jsonl"
    outbox = build_publisher("outbox", OutboxChannel(type="outbox", path=str(path)), lambda ref: "",
                             media=lambda: s3_store)
    with start("webhook") as receiver:
        hook = make_rig(receiver, media=s3_store).publisher.publish(*with_images(images))
    line = outbox.publish(*with_images(images))

    assert (hook.status, line.status) == ("published", "published")
    outbox_media = json.loads(path.read_text(encoding="utf-8"))["media"]
    for media in (receiver.posts[0]["media"], outbox_media):
        fetched = [requests.get(entry["url"], timeout=5) for entry in media]
        assert [r.status_code for r in fetched] == [200, 200]
        assert [r.content for r in fetched] == data
        assert [entry["alt"] for entry in media] == [FIRST_ALT, SECOND_ALT]
        assert all(valid_for(entry["url"]) >= 3600 for entry in media)
