"""The key that signs evidence files (services/evidence.py): a KMS key in AWS, a key file under
`make run`.

ECC_NIST_P256 with ECDSA_SHA_256, not RSA: the signature and key are small (about 70 and 91
bytes), KMS signs in one call without the private key ever leaving it, and verification is a
few lines of integer arithmetic, so `python -m freigabe_verify` needs nothing but Python. The
local key uses the same curve and algorithm, so the verifier has one path. Messages are signed
as RAW (KMS hashes them with SHA-256 itself): the signed statement is short, and the emulator
agrees with KMS on RAW, where it does not on pre-hashed DIGEST messages.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

KEY_FILE = "evidence-key.pem"
LOCAL_PREFIX = "local:"


class KmsSigner:
    """An asymmetric SIGN_VERIFY KMS key; the role may only Sign and GetPublicKey with it."""

    def __init__(self, client: Any, key_id: str) -> None:
        self._client = client
        self._key_id = key_id
        self._public: tuple[str, bytes] | None = None  # (key ARN, DER), fixed for a key's life

    def _describe(self) -> tuple[str, bytes]:
        if self._public is None:
            answer = self._client.get_public_key(KeyId=self._key_id)
            # KMS names the key by its ARN even when an alias was configured; the emulator
            # answers the bare id, so a configured ARN is kept then.
            named = str(answer.get("KeyId") or "")
            if not named.startswith("arn:") and self._key_id.startswith("arn:"):
                named = self._key_id
            self._public = (named or self._key_id, bytes(answer["PublicKey"]))
        return self._public

    @property
    def key_name(self) -> str:
        return self._describe()[0]

    def public_key(self) -> bytes:
        return self._describe()[1]

    def sign(self, message: bytes) -> bytes:
        answer = self._client.sign(KeyId=self._key_id, Message=message, MessageType="RAW",
                                   SigningAlgorithm="ECDSA_SHA_256")
        return bytes(answer["Signature"])


class LocalSigner:
    """A P-256 key in a file, made on first use (readable by its owner only). For `make run`
    only: inside AWS the key would live in the package or a writable /tmp, not in KMS."""

    def __init__(self, path: Path) -> None:
        self._path = path
        self._key: Any = None

    @property
    def key_name(self) -> str:
        return f"{LOCAL_PREFIX}{self._path.name}"

    def _private(self) -> Any:
        if self._key is not None:
            return self._key
        # `cryptography` is there wherever `make run` is (moto needs it); Lambda never loads it.
        from cryptography.hazmat.primitives import serialization
        from cryptography.hazmat.primitives.asymmetric import ec

        if not self._path.exists():
            key = ec.generate_private_key(ec.SECP256R1())
            pem = key.private_bytes(serialization.Encoding.PEM,
                                    serialization.PrivateFormat.PKCS8,
                                    serialization.NoEncryption())
            self._path.parent.mkdir(parents=True, exist_ok=True)
            try:
                fd = os.open(self._path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            except FileExistsError:
                pass  # another process made it first: use theirs
            else:
                with os.fdopen(fd, "wb") as out:
                    out.write(pem)
        loaded = serialization.load_pem_private_key(self._path.read_bytes(), password=None)
        if not isinstance(loaded, ec.EllipticCurvePrivateKey) or loaded.curve.name != "secp256r1":
            raise ValueError(f"{self._path} does not hold a P-256 private key")
        self._key = loaded
        return loaded

    def public_key(self) -> bytes:
        from cryptography.hazmat.primitives import serialization

        return bytes(self._private().public_key().public_bytes(
            serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo))

    def sign(self, message: bytes) -> bytes:
        from cryptography.hazmat.primitives import hashes
        from cryptography.hazmat.primitives.asymmetric import ec

        return bytes(self._private().sign(message, ec.ECDSA(hashes.SHA256())))


def build_signer(reference: str, kms: Callable[[], Any], state_dir: str,
                 in_lambda: bool) -> KmsSigner | LocalSigner | None:
    """The signer FREIGABE_EVIDENCE_KEY names: a KMS key id or ARN, or ``local:<path>``; unset,
    a key file in FREIGABE_STATE_DIR. None where no key may be used (a local key in Lambda, or
    none set there)."""
    reference = reference.strip()
    if not reference or reference.startswith(LOCAL_PREFIX):
        if in_lambda:
            return None
        path = Path(reference.removeprefix(LOCAL_PREFIX).strip() or Path(state_dir) / KEY_FILE)
        return LocalSigner(path.expanduser())
    return KmsSigner(kms(), reference)
