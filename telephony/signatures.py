"""Standard Webhooks signatures (https://www.standardwebhooks.com/): the sender signs
`{webhook-id}.{webhook-timestamp}.{body}` with HMAC-SHA256 under the shared secret and sends
`v1,<base64 signature>` (several, space-separated, while a secret is being rotated)."""

import base64
import hashlib
import hmac
import time

TOLERANCE_SECONDS = 5 * 60


class InvalidSignature(Exception):
    """The event is not signed with the secret, is malformed, or is outside the tolerance."""


def _key(secret: str) -> bytes:
    return base64.b64decode(secret.removeprefix("whsec_"))


def sign(secret: str, msg_id: str, timestamp: int, body: bytes) -> str:
    """The `webhook-signature` header value for this message."""
    signed = f"{msg_id}.{timestamp}.".encode() + body
    digest = hmac.new(_key(secret), signed, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode()


def verify(secret: str, headers, body: bytes, *, now: float | None = None) -> tuple[str, int]:
    """Checks the three headers against the body; returns (id, timestamp).

    Raises InvalidSignature when a header is missing, the timestamp is more than five minutes
    from now (a stale or replayed message), or no `v1` signature matches.
    """
    msg_id = headers.get("webhook-id", "")
    stamp = headers.get("webhook-timestamp", "")
    signatures = headers.get("webhook-signature", "")
    if not msg_id or not stamp or not signatures or len(msg_id) > 100:
        raise InvalidSignature("missing webhook headers")
    try:
        timestamp = int(stamp)
    except ValueError as exc:
        raise InvalidSignature("bad timestamp") from exc
    now = time.time() if now is None else now
    if abs(now - timestamp) > TOLERANCE_SECONDS:
        raise InvalidSignature("timestamp outside the tolerance")
    try:
        expected = sign(secret, msg_id, timestamp, body).split(",", 1)[1]
    except (ValueError, TypeError) as exc:
        raise InvalidSignature("unusable secret") from exc
    for candidate in signatures.split():
        version, _, value = candidate.partition(",")
        if version == "v1" and hmac.compare_digest(value, expected):
            return msg_id, timestamp
    raise InvalidSignature("no matching signature")
