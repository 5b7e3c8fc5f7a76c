"""Progress over time: each day of the period in the commune's calendar, and weeks from Monday.

Every number is the report's own, split by day, so the days add up to the period's totals:

- **helped** — a household's person on the day they were first recorded done (in the period), a
  resident on the day the run that earned their credit started;
- **started** / **completed** — root runs (and sessions still in a guide) on the day they
  started, as in the guides' table.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta, tzinfo

from bot.reports.model import DayCount, Report
from bot.reports.period import local_date, week_start
from bot.reports.progress import Credit, DonePerson
from bot.storage.base import OpenRun, RunRow

__all__ = ["Tally", "build_timeline", "by_day", "by_week", "week_against_last"]


@dataclass(frozen=True, slots=True)
class Tally:
    """The three numbers of a day or a week, all flows together."""

    helped: int = 0
    started: int = 0
    completed: int = 0

    def __add__(self, other: Tally) -> Tally:
        return Tally(
            self.helped + other.helped,
            self.started + other.started,
            self.completed + other.completed,
        )

    @property
    def empty(self) -> bool:
        """Nothing at all happened: a row the renderers fold away."""
        return not (self.helped or self.started or self.completed)


def build_timeline(
    zone: tzinfo,
    done: Sequence[DonePerson],
    credits: Mapping[tuple[str, str], Credit],
    runs: Sequence[RunRow],
    opened: Sequence[OpenRun],
    here: Callable[[str], bool],
) -> tuple[DayCount, ...]:
    """One :class:`DayCount` per (day, flow) with anything in it, oldest day first; ``runs`` and
    ``opened`` are already the village's, ``here`` keeps the village's helped residents."""
    counts: dict[tuple[date, str], list[int]] = defaultdict(lambda: [0, 0, 0])
    for person in done:
        if here(person.village):
            counts[(local_date(person.at, zone), person.flow_id)][0] += 1
    for (flow_id, _user), credit in credits.items():
        if here(credit.village):
            counts[(local_date(credit.at, zone), flow_id)][0] += 1
    for run in runs:
        if not run.parent_flow:
            tally = counts[(local_date(run.started_at, zone), run.flow_id)]
            tally[1] += 1
            tally[2] += run.outcome == "completed"
    for going in opened:
        counts[(local_date(going.started_at, zone), going.flow_id)][1] += 1
    return tuple(
        DayCount(day=day, flow_id=flow_id, helped=h, started=s, completed=c)
        for (day, flow_id), (h, s, c) in sorted(counts.items())
    )


def _sum(rows: Iterable[DayCount]) -> Tally:
    total = Tally()
    for row in rows:
        total += Tally(row.helped, row.started, row.completed)
    return total


def by_day(report: Report, days: int = 14) -> list[tuple[date, Tally]]:
    """The last ``days`` days of the period up to its last day, oldest first (zeros included)."""
    last = report.period.last_day
    first = last - timedelta(days=days - 1)
    if report.period.since is not None:
        first = max(first, report.period.since)
    per_day: dict[date, list[DayCount]] = defaultdict(list)
    for row in report.timeline:
        per_day[row.day].append(row)
    span = (last - first).days + 1
    return [(d, _sum(per_day[d])) for d in (first + timedelta(days=i) for i in range(span))]


def by_week(report: Report, weeks: int = 8) -> list[tuple[date, Tally]]:
    """The last ``weeks`` weeks (by their Monday) up to the period's last day, oldest first."""
    this_week = week_start(report.period.last_day)
    mondays = [this_week - timedelta(weeks=n) for n in range(weeks - 1, -1, -1)]
    per_week: dict[date, list[DayCount]] = defaultdict(list)
    for row in report.timeline:
        per_week[week_start(row.day)].append(row)
    return [(monday, _sum(per_week[monday])) for monday in mondays]


def week_against_last(report: Report) -> tuple[date, Tally, Tally]:
    """This week's Monday, this week (up to the period's last day) and the whole week before."""
    (_, last_week), (monday, this_week) = by_week(report, 2)
    return monday, this_week, last_week
