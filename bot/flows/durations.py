"""Durations as admins write them in flows: "2 hours", "1 day", "30 phút", "1,5 ngày"."""

from __future__ import annotations

import re
from typing import Any

from pydantic_core import PydanticCustomError

__all__ = ["checked_duration", "parse_duration"]

_DURATION = re.compile(r"^\s*(\d+(?:[.,]\d+)?)\s*([^\d\s].*?)\s*$")
_UNITS = {
    "s": 1,
    "sec": 1,
    "second": 1,
    "seconds": 1,
    "giay": 1,
    "giây": 1,
    "m": 60,
    "min": 60,
    "minute": 60,
    "minutes": 60,
    "phut": 60,
    "phút": 60,
    "h": 3600,
    "hour": 3600,
    "hours": 3600,
    "gio": 3600,
    "giờ": 3600,
    "tieng": 3600,
    "tiếng": 3600,
    "d": 86400,
    "day": 86400,
    "days": 86400,
    "ngay": 86400,
    "ngày": 86400,
}


def parse_duration(text: str) -> float | None:
    """Seconds in "2 hours", "1 day", "30 phút", "1,5 ngày"; None when it is not a duration."""
    match = _DURATION.match(str(text))
    if not match:
        return None
    unit = _UNITS.get(match.group(2).lower())
    if unit is None:
        return None
    return float(match.group(1).replace(",", ".")) * unit


def checked_duration(value: Any) -> str:
    """``value`` as a text; an admin's error (``schema.bad_duration``) if it is no duration."""
    if parse_duration(str(value)) is None:
        raise PydanticCustomError("schema.bad_duration", "", {"value": str(value)})
    return str(value)
