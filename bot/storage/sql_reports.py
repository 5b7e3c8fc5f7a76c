"""The SQL behind leaders' reports and QR posters: the :class:`~bot.storage.base.ReportQueries`
role of both SQL backends (a mixin of :class:`~bot.storage.sql.SqlTables`).

Nothing here decides what a number means: that is :mod:`bot.reports.build`, which turns these
rows into a report. Time windows are half-open ``[start, end)`` in epoch seconds; ``None`` means
"no bound".
"""

from __future__ import annotations

import json
from dataclasses import fields
from typing import ClassVar

from bot.storage.records import (
    HouseholdService,
    OpenRun,
    OutcomeCount,
    PersonOutcome,
    RunRow,
    VisitCount,
    VolunteerRow,
)
from bot.storage.sql import SqlTables, window

__all__ = ["ReportTables"]


def _path(text: str) -> tuple[str, ...]:
    try:
        steps = json.loads(text)
    except ValueError:
        return ()
    return tuple(str(step) for step in steps) if isinstance(steps, list) else ()


class ReportTables(SqlTables):
    """Report queries."""

    # The query of open_runs, which reads the session's JSON (each dialect its own way): for
    # every session whose bottom frame is a flow with a start time, its flow, start time, the
    # village it is credited to, the steps it went through (a JSON list), the village of the
    # volunteer it is credited to, the credit's mode and that volunteer's id (when they exist).
    # ``{started_at}`` is the start time's SQL expression, and the query ends with "AND " for
    # the window on it.
    _OPEN_RUNS: ClassVar[str]
    _OPEN_RUNS_STARTED: ClassVar[str]

    async def runs_started(self, start: float | None, end: float | None) -> list[RunRow]:
        """Finished runs (root and sub-flow) that started in the window, oldest first.

        A run's village is its own (a visit or a poster recorded it) or else its volunteer's:
        runs logged before the credit columns were filled still land in the right village.
        """
        where, params = window("r.started_at", start, end)
        rows = await self._all(
            "SELECT r.user_ref, r.flow_id, r.started_at, r.ended_at, r.outcome, r.path, "
            "r.parent_flow, r.mode, r.volunteer_id, "
            "COALESCE(NULLIF(r.village, ''), v.village, '') "
            "FROM runs r LEFT JOIN volunteers v ON v.id = r.volunteer_id "
            f"WHERE {where} ORDER BY r.started_at, r.id",
            params,
        )
        return [
            RunRow(
                user_ref=row[0],
                flow_id=row[1],
                started_at=row[2],
                ended_at=row[3],
                outcome=row[4],
                path=_path(row[5]),
                parent_flow=row[6],
                mode=row[7],
                volunteer_id=row[8],
                village=row[9],
            )
            for row in rows
        ]

    async def open_runs(self, start: float | None, end: float | None) -> list[OpenRun]:
        """The outermost flow of every session in the middle of one, if it started in the window.

        Only the bottom frame of a session's stack is read: a sub-flow (or the welcome flow) on
        top of it belongs to the flow that called it. The JSON is the one written by
        :meth:`bot.core.session.Session.to_json` (its only codec), read field by field, so a
        session written by a newer bot (with fields this one does not know) still counts.
        """
        where, params = window(self._OPEN_RUNS_STARTED, start, end)
        found = await self._all(self._OPEN_RUNS + where, params)
        return [
            OpenRun(
                flow_id=str(r[0]),
                started_at=float(r[1]),
                path=_path(r[3] or "[]"),
                village=str(r[2] or "") or str(r[4] or ""),
                mode=str(r[5] or "self"),
                volunteer_id=None if r[6] is None else int(r[6]),
            )
            for r in found
        ]

    async def volunteer_rows(self) -> list[VolunteerRow]:
        """Every volunteer, active or not, by village then code."""
        rows = await self._all(
            "SELECT id, code, name, village, active FROM volunteers ORDER BY village, code"
        )
        return [
            VolunteerRow(id=r[0], code=r[1], name=r[2], village=r[3], active=bool(r[4]))
            for r in rows
        ]

    async def active_volunteer(self, code: str) -> VolunteerRow | None:
        """The active volunteer whose public code is ``code`` (codes are upper case)."""
        rows = await self._all(
            "SELECT id, code, name, village, active FROM volunteers WHERE code = ? AND active = 1",
            (code.strip().upper(),),
        )
        if not rows:
            return None
        r = rows[0]
        return VolunteerRow(id=r[0], code=r[1], name=r[2], village=r[3], active=bool(r[4]))

    async def visit_counts(self, start: float | None, end: float | None) -> list[VisitCount]:
        """Per volunteer: visits started in the window and the distinct households they went to."""
        where, params = window("started_at", start, end)
        rows = await self._all(
            "SELECT volunteer_id, COUNT(*), COUNT(DISTINCT household_id) FROM visits "
            f"WHERE {where} GROUP BY volunteer_id",
            params,
        )
        return [VisitCount(volunteer_id=r[0], visits=r[1], households=r[2]) for r in rows]

    async def outcome_counts(self, start: float | None, end: float | None) -> list[OutcomeCount]:
        """Per volunteer and outcome code: outcomes recorded in the window."""
        where, params = window("at", start, end)
        rows = await self._all(
            "SELECT volunteer_id, outcome, COUNT(*) FROM visit_outcomes "
            f"WHERE {where} GROUP BY volunteer_id, outcome",
            params,
        )
        return [OutcomeCount(volunteer_id=r[0], outcome=r[1], count=r[2]) for r in rows]

    async def household_services(self, end: float | None) -> list[HouseholdService]:
        """The latest outcome of every (household, flow) recorded before ``end``.

        "Latest" is by time, then by row id for two outcomes in the same second. The household is
        listed under the volunteer who registered it (households are one volunteer's labels).
        """
        where, params = window("at", None, end)
        rows = await self._all(
            "WITH ranked AS ("
            " SELECT household_id, flow_id, outcome, village, volunteer_id,"
            " ROW_NUMBER() OVER (PARTITION BY household_id, flow_id ORDER BY at DESC, id DESC) AS n"
            f" FROM visit_outcomes WHERE {where}) "
            "SELECT COALESCE(h.volunteer_id, r.volunteer_id), r.household_id, "
            "COALESCE(h.village, r.village), r.flow_id, r.outcome "
            "FROM ranked r LEFT JOIN households h ON h.id = r.household_id WHERE r.n = 1 "
            "ORDER BY r.household_id, r.flow_id",
            params,
        )
        return [
            HouseholdService(
                volunteer_id=r[0], household_id=r[1], village=r[2], flow_id=r[3], outcome=r[4]
            )
            for r in rows
        ]

    async def person_outcomes(self, start: float | None, end: float | None) -> list[PersonOutcome]:
        """Every outcome recorded in the window, per person, oldest first (then by recording).

        The household's own volunteer and village, as :meth:`household_services` lists them.
        """
        where, params = window("o.at", start, end)
        rows = await self._all(
            "SELECT COALESCE(h.volunteer_id, o.volunteer_id), o.household_id, o.member, "
            "COALESCE(h.village, o.village), o.flow_id, o.outcome, o.at "
            "FROM visit_outcomes o LEFT JOIN households h ON h.id = o.household_id "
            f"WHERE {where} ORDER BY o.at, o.id",
            params,
        )
        names = [field.name for field in fields(PersonOutcome)]  # the order selected above
        return [PersonOutcome(**dict(zip(names, r, strict=True))) for r in rows]
