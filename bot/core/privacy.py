"""Keeping personal data out of storage and logs (Law 91/2025/QH15 on personal data protection).

Residents sometimes type their ID number, phone number, an OTP or an e-mail address into the chat
even though the bot never asks. Whatever is kept is masked first; residents appear in logs by a
keyed pseudonym.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import unicodedata
from typing import Any

__all__ = ["mask", "mask_value", "pseudonym", "shown"]

_SPACE = "[ \t\u00a0\u202f]"
# What may stand between two digits of one number: one mark (0912.345.678, 0912,345,678,
# 0912/345/678, 0912_345_678, 0912-345-678), a run of spaces (0912  345  678) or a dash with
# spaces around it (0912 - 345 - 678). A comma or dot followed by a space ends the number, so a
# list ("bước 1, 2, 3") stays a list.
_SEP = rf"(?:[.,/_\-]|{_SPACE}+|{_SPACE}?-{_SPACE}?)"
# Words glued in front of the number ("sdt0912345678", "cccd079123456789", "so_079...",
# "OTP482913"): kept, the number after them masked. Any other letters glued in front make it part
# of a word, such as the electricity bill code PE04000012345.
_LABELS = (
    r"s[dđ]t|[dđ]t|cccd|cmnd|cmt|cc|so|số|ma|mã|otp|pin|id|stk|tk|bhyt|bhxh|mst|zalo|tel|phone"
)
_NUMBER = re.compile(
    rf"(?:(?<!\w)(?:{_LABELS})[_:.#\-]?|(?<!\w))(?P<run>\+?\d(?:{_SEP}?\d)*)(?!\d)",
    re.IGNORECASE,
)
# A date is not an ID: 05/03/2026, 5.3.2026, 05-03-2026, 2026-03-05 (and 2026/03/05).
_DATE = re.compile(
    r"(?<!\w)(?:\d{1,2}(?P<s>[./\-])\d{1,2}(?P=s)\d{4}|\d{4}(?P<t>[./\-])\d{1,2}(?P=t)\d{1,2})(?!\d)"
)
# An amount of money ("500.000đ", "1.200.000 đồng", "50k") is not anyone's number.
_MONEY_AFTER = re.compile(
    rf"{_SPACE}?(?:đ|₫|vn[dđ]|đồng|dong|d\b|k\b|nghìn|ngàn|triệu|tr\b)", re.IGNORECASE
)
_EMAIL = re.compile(r"(?<![\w.+\-])[\w.+\-]+@[\w\-]+(?:\.[\w\-]+)+")


def _is_date(text: str) -> bool:
    first, month, last = re.split(r"[./\-]", text)
    day, year = (last, first) if len(first) == 4 else (first, last)
    return 1 <= int(day) <= 31 and 1 <= int(month) <= 12 and 1900 <= int(year) <= 2100


def _label(run: str, after: str) -> str:
    """What to keep of one number ``run`` (followed by the text ``after``)."""
    digits = "".join(str(unicodedata.decimal(ch)) for ch in run if ch.isdecimal())
    count = len(digits)
    if count < 6:  # a year, an age, a house number, a short price
        return run
    if not run.startswith(("0", "+")) and _MONEY_AFTER.match(after):
        return run
    if run.startswith("+84") or (digits.startswith("84") and count in (11, 12)):
        return "[PHONE]"
    if digits.startswith("0") and count in (10, 11):
        return "[PHONE]"
    if count in (9, 12):  # old 9-digit ID cards and 12-digit personal ID numbers
        return "[ID]"
    if count == 6:  # VNeID, bank and SMS one-time codes
        return "[OTP]"
    return "[NUMBER]"


_SEPARATORS = " \t\u00a0\u202f.,/_-"


def _masked_run(run: str, after: str) -> str:
    """One number as it is kept; a date inside it ("05/03/2026 10", from "... 10:30") stays."""
    date = next((d for d in _DATE.finditer(run) if _is_date(d[0])), None)
    if date is None:
        return _label(run, after)
    head, tail = run[: date.start()], run[date.end() :]
    number = head.rstrip(_SEPARATORS)
    rest = tail.lstrip(_SEPARATORS)
    return (
        (_label(number, head[len(number) :]) if number else "")
        + head[len(number) :]
        + date[0]
        + tail[: len(tail) - len(rest)]
        + (_masked_run(rest, after) if rest else "")
    )


def _replace(match: re.Match[str]) -> str:
    glued = match[0][: match.start("run") - match.start()]  # "sdt", "so_", "OTP" or nothing
    return glued + _masked_run(match["run"], match.string[match.end() : match.end() + 8])


def mask(text: str) -> str:
    """Replace what looks like an ID or phone number, an OTP or an e-mail address in ``text``.

    ``mask("so cua toi 0912 345 678")`` is ``"so cua toi [PHONE]"``. Dates (05/03/2026,
    2026-03-05), amounts of money (500.000đ) and numbers under six digits stay as they are.
    """
    if not any(ch.isdecimal() or ch == "@" for ch in text):
        return text
    return _NUMBER.sub(_replace, _EMAIL.sub("[EMAIL]", text))


def mask_value(value: Any) -> Any:
    """Mask a stored answer: texts are masked, numbers, dates and yes/no are kept as they are."""
    if isinstance(value, str):
        return mask(value)
    return value


def shown(text: str, limit: int) -> str:
    """Words a resident typed, fit to repeat in a reply: one line, masked, ``limit`` characters.

    Longer words are cut and end with "…".
    """
    masked = mask(" ".join(text.split()))
    return masked if len(masked) <= limit else masked[: limit - 1].rstrip() + "…"


def pseudonym(secret: bytes, user: str) -> str:
    """A stable, keyed id for ``user`` that cannot be turned back into the user's id."""
    return hmac.new(secret, user.encode("utf-8"), hashlib.sha256).hexdigest()[:20]
