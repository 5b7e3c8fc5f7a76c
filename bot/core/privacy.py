"""Keeping personal data out of storage and logs (Law 91/2025/QH15 on personal data protection).

Residents sometimes type their ID number, phone number, an OTP, a password or an e-mail address
into the chat even though the bot never asks. Whatever is kept is masked first; residents appear
in logs by a keyed pseudonym. :func:`secrets_in` says which of these a message holds, so the bot
can also tell the resident, kindly, never to send them to anyone: one module decides what a
secret looks like, for both.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import unicodedata
from typing import Any, Literal

__all__ = ["SecretKind", "mask", "mask_value", "pseudonym", "secrets_in", "shown"]

# What a resident should never send anyone: a one-time code or PIN, a password, an ID number, a
# phone number, a bank card number.
SecretKind = Literal["code", "password", "id", "phone", "card"]

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
# Between a word naming a secret and the secret: "của tôi" (mine), then "là", ":" or "=".
_WHOSE = rf"(?:{_SPACE}+(?:c[uủ]a|of){_SPACE}+\w+)?"
_IS = rf"(?:{_SPACE}*(?:[:=#]|\bl[aà]\b|\bis\b){_SPACE}*|{_SPACE}*)"
# "mã otp là 4829", "passcode: 123456", "mã PIN 1234": the digits after such words are a code,
# however short.
_CODE = re.compile(
    r"(?<!\w)(?:otp|passcode|m[aã][ _]?pin|pin|m[aã] x[aá]c (?:th[uự]c|nh[aậ]n))"
    rf"{_WHOSE}{_IS}(?P<code>\d(?:[ \-]?\d){{3,7}})(?!\d)",
    re.IGNORECASE,
)
# "mật khẩu của tôi là Abc@12345", "mk: abc123": the word after a password word, when it has a
# digit and four characters or more ("mật khẩu gồm 8 ký tự" is talk about a password, not one).
_PASSWORD = re.compile(
    r"(?<!\w)(?:m[aậ]t ?kh[aẩ]u|m[aậ]t m[aã]|password|passwd|pass|mk|pw)(?!\w)"
    rf"{_WHOSE}{_IS}(?P<value>(?=\S*\d)\S{{4,}})",
    re.IGNORECASE,
)
# Words in front of a number that is a bill's customer code or the like, not anyone's secret.
_NOT_SECRET_BEFORE = re.compile(
    r"(?:m[aã] (?:kh[aá]ch h[aà]ng|kh|h[oó]a [dđ][oơ]n|thanh to[aá]n|h[oợ]p [dđ][oồ]ng)"
    r"|customer (?:code|number)|bill (?:code|number))\W*$",
    re.IGNORECASE,
)
# A word naming an ID card, a word or two before: an old 9-digit number after it is an ID too.
_ID_BEFORE = re.compile(
    r"(?:cmnd|cmt|cccd|ch[uứ]ng minh|c[aă]n c[uư][oớ]c)(?:\W+\w+){0,2}\W*$", re.IGNORECASE
)


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


def _replace_group(name: str, label: str) -> Any:
    """A ``re.sub`` replacement that masks only the group ``name`` of the match."""

    def replace(match: re.Match[str]) -> str:
        start, end = match.start(name) - match.start(), match.end(name) - match.start()
        return match[0][:start] + label + match[0][end:]

    return replace


def mask(text: str) -> str:
    """Replace what looks like an ID or phone number, an OTP, a password or an e-mail address.

    ``mask("so cua toi 0912 345 678")`` is ``"so cua toi [PHONE]"``. Dates (05/03/2026,
    2026-03-05), amounts of money (500.000đ) and numbers under six digits stay as they are,
    unless words say they are a code ("mã PIN 1234") or a password ("mk: abc123").
    """
    if not any(ch.isdecimal() or ch == "@" for ch in text):
        return text
    text = _PASSWORD.sub(_replace_group("value", "[PASSWORD]"), text)
    text = _CODE.sub(_replace_group("code", "[OTP]"), text)
    return _NUMBER.sub(_replace, _EMAIL.sub("[EMAIL]", text))


def secrets_in(text: str, *, answering: bool = False) -> frozenset[SecretKind]:
    """What ``text`` holds that a resident should never send anyone, the bot included.

    A code or a password named as such ("ma otp 123456", "mat khau la Abc@12345"), a 12-digit ID
    number, a phone number, a bank card number (16 to 19 digits), or six digits on their own, as
    an OTP is typed. Not a short number ("2", "2026"), an amount ("150.000", "50.000đ"), a date,
    or a number after "mã khách hàng". ``answering``: the text answers a question the flow asked
    (an amount, a customer code): only codes and passwords named as such count then.
    """
    if not any(ch.isdecimal() for ch in text):
        return frozenset()
    found: set[SecretKind] = set()
    if _PASSWORD.search(text):
        found.add("password")
    if _CODE.search(text):
        found.add("code")
    if answering:
        return frozenset(found)
    for match in _NUMBER.finditer(_EMAIL.sub("[EMAIL]", text)):
        before = match.string[max(0, match.start() - 30) : match.start("run")]
        if _NOT_SECRET_BEFORE.search(before):
            continue
        kind = _number_kind(match["run"], match.string[match.end() : match.end() + 8], before)
        if kind is not None:
            found.add(kind)
    return frozenset(found)


def _number_kind(run: str, after: str, before: str) -> SecretKind | None:
    """What one number of a message is, when it is a secret (see :func:`secrets_in`)."""
    masked = _masked_run(run, after)
    digits = sum(ch.isdecimal() for ch in run)
    if "[PHONE]" in masked:
        return "phone"
    if "[ID]" in masked and (digits == 12 or _ID_BEFORE.search(before)):
        return "id"
    # Six digits together, as an OTP is typed; "150.000" and "150000" are amounts (of dong,
    # which end in thousands).
    if "[OTP]" in masked and re.fullmatch(r"\d{6}", run) and not run.endswith("000"):
        return "code"
    if masked == "[NUMBER]" and 16 <= digits <= 19:
        return "card"
    return None


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
