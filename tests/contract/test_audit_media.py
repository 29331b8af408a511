"""`make verify` checks the stored images too: every image of every stored content version of
the post must still be in the image store (S3 on moto's server) with exactly the bytes its
sha256 names. The objects are overwritten and deleted behind the product's back."""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Iterator
from typing import Any

import boto3
import pytest

from chalicelib import audit, bootstrap
from chalicelib.domain.media import PNG, Image
from dev.resources import ensure_media_bucket
from tests.fakes.media import png
from tests.unit.helpers import AUTHOR, NOW, content, workflow


@pytest.fixture
def s3(aws_endpoint: str) -> Any:
    return boto3.client("s3", endpoint_url=aws_endpoint)


@pytest.fixture
def bucket(s3: Any, table: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    name = f"freigabe-media-{uuid.uuid4().hex[:10]}"
    ensure_media_bucket(s3, name, ["http://localhost:8000"])
    monkeypatch.setenv("FREIGABE_MEDIA_BUCKET", name)
    bootstrap.reset()
    yield name
    bootstrap.reset()


def stored_image(s3: Any, bucket: str, data: bytes, alt: str) -> Image:
    digest = hashlib.sha256(data).hexdigest()
    s3.put_object(Bucket=bucket, Key=f"media/{digest}", Body=data, ContentType=PNG)
    return Image(media_id=digest[:8], sha256=digest, content_type=PNG, size=len(data), width=64,
                 height=48, alt=alt)


@pytest.fixture
def post_with_images(s3: Any, bucket: str) -> tuple[str, Image, Image]:
    """A post whose first version had image `first`, edited to carry `second` instead."""
    from chalicelib.domain.post import Post

    first = stored_image(s3, bucket, png(color=(1, 2, 3)), "Ein Adventskranz")
    second = stored_image(s3, bucket, png(color=(4, 5, 6)), "Zwei Kerzen")
    wf = workflow()
    post = Post.create("pictured", AUTHOR, "Wanda Writer", content(media=(first,)), None, NOW)
    post.submit(wf, AUTHOR, NOW)
    post.edit(wf, AUTHOR, NOW, content(media=(second,)), None)
    bootstrap.container().repository.save(post)
    return post.id, first, second


def test_intact_images_pass(post_with_images: tuple[str, Image, Image],
                            capsys: pytest.CaptureFixture[str]) -> None:
    post_id, _, _ = post_with_images
    assert audit.main([post_id]) == 0
    assert capsys.readouterr().out.strip().endswith("pictured: intact")


def test_an_overwritten_image_of_an_earlier_version_is_named(
        post_with_images: tuple[str, Image, Image], s3: Any, bucket: str,
        capsys: pytest.CaptureFixture[str]) -> None:
    post_id, first, _ = post_with_images
    swapped = png(color=(250, 0, 0))
    s3.put_object(Bucket=bucket, Key=f"media/{first.sha256}", Body=swapped, ContentType=PNG)
    assert audit.main([post_id]) == 1
    out = capsys.readouterr().out
    assert "pictured: TAMPERED" in out
    # Named by where the timeline first refers to it: its content version, or its event.
    assert (f"image 1 of content {_first_hash(post_id)[:12]} " in out
            or "image 1 of event 1 (created) " in out)
    assert (f"(sha256 {first.sha256[:12]}) was altered in the image store: its bytes now hash "
            f"to {hashlib.sha256(swapped).hexdigest()[:12]}") in out


def test_a_deleted_image_of_the_current_version_is_named(
        post_with_images: tuple[str, Image, Image], s3: Any, bucket: str,
        capsys: pytest.CaptureFixture[str]) -> None:
    post_id, _, second = post_with_images
    s3.delete_object(Bucket=bucket, Key=f"media/{second.sha256}")
    assert audit.main([post_id]) == 1
    assert f"(sha256 {second.sha256[:12]}) is missing from the image store" in capsys.readouterr().out


def test_an_unreadable_image_store_leaves_the_images_unverified(
        post_with_images: tuple[str, Image, Image], monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    post_id, _, _ = post_with_images
    monkeypatch.setenv("FREIGABE_MEDIA_BUCKET", "no-such-bucket-here")
    bootstrap.reset()
    assert audit.main([post_id]) == 1
    assert "could not be read from the image store: NoSuchBucket" in capsys.readouterr().out


def _first_hash(post_id: str) -> str:
    _, events, _ = bootstrap.container().repository.get_full(post_id)
    return str(next(e.data["content_hash"] for e in events if e.type == "created"))
