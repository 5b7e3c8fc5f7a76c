"""The staff records of :class:`~bot.storage.memory.MemoryStorage` (volunteers, invites, the
admin log; households and visits in :mod:`bot.storage.memory_households`) and a resident's
/forget, as the SQL backends keep them."""

from __future__ import annotations

import secrets
from dataclasses import replace

from bot.core.privacy import mask
from bot.core.staff import (
    AdminAction,
    Handover,
    HandoverCheck,
    InviteCheck,
    Volunteer,
    member_of,
    volunteer_name,
)
from bot.core.types import SessionKey
from bot.storage.memory_households import MemoryHouseholds
from bot.storage.memory_tables import HandoverRow, InviteRow

__all__ = ["MemoryStaff"]

_CODE_LETTERS = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"


class MemoryStaff(MemoryHouseholds):
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
            name=volunteer_name(name),
            village=invite.village,
            commune=invite.commune,
            code=before.code if before else code,
            active=True,
            joined_at=before.joined_at if before else at,
        )
        self._volunteers[volunteer_id] = volunteer
        invite.used_by = volunteer_id
        return "ok", volunteer

    async def create_handover(
        self,
        token_hash: str,
        *,
        household_id: int,
        member: int,
        visit_id: int,
        volunteer_id: int,
        at: float,
        expires_at: float,
    ) -> None:
        """Store a new hand-over link (only the hash of its token)."""
        if token_hash in self._handovers:
            raise ValueError("a hand-over with this token exists")
        self._handovers[token_hash] = HandoverRow(
            handover=Handover(
                household_id=household_id,
                member=member,
                visit_id=visit_id,
                volunteer_id=volunteer_id,
                created_at=at,
                expires_at=expires_at,
            )
        )

    async def claim_handover(
        self, token_hash: str, *, by: str, at: float
    ) -> tuple[HandoverCheck, Handover | None]:
        """Use a hand-over link once: whose guide it continues, or why it cannot (the chat
        that took it, ``by``, may open it again)."""
        row = self._handovers.get(token_hash)
        if row is None:
            return "wrong", None
        if row.used_at is not None:
            return ("ok", row.handover) if by and row.used_by == by else ("used", None)
        if row.handover.expires_at < at:
            return "expired", None
        row.used_at, row.used_by = at, by
        return "ok", row.handover

    async def volunteer_for(self, key: SessionKey) -> Volunteer | None:
        """The active volunteer behind a chat, if any."""
        return next((v for v in self._volunteers.values() if v.key == key and v.active), None)

    async def volunteer_by_code(self, code: str) -> Volunteer | None:
        """The active volunteer with this public code."""
        wanted = code.upper()
        return next((v for v in self._volunteers.values() if v.code == wanted and v.active), None)

    async def volunteer_by_id(self, volunteer_id: int) -> Volunteer | None:
        """A volunteer by id, active or not."""
        return self._volunteers.get(volunteer_id)

    async def rename_volunteer(self, volunteer_id: int, name: str) -> str:
        """Change the name a volunteer is shown by; returns the name as kept."""
        kept = volunteer_name(name)
        volunteer = self._volunteers.get(volunteer_id)
        if volunteer is not None:
            self._volunteers[volunteer_id] = replace(volunteer, name=kept)
        return kept

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

    async def activate_volunteer(self, volunteer_id: int) -> bool:
        """Give a deactivated volunteer their access back; True when there was one."""
        volunteer = self._volunteers.get(volunteer_id)
        if volunteer is None or volunteer.active:
            return False
        self._volunteers[volunteer_id] = replace(volunteer, active=True)
        return True

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
        for link in self._handovers.values():
            if link.used_by == user_ref:
                link.used_by = ""
        self._forget_tickets(key, deleted)
        # A volunteer loses what identifies them, and their access; their households'
        # outcomes stay, without names.
        forgotten = 0
        for volunteer in list(self._volunteers.values()):
            if volunteer.key == key:
                self._forget_volunteer(volunteer.id, deleted)
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

    def _forget_volunteer(self, volunteer_id: int, deleted: dict[str, int]) -> None:
        """The names of their households and people, their notes, and the guides in progress
        they ran for those people, with their reminders."""
        homes = {h.id for h, _key in self._households.values() if h.volunteer_id == volunteer_id}

        taken = {
            (r.handover.household_id, r.handover.member)
            for r in self._handovers.values()
            if r.used_at is not None
        }

        def theirs(key: SessionKey) -> bool:
            # A person's guide a resident took over with a hand-over link is the resident's.
            person = member_of(key)
            return person is not None and person[0] in homes and person not in taken

        people = [key for key in self._sessions if theirs(key)]
        for person in people:
            del self._sessions[person]
        deleted["sessions"] += len(people)
        kept = [f for f in self._followups if not theirs(f.key)]
        deleted["followups"] += len(self._followups) - len(kept)
        self._followups = kept
        named = [k for k, row in self._members.items() if k[0] in homes and row.label_key]
        for k in named:
            row = self._members[k]
            self._members[k] = replace(row, member=replace(row.member, label=""), label_key="")
        deleted["household_members"] = len(named)
        labelled = [h for h in homes if self._households[h][0].label]
        for h in labelled:
            household, _key = self._households[h]
            self._households[h] = (replace(household, label=""), f"forgotten-{h}")
        deleted["households"] = len(labelled)
        noted = [o for o in self._outcomes if o.volunteer_id == volunteer_id and o.note]
        self._outcomes = [
            replace(o, note="") if o.volunteer_id == volunteer_id else o for o in self._outcomes
        ]
        deleted["visit_outcomes"] = len(noted)
        self._morning = {k: lease for k, lease in self._morning.items() if k[0] != volunteer_id}
        theirs_links = [
            t for t, r in self._handovers.items() if r.handover.volunteer_id == volunteer_id
        ]
        for token_hash in theirs_links:
            del self._handovers[token_hash]
        deleted["handovers"] = len(theirs_links)
