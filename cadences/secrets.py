"""Mailbox passwords and hosted mail providers' API keys at rest: Fernet, keyed by
settings.MAILBOX_KEY (a Fernet key) or, when that is empty, by a key derived from
SECRET_KEY."""

import base64
import hashlib

from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings


def _fernet() -> Fernet:
    key = settings.MAILBOX_KEY
    if not key:
        digest = hashlib.sha256(b"sdr-ops mailbox passwords:" + settings.SECRET_KEY.encode())
        key = base64.urlsafe_b64encode(digest.digest()).decode()
    return Fernet(key)


def encrypt(raw: str) -> str:
    return _fernet().encrypt(raw.encode()).decode()


def decrypt(token: str) -> str:
    """The password, '' when the token cannot be read (the key changed)."""
    try:
        return _fernet().decrypt(token.encode()).decode()
    except InvalidToken:
        return ""
