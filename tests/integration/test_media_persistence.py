"""`make run` keeps the image bucket's objects across restarts, like the table: the stack's
Persistence saves them beside state.json and puts them back into a fresh emulator's bucket,
with their type and tags, and with the bucket's CORS for the local page."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

import boto3
import pytest

from dev.persistence import Persistence
from tests.fakes.media import jpeg, png

ORIGINS = ("http://localhost:8000", "http://127.0.0.1:8000")


def empty(s3: Any, bucket: str) -> None:
    """What a restart of the emulator does to the bucket."""
    for entry in s3.list_objects_v2(Bucket=bucket).get("Contents", []):
        s3.delete_object(Bucket=bucket, Key=entry["Key"])
    s3.delete_bucket(Bucket=bucket)


@pytest.fixture
def names(aws_endpoint: str) -> tuple[str, str]:
    suffix = uuid.uuid4().hex[:10]
    return f"freigabe-{suffix}", f"freigabe-media-{suffix}"


def test_objects_survive_a_restart(names: tuple[str, str], tmp_path: Path,
                                   aws_endpoint: str) -> None:
    table, bucket = names
    s3 = boto3.client("s3", endpoint_url=aws_endpoint)
    said: list[str] = []
    first = Persistence(tmp_path, table, said.append, bucket=bucket, origins=ORIGINS)
    first.prepare(None)
    assert s3.get_bucket_cors(Bucket=bucket)["CORSRules"][0]["AllowedOrigins"] == list(ORIGINS)
    image, upload = png(), jpeg()
    s3.put_object(Bucket=bucket, Key="media/abc", Body=image, ContentType="image/png",
                  Tagging="freigabe-attached=yes")
    s3.put_object(Bucket=bucket, Key="uploads/m1", Body=upload, ContentType="image/jpeg")
    first.save(with_queues=True)
    # A kept upload leaves the bucket; the next save forgets it too.
    s3.delete_object(Bucket=bucket, Key="uploads/m1")
    first.save(with_queues=False)
    empty(s3, bucket)
    boto3.client("dynamodb", endpoint_url=aws_endpoint).delete_table(TableName=table)

    second = Persistence(tmp_path, table, said.append, bucket=bucket, origins=ORIGINS)
    second.prepare(None)
    kept = s3.get_object(Bucket=bucket, Key="media/abc")
    assert kept["Body"].read() == image and kept["ContentType"] == "image/png"
    assert s3.get_object_tagging(Bucket=bucket, Key="media/abc")["TagSet"] == [
        {"Key": "freigabe-attached", "Value": "yes"}]
    assert [e["Key"] for e in s3.list_objects_v2(Bucket=bucket)["Contents"]] == ["media/abc"]
    assert any("loaded 1 images and uploads" in line for line in said)


def test_a_bucket_that_exists_already_is_not_overwritten(names: tuple[str, str], tmp_path: Path,
                                                         aws_endpoint: str) -> None:
    table, bucket = names
    s3 = boto3.client("s3", endpoint_url=aws_endpoint)
    first = Persistence(tmp_path, table, lambda _: None, bucket=bucket, origins=ORIGINS)
    first.prepare(None)
    s3.put_object(Bucket=bucket, Key="media/old", Body=b"old")
    first.save(with_queues=False)
    s3.put_object(Bucket=bucket, Key="media/old", Body=b"newer")
    said: list[str] = []
    Persistence(tmp_path, table, said.append, bucket=bucket, origins=ORIGINS).prepare(None)
    assert s3.get_object(Bucket=bucket, Key="media/old")["Body"].read() == b"newer"
    assert any("saved images not loaded" in line for line in said)
