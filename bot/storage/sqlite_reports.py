"""The SQL behind leaders' reports and QR posters: plain rows out of the SQLite file.

Every function takes the open connection of :class:`bot.storage.sqlite.SqliteStorage` (its
``db``), so the database driver is still imported in one place. Nothing here decides what a
number means: that is :mod:`bot.reports.build`, which turns these rows into a report.

Time windows are half-open ``[start, end)`` in epoch seconds; ``None`` means "no bound".
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

__all__ = [
    "DoneHousehold",
    "HouseholdService",
    "OpenRun",
    "OutcomeCount",
    "RunRow",
    "VisitCount",
    "VolunteerRow",
    "active_volunteer",
    "done_households",
    "household_services",
    "open_runs",
    "outcome_counts",
    "runs_started",
    "visit_counts",
    "volunteers",
]


@dataclass(frozen=True, slots=True, kw_only=True)
class RunRow:
    """A finished run, with the village it is credited to already worked out."""

    user_ref: str
    flow_id: str
    started_at: float
    ended_at: float
    outcome: str
    path: tuple[str, ...]
    parent_flow: str
    mode: str
    volunteer_id: int | None
    village: str


@dataclass(frozen=True, slots=True, kw_only=True)
class OpenRun:
    """The outermost flow of a session still in progress (read from the session's JSON)."""

    flow_id: str
    started_at: float
    path: tuple[str, ...]
    village: str


@dataclass(frozen=True, slots=True, kw_only=True)
class DoneHousehold:
    """A household with at least one 'done' outcome for a flow, and when it was first done."""

    flow_id: str
    household_id: int
    village: str
    first_done_at: float


@dataclass(frozen=True, slots=True, kw_only=True)
class VolunteerRow:
    """A volunteer as reports show them (their public code, never their chat id)."""

    id: int
    code: str
    name: str
    village: str
    active: bool


@dataclass(frozen=True, slots=True, kw_only=True)
class VisitCount:
    """How many visits a volunteer started in the window, and to how many households."""

    volunteer_id: int
    visits: int
    households: int


@dataclass(frozen=True, slots=True, kw_only=True)
class OutcomeCount:
    """How many outcomes of one kind a volunteer recorded in the window."""

    volunteer_id: int
    outcome: str
    count: int


@dataclass(frozen=True, slots=True, kw_only=True)
class HouseholdService:
    """The latest outcome of one service (flow) for one household, as of the window's end."""

    volunteer_id: int
    household_id: int
    village: str
    flow_id: str
    outcome: str


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


async def _rows(db: Any, query: str, params: list[Any] | tuple[Any, ...] = ()) -> list[Any]:
    async with db.execute(query, tuple(params)) as cursor:
        return list(await cursor.fetchall())


async def runs_started(db: Any, start: float | None, end: float | None) -> list[RunRow]:
    """Finished runs (root and sub-flow) that started in the window, oldest first.

    A run's village is its own (a visit or a poster recorded it) or else its volunteer's:
    runs logged before the credit columns were filled still land in the right village.
    """
    where, params = _window("r.started_at", start, end)
    rows = await _rows(
        db,
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


def _path(text: str) -> tuple[str, ...]:
    try:
        steps = json.loads(text)
    except ValueError:
        return ()
    return tuple(str(step) for step in steps) if isinstance(steps, list) else ()


async def open_runs(db: Any, start: float | None, end: float | None) -> list[OpenRun]:
    """The outermost flow of every session in the middle of one, if it started in the window.

    Only the bottom frame of a session's stack is read: a sub-flow (or the welcome flow) on top
    of it belongs to the flow that called it. The JSON is read here rather than through
    ``Session.from_json`` so a session written by a newer bot still counts.
    """
    volunteer_villages = {row.id: row.village for row in await volunteers(db)}
    found: list[OpenRun] = []
    for (state,) in await _rows(db, "SELECT state FROM sessions"):
        try:
            stack = json.loads(state).get("stack") or []
            root = stack[0] if stack else None
            if not isinstance(root, dict):
                continue
            started = float(root["t0"])
            flow_id = str(root["flow"])
        except (ValueError, KeyError, TypeError, AttributeError):
            continue  # a session the bot itself could not read either: nothing to count
        if (start is not None and started < start) or (end is not None and started >= end):
            continue
        credit = root.get("credit")
        credit = credit if isinstance(credit, dict) else {}
        village = str(credit.get("village") or "")
        volunteer = credit.get("volunteer_id")
        if not village and isinstance(volunteer, int):
            village = volunteer_villages.get(volunteer, "")
        path = root.get("path")
        path = path if isinstance(path, list) else []
        found.append(
            OpenRun(
                flow_id=flow_id,
                started_at=started,
                path=tuple(str(step) for step in path),
                village=village,
            )
        )
    return found


async def done_households(db: Any, start: float | None, end: float | None) -> list[DoneHousehold]:
    """Each (flow, household) with a 'done' outcome in the window, once, with its village.

    A household visited on several days has several outcome rows; grouping here is what makes it
    count once. Its village is the household's own (the one it was registered in).
    """
    where, params = _window("o.at", start, end)
    rows = await _rows(
        db,
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


async def volunteers(db: Any) -> list[VolunteerRow]:
    """Every volunteer, active or not, by village then code."""
    rows = await _rows(
        db, "SELECT id, code, name, village, active FROM volunteers ORDER BY village, code"
    )
    return [
        VolunteerRow(id=r[0], code=r[1], name=r[2], village=r[3], active=bool(r[4])) for r in rows
    ]


async def active_volunteer(db: Any, code: str) -> VolunteerRow | None:
    """The active volunteer whose public code is ``code`` (codes are upper case)."""
    rows = await _rows(
        db,
        "SELECT id, code, name, village, active FROM volunteers WHERE code = ? AND active = 1",
        (code.strip().upper(),),
    )
    if not rows:
        return None
    r = rows[0]
    return VolunteerRow(id=r[0], code=r[1], name=r[2], village=r[3], active=bool(r[4]))


async def visit_counts(db: Any, start: float | None, end: float | None) -> list[VisitCount]:
    """Per volunteer: visits started in the window and the distinct households they went to."""
    where, params = _window("started_at", start, end)
    rows = await _rows(
        db,
        "SELECT volunteer_id, COUNT(*), COUNT(DISTINCT household_id) FROM visits "
        f"WHERE {where} GROUP BY volunteer_id",
        params,
    )
    return [VisitCount(volunteer_id=r[0], visits=r[1], households=r[2]) for r in rows]


async def outcome_counts(db: Any, start: float | None, end: float | None) -> list[OutcomeCount]:
    """Per volunteer and outcome code: outcomes recorded in the window."""
    where, params = _window("at", start, end)
    rows = await _rows(
        db,
        "SELECT volunteer_id, outcome, COUNT(*) FROM visit_outcomes "
        f"WHERE {where} GROUP BY volunteer_id, outcome",
        params,
    )
    return [OutcomeCount(volunteer_id=r[0], outcome=r[1], count=r[2]) for r in rows]


async def household_services(db: Any, end: float | None) -> list[HouseholdService]:
    """The latest outcome of every (household, flow) recorded before ``end``.

    "Latest" is by time, then by row id for two outcomes in the same second. The household is
    listed under the volunteer who registered it (households are one volunteer's labels).
    """
    where, params = _window("at", None, end)
    rows = await _rows(
        db,
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
