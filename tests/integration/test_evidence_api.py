"""Evidence files through the API (Chalice's test client, DynamoDB, CloudWatch Logs and KMS on
moto, the Slack dev workspace for who is who): the signed JSON verifies offline with the KMS
key's public key, only the author, the post's reviewers and admins get it, and the printable
view escapes everything under the page's CSP."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from typing import Any

import pytest

from chalicelib.domain.post import Reviewer
from freigabe_verify.verify import Mismatch, verify
from tests.integration.api_helpers import OTHER, Api
from tests.integration.slack_helpers import SlackRig

LEGAL1 = "legal1@freigabe.example"
ADMIN = "admin@freigabe.example"
TEXT = "50% Rabatt! <script>alert('x')</script> & <@U0ADMIN>"


@pytest.fixture
def kms_key(aws_endpoint: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, Any]]:
    """An asymmetric signing key in the emulator's KMS, as the template makes it."""
    import boto3

    from chalicelib import bootstrap

    kms = boto3.client("kms", endpoint_url=aws_endpoint)
    key = kms.create_key(KeySpec="ECC_NIST_P256", KeyUsage="SIGN_VERIFY")["KeyMetadata"]
    monkeypatch.setenv("FREIGABE_EVIDENCE_KEY", key["Arn"])
    bootstrap.reset()
    yield {"arn": key["Arn"], "public_key": kms.get_public_key(KeyId=key["Arn"])["PublicKey"]}
    bootstrap.reset()


@pytest.fixture
def api(slack_rig: SlackRig, client: Any, kms_key: dict[str, Any]) -> Api:
    return Api(client)


def reviewed(api: Api, rig: SlackRig) -> dict[str, Any]:
    """A post legal asked to change (with a label) and its chain head anchored by the relay."""
    from chalicelib import bootstrap
    from chalicelib.services import review

    post = api.create(text=TEXT).data
    review.decide(bootstrap.container().context(), post["id"], "legal",
                  Reviewer("U0LEGAL1", LEGAL1), "request_changes", post["content_hash"],
                  "Beleg fehlt </td><b>")
    rig.relay.pump()
    return post


def test_the_author_downloads_a_file_that_verifies_with_the_kms_key(
        api: Api, slack_rig: SlackRig, kms_key: dict[str, Any]) -> None:
    post = reviewed(api, slack_rig)
    answer = api.client.http.get(f"/api/posts/{post['id']}/evidence",
                                 headers=api.headers())
    assert answer.status_code == 200
    assert answer.headers["Content-Disposition"] == (
        f'attachment; filename="freigabe-evidence-{post["id"]}.json"')
    raw = answer.body if isinstance(answer.body, bytes) else answer.body.encode()
    document = verify(raw, expected_key=kms_key["public_key"])
    assert document["signer"]["key"] == kms_key["arn"]
    assert base64.b64decode(document["signer"]["public_key"]) == kms_key["public_key"]
    assert document["versions"][0]["content"]["text"] == TEXT
    (decision,) = document["decisions"]
    assert (decision["reviewer"], decision["decision"], decision["comment"]) == (
        "U0LEGAL1", "request_changes", "Beleg fehlt </td><b>")
    assert document["anchors"]["status"] == "anchored"
    assert document["anchors"]["heads"][0]["seq"] == len(document["timeline"])
    # one byte changed anywhere and it no longer verifies
    tampered = raw.replace(b"Beleg fehlt", b"Beleg fehlT", 1)
    with pytest.raises(Mismatch):
        verify(tampered, expected_key=kms_key["public_key"])


def test_reviewers_and_admins_read_it_everyone_else_gets_404(api: Api, slack_rig: SlackRig) -> None:
    post = reviewed(api, slack_rig)
    path = f"/api/posts/{post['id']}/evidence"
    for user in (LEGAL1, ADMIN):
        assert Api(api.client, user=user).call("GET", path).status_code == 200, user
    for user in (OTHER,):
        refused = Api(api.client, user=user).call("GET", path)
        assert refused.status_code == 404 and refused.data["message"]
        assert Api(api.client, user=user).call("GET", path + ".html").status_code == 404
    assert api.call("GET", "/api/posts/nope/evidence").status_code == 404


def test_the_printable_view_escapes_everything_under_the_csp(api: Api, slack_rig: SlackRig) -> None:
    post = reviewed(api, slack_rig)
    answer = api.client.http.get(f"/api/posts/{post['id']}/evidence.html?lang=de",
                                 headers=api.headers())
    assert answer.status_code == 200
    assert answer.headers["Content-Type"].startswith("text/html")
    assert "script-src 'self'" in answer.headers["Content-Security-Policy"]
    page = answer.body.decode() if isinstance(answer.body, bytes) else answer.body
    assert "<script" not in page and "<b>" not in page
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in page
    assert "Beleg fehlt &lt;/td&gt;&lt;b&gt;" in page
    assert "Nachweis zu Beitrag" in page and "python -m freigabe_verify" in page
    assert "static/evidence.css" in page
    english = api.client.http.get(f"/api/posts/{post['id']}/evidence.html?lang=en",
                                  headers=api.headers())
    body = english.body.decode() if isinstance(english.body, bytes) else english.body
    assert "Evidence of post" in body and "changes requested" in body


def test_a_key_that_cannot_be_used_is_a_503_in_words_and_hands_out_nothing(
        api: Api, monkeypatch: pytest.MonkeyPatch) -> None:
    from chalicelib import bootstrap

    post = api.create(text="Hallo").data
    monkeypatch.setenv("FREIGABE_EVIDENCE_KEY",
                       "arn:aws:kms:eu-central-1:123456789012:key/00000000-0000-0000-0000-000000000000")
    bootstrap.reset()
    answer = api.call("GET", f"/api/posts/{post['id']}/evidence")
    assert answer.status_code == 503
    assert answer.data["error"] == "evidence_signing_failed"
    assert "signed" in answer.data["message"]
    assert "timeline" not in json.dumps(answer.data)
