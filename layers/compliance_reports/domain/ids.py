"""Report ids: ULIDs (26 Crockford base32 characters), which sort by creation time."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime

CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


def _encode(value: int, length: int) -> str:
    chars = []
    for _ in range(length):
        chars.append(CROCKFORD[value & 31])
        value >>= 5
    return "".join(reversed(chars))


def new_report_id(now: datetime, randomness: bytes | None = None) -> str:
    """Return a ULID for `now`: 48 bits of Unix milliseconds, then 80 random bits."""
    millis = int(now.timestamp() * 1000)
    random_part = int.from_bytes(randomness or secrets.token_bytes(10), "big")
    return _encode(millis, 10) + _encode(random_part, 16)


def derived_report_id(now: datetime, *parts: str) -> str:
    """Return a ULID whose random part is a hash of `parts`, so the same parts give the same id."""
    digest = hashlib.sha256("\x1f".join(parts).encode()).digest()[:10]
    return new_report_id(now, digest)


def short_id(report_id: str) -> str:
    return report_id[-4:]
