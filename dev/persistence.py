"""The stack's side of saved state: creates the table, the queues and the image bucket in the
emulator, fills them from the state dir once, and saves them back while running and at
shutdown."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from dev import media_state, resources, state

_AWS_ERRORS = (BotoCoreError, ClientError)


class Persistence:
    def __init__(self, directory: Path, table: str, say: Callable[[str], None],
                 bucket: str | None = None, origins: tuple[str, ...] = ()) -> None:
        self._store = state.StateStore(directory)
        self._table = table
        # The image bucket, CORS open to the local web page's origins; its objects are saved
        # as files beside state.json.
        self._bucket = bucket
        self._origins = list(origins)
        self._bucket_dir = directory / "s3" / (bucket or "-")
        self._say = say
        self._lock = threading.Lock()
        self._queue_urls: dict[str, str] = {}
        # Saved state of other tables (another FREIGABE_TABLE) is kept, not dropped.
        self._other_tables: dict[str, Any] = {}
        # Saving before the restore finished would replace the saved data with a fragment.
        self._loaded = False
        self._save_failed = False

    @property
    def path(self) -> Path:
        return self._store.path

    def _client(self, service: str) -> Any:
        import boto3

        return boto3.session.Session().client(service)

    def prepare(self, queue_visibility: int | None) -> None:
        dynamodb, sqs = self._client("dynamodb"), self._client("sqs")
        _until_answering(dynamodb)
        created = resources.ensure_table(dynamodb, self._table)
        self._queue_urls = resources.ensure_queues(sqs, queue_visibility)
        bucket_created = self._bucket is not None and resources.ensure_media_bucket(
            self._client("s3"), self._bucket, self._origins)
        try:
            saved = self._store.load()
        except state.UnreadableState as err:
            self._say(f"saved data unreadable, starting empty: {err}")
            saved = {}
        tables = dict(saved.get("tables", {}))
        mine = tables.pop(self._table, {})
        self._other_tables = tables
        if not created:
            # Someone else's emulator or a table kept from before: its data is newer than ours.
            self._say(f"table {self._table} exists already; saved data not loaded into it")
        else:
            started = time.monotonic()
            items = state.restore_table(dynamodb, self._table, mine.get("items", []))
            messages = sum(
                state.restore_queue(sqs, self._queue_urls[name], queued)
                for name, queued in saved.get("queues", {}).items()
                if name in self._queue_urls
            )
            if items or messages:
                self._say(
                    f"loaded {items} items and {messages} queued messages from {self.path}"
                    f" in {time.monotonic() - started:.1f} s"
                )
        if bucket_created and self._bucket is not None:
            objects = media_state.restore_bucket(self._client("s3"), self._bucket, self._bucket_dir)
            if objects:
                self._say(f"loaded {objects} images and uploads from {self._bucket_dir}")
        elif self._bucket is not None:
            self._say(f"bucket {self._bucket} exists already; saved images not loaded into it")
        self._loaded = True

    def save(self, with_queues: bool) -> None:
        """Queues only at shutdown: reading a message counts as a delivery attempt."""
        if not self._loaded:
            return
        with self._lock:
            try:
                tables = {**self._other_tables, self._table: {"items": self._dump_items()}}
                queues = self._drain_queues() if with_queues else {}
                self._store.save({"tables": tables, "queues": queues})
                objects = media_state.save_bucket(self._client("s3"), self._bucket,
                                                  self._bucket_dir) if self._bucket else 0
            except (*_AWS_ERRORS, OSError) as err:
                if not self._save_failed or with_queues:
                    self._say(f"could not save to {self.path}: {type(err).__name__}: {err}")
                self._save_failed = True
                return
            self._save_failed = False
            if with_queues:
                items = len(tables[self._table]["items"])
                messages = sum(len(m) for m in queues.values())
                self._say(f"saved {items} items and {messages} queued messages to {self.path}"
                          + (f", {objects} images and uploads to {self._bucket_dir}"
                             if objects else ""))

    def _dump_items(self) -> list[dict[str, Any]]:
        return state.dump_table(self._client("dynamodb"), self._table)

    def _drain_queues(self) -> dict[str, list[dict[str, Any]]]:
        sqs = self._client("sqs")
        # Draining a queue can redrive its messages into the dead-letter queue, so that one
        # is drained last (creation order has it first).
        drained: dict[str, list[dict[str, Any]]] = {}
        for name, url in reversed(self._queue_urls.items()):
            drained[name] = state.drain_queue(sqs, url)
        return {name: messages for name, messages in drained.items() if messages}


def _until_answering(dynamodb: Any, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            dynamodb.list_tables(Limit=1)
            return
        except _AWS_ERRORS:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)
