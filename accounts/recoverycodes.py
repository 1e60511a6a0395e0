"""Recovery codes as strings: making them, reading what a person typed, and the keyed hash that is stored.

A code is 10 characters of the base32 alphabet (50 random bits), shown as two groups of five (`K7Q2M-XW4TB`).
Only HMAC-SHA256 digests keyed with SECRET_KEY are stored, so a copy of the database alone does not allow an
offline search of the 2^50 codes; the digests for SECRET_KEY_FALLBACKS are accepted too, so rotating the key
does not void the codes people have printed.
"""

from __future__ import annotations

import re
import secrets

from django.conf import settings
from django.utils.crypto import salted_hmac

ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
LENGTH = 10
COUNT = 10
_SALT = "accounts.recovery_code"
# Characters people type for the ones base32 leaves out.
_LOOKALIKES = str.maketrans({"0": "O", "1": "I", "8": "B", "9": "G"})


def recovery_code_new() -> str:
    raw = "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))
    return f"{raw[:5]}-{raw[5:]}"


def recovery_code_normalize(typed) -> str | None:
    """The code in its stored form, or None when `typed` cannot be one (spaces, dashes and case ignored)."""
    code = re.sub(r"[\s\-]", "", str(typed or "")).upper().translate(_LOOKALIKES)
    if len(code) != LENGTH or any(ch not in ALPHABET for ch in code):
        return None
    return code


def recovery_code_digest(code: str, *, secret: str | None = None) -> str:
    return salted_hmac(_SALT, code, secret=secret or settings.SECRET_KEY, algorithm="sha256").hexdigest()


def recovery_code_digests(code: str) -> list[str]:
    """The digests `code` may be stored under: the current key's first, then each fallback key's."""
    secrets_ = [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]
    return [recovery_code_digest(code, secret=secret) for secret in secrets_]
