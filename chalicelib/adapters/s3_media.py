"""Images in S3 (services.ports.MediaStore): uploads under ``uploads/<media id>`` (a presigned
POST limited to the declared type and size), checked images under ``media/<sha256>``.

A kept image is tagged ``freigabe-attached=no`` until a post refers to it; the bucket's lifecycle
rules (infra/template) expire such objects and unchecked uploads after a day. An object under
``media/`` is written only when that key is empty, so bytes a post refers to are never
overwritten.
"""

from __future__ import annotations

import hashlib
from typing import Any

from botocore.exceptions import ClientError

from chalicelib.services.ports import MediaMissing

UPLOADS = "uploads/"
MEDIA = "media/"
ATTACHED_TAG = "freigabe-attached"
UPLOAD_SECONDS = 15 * 60  # how long a presigned POST stays usable


def media_key(sha256: str) -> str:
    return f"{MEDIA}{sha256}"


def upload_key(media_id: str) -> str:
    return f"{UPLOADS}{media_id}"


def _missing(err: ClientError) -> bool:
    return err.response.get("Error", {}).get("Code") in ("404", "NoSuchKey", "NotFound")


class S3MediaStore:
    def __init__(self, s3: Any, bucket: str) -> None:
        self.s3 = s3
        self.bucket = bucket

    def presign_upload(self, media_id: str, content_type: str, size: int) -> dict[str, Any]:
        fields = {"Content-Type": content_type}
        conditions: list[Any] = [{"Content-Type": content_type},
                                 ["content-length-range", 1, size]]
        answer: dict[str, Any] = self.s3.generate_presigned_post(
            Bucket=self.bucket, Key=upload_key(media_id), Fields=fields, Conditions=conditions,
            ExpiresIn=UPLOAD_SECONDS)
        return {"url": answer["url"], "fields": answer["fields"]}

    def read_upload(self, media_id: str, limit: int) -> bytes:
        try:
            answer = self.s3.get_object(Bucket=self.bucket, Key=upload_key(media_id),
                                        Range=f"bytes=0-{limit}")
        except ClientError as err:
            if _missing(err):
                raise MediaMissing(media_id) from err
            raise
        data: bytes = answer["Body"].read()
        return data

    def keep(self, media_id: str, sha256: str, content_type: str) -> None:
        try:
            self.s3.head_object(Bucket=self.bucket, Key=media_key(sha256))
        except ClientError as err:
            if not _missing(err):
                raise
            try:
                self.s3.copy_object(
                    Bucket=self.bucket, Key=media_key(sha256), ContentType=content_type,
                    CopySource={"Bucket": self.bucket, "Key": upload_key(media_id)},
                    MetadataDirective="REPLACE", TaggingDirective="REPLACE",
                    Tagging=f"{ATTACHED_TAG}=no", IfNoneMatch="*")
            except ClientError as copy_err:
                # Another upload of the same bytes was kept in between: those bytes stay.
                if copy_err.response.get("Error", {}).get("Code") not in (
                        "PreconditionFailed", "ConditionalRequestConflict"):
                    raise
        self.s3.delete_object(Bucket=self.bucket, Key=upload_key(media_id))

    def attach(self, sha256: str) -> None:
        try:
            self.s3.put_object_tagging(Bucket=self.bucket, Key=media_key(sha256),
                                       Tagging={"TagSet": [{"Key": ATTACHED_TAG, "Value": "yes"}]})
        except ClientError as err:
            if _missing(err):
                raise MediaMissing(sha256) from err
            raise

    def read(self, sha256: str) -> bytes:
        try:
            answer = self.s3.get_object(Bucket=self.bucket, Key=media_key(sha256))
        except ClientError as err:
            if _missing(err):
                raise MediaMissing(sha256) from err
            raise
        data: bytes = answer["Body"].read()
        return data

    def url(self, sha256: str, seconds: int = 3600) -> str:
        url: str = self.s3.generate_presigned_url(
            "get_object", Params={"Bucket": self.bucket, "Key": media_key(sha256)},
            ExpiresIn=seconds)
        return url

    def fingerprint(self, sha256: str) -> str | None:
        try:
            data = self.read(sha256)
        except MediaMissing:
            return None
        return hashlib.sha256(data).hexdigest()
