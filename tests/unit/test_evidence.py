"""The evidence document of a post (services/evidence.py): every content version with its image
hashes, every decision with reviewer, checklist and labels, the whole timeline, the anchors, the
signature by the deployment's key, and who may read it."""

from __future__ import annotations

import base64
import os
import stat
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import load_der_public_key

from chalicelib.adapters.signing import KmsSigner, LocalSigner, build_signer
from chalicelib.config import parse_config
from chalicelib.domain.content import Content
from chalicelib.domain.errors import NotFound
from chalicelib.services import evidence
from chalicelib.services.ports import Identity
from tests.fakes import FakeDirectory
from tests.unit.evidence_rig import (
    FIRST_TEXT,
    IMAGE,
    SECOND_TEXT,
    WRITER,
    History,
    Unreadable,
    history,
    reviewer,
)
from tests.unit.helpers import BRAND, LEGAL1, LEGAL2, NOW, workflow_file


@pytest.fixture
def past(tmp_path: Path) -> History:
    return history(tmp_path)


def test_every_content_version_is_there_with_its_texts_images_and_hash(past: History) -> None:
    document = past.document()
    versions = document["versions"]
    assert [v["content"]["text"] for v in versions] == [FIRST_TEXT, SECOND_TEXT]
    first, second = versions
    assert first["content"]["variants"] == {"mastodon": "Mastodon: 50% Rabatt"}
    assert first["content"]["media"][0]["sha256"] == IMAGE.sha256
    assert first["content"]["media"][0]["alt"] == "Eine Jacke"
    assert second["content"]["media"][0]["alt"] == "Eine rote Jacke"
    for version in versions:  # the hash is the domain's own, recomputed from the content
        assert Content.from_dict(version["content"]).hash == version["content_hash"]
    _, events, _ = past.repo.get_full("p1")
    assert events[first["first_event"] - 1].type == "created"
    assert events[second["first_event"] - 1].type == "edited"
    assert document["post"]["content_hash"] == second["content_hash"]


def test_every_decision_with_reviewer_labels_quote_and_checklist(past: History) -> None:
    decisions = past.document()["decisions"]
    assert [(d["step"], d["decision"], d["reviewer"]) for d in decisions] == [
        ("legal", "request_changes", "U0LEGAL1"), ("legal", "approve", "U0LEGAL1"),
        ("brand", "approve", "U0BRAND1")]
    changes, legal_ok, brand_ok = decisions
    assert changes["labels"] == ["Unbelegte Aussage"]
    assert changes["quote"] == "Garantiert die beste Qualität."
    assert changes["comment"] == "Beleg fehlt"
    assert changes["reviewer_email"] == "legal1@freigabe.example"
    assert brand_ok["checklist"] == ["ad_label"]
    versions = [v["content_hash"] for v in past.document()["versions"]]
    assert changes["content_hash"] == versions[0]
    assert legal_ok["content_hash"] == brand_ok["content_hash"] == versions[1]


def test_the_whole_timeline_and_the_post_it_leads_to(past: History) -> None:
    document = past.document()
    post, events, _ = past.repo.get_full("p1")
    assert document["timeline"] == [event.to_dict() for event in events]
    assert document["post"]["timeline_count"] == len(events) == post.timeline_count
    assert document["post"]["timeline_head"] == events[-1].hash
    assert document["post"]["status"] == "scheduled"
    brand = next(s for s in document["post"]["steps"] if s["name"] == "brand")
    assert brand["approvals"][0]["checklist"] == ["ad_label"]


def test_anchors_as_kept_outside_the_table(past: History) -> None:
    _, events, _ = past.repo.get_full("p1")
    anchors = past.document()["anchors"]
    assert anchors["status"] == "anchored"
    assert anchors["heads"] == [{"seq": events[-2].seq, "head": events[-2].hash}]
    assert "freigabe-anchors" in anchors["where"]

    past.anchors.heads.clear()
    assert past.document()["anchors"] == {**anchors, "status": "not_anchored_yet", "heads": []}
    unreadable = evidence.AnchorSource(Unreadable(), "logs")
    assert evidence.anchors_of("p1", unreadable)["status"] == "unavailable"
    assert evidence.anchors_of("p1", evidence.AnchorSource(None, "-"))["status"] == "not_kept"


def test_signed_by_the_deployments_key_over_everything_but_the_signature(past: History) -> None:
    document = past.document()
    signer = document["signer"]
    assert signer["algorithm"] == "ECDSA_SHA_256"
    assert base64.b64decode(signer["public_key"]) == past.signer.public_key()
    payload = {k: v for k, v in document.items() if k != "signature"}
    key = load_der_public_key(past.signer.public_key())
    assert isinstance(key, ec.EllipticCurvePublicKey)
    key.verify(base64.b64decode(document["signature"]), evidence.statement(payload),
               ec.ECDSA(hashes.SHA256()))  # raises when it does not verify
    assert evidence.statement(payload).startswith(b"freigabe-evidence/1 sha256=")


def test_the_file_is_canonical_json_that_reads_back_to_the_document(past: History) -> None:
    import json

    document = past.document()
    raw = evidence.file_bytes(document)
    assert json.loads(raw) == document
    assert raw.endswith(b"\n") and "Qualität".encode() in raw  # UTF-8 as written, not escaped


# -- who may read it ------------------------------------------------------------------------------

def test_the_author_admins_and_the_posts_reviewers_read_it(past: History) -> None:
    assert past.document(WRITER)["post"]["id"] == "p1"
    web_admin = Identity(email="admin@freigabe.example", name="Admin")
    assert past.document(web_admin)["post"]["id"] == "p1"
    # Matched through Slack: who decided, who is listed on a step without deciding, Slack admins.
    assert past.document(reviewer(LEGAL1), "U0LEGAL1")["post"]["id"] == "p1"
    assert past.document(reviewer(LEGAL2), "U0LEGAL2")["post"]["id"] == "p1"
    assert past.document(reviewer(BRAND), "U0BRAND1")["post"]["id"] == "p1"
    assert past.document(Identity(email="ops@freigabe.example", name="Ops"), "U0ADMIN")


def test_anyone_else_is_told_the_post_does_not_exist(past: History) -> None:
    stranger = Identity(email="eve@freigabe.example", name="Eve")
    for slack_id in (None, "U0EVE"):
        with pytest.raises(NotFound):
            past.document(stranger, slack_id)

    def slack_down() -> str | None:
        raise ConnectionError("slack unreachable")

    with pytest.raises(NotFound):  # nobody is confirmed when Slack does not answer
        evidence.evidence(past.repo, past.workflow, stranger, "p1", past.signer, past.source(),
                          NOW, slack_down)
    with pytest.raises(NotFound):
        # The author is the sign-in's subject: the same e-mail under another subject is not.
        past.document(Identity(email=WRITER.email, name="x", subject="someone-else"))


def test_reviewer_group_members_read_it_and_a_group_that_cannot_be_read_admits_nobody(
        past: History) -> None:
    data = workflow_file()
    legal, brand = data["steps"]
    data["steps"] = [{**{k: v for k, v in legal.items() if k != "reviewers"},
                      "reviewer_group": "S0LEGAL"}, brand]
    grouped = parse_config(data).workflow
    post, events, _ = past.repo.get_full("p1")
    member = Identity(email="lena@freigabe.example", name="Lena")
    directory = FakeDirectory(groups={"S0LEGAL": ["U0LENA"]})
    assert evidence.may_read(post, events, grouped, member, lambda: "U0LENA", directory)
    assert not evidence.may_read(post, events, grouped, member, lambda: "U0LENA", None)

    class Broken(FakeDirectory):
        def group_members(self, group_id: str) -> frozenset[str]:
            raise ConnectionError("usergroups.users.list failed")

    assert not evidence.may_read(post, events, grouped, member, lambda: "U0LENA", Broken())


def test_a_signer_that_fails_becomes_signer_unavailable(past: History) -> None:
    class Refusing:
        key_name = "arn:aws:kms:eu-central-1:1:key/x"

        def public_key(self) -> bytes:
            raise PermissionError("AccessDeniedException")

        def sign(self, message: bytes) -> bytes:
            return b""

    with pytest.raises(evidence.SignerUnavailable):
        evidence.evidence(past.repo, past.workflow, WRITER, "p1", Refusing(), past.source(),
                          NOW, lambda: None)


# -- the keys -------------------------------------------------------------------------------------

def test_the_local_key_is_made_once_readable_by_its_owner_only(tmp_path: Path) -> None:
    path = tmp_path / "state" / "evidence-key.pem"
    first = LocalSigner(path)
    public = first.public_key()
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    again = LocalSigner(path)  # a restart: the same key, so earlier files still verify
    assert again.public_key() == public
    assert first.key_name == "local:evidence-key.pem"


def test_which_signer_the_setting_names(tmp_path: Path) -> None:
    local = build_signer("", lambda: None, str(tmp_path), in_lambda=False)
    assert isinstance(local, LocalSigner)
    assert local.key_name == "local:evidence-key.pem"
    named = build_signer(f"local:{tmp_path}/k.pem", lambda: None, ".freigabe", in_lambda=False)
    assert isinstance(named, LocalSigner) and named.key_name == "local:k.pem"
    assert build_signer("", lambda: None, ".freigabe", in_lambda=True) is None
    assert build_signer("local:/tmp/k.pem", lambda: None, ".freigabe", in_lambda=True) is None
    kms = build_signer("alias/freigabe-evidence", lambda: object(), ".freigabe", in_lambda=True)
    assert isinstance(kms, KmsSigner)
