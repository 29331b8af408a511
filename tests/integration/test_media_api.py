"""The media API (CONTRACT §7) through Chalice's test client, with the bytes sent the way the
browser sends them: a multipart POST to the presigned URL of moto's S3 (over HTTP, with
`requests`), then `complete`. What S3 refuses, and what `complete` refuses, changes nothing."""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
import requests

from chalicelib.domain.media import MAX_UPLOAD_BYTES
from dev.resources import ensure_media_bucket
from tests.fakes.media import gif, jpeg, png, webp
from tests.integration.api_helpers import OTHER, Api

PAGE = "http://localhost:8000"


@pytest.fixture
def bucket(aws_endpoint: str, table: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    from chalicelib import bootstrap

    name = f"freigabe-media-{uuid.uuid4().hex[:10]}"
    s3 = boto3.client("s3", endpoint_url=aws_endpoint)
    assert ensure_media_bucket(s3, name, [PAGE]) is True
    monkeypatch.setenv("FREIGABE_MEDIA_BUCKET", name)
    bootstrap.reset()
    yield name
    bootstrap.reset()


@pytest.fixture
def s3(aws_endpoint: str) -> Any:
    return boto3.client("s3", endpoint_url=aws_endpoint)


@pytest.fixture
def api(client: Any, bucket: str) -> Api:
    return Api(client)


def create(api: Api, data: bytes, content_type: str, filename: str = "bild",
           size: int | None = None) -> Any:
    return api.call("POST", "/api/media", {"filename": filename, "content_type": content_type,
                                           "size": len(data) if size is None else size})


def send(created: dict[str, Any], data: bytes, content_type: str) -> requests.Response:
    """What the web page does: every field of the presigned POST, then the file."""
    upload = created["upload"]
    return requests.post(upload["url"], data=upload["fields"],
                         files={"file": ("bild", data, content_type)}, timeout=10)


def upload(api: Api, data: bytes, content_type: str, filename: str = "bild") -> dict[str, Any]:
    created = create(api, data, content_type, filename)
    assert created.status_code == 201, created.data
    sent = send(created.data, data, content_type)
    assert sent.status_code == 204, sent.text
    return created.data  # type: ignore[no-any-return]


@pytest.mark.parametrize("make,kind", [(png, "image/png"), (jpeg, "image/jpeg"),
                                       (webp, "image/webp"), (gif, "image/gif")])
def test_an_image_uploaded_to_s3_and_completed_is_ready(api: Api, s3: Any, bucket: str,
                                                        make: Any, kind: str) -> None:
    data = make(width=321, height=123)
    created = upload(api, data, kind, f"sommer.{kind.split('/')[1]}")
    assert created["status"] == "uploading" and created["sha256"] is None
    done = api.call("POST", f"/api/media/{created['id']}/complete")
    assert done.status_code == 200, done.data
    digest = hashlib.sha256(data).hexdigest()
    media = done.data
    assert (media["id"], media["status"], media["content_type"], media["size"], media["width"],
            media["height"], media["sha256"]) == (created["id"], "ready", kind, len(data), 321, 123,
                                                  digest)
    # Kept under its sha256, with its type, not yet attached; the upload itself is gone.
    kept = s3.get_object(Bucket=bucket, Key=f"media/{digest}")
    assert kept["Body"].read() == data and kept["ContentType"] == kind
    assert s3.get_object_tagging(Bucket=bucket, Key=f"media/{digest}")["TagSet"] == [
        {"Key": "freigabe-attached", "Value": "no"}]
    assert s3.list_objects_v2(Bucket=bucket, Prefix="uploads/").get("KeyCount") == 0
    # The preview URL serves exactly those bytes.
    assert requests.get(media["url"], timeout=10).content == data
    again = api.call("GET", f"/api/media/{created['id']}")
    assert again.status_code == 200 and again.data["sha256"] == digest


def test_completing_twice_answers_the_same_object(api: Api) -> None:
    created = upload(api, png(), "image/png")
    first = api.call("POST", f"/api/media/{created['id']}/complete").data
    second = api.call("POST", f"/api/media/{created['id']}/complete")
    assert second.status_code == 200
    assert {k: v for k, v in second.data.items() if k != "url"} == {
        k: v for k, v in first.items() if k != "url"}


def test_a_text_file_declared_as_png_is_refused_naming_it(api: Api, s3: Any, bucket: str) -> None:
    text = b"Liebe Kundinnen und Kunden, ...\n" * 20
    created = upload(api, text, "image/png", "einladung.png")
    done = api.call("POST", f"/api/media/{created['id']}/complete")
    assert done.status_code == 422
    assert done.data["message"].startswith("“einladung.png” is not an image Freigabe accepts")
    assert api.call("GET", f"/api/media/{created['id']}").data["status"] == "uploading"
    assert s3.list_objects_v2(Bucket=bucket, Prefix="media/").get("KeyCount") == 0


def test_a_png_declared_as_jpeg_is_refused_in_the_writer_s_words(api: Api, client: Any) -> None:
    created = upload(api, png(), "image/jpeg", "foto.jpg")
    done = api.call("POST", f"/api/media/{created['id']}/complete")
    assert done.status_code == 422
    assert "“foto.jpg”: the file is a PNG, not a JPEG." in done.data["message"]
    german = Api(client, lang="de").call("POST", f"/api/media/{created['id']}/complete")
    assert "„foto.jpg“: Die Datei ist ein PNG, kein JPEG." in german.data["message"]


@pytest.mark.parametrize("payload,status,words", [
    ({"filename": "gross.png", "content_type": "image/png", "size": MAX_UPLOAD_BYTES + 1}, 422,
     "is too large"),
    ({"filename": "leer.png", "content_type": "image/png", "size": 0}, 422, "is empty"),
    ({"filename": "notiz.txt", "content_type": "text/plain", "size": 10}, 422,
     "text/plain is not an image type"),
    ({"filename": "x.png", "content_type": "image/png", "size": "12"}, 422, "size"),
    ({"filename": "x.png", "content_type": "image/png"}, 422, "size"),
    ({"filename": "x.png", "content_type": "image/png", "size": 10, "alt": "?"}, 422, "alt"),
    ("{not json", 400, "not valid JSON"),
    ("[]", 422, "JSON object"),
])
def test_create_refuses_bad_requests_and_stores_nothing(api: Api, payload: Any, status: int,
                                                         words: str) -> None:
    answer = api.call("POST", "/api/media", payload)
    assert answer.status_code == status and words in answer.data["message"], answer.data


def test_create_accepts_json_only(api: Api) -> None:
    answer = api.call("POST", "/api/media", "filename=x", **{"Content-Type": "text/plain"})
    assert answer.status_code == 415


def test_s3_refuses_a_file_larger_than_declared(api: Api, s3: Any, bucket: str) -> None:
    data = png(width=200, height=200)
    created = create(api, data, "image/png", size=100).data
    refused = send(created, data, "image/png")
    assert refused.status_code == 400 and "<Code>EntityTooLarge</Code>" in refused.text
    assert s3.list_objects_v2(Bucket=bucket).get("KeyCount") == 0
    done = api.call("POST", f"/api/media/{created['id']}/complete")
    assert done.status_code == 422 and "Nothing has arrived" in done.data["message"]


def test_s3_refuses_another_type_than_declared(api: Api, s3: Any, bucket: str) -> None:
    created = create(api, png(), "image/png").data
    fields = {**created["upload"]["fields"], "Content-Type": "text/html"}
    refused = requests.post(created["upload"]["url"], data=fields,
                            files={"file": ("x", png(), "text/html")}, timeout=10)
    assert refused.status_code == 403 and "Policy Condition failed" in refused.text
    assert s3.list_objects_v2(Bucket=bucket).get("KeyCount") == 0


def test_complete_before_the_upload_is_refused(api: Api) -> None:
    created = create(api, png(), "image/png", "spaeter.png").data
    done = api.call("POST", f"/api/media/{created['id']}/complete")
    assert done.status_code == 422
    assert done.data["message"] == ("Nothing has arrived for “spaeter.png” yet: upload the file, "
                                    "then try again.")


def test_another_writer_s_media_does_not_exist_for_them(api: Api, client: Any) -> None:
    created = upload(api, png(), "image/png")
    other = Api(client, OTHER)
    for method, path in (("GET", f"/api/media/{created['id']}"),
                         ("POST", f"/api/media/{created['id']}/complete")):
        answer = other.call(method, path)
        assert answer.status_code == 404, (method, path)
        assert answer.data["message"] == "This image does not exist, or it is not yours."
    # Their attempt changed nothing: the owner completes it as usual.
    assert api.call("POST", f"/api/media/{created['id']}/complete").data["status"] == "ready"


def test_unknown_media_is_404(api: Api) -> None:
    assert api.call("GET", "/api/media/nope").status_code == 404
    assert api.call("POST", "/api/media/nope/complete").status_code == 404


def test_the_bucket_allows_the_page_s_origin_only(s3: Any, bucket: str) -> None:
    (rule,) = s3.get_bucket_cors(Bucket=bucket)["CORSRules"]
    assert rule["AllowedOrigins"] == [PAGE]
    assert sorted(rule["AllowedMethods"]) == ["GET", "POST"]
