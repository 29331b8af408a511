"""Saves the image bucket's objects to the state dir and puts them back, because moto keeps
nothing across restarts. One file per object under ``<state dir>/s3/<bucket>/`` (images are
too large to live in state.json), with a small JSON beside it for its type, tags and ETag; an
object already saved with the same ETag is not fetched again, so saving every few seconds
costs a listing."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote

META = ".meta.json"


def _file(root: Path, key: str) -> Path:
    # One flat folder: keys hold slashes, which a quoted name does not.
    return root / quote(key, safe="")


def save_bucket(s3: Any, bucket: str, root: Path) -> int:
    """Mirror the bucket into ``root``; the number of objects it holds."""
    root.mkdir(parents=True, exist_ok=True)
    present: set[str] = set()
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket):
        for entry in page.get("Contents", []):
            key, etag = entry["Key"], entry["ETag"]
            path = _file(root, key)
            present.add(path.name)
            meta_path = path.with_name(path.name + META)
            if path.exists() and meta_path.exists() and \
                    json.loads(meta_path.read_text()).get("etag") == etag:
                continue
            answer = s3.get_object(Bucket=bucket, Key=key)
            tags = s3.get_object_tagging(Bucket=bucket, Key=key).get("TagSet", [])
            _write(path, answer["Body"].read())
            _write(meta_path, json.dumps({"key": key, "etag": etag, "tags": tags,
                                          "content_type": answer.get("ContentType")}).encode())
    for path in root.iterdir():
        if path.name.endswith(META):
            continue
        if path.name not in present:  # deleted in the bucket (a kept upload, an expired one)
            path.unlink(missing_ok=True)
            path.with_name(path.name + META).unlink(missing_ok=True)
    return len(present)


def restore_bucket(s3: Any, bucket: str, root: Path) -> int:
    """Put the saved objects back, with their type and tags; how many."""
    if not root.is_dir():
        return 0
    restored = 0
    for path in sorted(root.iterdir()):
        if path.name.endswith(META) or path.name.startswith("."):
            continue
        meta_path = path.with_name(path.name + META)
        meta = json.loads(meta_path.read_text()) if meta_path.exists() else {}
        extra: dict[str, Any] = {}
        if meta.get("content_type"):
            extra["ContentType"] = meta["content_type"]
        if meta.get("tags"):
            extra["Tagging"] = "&".join(f"{quote(t['Key'])}={quote(t['Value'])}"
                                        for t in meta["tags"])
        s3.put_object(Bucket=bucket, Key=meta.get("key") or unquote(path.name),
                      Body=path.read_bytes(), **extra)
        restored += 1
    return restored


def _write(path: Path, data: bytes) -> None:
    # Written beside and renamed, so a kill during the write leaves the previous file.
    partial = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    partial.write_bytes(data)
    os.replace(partial, path)
