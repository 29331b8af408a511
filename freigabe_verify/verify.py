"""Check a Freigabe evidence file offline: `python -m freigabe_verify evidence.json
[--public-key key.pem]`.

Standard library only, and no network: the file carries everything needed. The checks, in
order, stop at the first thing that does not match and name it:

1. the file is the canonical JSON of its own contents (so no byte can change unnoticed);
2. the timeline: each event's hash follows from its content and from the event before it,
   starting from the post's genesis hash (the rule of chalicelib/domain/timeline.py);
3. the post's recorded event count, chain head and content hash follow from that timeline;
4. every content version hashes to the hash it claims (chalicelib/domain/content.py: the
   texts, the channels and each image's sha256 and alt text, in order), and every content the
   timeline records is among them;
5. every decision is the timeline's own decision event, on a content version of the file;
6. the chain heads anchored outside the table are the timeline's events;
7. the signature over everything else verifies with the file's public key (and, when
   ``--public-key`` is given, that key is the one expected).

The hashing rules are written out again here on purpose: the verifier must not trust the code
that made the file.
"""

from __future__ import annotations

import argparse
import base64
import binascii
import hashlib
import json
import sys
from pathlib import Path
from typing import Any

from freigabe_verify import p256

FORMAT = "freigabe-evidence/1"
ALGORITHM = "ECDSA_SHA_256"
CONTENT_EVENTS = ("created", "submitted", "edited", "scheduled")
EVENT_KEYS = {"seq", "at", "type", "actor", "data", "prev", "hash"}


class Mismatch(Exception):
    """The first thing in the file that does not match."""


def canonical(value: Any) -> bytes:
    """The form that is hashed and signed: sorted keys, no spaces, UTF-8."""
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()


def file_form(document: Any) -> bytes:
    """The exact bytes of an evidence file: its canonical JSON, indented for reading."""
    return json.dumps(document, ensure_ascii=False, sort_keys=True, indent=2).encode() + b"\n"


def statement(payload: dict[str, Any]) -> bytes:
    """What the key signs: the format and the sha256 of everything but the signature."""
    return f"{FORMAT} sha256={hashlib.sha256(canonical(payload)).hexdigest()}".encode()


def sha256_json(value: Any) -> str:
    encoded = json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"),
                         default=str).encode()
    return hashlib.sha256(encoded).hexdigest()


def content_hash(content: dict[str, Any]) -> str:
    """The hash of one content version, as chalicelib/domain/content.py computes it."""
    variants, channels = content["variants"], content["channels"]
    media = content.get("media") or []
    _expect(isinstance(variants, dict) and isinstance(channels, list) and isinstance(media, list),
            "malformed")
    shape: dict[str, Any] = {
        "title": content["title"], "text": content["text"],
        "variants": {k: variants[k] for k in sorted(variants)}, "channels": sorted(channels),
    }
    if media:
        shape["media"] = [{"sha256": image["sha256"], "alt": image["alt"]} for image in media]
    return sha256_json(shape)


def genesis(post_id: str) -> str:
    return hashlib.sha256(f"freigabe:{post_id}".encode()).hexdigest()


def event_hash(event: dict[str, Any]) -> str:
    return sha256_json({key: event[key] for key in ("seq", "at", "type", "actor", "data", "prev")})


def short(value: object) -> str:
    return str(value)[:12] + "…" if len(str(value)) > 12 else str(value)


def _expect(condition: bool, problem: str) -> None:
    if not condition:
        raise Mismatch(problem)


def _field(container: Any, name: str, kind: type | tuple[type, ...], where: str) -> Any:
    if not isinstance(container, dict) or name not in container:
        raise Mismatch(f"{where}: `{name}` is missing")
    value = container[name]
    # bool is an int in Python; a count or a sequence number is never true or false.
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        raise Mismatch(f"{where}: `{name}` is not {getattr(kind, '__name__', kind)}")
    return value


def _decode_base64(text: str, what: str) -> bytes:
    try:
        raw = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raise Mismatch(f"{what} is not base64") from None
    # Only one spelling of the bytes is accepted, so no character of it can change unseen.
    _expect(base64.b64encode(raw).decode() == text, f"{what} is not in canonical base64")
    return raw


# -- the checks, in order ----------------------------------------------------------------------

def check_form(raw: bytes) -> dict[str, Any]:
    try:
        document = json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise Mismatch("the file is not UTF-8 text") from None
    except ValueError as err:
        raise Mismatch(f"the file is not valid JSON ({err})") from None
    if not isinstance(document, dict):
        raise Mismatch("the file is not a JSON object")
    _expect(document.get("format") == FORMAT, f"the file is not a {FORMAT} evidence file")
    _expect(file_form(document) == raw,
            "the file is not in its canonical form (bytes were changed, added or removed)")
    return document


def check_timeline(post_id: str, timeline: list[Any]) -> None:
    previous = genesis(post_id)
    for position, event in enumerate(timeline, start=1):
        where = f"timeline event {position}"
        _expect(isinstance(event, dict) and set(event) == EVENT_KEYS,
                f"{where}: does not have exactly the fields {', '.join(sorted(EVENT_KEYS))}")
        seq = _field(event, "seq", int, where)
        _expect(seq == position, f"timeline position {position}: holds event {seq} "
                                 f"(an event is missing or out of order)")
        kind = _field(event, "type", str, where)
        _field(event, "data", dict, where)
        if event["hash"] != event_hash(event):
            raise Mismatch(f"{where} ({kind}): its content does not hash to its recorded hash "
                           "(the event was altered)")
        if event["prev"] != previous:
            if position == 1:
                raise Mismatch(f"{where}: does not start this post's chain")
            raise Mismatch(f"{where}: hash does not follow from event {position - 1}")
        previous = event["hash"]


def check_post(post: dict[str, Any], timeline: list[dict[str, Any]]) -> None:
    count = _field(post, "timeline_count", int, "post")
    _expect(count == len(timeline),
            f"post: records {count} timeline events, the file holds {len(timeline)}")
    head = timeline[-1]["hash"] if timeline else None
    _expect(post.get("timeline_head") == head,
            f"post: its chain head {short(post.get('timeline_head'))} is not the last event's "
            f"hash {short(head)}")
    recorded = [e for e in timeline if e["type"] in CONTENT_EVENTS and e["data"].get("content_hash")]
    if recorded:
        last = recorded[-1]
        _expect(post.get("content_hash") == last["data"]["content_hash"],
                f"post: its content hash {short(post.get('content_hash'))} is not the one timeline "
                f"event {last['seq']} last recorded ({short(last['data']['content_hash'])})")


def check_versions(versions: list[Any], timeline: list[dict[str, Any]]) -> set[str]:
    known: set[str] = set()
    for number, version in enumerate(versions, start=1):
        where = f"version {number}"
        claimed = _field(version, "content_hash", str, where)
        content = _field(version, "content", dict, where)
        try:
            actual = content_hash(content)
        except (KeyError, TypeError, Mismatch):
            raise Mismatch(f"{where} ({short(claimed)}): its content is malformed") from None
        _expect(actual == claimed, f"{where} ({short(claimed)}): its content hashes to "
                                   f"{short(actual)}, not to the hash it claims")
        first = version.get("first_event")
        if first is not None:
            _expect(isinstance(first, int) and 1 <= first <= len(timeline) and
                    timeline[first - 1]["data"].get("content_hash") == claimed,
                    f"{where} ({short(claimed)}): timeline event {first} does not record it")
        known.add(claimed)
    for event in timeline:
        recorded = event["data"].get("content_hash") if event["type"] in CONTENT_EVENTS else None
        if recorded:
            _expect(recorded in known, f"timeline event {event['seq']} ({event['type']}) records "
                                       f"content {short(recorded)}, which no version in the file has")
    return known


def check_decisions(decisions: list[Any], timeline: list[dict[str, Any]], known: set[str]) -> None:
    events = [e for e in timeline if e["type"] == "decision"]
    for number, decision in enumerate(decisions, start=1):
        where = f"decision {number}"
        seq = _field(decision, "event", int, where)
        _expect(1 <= seq <= len(timeline) and timeline[seq - 1]["type"] == "decision",
                f"{where}: timeline event {seq} is not a decision")
        event = timeline[seq - 1]
        expected = {"event": seq, "at": event["at"], "reviewer": event["actor"], **event["data"]}
        for name in sorted(set(expected) | set(decision)):
            _expect(decision.get(name) == expected.get(name),
                    f"{where} (timeline event {seq}): its {name} is not the one the timeline "
                    "records")
        _expect(decision.get("content_hash") in known,
                f"{where} (timeline event {seq}): decided on content "
                f"{short(decision.get('content_hash'))}, which no version in the file has")
    listed = [d.get("event") for d in decisions]
    wanted = [e["seq"] for e in events]
    for seq in wanted:
        _expect(seq in listed, f"timeline event {seq} (decision) is missing from the decisions")
    _expect(listed == wanted, "the decisions are not in the timeline's order")


def check_anchors(anchors: dict[str, Any], timeline: list[dict[str, Any]]) -> None:
    heads = _field(anchors, "heads", list, "anchors")
    for number, anchored in enumerate(heads, start=1):
        where = f"anchor {number}"
        seq = _field(anchored, "seq", int, where)
        head = _field(anchored, "head", str, where)
        _expect(1 <= seq <= len(timeline), f"{where}: anchors event {seq}, the timeline has "
                                           f"{len(timeline)} (it was cut back)")
        _expect(timeline[seq - 1]["hash"] == head,
                f"{where}: event {seq} was anchored with hash {short(head)}, the timeline's "
                f"event {seq} has {short(timeline[seq - 1]['hash'])}")


def check_signature(document: dict[str, Any], expected_key: bytes | None) -> None:
    signer = _field(document, "signer", dict, "signer")
    algorithm = _field(signer, "algorithm", str, "signer")
    _expect(algorithm == ALGORITHM, f"signer: algorithm {algorithm} is not {ALGORITHM}")
    key = _decode_base64(_field(signer, "public_key", str, "signer"), "signer: the public key")
    signature = _decode_base64(_field(document, "signature", str, "signature"), "the signature")
    if expected_key is not None:
        _expect(key == expected_key, "signer: the public key is not the one given with "
                                     "--public-key")
    payload = {name: value for name, value in document.items() if name != "signature"}
    try:
        valid = p256.verify(key, signature, statement(payload))
    except p256.BadPublicKey as err:
        raise Mismatch(f"signer: the public key is unusable ({err})") from None
    except p256.SignatureFormat as err:
        raise Mismatch(f"the signature is malformed ({err})") from None
    _expect(valid, "the signature does not verify with the file's public key: the file was "
                   "changed after it was signed, or not signed by that key")


def verify(raw: bytes, expected_key: bytes | None = None) -> dict[str, Any]:
    """The document when every check passes; raises Mismatch naming the first that fails."""
    document = check_form(raw)
    post = _field(document, "post", dict, "post")
    post_id = _field(post, "id", str, "post")
    timeline = _field(document, "timeline", list, "timeline")
    check_timeline(post_id, timeline)
    check_post(post, timeline)
    known = check_versions(_field(document, "versions", list, "versions"), timeline)
    check_decisions(_field(document, "decisions", list, "decisions"), timeline, known)
    check_anchors(_field(document, "anchors", dict, "anchors"), timeline)
    check_signature(document, expected_key)
    return document


def read_public_key(path: Path) -> bytes:
    """A public key file: PEM (``-----BEGIN PUBLIC KEY-----``) or DER."""
    raw = path.read_bytes()
    if raw.lstrip().startswith(b"-----BEGIN PUBLIC KEY-----"):
        body = b"".join(line.strip() for line in raw.strip().splitlines()[1:-1])
        return base64.b64decode(body, validate=True)
    return raw


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m freigabe_verify",
                                     description="Check a Freigabe evidence file offline.")
    parser.add_argument("evidence", type=Path, help="the evidence file (JSON)")
    parser.add_argument("--public-key", type=Path,
                        help="the deployment's public key (PEM or DER) the file must be signed by")
    args = parser.parse_args(argv)
    try:
        raw = args.evidence.read_bytes()
        expected = read_public_key(args.public_key) if args.public_key else None
    except (OSError, ValueError) as err:
        print(f"cannot read: {err}", file=sys.stderr)
        return 2
    try:
        document = verify(raw, expected)
    except Mismatch as err:
        print(f"FAILED: {err}")
        return 1
    post = document["post"]
    print(f"OK: post {post['id']}, {len(document['timeline'])} timeline events, "
          f"{len(document['versions'])} content versions, {len(document['decisions'])} decisions, "
          f"signed by {document['signer'].get('key', 'an unnamed key')}")
    return 0
