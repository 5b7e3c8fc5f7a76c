"""Households, their people, visits and outcomes, in both SQL backends.

A mixin of :class:`~bot.storage.sql.SqlTables` (the base of
:class:`~bot.storage.sql_staff.StaffTables`). A household belongs to the volunteer who
registered it; its people are numbered within it (1, 2, ...) and may be given a short name.
"""

from __future__ import annotations

from typing import Any

from bot.core.matching import fold
from bot.core.privacy import mask
from bot.core.staff import Household, HouseholdStatus, Member, ServiceStatus, Visit, member_label
from bot.storage.sql import SqlTables, Steps, count, insert, one

__all__ = ["HouseholdTables"]


def _household(row: Any) -> Household:
    return Household(id=row[0], volunteer_id=row[1], village=row[2], label=row[3])


class HouseholdTables(SqlTables):
    """Households, people, visits and outcomes."""

    async def household(
        self, volunteer_id: int, village: str, label: str, *, at: float
    ) -> Household:
        """The volunteer's household with this label in the village, created the first time.

        Labels are compared without accents, case or spacing, so "Hộ 12, ông Ba" and
        "ho 12 ong ba" are the same household; whatever looks like an ID or phone is masked.
        """
        label = mask(" ".join(label.split()))[:80]
        key = fold(label)
        await self._count(
            "INSERT INTO households (volunteer_id, village, label, label_key, created_at) "
            "VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
            (volunteer_id, village, label, key, at),
        )
        row = await self._one(
            "SELECT id, label FROM households WHERE volunteer_id = ? AND village = ? "
            "AND label_key = ?",
            (volunteer_id, village, key),
        )
        return Household(id=row[0], volunteer_id=volunteer_id, village=village, label=row[1])

    async def household_by_id(self, household_id: int) -> Household | None:
        """A household by its id."""
        row = await self._one(
            "SELECT id, volunteer_id, village, label FROM households WHERE id = ?", (household_id,)
        )
        return _household(row) if row else None

    # --- people ----------------------------------------------------------------------------------

    async def members(self, household_id: int) -> list[Member]:
        """The people of a household, by number."""
        rows = await self._all(
            "SELECT number, label FROM household_members WHERE household_id = ? ORDER BY number",
            (household_id,),
        )
        return [Member(household_id=household_id, number=r[0], label=r[1]) for r in rows]

    async def add_member(self, household_id: int, label: str, *, at: float) -> Member:
        """The person with this label (the same label: the same person), or a new one numbered
        after the others; an empty label adds someone not named yet."""
        kept, key = member_label(label)
        return await self._atomic(_add_member(household_id, kept, key, at))

    async def name_member(self, household_id: int, number: int, label: str) -> Member | None:
        """Give a name to a person not named yet; None if they have one, or another person of
        the household has this one."""
        kept, key = member_label(label)
        if not key:
            return None
        changed = await self._count(
            "UPDATE household_members SET label = ?, label_key = ? WHERE household_id = ? "
            "AND number = ? AND label_key = '' AND NOT EXISTS (SELECT 1 FROM household_members "
            "o WHERE o.household_id = ? AND o.label_key = ?)",
            (kept, key, household_id, number, household_id, key),
        )
        return Member(household_id=household_id, number=number, label=kept) if changed else None

    # --- visits and outcomes ---------------------------------------------------------------------

    async def start_visit(self, volunteer_id: int, household: Household, *, at: float) -> Visit:
        """Open a visit to a household."""
        visit_id = await self._run(
            insert(
                "INSERT INTO visits (volunteer_id, household_id, village, started_at) "
                "VALUES (?, ?, ?, ?)",
                (volunteer_id, household.id, household.village, at),
            )
        )
        return Visit(
            id=int(visit_id),
            volunteer_id=volunteer_id,
            household_id=household.id,
            village=household.village,
            started_at=at,
        )

    async def end_visit(self, visit_id: int, *, at: float) -> None:
        """Close a visit."""
        await self._count(
            "UPDATE visits SET ended_at = ? WHERE id = ? AND ended_at IS NULL", (at, visit_id)
        )

    async def record_outcome(
        self, visit_id: int, flow_id: str, outcome: str, *, note: str, at: float, member: int = 1
    ) -> None:
        """What came of a guide done with a household's ``member``-th person during a visit
        (the note is masked and kept short)."""
        row = await self._one(
            "SELECT household_id, volunteer_id, village FROM visits WHERE id = ?", (visit_id,)
        )
        if row is None:
            raise ValueError(f"no visit {visit_id}")
        await self._count(
            "INSERT INTO visit_outcomes (visit_id, household_id, volunteer_id, village, flow_id, "
            "outcome, note, at, member) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (visit_id, row[0], row[1], row[2], flow_id, outcome, mask(note)[:300], at, member),
        )

    async def households_of(self, volunteer_id: int) -> list[HouseholdStatus]:
        """The volunteer's households, each with its people and the latest outcome per person
        and service."""
        households = await self._all(
            "SELECT id, volunteer_id, village, label FROM households WHERE volunteer_id = ? "
            "ORDER BY village, label",
            (volunteer_id,),
        )
        latest = await self._all(
            "SELECT o.household_id, o.flow_id, o.outcome, o.at, o.member, o.note "
            "FROM visit_outcomes o WHERE o.volunteer_id = ? AND o.id = (SELECT MAX(i.id) "
            "FROM visit_outcomes i WHERE i.household_id = o.household_id "
            "AND i.member = o.member AND i.flow_id = o.flow_id) ORDER BY o.at, o.id",
            (volunteer_id,),
        )
        people = await self._all(
            "SELECT m.household_id, m.number, m.label FROM household_members m "
            "JOIN households h ON h.id = m.household_id WHERE h.volunteer_id = ? "
            "ORDER BY m.household_id, m.number",
            (volunteer_id,),
        )
        services: dict[int, list[ServiceStatus]] = {}
        for household_id, flow_id, outcome, at, member, note in latest:
            services.setdefault(household_id, []).append(
                ServiceStatus(flow_id=flow_id, outcome=outcome, at=at, member=member, note=note)
            )
        members: dict[int, list[Member]] = {}
        for household_id, number, label in people:
            members.setdefault(household_id, []).append(
                Member(household_id=household_id, number=number, label=label)
            )
        return [
            HouseholdStatus(
                household=_household(r),
                services=tuple(services.get(r[0], ())),
                members=tuple(members.get(r[0], ())),
            )
            for r in households
        ]


def _add_member(household_id: int, label: str, key: str, at: float) -> Steps[Member]:
    """Find or add a person in one transaction, so two people never get the same number."""
    if key:
        found = yield one(
            "SELECT number, label FROM household_members WHERE household_id = ? "
            "AND label_key = ?",
            (household_id, key),
        )
        if found is not None:
            return Member(household_id=household_id, number=found[0], label=found[1])
    row = yield one(
        "SELECT MAX(number) FROM household_members WHERE household_id = ?", (household_id,)
    )
    number = int(row[0] or 0) + 1 if row else 1
    yield count(
        "INSERT INTO household_members (household_id, number, label, label_key, created_at) "
        "VALUES (?, ?, ?, ?, ?)",
        (household_id, number, label, key, at),
    )
    return Member(household_id=household_id, number=number, label=label)
