"""Checking typed answers against what a step asked for (yes/no, a number, a date, a pattern)."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any

from bot.core.matching import fold
from bot.flows.schema import Ask

__all__ = ["Answer", "check_answer"]

_YES = {
    "co",
    "yes",
    "y",
    "ok",
    "oke",
    "okay",
    "u",
    "uh",
    "um",
    "vang",
    "da",
    "dung",
    "roi",
    "c",
    "co roi",
    "da co",
    "yes i do",
    "sure",
    "yep",
    "yeah",
    "dong y",
}
_NO = {
    "khong",
    "ko",
    "k",
    "kh",
    "khg",
    "kg",
    "no",
    "n",
    "chua",
    "hong",
    "hok",
    "khong co",
    "chua co",
    "nope",
    "not yet",
}
_NUMBER = re.compile(r"^\s*([-+]?\d{1,9})\s*([^\d\s].{0,15})?$")
_DATE = re.compile(r"^\s*(\d{1,2})\s*[/.\-]\s*(\d{1,2})\s*[/.\-]\s*(\d{4})\s*$")


@dataclass(frozen=True, slots=True)
class Answer:
    """The result of checking an answer: the value to save, or which re-ask text to send."""

    ok: bool
    value: Any = None
    retry_key: str = "ask.retry"
    retry_params: dict[str, Any] = field(default_factory=dict)


def check_answer(ask: Ask, text: str) -> Answer:
    """Check ``text`` against ``ask``; never raises, whatever the resident typed."""
    text = text.strip()
    if not text:
        return Answer(False, retry_key="ask.retry_empty")
    if len(text) > ask.max_length:
        return Answer(False, retry_key="ask.retry_too_long", retry_params={"max": ask.max_length})
    if ask.type == "yes_no":
        folded = fold(text)
        if folded in _YES:
            return Answer(True, True)
        if folded in _NO:
            return Answer(True, False)
        return Answer(False, retry_key="ask.retry_yes_no")
    if ask.type == "number":
        match = _NUMBER.match(text)
        limits = {"min": ask.min, "max": ask.max}
        if not match:
            return Answer(False, retry_key="ask.retry_number", retry_params=limits)
        number = int(match.group(1))
        if (ask.min is not None and number < ask.min) or (ask.max is not None and number > ask.max):
            return Answer(False, retry_key="ask.retry_number", retry_params=limits)
        return Answer(True, number)
    if ask.type == "date":
        match = _DATE.match(text)
        if match:
            day, month, year = (int(part) for part in match.groups())
            try:
                return Answer(True, dt.date(year, month, day).isoformat())
            except ValueError:
                pass
        return Answer(False, retry_key="ask.retry_date")
    if ask.type == "pattern":
        assert ask.pattern is not None
        if re.fullmatch(ask.pattern, text):
            return Answer(True, text)
        return Answer(False)
    return Answer(True, text)
