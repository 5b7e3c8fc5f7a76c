"""Days as leaders mean them: whole calendar days in Vietnam time (UTC+7, no daylight saving)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone

__all__ = ["VIETNAM", "day_end", "day_start", "local_date", "parse_day"]

# Vietnam has kept UTC+7 all year since 1975; a fixed offset needs no time-zone database.
VIETNAM = timezone(timedelta(hours=7), "ICT")


def parse_day(text: str) -> date | None:
    """``YYYY-MM-DD`` as a date, or None when it is not a real day in that shape."""
    try:
        return date.fromisoformat(text.strip()) if len(text.strip()) == 10 else None
    except ValueError:
        return None


def day_start(day: date | None) -> float | None:
    """The first second of ``day`` in Vietnam, in epoch seconds (None stays None)."""
    if day is None:
        return None
    return datetime.combine(day, time(0), tzinfo=VIETNAM).timestamp()


def day_end(day: date | None) -> float | None:
    """The first second after ``day`` ends in Vietnam, so ``until`` includes the whole day."""
    if day is None:
        return None
    return datetime.combine(day + timedelta(days=1), time(0), tzinfo=VIETNAM).timestamp()


def local_date(epoch: float) -> date:
    """The calendar day in Vietnam of an epoch timestamp."""
    return datetime.fromtimestamp(epoch, VIETNAM).date()
