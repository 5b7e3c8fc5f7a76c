"""Keeping personal data out of storage and logs (Law 91/2025/QH15 on personal data protection).

Residents sometimes type their ID number, phone number or an OTP into the chat even though the
bot never asks. Whatever is kept is masked first; residents appear in logs by a keyed pseudonym.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from typing import Any

__all__ = ["mask", "mask_value", "pseudonym"]

# A run of digits, allowing single spaces, dots or dashes between them ("0912 345 678").
_DIGIT_RUN = re.compile(r"(?<![\w])\+?\d(?:[ .\-]?\d){5,}(?![\w])")


_DATE_SHAPE = re.compile(r"^(?:\d{1,2}[.\-]\d{1,2}[.\-]\d{4}|\d{4}-\d{1,2}-\d{1,2})$")


def _label(run: str) -> str:
    if _DATE_SHAPE.match(run):  # a date such as 2026-03-05 or 05.03.2026 is not an ID
        return run
    digits = re.sub(r"\D", "", run)
    count = len(digits)
    if run.startswith("+84") or (digits.startswith("84") and count in (11, 12)):
        return "[PHONE]"
    if digits.startswith("0") and count in (10, 11):
        return "[PHONE]"
    if count in (9, 12):  # old 9-digit ID cards and 12-digit personal ID numbers
        return "[ID]"
    if count == 6:  # VNeID, bank and SMS one-time codes
        return "[OTP]"
    if count >= 7:
        return "[NUMBER]"
    return run


def mask(text: str) -> str:
    """Replace anything that looks like an ID number, phone number or OTP in ``text``.

    ``mask("so cua toi 0912 345 678")`` is ``"so cua toi [PHONE]"``.
    """
    return _DIGIT_RUN.sub(lambda match: _label(match.group(0)), text)


def mask_value(value: Any) -> Any:
    """Mask a stored answer: texts are masked, numbers, dates and yes/no are kept as they are."""
    if isinstance(value, str):
        return mask(value)
    return value


def pseudonym(secret: bytes, user: str) -> str:
    """A stable, keyed id for ``user`` that cannot be turned back into the user's id."""
    return hmac.new(secret, user.encode("utf-8"), hashlib.sha256).hexdigest()[:20]
