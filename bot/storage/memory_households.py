"""Households, their people, visits and outcomes in :class:`~bot.storage.memory.MemoryStorage`,
as the SQL backends keep them (:mod:`bot.storage.sql_households`)."""

from __future__ import annotations

from dataclasses import replace

from bot.core.matching import fold
from bot.core.privacy import mask
from bot.core.staff import Household, HouseholdStatus, Member, ServiceStatus, Visit, member_label
from bot.storage.memory_tables import MemberRow, OutcomeRow
from bot.storage.memory_tickets import MemoryTickets

__all__ = ["MemoryHouseholds"]


class MemoryHouseholds(MemoryTickets):
    """Households, people, visits and outcomes, in memory."""

    async def household(
        self, volunteer_id: int, village: str, label: str, *, at: float
    ) -> Household:
        """The volunteer's household with this label in the village, created the first time."""
        label = mask(" ".join(label.split()))[:80]
        key = fold(label)
        for household, label_key in self._households.values():
            if (household.volunteer_id, household.village, label_key) == (
                volunteer_id,
                village,
                key,
            ):
                return household
        new = Household(
            id=max(self._households, default=0) + 1,
            volunteer_id=volunteer_id,
            village=village,
            label=label,
        )
        self._households[new.id] = (new, key)
        self._household_created[new.id] = at
        return new

    async def household_by_id(self, household_id: int) -> Household | None:
        """A household by its id."""
        found = self._households.get(household_id)
        return found[0] if found else None

    async def members(self, household_id: int) -> list[Member]:
        """The people of a household, by number."""
        return [
            row.member
            for (household, _number), row in sorted(self._members.items())
            if household == household_id
        ]

    async def add_member(self, household_id: int, label: str, *, at: float) -> Member:
        """The person with this label, or a new one numbered after the others."""
        kept, key = member_label(label)
        numbers = [n for (h, n) in self._members if h == household_id]
        for number in numbers:
            row = self._members[(household_id, number)]
            if key and row.label_key == key:
                return row.member
        member = Member(household_id=household_id, number=max(numbers, default=0) + 1, label=kept)
        self._members[(household_id, member.number)] = MemberRow(
            member=member, label_key=key, created_at=at
        )
        return member

    async def name_member(self, household_id: int, number: int, label: str) -> Member | None:
        """Give a name to a person not named yet (None: named already, or the name is taken)."""
        kept, key = member_label(label)
        row = self._members.get((household_id, number))
        taken = any(
            h == household_id and other.label_key == key
            for (h, _n), other in self._members.items()
        )
        if not key or row is None or row.label_key or taken:
            return None
        member = replace(row.member, label=kept)
        self._members[(household_id, number)] = replace(row, member=member, label_key=key)
        return member

    async def start_visit(self, volunteer_id: int, household: Household, *, at: float) -> Visit:
        """Open a visit to a household."""
        visit = Visit(
            id=max(self._visits, default=0) + 1,
            volunteer_id=volunteer_id,
            household_id=household.id,
            village=household.village,
            started_at=at,
        )
        self._visits[visit.id] = visit
        return visit

    async def end_visit(self, visit_id: int, *, at: float) -> None:
        """Close a visit."""
        if visit_id in self._visits:
            self._visit_ended.setdefault(visit_id, at)

    async def record_outcome(
        self, visit_id: int, flow_id: str, outcome: str, *, note: str, at: float, member: int = 1
    ) -> None:
        """What came of a guide done with a household's ``member``-th person during a visit."""
        visit = self._visits.get(visit_id)
        if visit is None:
            raise ValueError(f"no visit {visit_id}")
        self._outcomes.append(
            OutcomeRow(
                id=max((o.id for o in self._outcomes), default=0) + 1,
                visit_id=visit_id,
                household_id=visit.household_id,
                volunteer_id=visit.volunteer_id,
                village=visit.village,
                flow_id=flow_id,
                outcome=outcome,
                note=mask(note)[:300],
                at=at,
                member=member,
            )
        )

    async def households_of(self, volunteer_id: int) -> list[HouseholdStatus]:
        """The volunteer's households, each with its people and the latest outcome per person
        and service."""
        mine = sorted(
            (h for h, _ in self._households.values() if h.volunteer_id == volunteer_id),
            key=lambda h: (h.village, h.label),
        )
        latest: dict[tuple[int, int, str], OutcomeRow] = {}
        for row in self._outcomes:
            if row.volunteer_id == volunteer_id:
                latest[(row.household_id, row.member, row.flow_id)] = row
        by_household: dict[int, list[OutcomeRow]] = {}
        for row in sorted(latest.values(), key=lambda r: (r.at, r.id)):
            by_household.setdefault(row.household_id, []).append(row)
        return [
            HouseholdStatus(
                household=h,
                services=tuple(
                    ServiceStatus(
                        flow_id=r.flow_id, outcome=r.outcome, at=r.at, member=r.member, note=r.note
                    )
                    for r in by_household.get(h.id, ())
                ),
                members=tuple(await self.members(h.id)),
            )
            for h in mine
        ]
