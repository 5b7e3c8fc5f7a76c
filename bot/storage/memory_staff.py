"""The staff records of :class:`~bot.storage.memory.MemoryStorage` (volunteers, invites,
households, visits, the admin log) and a resident's /forget, as the SQLite backend keeps them."""

from __future__ import annotations

import secrets
from dataclasses import replace

from bot.core.matching import fold
from bot.core.privacy import mask
from bot.core.staff import (
    AdminAction,
    Household,
    HouseholdStatus,
    InviteCheck,
    ServiceStatus,
    Visit,
    Volunteer,
)
from bot.core.types import SessionKey
from bot.storage.memory_tables import InviteRow, MemoryTables, OutcomeRow

__all__ = ["MemoryStaff"]

_CODE_LETTERS = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"


class MemoryStaff(MemoryTables):
    """The :class:`~bot.storage.base.StaffStore` role in memory."""

    async def create_invite(
        self,
        code_hash: str,
        *,
        village: str,
        commune: str,
        created_by: str,
        at: float,
        expires_at: float,
    ) -> None:
        """Store a new invite (only the hash of its code)."""
        if code_hash in self._invites:
            raise ValueError("an invite with this code exists")
        self._invites[code_hash] = InviteRow(
            village=village, commune=commune, created_by=created_by, expires_at=expires_at
        )

    async def redeem_invite(
        self, code_hash: str, key: SessionKey, *, name: str, at: float
    ) -> tuple[InviteCheck, Volunteer | None]:
        """Use an invite once: the volunteer it creates, or why it cannot be used."""
        existing = await self.volunteer_for(key)
        if existing is not None:
            return "already", existing
        invite = self._invites.get(code_hash)
        if invite is None:
            return "wrong", None
        if invite.used_by is not None:
            return "used", None
        if invite.expires_at < at:
            return "expired", None
        codes = {v.code for v in self._volunteers.values()}
        code = ""
        while not code or code in codes:
            code = "".join(secrets.choice(_CODE_LETTERS) for _ in range(6))
        before = next((v for v in self._volunteers.values() if v.key == key), None)
        volunteer_id = before.id if before else len(self._volunteers) + 1
        volunteer = Volunteer(
            id=volunteer_id,
            key=key,
            name=name,
            village=invite.village,
            commune=invite.commune,
            code=before.code if before else code,
            active=True,
            joined_at=before.joined_at if before else at,
        )
        self._volunteers[volunteer_id] = volunteer
        invite.used_by = volunteer_id
        return "ok", volunteer

    async def volunteer_for(self, key: SessionKey) -> Volunteer | None:
        """The active volunteer behind a chat, if any."""
        return next((v for v in self._volunteers.values() if v.key == key and v.active), None)

    async def volunteer_by_code(self, code: str) -> Volunteer | None:
        """The active volunteer with this public code."""
        wanted = code.upper()
        return next((v for v in self._volunteers.values() if v.code == wanted and v.active), None)

    async def volunteers(self) -> list[Volunteer]:
        """Every volunteer, active or not."""
        return [self._volunteers[i] for i in sorted(self._volunteers)]

    async def deactivate_volunteer(self, volunteer_id: int, *, at: float) -> bool:
        """Stop a volunteer's access; True when there was such an active volunteer."""
        volunteer = self._volunteers.get(volunteer_id)
        if volunteer is None or not volunteer.active:
            return False
        self._volunteers[volunteer_id] = replace(volunteer, active=False)
        return True

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
            id=len(self._households) + 1, volunteer_id=volunteer_id, village=village, label=label
        )
        self._households[new.id] = (new, key)
        return new

    async def household_by_id(self, household_id: int) -> Household | None:
        """A household by its id."""
        found = self._households.get(household_id)
        return found[0] if found else None

    async def start_visit(self, volunteer_id: int, household: Household, *, at: float) -> Visit:
        """Open a visit to a household."""
        visit = Visit(
            id=len(self._visits) + 1,
            volunteer_id=volunteer_id,
            household_id=household.id,
            village=household.village,
            started_at=at,
        )
        self._visits[visit.id] = visit
        return visit

    async def end_visit(self, visit_id: int, *, at: float) -> None:
        """Close a visit (nothing else is kept about its end)."""

    async def record_outcome(
        self, visit_id: int, flow_id: str, outcome: str, *, note: str, at: float
    ) -> None:
        """What came of a guide done during a visit (the note is masked and kept short)."""
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
            )
        )

    async def households_of(self, volunteer_id: int) -> list[HouseholdStatus]:
        """The volunteer's households, each with the latest outcome per service."""
        mine = sorted(
            (h for h, _ in self._households.values() if h.volunteer_id == volunteer_id),
            key=lambda h: (h.village, h.label),
        )
        latest: dict[tuple[int, str], OutcomeRow] = {}
        for row in self._outcomes:
            if row.volunteer_id == volunteer_id:
                latest[(row.household_id, row.flow_id)] = row
        by_household: dict[int, list[OutcomeRow]] = {}
        for row in sorted(latest.values(), key=lambda r: r.at):
            by_household.setdefault(row.household_id, []).append(row)
        return [
            HouseholdStatus(
                household=h,
                services=tuple(
                    ServiceStatus(flow_id=r.flow_id, outcome=r.outcome, at=r.at)
                    for r in by_household.get(h.id, ())
                ),
            )
            for h in mine
        ]

    async def record_admin_action(self, action: AdminAction) -> None:
        """Keep a line of the admin log (refused attempts too)."""
        self._admin.append(replace(action, detail=mask(action.detail)[:500]))

    async def admin_actions(self) -> list[AdminAction]:
        """The admin log, oldest first."""
        return list(self._admin)

    async def forget(self, key: SessionKey, user_ref: str) -> dict[str, int]:
        """Delete everything kept about one resident; returns how many records per table."""
        actor = str(key)
        deleted = {
            "sessions": int(self._sessions.pop(key, None) is not None),
            "runs": sum(r.user == user_ref for r in self._runs),
            "staff_alerts": sum(a.key == key for a in self._alerts),
            "outbox": sum(r.key == key for r in self._outbox),
            "unreachable": int(key in self._unreachable),
            "followups": sum(f.key == key for f in self._followups),
            "admin_actions": sum(a.actor == actor for a in self._admin),
        }
        self._runs = [r for r in self._runs if r.user != user_ref]
        self._alerts = [a for a in self._alerts if a.key != key]
        self._outbox = [r for r in self._outbox if r.key != key]
        self._unreachable.discard(key)
        self._followups = [f for f in self._followups if f.key != key]
        self._admin = [a for a in self._admin if a.actor != actor]
        # A volunteer loses what identifies them; their households' history stays.
        forgotten = 0
        for volunteer in list(self._volunteers.values()):
            if volunteer.key == key:
                self._volunteers[volunteer.id] = replace(
                    volunteer,
                    key=SessionKey(key.channel, f"forgotten-{volunteer.id}"),
                    name="",
                    active=False,
                )
                forgotten += 1
        deleted["volunteers"] = forgotten
        for invite in self._invites.values():
            if invite.created_by == actor:
                invite.created_by = "forgotten"
        return deleted
