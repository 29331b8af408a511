"""A post's images through the writers' use cases, against the in-memory repository and image
store: what is stored, attached and recorded, what voids approvals, and what is refused (storing
nothing) with the channel and the image named."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import timedelta
from itertools import count
from typing import Any

import pytest

from chalicelib.domain.audit import verify_state
from chalicelib.domain.content import Content
from chalicelib.domain.errors import InvalidContent, NotEligible
from chalicelib.domain.media import MEDIA_READY, MEDIA_UPLOADING, MediaObject
from chalicelib.domain.post import iso
from chalicelib.domain.serialize import post_from_document, post_to_document
from chalicelib.domain.status import Status, StepStatus
from chalicelib.domain.timeline import CONTENT_EVENTS
from chalicelib.domain.workflow import Workflow
from chalicelib.http.representation import post_to_api
from chalicelib.i18n import t
from chalicelib.services import writing
from chalicelib.services.ports import Context, Identity, MediaStore
from chalicelib.services.writing import Draft, MediaRef
from tests.fakes import Clock, MemoryPostRepository
from tests.fakes.media import MemoryMediaStore, gif, jpeg, png
from tests.unit.helpers import AUTHOR, BRAND, NOW, workflow

WANDA = Identity(AUTHOR, "Wanda Writer")
OTTO = Identity("otto.other@freigabe.example", "Otto Other")
TOMORROW = NOW + timedelta(days=1)


class World:
    """The use cases' context over a fresh repository and image store."""

    def __init__(self, wf: Workflow | None = None) -> None:
        self.repo = MemoryPostRepository()
        self.store = MemoryMediaStore()
        self.workflow = wf or workflow()
        ids = (f"p{n}" for n in count(1))
        self.ctx = Context(self.repo, self.workflow, Clock(NOW), lambda: next(ids),
                           media=lambda: self.store)
        self.uploads = count(1)

    def upload(self, data: bytes, content_type: str = "image/png", width: int = 64,
               height: int = 48, owner: Identity = WANDA, status: str = MEDIA_READY,
               size: int | None = None) -> str:
        """An upload of ``owner``'s, checked (ready) unless told otherwise; its media id."""
        media_id = f"m{next(self.uploads)}"
        sha256 = self.store.add(data) if status == MEDIA_READY else None
        ready = status == MEDIA_READY
        self.repo.save_media(MediaObject(
            id=media_id, owner=owner.subject, status=status, filename=f"{media_id}.png",
            declared_type=content_type, declared_size=len(data), created_at=iso(NOW),
            content_type=content_type if ready else None,
            size=(size or len(data)) if ready else None, width=width if ready else None,
            height=height if ready else None, sha256=sha256))
        return media_id

    def create(self, *media: tuple[str, str], channels: tuple[str, ...] = ("outbox",),
               submit: bool = True, who: Identity = WANDA) -> Any:
        return writing.create(self.ctx, who, Draft(
            "Hallo Welt", list(channels), publish_at=TOMORROW,
            media=[MediaRef(media_id, alt) for media_id, alt in media]), submit=submit)

    def edit(self, media: list[tuple[str, str]] | None = None, **changes: Any) -> Any:
        if media is not None:
            changes["media"] = [MediaRef(media_id, alt) for media_id, alt in media]
        return writing.edit(self.ctx, WANDA, "p1", self.repo.get("p1").version, changes)

    def approve_all(self) -> None:
        """Every required step approves the stored post's current content."""
        post = self.repo.get("p1")
        for step in post.required_steps():
            reviewer = BRAND if step.name == "brand" else None
            assert reviewer is not None, step.name
            post.decide(self.workflow, step.name, reviewer, "approve", post.content_hash, "",
                        NOW, frozenset({reviewer.slack_id}))
        self.repo.save(post)

    def events(self, post_id: str = "p1") -> list[Any]:
        return self.repo.events[post_id]


def refused(action: Callable[[], Any]) -> InvalidContent:
    with pytest.raises(InvalidContent) as caught:
        action()
    return caught.value


# -- attaching -----------------------------------------------------------------------------------


def test_a_post_carries_its_images_in_order_with_stripped_alt_texts_and_attaches_them() -> None:
    world = World()
    red, blue = png(), jpeg(width=30, height=20)
    first = world.upload(red)
    second = world.upload(blue, "image/jpeg", width=30, height=20)
    world.create((second, "  Ein blaues Feld \n"), (first, "Ein rotes Feld"))

    stored = world.repo.get("p1")
    images = stored.content.media
    assert [(i.media_id, i.alt, i.content_type, i.width, i.height, i.size) for i in images] == [
        (second, "Ein blaues Feld", "image/jpeg", 30, 20, len(blue)),
        (first, "Ein rotes Feld", "image/png", 64, 48, len(red))]
    assert world.store.attached == {images[0].sha256, images[1].sha256}
    # The version stored beside the post (CONTENT#<hash>) carries them too.
    assert world.repo.content_version("p1", stored.content_hash) == stored.content


def test_content_events_record_each_images_sha256_and_alt_text() -> None:
    world = World()
    first, second = world.upload(png()), world.upload(gif())
    world.create((first, "Rot"), (second, "Grau"))
    world.approve_all()
    stored = world.repo.get("p1")
    expected = [{"sha256": i.sha256, "alt": i.alt} for i in stored.content.media]

    recorded = {e.type: e.data for e in world.events() if e.type in CONTENT_EVENTS}
    assert set(recorded) == {"created", "submitted", "scheduled"}
    assert all(data["media"] == expected for data in recorded.values())
    assert verify_state(stored, world.events()) == []


def test_a_text_only_post_records_no_media_and_keeps_its_hash() -> None:
    world = World()
    post = world.create()
    assert post.content.media == ()
    assert post.content_hash == Content("Hallo Welt", ("outbox",)).hash
    assert all("media" not in e.data for e in world.events())
    assert [e.type for e in world.events() if e.type in CONTENT_EVENTS] == ["created", "submitted"]
    assert world.store.attached == set()


def test_an_edit_that_omits_media_keeps_the_images_and_an_empty_list_removes_them() -> None:
    world = World()
    image = world.upload(png())
    world.create((image, "Rot"), submit=False)

    world.edit(text="Neuer Text")
    assert [i.alt for i in world.repo.get("p1").content.media] == ["Rot"]

    world.edit(media=[])
    stored = world.repo.get("p1")
    assert stored.content.media == ()
    last = world.events()[-1]
    assert (last.type, last.data["changed"], last.data["media"]) == ("edited", ["image 1 removed"], [])


def test_an_edit_may_keep_an_image_the_post_carries_even_once_its_upload_record_is_gone() -> None:
    world = World()
    image = world.upload(png())
    world.create((image, "Rot"), submit=False)
    del world.repo.stored_media[image]

    world.edit(media=[(image, "Rot, neu beschrieben")])

    assert [i.alt for i in world.repo.get("p1").content.media] == ["Rot, neu beschrieben"]


# -- what voids approvals ------------------------------------------------------------------------


def scheduled_with_two_images(world: World) -> tuple[str, str]:
    first, second = world.upload(png()), world.upload(jpeg(), "image/jpeg")
    world.create((first, "Rot"), (second, "Blau"))
    world.approve_all()
    assert world.repo.get("p1").status is Status.SCHEDULED
    return first, second


@pytest.mark.parametrize("change,expected", [
    (lambda first, second, third: [(first, "Rot!"), (second, "Blau")],
     ["image 1 alt text changed"]),
    (lambda first, second, third: [(second, "Blau"), (first, "Rot")], ["images reordered"]),
    (lambda first, second, third: [(first, "Rot"), (third, "Blau")], ["image 2 replaced"]),
    (lambda first, second, third: [(first, "Rot")], ["image 2 removed"]),
    (lambda first, second, third: [(first, "Rot"), (second, "Blau"), (third, "Grün")],
     ["image 3 added"]),
], ids=["alt text", "order", "bytes", "removed", "added"])
def test_changing_an_image_its_alt_text_or_the_order_voids_the_approvals(
        change: Callable[[str, str, str], list[tuple[str, str]]], expected: list[str]) -> None:
    world = World()
    first, second = scheduled_with_two_images(world)
    third = world.upload(png(color=(10, 200, 10)))
    approved = world.repo.get("p1")

    world.edit(media=change(first, second, third))

    stored = world.repo.get("p1")
    assert stored.content_hash != approved.content_hash
    assert stored.status is Status.IN_REVIEW
    assert {s.name: (s.status, s.approvals) for s in stored.required_steps()} == {
        "brand": (StepStatus.PENDING, [])}
    edited = next(e for e in world.events() if e.type == "edited")
    assert edited.data["changed"] == expected
    assert edited.data["from_hash"] == approved.content_hash
    assert "approvals_voided" in [e.type for e in world.events()]
    # The approval the reviewer gives on the version they saw no longer counts.
    with pytest.raises(NotEligible) as caught:
        stored.decide(world.workflow, "brand", BRAND, "approve", approved.content_hash, "",
                      NOW, frozenset({BRAND.slack_id}))
    assert caught.value.key == "stale_content"
    assert verify_state(stored, world.events()) == []


def test_moving_only_the_publish_time_keeps_the_approval_of_a_post_with_images() -> None:
    world = World()
    scheduled_with_two_images(world)
    world.edit(publish_at=TOMORROW + timedelta(hours=1))
    assert world.repo.get("p1").status is Status.SCHEDULED


def test_the_same_images_and_alt_texts_change_nothing() -> None:
    world = World()
    first, second = scheduled_with_two_images(world)
    before = len(world.events())
    world.edit(media=[(first, " Rot "), (second, "Blau")])
    assert len(world.events()) == before and world.repo.get("p1").status is Status.SCHEDULED


# -- the networks' rules -------------------------------------------------------------------------


def test_bluesky_refuses_an_image_without_alt_text_naming_the_channel_and_storing_nothing() -> None:
    world = World()
    image = world.upload(png())

    error = refused(lambda: world.create((image, "   "), channels=("bluesky",)))

    assert (error.key, error.params["channel"], error.params["image"]) == ("alt_missing", "bluesky", 1)
    assert t(error.key, "de", **error.params).startswith("bluesky: Bild 1 hat keinen Alternativtext")
    assert world.repo.documents == {} and world.store.attached == set()


def test_require_alt_text_false_lets_mastodon_go_without_alt_text_but_not_bluesky() -> None:
    world = World(workflow(require_alt_text=False))
    image = world.upload(png())

    post = world.create((image, ""), channels=("mastodon",))
    assert post.status is Status.IN_REVIEW and post.content.media[0].alt == ""

    error = refused(lambda: world.create((image, ""), channels=("mastodon", "bluesky")))
    assert (error.key, error.params["channel"]) == ("alt_missing", "bluesky")


def test_by_default_every_channel_needs_alt_text_at_review_but_a_draft_may_lack_it() -> None:
    world = World()
    image = world.upload(png())

    error = refused(lambda: world.create((image, ""), channels=("mastodon",)))
    assert (error.key, error.params["channel"]) == ("alt_missing", "mastodon")

    draft = world.create((image, ""), channels=("mastodon",), submit=False)
    assert world.repo.get(draft.id).status is Status.DRAFT
    submit_error = refused(lambda: writing.submit(world.ctx, WANDA, draft.id))
    assert submit_error.key == "alt_missing"
    assert world.repo.get(draft.id).status is Status.DRAFT

    world.edit(media=[(image, "Ein rotes Feld")])
    assert writing.submit(world.ctx, WANDA, draft.id).status is Status.IN_REVIEW


def test_an_edit_in_review_that_drops_the_alt_text_is_refused() -> None:
    world = World()
    image = world.upload(png())
    world.create((image, "Rot"))
    error = refused(lambda: world.edit(media=[(image, "")]))
    assert error.key == "alt_missing"
    assert world.repo.get("p1").content.media[0].alt == "Rot"


def test_five_images_are_too_many_for_mastodon_and_fine_for_the_outbox() -> None:
    world = World()
    images = [(world.upload(png(color=(n, 0, 0))), f"Bild {n}") for n in range(5)]

    error = refused(lambda: world.create(*images, channels=("outbox", "mastodon")))
    assert (error.key, error.params) == ("too_many_images",
                                         {"channel": "mastodon", "image": 0, "count": 5, "limit": 4})
    assert t(error.key, "en", **error.params) == (
        "mastodon: at most 4 images per post; this one has 5.")

    assert len(world.create(*images, channels=("outbox",)).content.media) == 5


def test_more_images_than_any_post_carries_are_refused() -> None:
    world = World()
    images = [(world.upload(png(color=(n, 0, 0))), "Bild") for n in range(11)]
    error = refused(lambda: world.create(*images))
    assert (error.key, error.params) == ("too_many_images_in_post", {"count": 11, "limit": 10})


def test_bluesky_refuses_an_image_over_two_megabytes_and_a_gif() -> None:
    world = World()
    large = world.upload(jpeg(), "image/jpeg", size=2_000_001)
    moving = world.upload(gif(), "image/gif")

    error = refused(lambda: world.create((large, "Groß"), channels=("bluesky",)))
    assert t(error.key, "de", **error.params) == "bluesky: Bild 1 ist größer als 2 MB."
    assert t(error.key, "en", **error.params) == "bluesky: image 1 is larger than 2 MB."

    error = refused(lambda: world.create((moving, "Grau"), channels=("mastodon", "bluesky")))
    assert (error.key, error.params) == ("image_type", {"channel": "bluesky", "image": 1,
                                                        "type": "GIF",
                                                        "types": "JPEG, PNG, WebP"})


def test_an_alt_text_over_xs_limit_is_refused_for_x_only() -> None:
    world = World()
    image = world.upload(png())
    alt = "a" * 1001
    error = refused(lambda: world.create((image, alt), channels=("mastodon", "x")))
    assert (error.key, error.params) == ("alt_too_long", {"channel": "x", "image": 1,
                                                          "count": 1001, "limit": 1000})
    assert world.create((image, alt), channels=("mastodon",)).content.media[0].alt == alt


# -- whose uploads -------------------------------------------------------------------------------


def test_another_writers_upload_is_not_found_and_names_the_image() -> None:
    world = World()
    mine = world.upload(png())
    theirs = world.upload(jpeg(), "image/jpeg", owner=OTTO)

    error = refused(lambda: world.create((mine, "Rot"), (theirs, "Blau")))

    assert (error.key, error.params) == ("media_unknown", {"image": 2})
    assert world.repo.documents == {} and world.store.attached == set()


def test_an_upload_that_has_not_finished_is_refused_in_the_writers_words() -> None:
    world = World()
    pending = world.upload(png(), status=MEDIA_UPLOADING)
    error = refused(lambda: world.create((pending, "Rot")))
    assert (error.key, error.params) == ("media_not_ready", {"image": 1})
    assert t(error.key, "de", **error.params) == "Bild 1 ist noch nicht hochgeladen."
    assert t(error.key, "en", **error.params) == "Image 1 has not finished uploading."


def test_an_unknown_id_and_the_same_image_twice_are_refused() -> None:
    world = World()
    image = world.upload(png())
    same_bytes = world.upload(png())
    assert refused(lambda: world.create(("nope", "x"))).params == {"image": 1}
    error = refused(lambda: world.create((image, "Rot"), (same_bytes, "Rot")))
    assert (error.key, error.params) == ("media_duplicate", {"image": 2, "first": 1})


def test_an_image_whose_bytes_are_gone_is_refused_and_nothing_is_stored() -> None:
    world = World()
    image = world.upload(png())
    world.store.objects.clear()  # expired: never attached within a day
    error = refused(lambda: world.create((image, "Rot")))
    assert (error.key, error.params) == ("media_gone", {"image": 1})
    assert world.repo.documents == {}


def test_adding_an_image_in_an_edit_attaches_only_that_one() -> None:
    world = World()
    first = world.upload(png())
    world.create((first, "Rot"), submit=False)
    world.store.attached.clear()
    second = world.upload(jpeg(), "image/jpeg")

    world.edit(media=[(first, "Rot"), (second, "Blau")])

    assert world.store.attached == {world.repo.get("p1").content.media[1].sha256}


# -- stored and shown ----------------------------------------------------------------------------


def test_a_post_stored_before_images_keeps_loading() -> None:
    world = World()
    post = world.create()
    document = post_to_document(post)
    assert "media" not in document["content"]
    loaded = post_from_document(document)
    assert loaded.content.media == () and loaded.content_hash == post.content_hash


def test_a_post_with_images_round_trips_through_its_stored_form() -> None:
    world = World()
    world.create((world.upload(png()), "Rot"), (world.upload(gif(), "image/gif"), "Grau"))
    post = world.repo.get("p1")
    assert post_from_document(post_to_document(post)).content == post.content


def test_an_altered_alt_text_in_the_stored_item_is_caught_by_verify_state() -> None:
    world = World()
    world.create((world.upload(png()), "Rot"))
    post = world.repo.get("p1")
    image = post.content.media[0]
    post.content = replace(post.content, media=(replace(image, alt="Etwas anderes"),))
    assert verify_state(post, world.events()) != []


def test_the_post_json_shows_the_images_in_order_with_preview_urls() -> None:
    world = World()
    first, second = world.upload(png()), world.upload(jpeg(), "image/jpeg")
    post = world.create((second, "Blau"), (first, "Rot"))

    shown = post_to_api(post, media=world.ctx.media)["media"]

    assert [(m["id"], m["alt"], m["content_type"], m["width"], m["height"]) for m in shown] == [
        (second, "Blau", "image/jpeg", 64, 48), (first, "Rot", "image/png", 64, 48)]
    assert [m["url"] for m in shown] == [
        f"memory://media/{m['sha256']}?expires=3600" for m in shown]
    assert all(m["size"] > 0 for m in shown)


def test_a_text_only_post_shows_no_images_and_builds_no_image_store() -> None:
    def no_store() -> MediaStore:
        raise AssertionError("the image store was built for a post without images")

    assert post_to_api(World().create(), media=no_store)["media"] == []
