"""ECDSA over NIST P-256 with SHA-256 (FIPS 186-4, SEC 1), verification only, in plain Python.

An evidence file must be checkable by anyone, years later, with nothing but a Python: no
package to install, no cloud account. Verification uses only public values, so the
arithmetic needs no protection against timing; signing happens in KMS (or, for `make run`,
with the `cryptography` package).
"""

from __future__ import annotations

import hashlib

# The curve (SEC 2, secp256r1 = prime256v1 = NIST P-256).
P = 0xFFFFFFFF00000001000000000000000000000000FFFFFFFFFFFFFFFFFFFFFFFF
A = P - 3
B = 0x5AC635D8AA3A93E7B3EBBD55769886BC651D06B0CC53B0F63BCE3C3E27D2604B
N = 0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551
G = (0x6B17D1F2E12C4247F8BCE6E563A440F277037D812DEB33A0F4A13945D898C296,
     0x4FE342E2FE1A7F9B8EE7EB4A7C0F9E162BCE33576B315ECECBB6406837BF51F5)

# The DER prefix of a SubjectPublicKeyInfo for an uncompressed P-256 point (RFC 5480):
# SEQUENCE { SEQUENCE { id-ecPublicKey, prime256v1 }, BIT STRING { 0x00, 0x04 ... } }.
SPKI_PREFIX = bytes.fromhex("3059301306072a8648ce3d020106082a8648ce3d030107034200")

Point = tuple[int, int] | None  # None: the point at infinity


class BadPublicKey(ValueError):
    """A public key that is not an uncompressed P-256 key in DER."""


class SignatureFormat(ValueError):
    """A signature that is not a strict DER ECDSA-Sig-Value."""


def public_key(der: bytes) -> tuple[int, int]:
    """The point of a DER SubjectPublicKeyInfo (what KMS GetPublicKey answers)."""
    if len(der) != len(SPKI_PREFIX) + 65 or not der.startswith(SPKI_PREFIX):
        raise BadPublicKey("not a P-256 public key (DER SubjectPublicKeyInfo)")
    point = der[len(SPKI_PREFIX):]
    if point[0] != 4:
        raise BadPublicKey("not an uncompressed P-256 point")
    x, y = int.from_bytes(point[1:33], "big"), int.from_bytes(point[33:], "big")
    if not (x < P and y < P and (y * y - (x * x * x + A * x + B)) % P == 0):
        raise BadPublicKey("the point is not on the P-256 curve")
    return x, y


def _der_integer(data: bytes, at: int) -> tuple[int, int]:
    if at + 2 > len(data) or data[at] != 0x02:
        raise SignatureFormat("expected an INTEGER")
    length = data[at + 1]
    if length == 0 or length > 33 or at + 2 + length > len(data):
        raise SignatureFormat("bad INTEGER length")
    body = data[at + 2:at + 2 + length]
    if body[0] & 0x80:
        raise SignatureFormat("negative INTEGER")
    if length > 1 and body[0] == 0 and not body[1] & 0x80:
        raise SignatureFormat("INTEGER not minimally encoded")
    return int.from_bytes(body, "big"), at + 2 + length


def signature_values(der: bytes) -> tuple[int, int]:
    """(r, s) of a strict DER ECDSA-Sig-Value (what KMS Sign answers)."""
    if len(der) < 8 or der[0] != 0x30 or der[1] != len(der) - 2:
        raise SignatureFormat("not a DER SEQUENCE of the right length")
    r, at = _der_integer(der, 2)
    s, at = _der_integer(der, at)
    if at != len(der):
        raise SignatureFormat("trailing bytes")
    return r, s


def _add(p1: Point, p2: Point) -> Point:
    if p1 is None:
        return p2
    if p2 is None:
        return p1
    (x1, y1), (x2, y2) = p1, p2
    if x1 == x2:
        if (y1 + y2) % P == 0:
            return None
        slope = (3 * x1 * x1 + A) * pow(2 * y1, -1, P) % P
    else:
        slope = (y2 - y1) * pow(x2 - x1, -1, P) % P
    x3 = (slope * slope - x1 - x2) % P
    return x3, (slope * (x1 - x3) - y1) % P


def _multiply(k: int, point: Point) -> Point:
    result: Point = None
    addend = point
    while k:
        if k & 1:
            result = _add(result, addend)
        addend = _add(addend, addend)
        k >>= 1
    return result


def verify(public_key_der: bytes, signature_der: bytes, message: bytes) -> bool:
    """Whether ``signature_der`` is an ECDSA_SHA_256 signature of ``message`` by the key.
    Raises BadPublicKey or SignatureFormat when either is malformed."""
    q = public_key(public_key_der)
    r, s = signature_values(signature_der)
    if not (0 < r < N and 0 < s < N):
        return False
    e = int.from_bytes(hashlib.sha256(message).digest(), "big")
    w = pow(s, -1, N)
    point = _add(_multiply(e * w % N, G), _multiply(r * w % N, q))
    return point is not None and point[0] % N == r
