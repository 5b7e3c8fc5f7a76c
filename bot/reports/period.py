"""Days as leaders mean them: whole calendar days in the commune's time zone.

The zone is the configured one (``reminders.timezone``, :attr:`bot.config.Settings.zone`),
never the server's: a bot hosted on a UTC machine still counts an outcome recorded at 06:33 on
29 November in Vietnam as the 29th.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, tzinfo

__all__ = ["day_end", "day_start", "local_date", "local_time", "parse_day", "week_start"]


def parse_day(text: str) -> date | None:
    """``YYYY-MM-DD`` as a date, or None when it is not a real day in that shape."""
    try:
        return date.fromisoformat(text.strip()) if len(text.strip()) == 10 else None
    except ValueError:
        return None


def day_start(day: date | None, zone: tzinfo) -> float | None:
    """The first second of ``day`` in ``zone``, in epoch seconds (None stays None)."""
    if day is None:
        return None
    return datetime.combine(day, time(0), tzinfo=zone).timestamp()


def day_end(day: date | None, zone: tzinfo) -> float | None:
    """The first second after ``day`` ends in ``zone``, so ``until`` includes the whole day."""
    if day is None:
        return None
    return datetime.combine(day + timedelta(days=1), time(0), tzinfo=zone).timestamp()


def local_time(epoch: float, zone: tzinfo) -> datetime:
    """An epoch timestamp as the wall-clock time in ``zone``."""
    return datetime.fromtimestamp(epoch, zone)


def local_date(epoch: float, zone: tzinfo) -> date:
    """The calendar day in ``zone`` of an epoch timestamp."""
    return local_time(epoch, zone).date()


def week_start(day: date) -> date:
    """The Monday of ``day``'s week: Vietnamese calendars start the week on Monday (Thứ Hai)."""
    return day - timedelta(days=day.weekday())
