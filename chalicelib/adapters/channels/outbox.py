"""Outbox: the local default channel, one JSON line per publication in a file.

A redelivered message must not add a second line, so the file is scanned for the publication's
idempotency key under an exclusive lock (several `chalice local` threads or processes may
publish at once) before anything is appended. A line's ``media`` lists the post's images in
order, each with a presigned GET URL (see channels/images.py for how long it is valid).
"""

from __future__ import annotations

import fcntl
import json
import os
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from chalicelib.adapters.channels.base import ChannelFailure, failed
from chalicelib.adapters.channels.images import ImageReader
from chalicelib.config import OutboxChannel
from chalicelib.domain.publication import Copy, Outcome, Publication


class OutboxPublisher:
    sends_idempotency_key = True  # it de-duplicates on the key itself

    def __init__(self, name: str, config: OutboxChannel, images: ImageReader | None = None) -> None:
        self.name = name
        self.path = Path(config.path)
        self.images = images or ImageReader(name, None)

    def publish(self, publication: Publication, copy: Copy) -> Outcome:
        try:
            media = self.images.entries(copy.images)
        except ChannelFailure as failure:
            return failure.outcome
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with self.path.open("a+", encoding="utf-8") as outbox:
                fcntl.flock(outbox, fcntl.LOCK_EX)
                try:
                    return self._append_once(outbox, publication, copy, media)
                finally:
                    fcntl.flock(outbox, fcntl.LOCK_UN)
        except OSError as err:
            return failed(f"outbox {self.path} is not writable: {err.strerror}").outcome

    def _append_once(self, outbox: Any, publication: Publication, copy: Copy,
                     media: list[dict[str, Any]]) -> Outcome:
        outbox.seek(0)
        count = 0
        for line in outbox:
            if not line.strip():
                continue
            count += 1
            try:
                entry = json.loads(line)
            except ValueError:
                continue  # a torn line from a crash must not block every later publication
            if isinstance(entry, dict) and entry.get("delivery_id") == publication.idempotency_key:
                return Outcome("published", external_id=str(entry.get("id")))
        entry_id = f"outbox-{count + 1}"
        entry = {
            "id": entry_id,
            "delivery_id": publication.idempotency_key,
            "post_id": publication.post_id,
            "channel": publication.channel,
            "title": copy.title,
            "text": copy.text,
            "content_hash": publication.content_hash,
            "author": copy.author,
            "publish_at": copy.publish_at,
            "media": media,
            **({"reply_to": copy.reply_to} if copy.reply_to else {}),
            "published_at": datetime.now(UTC).isoformat(timespec="seconds"),
        }
        outbox.seek(0, os.SEEK_END)
        outbox.write(json.dumps(entry, ensure_ascii=False) + "\n")
        outbox.flush()
        os.fsync(outbox.fileno())
        return Outcome("published", external_id=entry_id)
