"""The writers' image uploads (services/media.py) with the in-memory image store and table:
what is stored and kept, and every refusal, which changes nothing."""

from __future__ import annotations

import hashlib
import io
import itertools

import pytest

from chalicelib.domain import media as rules
from chalicelib.domain.errors import InvalidContent, NotFound
from chalicelib.i18n import t
from chalicelib.services import media
from chalicelib.services.ports import Context, Identity
from tests.fakes.media import MemoryMediaStore, gif, jpeg, png, webp
from tests.fakes.repository import MemoryPostRepository
from tests.unit.helpers import AUTHOR, NOW, workflow

WRITER = Identity(email=AUTHOR, name="Wanda Writer")
OTHER = Identity(email="otto.other@freigabe.example", name="Otto")


class Rig:
    def __init__(self) -> None:
        self.repo = MemoryPostRepository()
        self.store = MemoryMediaStore()
        ids = (f"m{n}" for n in itertools.count(1))
        self.ctx = Context(repo=self.repo, workflow=workflow(), clock=lambda: NOW,
                           new_id=lambda: next(ids), media=lambda: self.store)

    def upload(self, data: bytes, content_type: str = rules.PNG, who: Identity = WRITER,
               filename: str = "sommer.png") -> str:
        created, _ = media.create_upload(self.ctx, who, filename, content_type, len(data))
        self.store.put_upload(created.id, data)
        return created.id


@pytest.fixture
def rig() -> Rig:
    return Rig()


def refusal(err: pytest.ExceptionInfo[InvalidContent]) -> str:
    return t(err.value.key, "en", **err.value.params)


def test_create_stores_an_uploading_record_and_presigns_exactly_that_type_and_size(rig: Rig) -> None:
    created, form = media.create_upload(rig.ctx, WRITER, "sommer.png", "image/png", 2048)
    assert form["url"] == "memory://uploads/m1"
    assert rig.store.presigned == [("m1", "image/png", 2048)]
    stored = rig.repo.stored_media["m1"]
    assert stored == created
    assert (stored.owner, stored.status, stored.declared_type, stored.declared_size) == (
        AUTHOR, "uploading", "image/png", 2048)
    assert stored.created_at == "2026-11-26T09:00:00Z"


@pytest.mark.parametrize("content_type,size,key", [
    ("text/plain", 100, "media_type_not_accepted"),
    ("image/svg+xml", 100, "media_type_not_accepted"),
    ("image/png", 0, "media_empty"),
    ("image/png", -5, "media_empty"),
    ("image/png", rules.MAX_UPLOAD_BYTES + 1, "media_too_large"),
])
def test_create_refuses_what_can_never_become_an_image(rig: Rig, content_type: str, size: int,
                                                       key: str) -> None:
    with pytest.raises(InvalidContent) as err:
        media.create_upload(rig.ctx, WRITER, "notes.txt", content_type, size)
    assert err.value.key == key
    assert "notes.txt" in refusal(err)
    assert rig.repo.stored_media == {} and rig.store.presigned == []


def test_the_size_limit_is_told_in_megabytes(rig: Rig) -> None:
    with pytest.raises(InvalidContent) as err:
        media.create_upload(rig.ctx, WRITER, "huge.jpg", "image/jpeg", 15 * 1024 * 1024)
    assert refusal(err) == "“huge.jpg” is too large: 15 MB, at most 10 MB per image."


@pytest.mark.parametrize("make,kind", [(png, rules.PNG), (jpeg, rules.JPEG), (webp, rules.WEBP),
                                       (gif, rules.GIF)])
def test_complete_keeps_the_checked_bytes_under_their_sha256(rig: Rig, make: object,
                                                             kind: str) -> None:
    data = make(width=120, height=80)  # type: ignore[operator]
    media_id = rig.upload(data, kind)
    ready = media.complete(rig.ctx, WRITER, media_id)
    digest = hashlib.sha256(data).hexdigest()
    assert (ready.status, ready.content_type, ready.size, ready.width, ready.height, ready.sha256) == (
        "ready", kind, len(data), 120, 80, digest)
    assert rig.repo.stored_media[media_id] == ready
    assert rig.store.objects[digest] == data and media_id not in rig.store.uploads


def test_completing_twice_answers_the_same_ready_object(rig: Rig) -> None:
    media_id = rig.upload(png())
    first = media.complete(rig.ctx, WRITER, media_id)
    assert media.complete(rig.ctx, WRITER, media_id) == first


def test_the_same_bytes_uploaded_twice_are_stored_once(rig: Rig) -> None:
    data = png()
    first = media.complete(rig.ctx, WRITER, rig.upload(data))
    second = media.complete(rig.ctx, WRITER, rig.upload(data))
    assert first.id != second.id and first.sha256 == second.sha256
    assert list(rig.store.objects) == [first.sha256]


def test_complete_before_anything_arrived_is_refused(rig: Rig) -> None:
    created, _ = media.create_upload(rig.ctx, WRITER, "sommer.png", "image/png", 100)
    with pytest.raises(InvalidContent) as err:
        media.complete(rig.ctx, WRITER, created.id)
    assert err.value.key == "media_not_uploaded" and "sommer.png" in refusal(err)
    assert rig.repo.stored_media[created.id].status == "uploading"


def test_a_text_file_declared_as_png_is_refused_by_its_bytes(rig: Rig) -> None:
    media_id = rig.upload(b"Liebe Kundinnen und Kunden,\n" * 10, filename="brief.png")
    with pytest.raises(InvalidContent) as err:
        media.complete(rig.ctx, WRITER, media_id)
    assert err.value.key == "media_not_an_image"
    assert refusal(err).startswith("“brief.png” is not an image")
    assert rig.repo.stored_media[media_id].status == "uploading" and rig.store.objects == {}


def test_a_png_declared_as_jpeg_is_refused_naming_both_types(rig: Rig) -> None:
    media_id = rig.upload(png(), rules.JPEG, filename="foto.jpg")
    with pytest.raises(InvalidContent) as err:
        media.complete(rig.ctx, WRITER, media_id)
    assert "the file is a PNG, not a JPEG" in refusal(err)
    assert "Die Datei ist ein PNG, kein JPEG" in t(err.value.key, "de", **err.value.params)
    assert rig.store.objects == {}


def test_an_upload_over_the_limit_is_refused_whatever_was_declared(rig: Rig) -> None:
    media_id = rig.upload(png())
    rig.store.uploads[media_id] = png() + b"\0" * rules.MAX_UPLOAD_BYTES
    with pytest.raises(InvalidContent) as err:
        media.complete(rig.ctx, WRITER, media_id)
    assert err.value.key == "media_too_large" and rig.store.objects == {}


def test_a_damaged_image_is_refused(rig: Rig) -> None:
    data = png(width=300, height=200)
    media_id = rig.upload(data[:60])  # the header survives, the pixels do not
    with pytest.raises(InvalidContent) as err:
        media.complete(rig.ctx, WRITER, media_id)
    assert err.value.key == "media_unreadable" and rig.store.objects == {}


def test_a_canvas_over_the_pixel_limit_is_refused_before_decoding(rig: Rig) -> None:
    from PIL import Image

    buffer = io.BytesIO()
    # A one-colour GIF compresses to almost nothing, whatever its canvas.
    Image.new("L", (rules.MAX_SIDE + 1, 10)).save(buffer, format="GIF")
    media_id = rig.upload(buffer.getvalue(), rules.GIF, filename="banner.gif")
    with pytest.raises(InvalidContent) as err:
        media.complete(rig.ctx, WRITER, media_id)
    assert err.value.key == "media_too_many_pixels"
    assert refusal(err).startswith(f"“banner.gif” is too large: {rules.MAX_SIDE + 1} × 10 pixels")


def test_someone_else_s_upload_does_not_exist_for_the_caller(rig: Rig) -> None:
    media_id = rig.upload(png())
    with pytest.raises(NotFound) as err:
        media.complete(rig.ctx, OTHER, media_id)
    assert err.value.key == "media_not_found"
    with pytest.raises(NotFound):
        media.read(rig.ctx, OTHER, media_id)
    with pytest.raises(NotFound):
        media.read(rig.ctx, WRITER, "nope")
    assert rig.repo.stored_media[media_id].status == "uploading"


def test_read_gives_a_url_only_once_ready(rig: Rig) -> None:
    media_id = rig.upload(png())
    upload, url = media.read(rig.ctx, WRITER, media_id)
    assert upload.status == "uploading" and url is None
    ready = media.complete(rig.ctx, WRITER, media_id)
    upload, url = media.read(rig.ctx, WRITER, media_id)
    assert upload == ready and url == f"memory://media/{ready.sha256}?expires=3600"
