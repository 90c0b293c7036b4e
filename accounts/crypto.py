"""Encryption at rest for the provider keys people store (accounts.ProviderKey).

Fernet (AES-128-CBC with an HMAC-SHA256, from the ``cryptography`` package) under a MultiFernet:
the first key of TAKOSS_KEY_ENCRYPTION_KEYS encrypts, every listed key decrypts, so a new key is
put first and :func:`rotate` re-encrypts the stored tokens with it before the old one is dropped.
Without TAKOSS_KEY_ENCRYPTION_KEY a key is derived from SECRET_KEY (HKDF-SHA256): fine for
development, but then changing SECRET_KEY makes the stored keys unreadable (README).
"""

from __future__ import annotations

import base64

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings

__all__ = ["InvalidToken", "decrypt", "encrypt", "rotate"]


def _derived_key(secret: str) -> bytes:
    raw = HKDF(
        algorithm=hashes.SHA256(), length=32, salt=None, info=b"takoss provider keys"
    ).derive(secret.encode("utf-8"))
    return base64.urlsafe_b64encode(raw)


def _fernet() -> MultiFernet:
    keys = [key.encode("ascii") for key in settings.TAKOSS_KEY_ENCRYPTION_KEYS]
    if not keys:
        keys = [_derived_key(settings.SECRET_KEY)]
    return MultiFernet([Fernet(key) for key in keys])


def encrypt(plaintext: str) -> str:
    return _fernet().encrypt(plaintext.encode("utf-8")).decode("ascii")


def decrypt(token: str) -> str:
    """The plaintext; raises InvalidToken when no configured key opens it."""
    return _fernet().decrypt(token.encode("ascii")).decode("utf-8")


def rotate(token: str) -> str:
    """The same plaintext encrypted with the first key."""
    return _fernet().rotate(token.encode("ascii")).decode("ascii")
