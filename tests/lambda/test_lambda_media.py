"""An image upload through the packaged API function, as Lambda runs it (conftest.py): the
function presigns the browser's POST, the bytes go straight to the emulator's S3, and
`complete` runs in the function again, checking and keeping them. Every AWS call, and the
browser's upload signed with the function's role, is checked against that role."""

from __future__ import annotations

import hashlib
import json
from typing import Any

import boto3
import requests

from tests.fakes.media import png

from .conftest import Stage
from .events import api_event, cognito_claims, json_body

WRITER = "wanda.writer@freigabe.example"


def call_api(stage: Stage, method: str, resource: str, path: str, body: Any = None,
             path_parameters: dict[str, str] | None = None) -> tuple[int, dict[str, Any]]:
    event = api_event(method, resource, path=path, path_parameters=path_parameters,
                      body=json_body(body) if body is not None else None,
                      headers={"Content-Type": "application/json"}, claims=cognito_claims(WRITER))
    answer = stage.invoke("APIHandler", [event]).answers[0]
    return int(answer["statusCode"]), json.loads(answer["body"])


def test_an_image_is_uploaded_and_checked_in_the_packaged_api(lambda_stage: Stage) -> None:
    stage = lambda_stage
    bucket = stage.functions["APIHandler"].environment["FREIGABE_MEDIA_BUCKET"]
    data = png(width=640, height=360)
    status, created = call_api(stage, "POST", "/api/media", "/api/media",
                               {"filename": "advent.png", "content_type": "image/png", "size": len(data)})
    assert status == 201, created
    upload = created["upload"]
    # The browser's POST carries the function's signature: its role must allow the write.
    key = upload["fields"]["key"]
    stage.check_role("APIHandler", [{"service": "s3", "operation": "PutObject",
                                     "params": {"Bucket": bucket, "Key": key}}])
    sent = requests.post(upload["url"], data=upload["fields"],
                         files={"file": ("advent.png", data, "image/png")}, timeout=10)
    assert sent.status_code == 204, sent.text
    media_id = created["id"]
    status, ready = call_api(stage, "POST", "/api/media/{media_id}/complete",
                             f"/api/media/{media_id}/complete", {}, {"media_id": media_id})
    assert status == 200, ready
    digest = hashlib.sha256(data).hexdigest()
    assert (ready["status"], ready["width"], ready["height"], ready["sha256"]) == ("ready", 640, 360, digest)
    s3 = boto3.client("s3", region_name="eu-central-1")
    assert s3.get_object(Bucket=bucket, Key=f"media/{digest}")["Body"].read() == data
    assert requests.get(ready["url"], timeout=10).content == data
