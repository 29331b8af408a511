"""The outbox channel: one JSON line per publication, never two for the same one."""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from chalicelib.adapters.channels.images import MEDIA_URL_SECONDS
from chalicelib.adapters.channels.registry import build_publisher
from chalicelib.config import OutboxChannel
from chalicelib.domain.publication import Outcome
from chalicelib.services.ports import ChannelPublisher
from tests.fakes.media import MemoryMediaStore, png
from tests.standins.rig import approved_image, outgoing


def outbox_at(path: Path) -> ChannelPublisher:
    def no_secrets(reference: str) -> str:
        raise AssertionError("the outbox needs no secret")

    return build_publisher("outbox", OutboxChannel(type="outbox", path=str(path)), no_secrets)


def lines(path: Path) -> list[dict[str, object]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_appends_one_line_creating_the_folders(tmp_path: Path) -> None:
    path = tmp_path / "deep" / "er" / "outbox.jsonl"
    pub, copy = outgoing()

    outcome = outbox_at(path).publish(pub, copy)

    assert outcome == Outcome("published", external_id="outbox-1")
    (entry,) = lines(path)
    assert entry["delivery_id"] == pub.idempotency_key
    assert {k: entry[k] for k in ("post_id", "channel", "title", "text", "content_hash", "author")} == {
        "post_id": pub.post_id,
        "channel": pub.channel,
        "title": copy.title,
        "text": copy.text,
        "content_hash": pub.content_hash,
        "author": copy.author,
    }


def test_the_same_publication_again_returns_the_first_line(tmp_path: Path) -> None:
    path = tmp_path / "outbox.jsonl"
    publisher = outbox_at(path)

    first = publisher.publish(*outgoing(post_id="a"))
    second = publisher.publish(*outgoing(post_id="b"))
    again = outbox_at(path).publish(*outgoing(post_id="a"))

    assert (first.external_id, second.external_id) == ("outbox-1", "outbox-2")
    assert again == first
    assert [entry["post_id"] for entry in lines(path)] == ["a", "b"]


def test_concurrent_deliveries_of_one_publication_write_one_line(tmp_path: Path) -> None:
    path = tmp_path / "outbox.jsonl"
    pub, copy = outgoing()

    with ThreadPoolExecutor(max_workers=8) as pool:
        outcomes = list(pool.map(lambda _: outbox_at(path).publish(pub, copy), range(16)))

    assert {o.external_id for o in outcomes} == {"outbox-1"}
    assert len(lines(path)) == 1


def test_a_torn_line_does_not_block_later_publications(tmp_path: Path) -> None:
    path = tmp_path / "outbox.jsonl"
    path.write_text('{"id": "outbox-1", "delivery_id": "x"\n', encoding="utf-8")

    outcome = outbox_at(path).publish(*outgoing())

    assert outcome == Outcome("published", external_id="outbox-2")


def test_an_unwritable_outbox_fails(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder", encoding="utf-8")

    outcome = outbox_at(blocker / "outbox.jsonl").publish(*outgoing())

    assert outcome.status == "failed"
    assert outcome.error and "not writable" in outcome.error


def test_the_outbox_declares_resending_safe(tmp_path: Path) -> None:
    assert outbox_at(tmp_path / "o.jsonl").sends_idempotency_key


def test_a_text_only_line_has_an_empty_media_list(tmp_path: Path) -> None:
    path = tmp_path / "outbox.jsonl"

    outbox_at(path).publish(*outgoing())

    assert lines(path)[0]["media"] == []


def test_a_publication_with_images_delivered_twice_writes_one_line(tmp_path: Path) -> None:
    store = MemoryMediaStore()
    data = png()
    image = approved_image(store.add(data), data, "Ein Hund im Schnee", "image/png", 64, 48)
    path = tmp_path / "outbox.jsonl"
    publisher = build_publisher("outbox", OutboxChannel(type="outbox", path=str(path)),
                                lambda ref: "", media=lambda: store)

    first = publisher.publish(*outgoing(images=(image,)))
    again = publisher.publish(*outgoing(images=(image,)))

    assert again == first
    (entry,) = lines(path)
    url = store.url(image.sha256, MEDIA_URL_SECONDS)
    assert entry["media"] == [{"sha256": image.sha256, "content_type": "image/png", "size": len(data),
                               "alt": "Ein Hund im Schnee", "url": url}]
