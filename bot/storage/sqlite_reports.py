"""The SQL behind leaders' reports and QR posters: the :class:`~bot.storage.base.ReportQueries`
role of :class:`bot.storage.sqlite.SqliteStorage` (a mixin using the connection it opened).

Nothing here decides what a number means: that is :mod:`bot.reports.build`, which turns these
rows into a report. Time windows are half-open ``[start, end)`` in epoch seconds; ``None`` means
"no bound".
"""

from __future__ import annotations

import json
from typing import Any

from bot.storage.records import (
    DoneHousehold,
    HouseholdService,
    OpenRun,
    OutcomeCount,
    RunRow,
    VisitCount,
    VolunteerRow,
)

__all__ = ["ReportTables"]

# Where the session's JSON (written by bot.core.session.Session.to_json, its only codec) keeps
# what reports count of a session in progress: the bottom frame of the stack, its flow, when it
# started, the steps it went through and who it is credited to. Read with SQLite's JSON
# functions, so a session written by a newer bot (with fields this one does not know) still counts.
ROOT_FRAME = "$.stack[0]"
ROOT_FIELDS = {"flow": ".flow", "started_at": ".t0", "path": ".path", "credit": ".credit"}


def _window(column: str, start: float | None, end: float | None) -> tuple[str, list[float]]:
    """A WHERE fragment (always true when unbounded) and its parameters."""
    parts: list[str] = []
    params: list[float] = []
    if start is not None:
        parts.append(f"{column} >= ?")
        params.append(start)
    if end is not None:
        parts.append(f"{column} < ?")
        params.append(end)
    return (" AND ".join(parts) or "1"), params


def _path(text: str) -> tuple[str, ...]:
    try:
        steps = json.loads(text)
    except ValueError:
        return ()
    return tuple(str(step) for step in steps) if isinstance(steps, list) else ()


class ReportTables:
    """Report queries; ``self.db`` is the open connection of the storage."""

    db: Any

    async def _rows(self, query: str, params: list[Any] | tuple[Any, ...] = ()) -> list[Any]:
        async with self.db.execute(query, tuple(params)) as cursor:
            return list(await cursor.fetchall())

    async def runs_started(self, start: float | None, end: float | None) -> list[RunRow]:
        """Finished runs (root and sub-flow) that started in the window, oldest first.

        A run's village is its own (a visit or a poster recorded it) or else its volunteer's:
        runs logged before the credit columns were filled still land in the right village.
        """
        where, params = _window("r.started_at", start, end)
        rows = await self._rows(
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

        Only the bottom frame of a session's stack is read (:data:`ROOT_FRAME`): a sub-flow (or the
        welcome flow) on top of it belongs to the flow that called it.
        """
        root = ROOT_FRAME
        f = {name: root + suffix for name, suffix in ROOT_FIELDS.items()}
        where, params = _window(f"json_extract(s.state, '{f['started_at']}')", start, end)
        rows = await self._rows(
            f"SELECT s.channel, s.user_id, json_extract(s.state, '{f['flow']}'), "
            f"json_extract(s.state, '{f['started_at']}'), "
            f"json_extract(s.state, '{f['credit']}.village'), "
            f"CASE json_type(s.state, '{f['credit']}.volunteer_id') WHEN 'integer' "
            f"THEN json_extract(s.state, '{f['credit']}.volunteer_id') END, "
            "(SELECT json_group_array(p.value) FROM json_each(s.state, "
            f"'{f['path']}') p), v.village "
            f"FROM sessions s LEFT JOIN volunteers v ON v.id = CASE json_type(s.state, "
            f"'{f['credit']}.volunteer_id') WHEN 'integer' THEN "
            f"json_extract(s.state, '{f['credit']}.volunteer_id') END "
            f"WHERE json_valid(s.state) AND json_type(s.state, '{root}') = 'object' "
            f"AND json_type(s.state, '{f['flow']}') IS NOT NULL "
            f"AND json_type(s.state, '{f['started_at']}') IN ('integer', 'real') AND {where}",
            params,
        )
        return [
            OpenRun(
                flow_id=str(r[2]),
                started_at=float(r[3]),
                path=_path(r[6] or "[]"),
                village=str(r[4] or "") or str(r[7] or ""),
            )
            for r in rows
        ]

    async def done_households(self, start: float | None, end: float | None) -> list[DoneHousehold]:
        """Each (flow, household) with a 'done' outcome in the window, once, with its village.

        A household visited on several days has several outcome rows; grouping here is what makes it
        count once. Its village is the household's own (the one it was registered in).
        """
        where, params = _window("o.at", start, end)
        rows = await self._rows(
            "SELECT o.flow_id, o.household_id, COALESCE(h.village, MIN(o.village)), MIN(o.at) "
            "FROM visit_outcomes o LEFT JOIN households h ON h.id = o.household_id "
            f"WHERE o.outcome = 'done' AND {where} "
            "GROUP BY o.flow_id, o.household_id ORDER BY o.flow_id, MIN(o.at)",
            params,
        )
        return [
            DoneHousehold(flow_id=r[0], household_id=r[1], village=r[2], first_done_at=r[3])
            for r in rows
        ]

    async def volunteer_rows(self) -> list[VolunteerRow]:
        """Every volunteer, active or not, by village then code."""
        rows = await self._rows(
            "SELECT id, code, name, village, active FROM volunteers ORDER BY village, code"
        )
        return [
            VolunteerRow(id=r[0], code=r[1], name=r[2], village=r[3], active=bool(r[4]))
            for r in rows
        ]

    async def active_volunteer(self, code: str) -> VolunteerRow | None:
        """The active volunteer whose public code is ``code`` (codes are upper case)."""
        rows = await self._rows(
            "SELECT id, code, name, village, active FROM volunteers WHERE code = ? AND active = 1",
            (code.strip().upper(),),
        )
        if not rows:
            return None
        r = rows[0]
        return VolunteerRow(id=r[0], code=r[1], name=r[2], village=r[3], active=bool(r[4]))

    async def visit_counts(self, start: float | None, end: float | None) -> list[VisitCount]:
        """Per volunteer: visits started in the window and the distinct households they went to."""
        where, params = _window("started_at", start, end)
        rows = await self._rows(
            "SELECT volunteer_id, COUNT(*), COUNT(DISTINCT household_id) FROM visits "
            f"WHERE {where} GROUP BY volunteer_id",
            params,
        )
        return [VisitCount(volunteer_id=r[0], visits=r[1], households=r[2]) for r in rows]

    async def outcome_counts(self, start: float | None, end: float | None) -> list[OutcomeCount]:
        """Per volunteer and outcome code: outcomes recorded in the window."""
        where, params = _window("at", start, end)
        rows = await self._rows(
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
        where, params = _window("at", None, end)
        rows = await self._rows(
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
