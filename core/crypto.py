"""AES-GCM field encryption and the keyed hash that links one person's cases (PIPL 28-29)."""

import base64
import functools
import hashlib
import hmac
import os

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.hashes import SHA256
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings

_PREFIX = "g1:"


@functools.cache
def _keys(master_b64: str) -> tuple[bytes, bytes]:
    master = base64.b64decode(master_b64)
    if len(master) not in (16, 24, 32):
        raise ValueError("FIELD_ENCRYPTION_KEY must be base64 of 16, 24 or 32 bytes")
    derived = HKDF(algorithm=SHA256(), length=64, salt=None, info=b"platform-field-keys").derive(master)
    return derived[:32], derived[32:]


def _aead() -> AESGCM:
    return _aesgcm(settings.FIELD_ENCRYPTION_KEY)


@functools.cache
def _aesgcm(master_b64: str) -> AESGCM:
    return AESGCM(_keys(master_b64)[0])


def encrypt(plaintext: str) -> str:
    nonce = os.urandom(12)
    token = _aead().encrypt(nonce, plaintext.encode("utf-8"), None)
    return _PREFIX + base64.b64encode(nonce + token).decode("ascii")


def encrypt_many(plaintexts: list[str]) -> list[str]:
    """encrypt() of each value, the key looked up once and the nonces drawn in one read (the batch import)."""
    aead = _aead()
    nonces = os.urandom(12 * len(plaintexts))
    seal, b64 = aead.encrypt, base64.b64encode
    out = []
    for i, plaintext in enumerate(plaintexts):
        nonce = nonces[12 * i : 12 * i + 12]
        out.append(_PREFIX + b64(nonce + seal(nonce, plaintext.encode("utf-8"), None)).decode("ascii"))
    return out


def decrypt(stored: str) -> str:
    if not stored.startswith(_PREFIX):
        raise ValueError("not an encrypted value")
    raw = base64.b64decode(stored[len(_PREFIX) :])
    return _aead().decrypt(raw[:12], raw[12:], None).decode("utf-8")


def keyed_hash(value: str) -> str:
    """HMAC-SHA256 of a normalised identifier: finds the same person without storing the number in clear."""
    key = _keys(settings.FIELD_ENCRYPTION_KEY)[1]
    return hmac.new(key, value.encode("utf-8"), hashlib.sha256).hexdigest()


def keyed_hashes(values: list[str]) -> list[str]:
    """keyed_hash() of each value, the key looked up once (the batch import)."""
    key = _keys(settings.FIELD_ENCRYPTION_KEY)[1]
    digest = hmac.digest
    return [digest(key, value.encode("utf-8"), "sha256").hex() for value in values]
