"""The offline verifier (`python -m freigabe_verify`): an untouched evidence file verifies; any
change, wherever it is made, fails and the first mismatch is named."""

from __future__ import annotations

import copy
import hashlib
import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from chalicelib.services import evidence
from freigabe_verify import p256
from freigabe_verify.verify import Mismatch, main, verify
from tests.unit.evidence_rig import History, history

ROOT = Path(__file__).resolve().parents[2]
Document = dict[str, Any]


@pytest.fixture(scope="module")
def past(tmp_path_factory: pytest.TempPathFactory) -> History:
    return history(tmp_path_factory.mktemp("key"))


@pytest.fixture(scope="module")
def original(past: History) -> bytes:
    return past.file()


def first_mismatch(raw: bytes) -> str:
    with pytest.raises(Mismatch) as failure:
        verify(raw)
    return str(failure.value)


def changed(raw: bytes, change: Callable[[Document], None]) -> bytes:
    """The file with one thing changed and written again in the canonical form, so the check
    that catches it is the one meant, not the canonical form's."""
    document = copy.deepcopy(json.loads(raw))
    change(document)
    return evidence.file_bytes(document)


def flip(text: str, at: int = 0) -> str:
    """One character replaced by another of the same kind."""
    swap = {"a": "b", "A": "B", "+": "/", "/": "+"}
    char = text[at]
    # A digit moves on by one ("1" used to stay "1", and the key is new each run).
    other = str((int(char) + 1) % 10) if char.isdigit() else swap.get(char, "a")
    assert other != char
    return text[:at] + other + text[at + 1:]


def test_an_untouched_file_verifies(original: bytes) -> None:
    document = verify(original)
    assert document["post"]["id"] == "p1"


# -- one case per place a change can be made -------------------------------------------------------

def test_a_character_of_a_versions_content(original: bytes) -> None:
    def edit(d: Document) -> None:
        d["versions"][1]["content"]["text"] = d["versions"][1]["content"]["text"].replace("20", "30")

    problem = first_mismatch(changed(original, edit))
    assert problem.startswith("version 2 (") and "its content hashes to" in problem


def test_an_images_hash_or_alt_text(original: bytes) -> None:
    def image(d: Document) -> None:
        media = d["versions"][0]["content"]["media"][0]
        media["sha256"] = flip(media["sha256"])

    def alt(d: Document) -> None:
        d["versions"][1]["content"]["media"][0]["alt"] += "."

    assert "version 1 (" in first_mismatch(changed(original, image))
    assert "version 2 (" in first_mismatch(changed(original, alt))


def test_a_decisions_reviewer_checklist_or_labels(original: bytes) -> None:
    def reviewer(d: Document) -> None:
        d["decisions"][2]["reviewer"] = "U0EVE"

    def checklist(d: Document) -> None:
        d["decisions"][2]["checklist"] = []

    def labels(d: Document) -> None:
        d["decisions"][0]["labels"] = ["Tonalität"]

    assert first_mismatch(changed(original, reviewer)) == (
        "decision 3 (timeline event 11): its reviewer is not the one the timeline records")
    assert "decision 3 (timeline event 11): its checklist" in first_mismatch(
        changed(original, checklist))
    assert "decision 1 (timeline event 4): its labels" in first_mismatch(changed(original, labels))


def test_a_decision_left_out(original: bytes) -> None:
    assert first_mismatch(changed(original, lambda d: d["decisions"].pop(0))) == (
        "timeline event 4 (decision) is missing from the decisions")


def test_a_character_of_a_timeline_event(original: bytes) -> None:
    def comment(d: Document) -> None:
        d["timeline"][3]["data"]["comment"] = "Alles gut"

    assert first_mismatch(changed(original, comment)) == (
        "timeline event 4 (decision): its content does not hash to its recorded hash "
        "(the event was altered)")


def test_an_event_rewritten_with_a_fresh_hash_breaks_the_next_link(original: bytes) -> None:
    def rewrite(d: Document) -> None:
        event = d["timeline"][5]
        event["actor"] = "someone@else.example"
        body = {k: event[k] for k in ("seq", "at", "type", "actor", "data", "prev")}
        event["hash"] = hashlib.sha256(json.dumps(body, ensure_ascii=False, sort_keys=True,
                                                  separators=(",", ":")).encode()).hexdigest()

    assert first_mismatch(changed(original, rewrite)) == (
        "timeline event 7: hash does not follow from event 6")


def test_two_events_reordered(original: bytes) -> None:
    def swap(d: Document) -> None:
        d["timeline"][2], d["timeline"][3] = d["timeline"][3], d["timeline"][2]

    assert first_mismatch(changed(original, swap)) == (
        "timeline position 3: holds event 4 (an event is missing or out of order)")


def test_an_event_dropped(original: bytes) -> None:
    assert first_mismatch(changed(original, lambda d: d["timeline"].pop(4))) == (
        "timeline position 5: holds event 6 (an event is missing or out of order)")
    assert first_mismatch(changed(original, lambda d: d["timeline"].pop())) == (
        "post: records 12 timeline events, the file holds 11")


def test_an_anchor_that_is_not_the_timelines(original: bytes) -> None:
    def head(d: Document) -> None:
        d["anchors"]["heads"][0]["head"] = flip(d["anchors"]["heads"][0]["head"])

    assert first_mismatch(changed(original, head)).startswith("anchor 1: event 11 was anchored")

    def cut(d: Document) -> None:
        d["anchors"]["heads"][0]["seq"] = 40

    assert "(it was cut back)" in first_mismatch(changed(original, cut))


def test_the_post_summary_is_covered_by_the_signature(original: bytes) -> None:
    def status(d: Document) -> None:
        d["post"]["status"] = "published"

    assert first_mismatch(changed(original, status)).startswith(
        "the signature does not verify with the file's public key")


def test_a_character_of_the_signature(original: bytes) -> None:
    def signature(d: Document) -> None:
        d["signature"] = flip(d["signature"], 20)

    assert first_mismatch(changed(original, signature)).startswith(
        ("the signature does not verify", "the signature is malformed"))


def test_a_character_of_the_public_key(original: bytes) -> None:
    def key(d: Document) -> None:
        d["signer"]["public_key"] = flip(d["signer"]["public_key"], 60)

    assert first_mismatch(changed(original, key)).startswith(
        ("the signature does not verify", "signer: the public key is unusable"))


def test_the_file_itself_must_be_in_canonical_form(original: bytes) -> None:
    assert first_mismatch(original.replace(b"\n  ", b"\n   ", 1)) == (
        "the file is not in its canonical form (bytes were changed, added or removed)")
    assert first_mismatch(original[:-1]).startswith("the file is not in its canonical form")
    assert first_mismatch(original[:100]).startswith("the file is not valid JSON")
    assert first_mismatch(b"\xff" + original).startswith("the file is not UTF-8")


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_any_single_byte_changed_fails(original: bytes, data: st.DataObject) -> None:
    position = data.draw(st.integers(0, len(original) - 1), label="position")
    replacement = data.draw(st.integers(0, 255).filter(lambda b: b != original[position]),
                            label="byte")
    tampered = original[:position] + bytes([replacement]) + original[position + 1:]
    with pytest.raises(Mismatch):
        verify(tampered)


# -- the expected key, the command ---------------------------------------------------------------

def test_public_key_option_and_the_command(past: History, original: bytes, tmp_path: Path) -> None:
    evidence_file = tmp_path / "evidence.json"
    evidence_file.write_bytes(original)
    right = tmp_path / "right.pem"
    right.write_bytes(_pem(past.signer.public_key()))
    other = tmp_path / "other.pem"
    other.write_bytes(ec.generate_private_key(ec.SECP256R1()).public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo))
    assert main([str(evidence_file), "--public-key", str(right)]) == 0
    assert main([str(evidence_file), "--public-key", str(other)]) == 1

    # As legal runs it: `python -m` in the folder that holds freigabe_verify/.
    clean = subprocess.run([sys.executable, "-m", "freigabe_verify", str(evidence_file)],
                           cwd=ROOT, capture_output=True, text=True, check=False)
    assert clean.returncode == 0 and clean.stdout.startswith("OK: post p1")
    evidence_file.write_bytes(changed(original, lambda d: d["timeline"].pop(4)))
    failed = subprocess.run([sys.executable, "-m", "freigabe_verify", str(evidence_file)],
                            cwd=ROOT, capture_output=True, text=True, check=False)
    assert failed.returncode == 1
    assert failed.stdout.strip() == ("FAILED: timeline position 5: holds event 6 (an event is "
                                     "missing or out of order)")


def test_the_verifier_uses_nothing_but_the_standard_library() -> None:
    script = ("import sys; import freigabe_verify.verify; "
              "extra = [m for m in sys.modules if m.split('.')[0] in "
              "('chalicelib', 'cryptography', 'boto3', 'botocore')]; print(extra)")
    found = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True,
                           text=True, check=True)
    assert found.stdout.strip() == "[]"


# -- the curve arithmetic agrees with a maintained library ----------------------------------------

@settings(max_examples=25, deadline=None)
@given(message=st.binary(max_size=200))
def test_p256_accepts_what_cryptography_signs_and_nothing_else(message: bytes) -> None:
    key = ec.generate_private_key(ec.SECP256R1())
    public = key.public_key().public_bytes(serialization.Encoding.DER,
                                           serialization.PublicFormat.SubjectPublicKeyInfo)
    signature = key.sign(message, ec.ECDSA(hashes.SHA256()))
    assert p256.verify(public, signature, message)
    assert not p256.verify(public, signature, message + b"!")
    r, s = p256.signature_values(signature)
    assert not p256.verify(public, _der(r, (s + 1) % p256.N), message)


def test_p256_refuses_malformed_keys_and_signatures() -> None:
    key = ec.generate_private_key(ec.SECP256R1())
    public = key.public_key().public_bytes(serialization.Encoding.DER,
                                           serialization.PublicFormat.SubjectPublicKeyInfo)
    signature = key.sign(b"m", ec.ECDSA(hashes.SHA256()))
    off_curve = public[:-1] + bytes([public[-1] ^ 1])
    with pytest.raises(p256.BadPublicKey):
        p256.verify(off_curve, signature, b"m")
    with pytest.raises(p256.SignatureFormat):
        p256.verify(public, signature + b"\x00", b"m")
    r, s = p256.signature_values(signature)
    padded = b"\x02\x21\x00" + r.to_bytes(32, "big") if r >> 255 == 0 else None
    if padded is not None:  # a needless leading zero is not DER
        body = padded + _int(s)
        with pytest.raises(p256.SignatureFormat):
            p256.verify(public, b"\x30" + bytes([len(body)]) + body, b"m")


def _int(value: int) -> bytes:
    raw = value.to_bytes(33, "big").lstrip(b"\x00") or b"\x00"
    if raw[0] & 0x80:
        raw = b"\x00" + raw
    return b"\x02" + bytes([len(raw)]) + raw


def _der(r: int, s: int) -> bytes:
    body = _int(r) + _int(s)
    return b"\x30" + bytes([len(body)]) + body


def _pem(der: bytes) -> bytes:
    from cryptography.hazmat.primitives.serialization import load_der_public_key

    return load_der_public_key(der).public_bytes(serialization.Encoding.PEM,
                                                 serialization.PublicFormat.SubjectPublicKeyInfo)
