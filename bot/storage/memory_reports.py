"""Report queries and purges of :class:`~bot.storage.memory.MemoryStorage`, in plain Python:
the same rows the SQLite backend's queries give (the conformance suite compares them)."""

from __future__ import annotations

from bot.core.session import Session
from bot.storage.memory_tables import OutcomeRow
from bot.storage.memory_tickets import MemoryTickets
from bot.storage.records import (
    PURGE_TABLES,
    HouseholdService,
    OpenRun,
    OutcomeCount,
    PersonOutcome,
    RunRow,
    VisitCount,
    VolunteerRow,
)

__all__ = ["MemoryReports"]


def _inside(at: float, start: float | None, end: float | None) -> bool:
    return (start is None or at >= start) and (end is None or at < end)


class MemoryReports(MemoryTickets):
    """The :class:`~bot.storage.base.ReportQueries` and :class:`~bot.storage.base.PurgeStore`
    roles in memory."""

    def _village_of(self, volunteer_id: int | None) -> str:
        volunteer = self._volunteers.get(volunteer_id) if volunteer_id is not None else None
        return volunteer.village if volunteer is not None else ""

    async def runs_started(self, start: float | None, end: float | None) -> list[RunRow]:
        """Finished runs that started in the window, oldest first."""
        rows = [
            RunRow(
                user_ref=r.user,
                flow_id=r.run.flow_id,
                started_at=r.run.started_at,
                ended_at=r.run.ended_at,
                outcome=r.run.outcome,
                path=tuple(r.run.path),
                parent_flow=r.run.parent_flow,
                mode=r.run.mode,
                volunteer_id=r.run.volunteer_id,
                village=r.run.village or self._village_of(r.run.volunteer_id),
            )
            for r in self._runs
            if _inside(r.run.started_at, start, end)
        ]
        return sorted(rows, key=lambda r: r.started_at)  # stable: logged order breaks ties

    async def open_runs(self, start: float | None, end: float | None) -> list[OpenRun]:
        """The outermost flow of every session in the middle of one, started in the window."""
        found: list[OpenRun] = []
        for row in self._sessions.values():
            try:
                session = Session.from_json(row.state)
            except (ValueError, KeyError, TypeError, AttributeError):
                continue
            if not session.stack or not _inside(session.stack[0].started_at, start, end):
                continue
            root = session.stack[0]
            village = str(root.credit.get("village") or "")
            volunteer = root.credit.get("volunteer_id")
            # Credited only to a volunteer who exists (the SQL joins the volunteers table).
            known = (
                isinstance(volunteer, int)
                and not isinstance(volunteer, bool)
                and volunteer in self._volunteers
            )
            if not village and known:
                village = self._village_of(volunteer)
            found.append(
                OpenRun(
                    flow_id=root.flow_id,
                    started_at=root.started_at,
                    path=tuple(str(step) for step in root.path),
                    village=village,
                    mode=str(root.credit.get("mode") or "self"),
                    volunteer_id=volunteer if known and isinstance(volunteer, int) else None,
                )
            )
        return found

    async def volunteer_rows(self) -> list[VolunteerRow]:
        """Every volunteer, by village then code."""
        rows = [
            VolunteerRow(id=v.id, code=v.code, name=v.name, village=v.village, active=v.active)
            for v in self._volunteers.values()
        ]
        return sorted(rows, key=lambda r: (r.village, r.code))

    async def active_volunteer(self, code: str) -> VolunteerRow | None:
        """The active volunteer whose public code is ``code``."""
        wanted = code.strip().upper()
        return next((r for r in await self.volunteer_rows() if r.code == wanted and r.active), None)

    async def visit_counts(self, start: float | None, end: float | None) -> list[VisitCount]:
        """Per volunteer: visits started in the window and the distinct households."""
        visits: dict[int, list[int]] = {}
        for visit in self._visits.values():
            if _inside(visit.started_at, start, end):
                visits.setdefault(visit.volunteer_id, []).append(visit.household_id)
        return [
            VisitCount(volunteer_id=v, visits=len(homes), households=len(set(homes)))
            for v, homes in sorted(visits.items())
        ]

    async def outcome_counts(self, start: float | None, end: float | None) -> list[OutcomeCount]:
        """Per volunteer and outcome code: outcomes recorded in the window."""
        counts: dict[tuple[int, str], int] = {}
        for row in self._outcomes:
            if _inside(row.at, start, end):
                counts[(row.volunteer_id, row.outcome)] = (
                    counts.get((row.volunteer_id, row.outcome), 0) + 1
                )
        return [
            OutcomeCount(volunteer_id=v, outcome=o, count=n) for (v, o), n in sorted(counts.items())
        ]

    async def household_services(self, end: float | None) -> list[HouseholdService]:
        """The latest outcome of every (household, flow) recorded before ``end``."""
        latest: dict[tuple[int, str], OutcomeRow] = {}
        for row in self._outcomes:
            if not _inside(row.at, None, end):
                continue
            key = (row.household_id, row.flow_id)
            if key not in latest or (row.at, row.id) > (latest[key].at, latest[key].id):
                latest[key] = row
        services = []
        for (household_id, flow_id), row in sorted(latest.items()):
            household = self._households.get(household_id)
            services.append(
                HouseholdService(
                    volunteer_id=household[0].volunteer_id if household else row.volunteer_id,
                    household_id=household_id,
                    village=household[0].village if household else row.village,
                    flow_id=flow_id,
                    outcome=row.outcome,
                )
            )
        return services

    async def person_outcomes(self, start: float | None, end: float | None) -> list[PersonOutcome]:
        """Every outcome recorded in the window, per person, oldest first (then by recording)."""
        found = []
        for row in sorted(self._outcomes, key=lambda o: (o.at, o.id)):
            if not _inside(row.at, start, end):
                continue
            household = self._households.get(row.household_id)
            found.append(
                PersonOutcome(
                    volunteer_id=household[0].volunteer_id if household else row.volunteer_id,
                    household_id=row.household_id,
                    member=row.member,
                    village=household[0].village if household else row.village,
                    flow_id=row.flow_id,
                    outcome=row.outcome,
                    at=row.at,
                )
            )
        return found

    # --- purges ----------------------------------------------------------------------------------

    def _old(self, cutoff: float) -> dict[str, list[object]]:
        """What is old in each table (the one rule that both counts and deletes)."""
        old: dict[str, list[object]] = {
            "runs": [r for r in self._runs if r.run.ended_at < cutoff],
            "visit_outcomes": [o for o in self._outcomes if o.at < cutoff],
            **self._idle_households(cutoff),
            "staff_alerts": [a for a in self._alerts if a.alert.at < cutoff],
            "outbox": [],  # replies are forgotten once sent; one still waiting is never old
            "processed_updates": [k for k, at in self._processed.items() if at < cutoff],
            "sessions": [k for k, s in self._sessions.items() if s.updated_at < cutoff],
            "admin_actions": [a for a in self._admin if a.at < cutoff],
            "handovers": [
                t
                for t, r in self._handovers.items()
                if (r.used_at if r.used_at is not None else r.handover.expires_at) < cutoff
            ],
            **self._old_tickets(cutoff),
        }
        assert tuple(old) == PURGE_TABLES
        return old

    async def count_old(self, cutoff: float) -> dict[str, int]:
        """How many records of each table :meth:`purge_old` would delete."""
        return {table: len(rows) for table, rows in self._old(cutoff).items()}

    async def purge_old(self, cutoff: float) -> dict[str, int]:
        """Delete every record older than ``cutoff``; returns the count per table."""
        old = self._old(cutoff)
        self._forget_idle(old)
        self._runs = [r for r in self._runs if r.run.ended_at >= cutoff]
        self._outcomes = [o for o in self._outcomes if o.at >= cutoff]
        self._alerts = [a for a in self._alerts if a.alert.at >= cutoff]
        self._processed = {k: at for k, at in self._processed.items() if at >= cutoff}
        self._sessions = {k: s for k, s in self._sessions.items() if s.updated_at >= cutoff}
        self._admin = [a for a in self._admin if a.at >= cutoff]
        used_up = set(old["handovers"])
        self._handovers = {t: r for t, r in self._handovers.items() if t not in used_up}
        self._purge_tickets(cutoff, old)
        return {table: len(rows) for table, rows in old.items()}
