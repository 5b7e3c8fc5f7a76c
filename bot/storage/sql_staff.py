"""The staff tables of both SQL backends: volunteers, invites, admin actions, and a resident's
/forget (households, their people, visits and outcomes are in :mod:`bot.storage.sql_households`).

A mixin of :class:`~bot.storage.sql.SqlTables`: the transactions here (using an invite, a
/forget) are generators of statements, run by whichever backend it is.
"""

from __future__ import annotations

import secrets
from typing import Any

from bot.core.privacy import mask
from bot.core.staff import VISIT_CHANNEL, AdminAction, InviteCheck, Volunteer, volunteer_name
from bot.core.types import SessionKey
from bot.storage.sql import Steps, count, one
from bot.storage.sql_handovers import HandoverTables
from bot.storage.sql_households import HouseholdTables

__all__ = ["StaffTables"]

_CODE_LETTERS = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read aloud and typed by hand


def _volunteer(row: Any) -> Volunteer:
    return Volunteer(
        id=row[0],
        key=SessionKey(row[1], row[2]),
        name=row[3],
        village=row[4],
        commune=row[5],
        code=row[6],
        active=bool(row[7]),
        joined_at=row[8],
    )


_VOLUNTEER_COLUMNS = "id, channel, user_id, name, village, commune, code, active, joined_at"


class StaffTables(HandoverTables, HouseholdTables):
    """Staff records."""

    # --- invites and volunteers ------------------------------------------------------------------

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
        """Store a new invite (only the hash of its code: the code itself is shown once)."""
        await self._count(
            "INSERT INTO invites (code_hash, village, commune, created_by, created_at, expires_at) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            (code_hash, village, commune, created_by, at, expires_at),
        )

    async def redeem_invite(
        self, code_hash: str, key: SessionKey, *, name: str, at: float
    ) -> tuple[InviteCheck, Volunteer | None]:
        """Use an invite once, atomically: the volunteer it creates, or why it cannot be used."""
        existing = await self.volunteer_for(key)
        if existing is not None:
            return "already", existing
        status = await self._atomic(_redeem(code_hash, key, name=volunteer_name(name), at=at))
        return status, (await self.volunteer_for(key) if status == "ok" else None)

    async def volunteer_for(self, key: SessionKey) -> Volunteer | None:
        """The active volunteer behind a chat, if any."""
        row = await self._one(
            f"SELECT {_VOLUNTEER_COLUMNS} FROM volunteers "
            "WHERE channel = ? AND user_id = ? AND active = 1",
            (key.channel, key.user_id),
        )
        return _volunteer(row) if row else None

    async def volunteer_by_code(self, code: str) -> Volunteer | None:
        """The active volunteer with this public code (from a QR poster)."""
        row = await self._one(
            f"SELECT {_VOLUNTEER_COLUMNS} FROM volunteers WHERE code = ? AND active = 1",
            (code.upper(),),
        )
        return _volunteer(row) if row else None

    async def volunteer_by_id(self, volunteer_id: int) -> Volunteer | None:
        """A volunteer by id, active or not."""
        row = await self._one(
            f"SELECT {_VOLUNTEER_COLUMNS} FROM volunteers WHERE id = ?", (volunteer_id,)
        )
        return _volunteer(row) if row else None

    async def rename_volunteer(self, volunteer_id: int, name: str) -> str:
        """Change the name a volunteer is shown by; returns the name as kept."""
        kept = volunteer_name(name)
        await self._count("UPDATE volunteers SET name = ? WHERE id = ?", (kept, volunteer_id))
        return kept

    async def volunteers(self) -> list[Volunteer]:
        """Every volunteer, active or not."""
        rows = await self._all(f"SELECT {_VOLUNTEER_COLUMNS} FROM volunteers ORDER BY id")
        return [_volunteer(row) for row in rows]

    async def deactivate_volunteer(self, volunteer_id: int, *, at: float) -> bool:
        """Stop a volunteer's access; True when there was such an active volunteer."""
        changed = await self._count(
            "UPDATE volunteers SET active = 0, deactivated_at = ? WHERE id = ? AND active = 1",
            (at, volunteer_id),
        )
        return bool(changed)

    async def activate_volunteer(self, volunteer_id: int) -> bool:
        """Give a deactivated volunteer their access back (same code, same households); True
        when there was such a deactivated volunteer."""
        changed = await self._count(
            "UPDATE volunteers SET active = 1, deactivated_at = NULL WHERE id = ? AND active = 0",
            (volunteer_id,),
        )
        return bool(changed)

    # --- what admins did -------------------------------------------------------------------------

    async def record_admin_action(self, action: AdminAction) -> None:
        """Keep a line of the admin log (refused attempts too)."""
        await self._count(
            "INSERT INTO admin_actions (actor, action, detail, allowed, at) VALUES (?, ?, ?, ?, ?)",
            (
                action.actor,
                action.action,
                mask(action.detail)[:500],
                int(action.allowed),
                action.at,
            ),
        )

    async def admin_actions(self) -> list[AdminAction]:
        """The admin log, oldest first."""
        rows = await self._all(
            "SELECT actor, action, detail, allowed, at FROM admin_actions ORDER BY id"
        )
        return [
            AdminAction(actor=r[0], action=r[1], detail=r[2], allowed=bool(r[3]), at=r[4])
            for r in rows
        ]

    # --- a resident's right to be forgotten ------------------------------------------------------

    async def forget(self, key: SessionKey, user_ref: str) -> dict[str, int]:
        """Delete everything kept about one resident; returns how many rows per table."""
        deleted = await self._atomic(_forget(key, user_ref))
        # A volunteer's households' sessions went too: none of them may come back from memory.
        self.forget_cached(None if deleted["volunteers"] else key)
        await self._scrub()
        return deleted


def _redeem(code_hash: str, key: SessionKey, *, name: str, at: float) -> Steps[InviteCheck]:
    """Check and use an invite in one transaction, so two people cannot both use it.

    The invite is claimed first, by an update that only matches an unused, unexpired one: in
    PostgreSQL a second process using the same code waits for this one and then matches nothing.
    """
    claimed = yield count(
        "UPDATE invites SET used_at = ? WHERE code_hash = ? AND used_by IS NULL "
        "AND expires_at >= ?",
        (at, code_hash, at),
    )
    invite = yield one(
        "SELECT village, commune, used_by FROM invites WHERE code_hash = ?", (code_hash,)
    )
    if invite is None:
        return "wrong"
    village, commune, used_by = invite
    if not claimed:
        return "used" if used_by is not None else "expired"
    while True:
        code = "".join(secrets.choice(_CODE_LETTERS) for _ in range(6))
        if (yield one("SELECT 1 FROM volunteers WHERE code = ?", (code,))) is None:
            break
    yield count(
        "INSERT INTO volunteers (channel, user_id, name, village, commune, code, active, "
        "joined_at) VALUES (?, ?, ?, ?, ?, ?, 1, ?) "
        "ON CONFLICT (channel, user_id) DO UPDATE SET name = excluded.name, "
        "village = excluded.village, commune = excluded.commune, active = 1, "
        "deactivated_at = NULL",
        (key.channel, key.user_id, name, village, commune, code, at),
    )
    volunteer = yield one(
        "SELECT id FROM volunteers WHERE channel = ? AND user_id = ?", (key.channel, key.user_id)
    )
    yield count(
        "UPDATE invites SET used_by = ?, used_at = ? WHERE code_hash = ?",
        (volunteer[0], at, code_hash),
    )
    return "ok"


def _forget(key: SessionKey, user_ref: str) -> Steps[dict[str, int]]:
    """The deletions of a resident's /forget, in one transaction."""
    deleted: dict[str, int] = {}
    resident = (key.channel, key.user_id)
    for table, where, params in (
        ("sessions", "channel = ? AND user_id = ?", resident),
        ("runs", "user_ref = ?", (user_ref,)),
        ("staff_alerts", "channel = ? AND user_id = ?", resident),
        ("outbox", "channel = ? AND user_id = ?", resident),
        ("unreachable", "channel = ? AND user_id = ?", resident),
        ("followups", "channel = ? AND user_id = ?", resident),
        # Their lines in the admin log (refused commands, wrong invite codes): "telegram:<id>".
        ("admin_actions", "actor = ?", (str(key),)),
        # Their requests for a person, and what was said in them.
        (
            "ticket_notes",
            "ticket_id IN (SELECT id FROM tickets WHERE channel = ? AND user_id = ?)",
            resident,
        ),
        ("tickets", "channel = ? AND user_id = ?", resident),
    ):
        deleted[table] = yield count(f"DELETE FROM {table} WHERE {where}", params)
    # The hand-over links they opened no longer say who opened them.
    yield count("UPDATE handovers SET used_by = '' WHERE used_by = ?", (user_ref,))
    # A staff member who helped residents: the requests they took no longer name them (the
    # requests stay, they are the residents'), and their on-duty setting goes.
    staff = (str(key),)
    yield count(
        "UPDATE ticket_notes SET name = '' WHERE author = 'staff' AND ticket_id IN "
        "(SELECT id FROM tickets WHERE taken_by = ?)",
        staff,
    )
    yield count(
        "UPDATE tickets SET taken_by = 'forgotten', taker_name = '' WHERE taken_by = ?", staff
    )
    yield count("DELETE FROM staff_duty WHERE staff = ?", staff)
    volunteer = yield one("SELECT id FROM volunteers WHERE channel = ? AND user_id = ?", resident)
    if volunteer is not None:
        yield from _forget_volunteer(int(volunteer[0]), deleted)
    # A volunteer's own record loses what identifies them, and their access: their households'
    # outcomes stay, without names, because they are the commune's figures, not about them.
    deleted["volunteers"] = yield count(
        "UPDATE volunteers SET user_id = 'forgotten-' || id, name = '', active = 0 "
        "WHERE channel = ? AND user_id = ?",
        resident,
    )
    # An admin's invites stay valid; who made them is forgotten.
    yield count("UPDATE invites SET created_by = 'forgotten' WHERE created_by = ?", (str(key),))
    return deleted


# The sessions (and reminders) of the people of a volunteer's households: "visit:<id>-<n>",
# except those a resident took over with a hand-over link: they are the resident's now.
_THEIR_PEOPLE = (
    "channel = ? AND EXISTS (SELECT 1 FROM households h WHERE h.volunteer_id = ? "
    "AND {table}.user_id LIKE CAST(h.id AS TEXT) || '-%') "
    "AND NOT EXISTS (SELECT 1 FROM handovers ho WHERE ho.used_at IS NOT NULL "
    "AND {table}.user_id = CAST(ho.household_id AS TEXT) || '-' || CAST(ho.member AS TEXT))"
)


def _forget_volunteer(volunteer_id: int, deleted: dict[str, int]) -> Steps[None]:
    """What a volunteer wrote about households goes with them: the names of households and
    people, their notes, and the guides in progress they ran (nobody could answer those
    reminders) but those handed over to a resident's own phone. What each visit came to
    stays, as numbers."""
    for table in ("sessions", "followups"):
        where = _THEIR_PEOPLE.format(table=table)
        deleted[table] += yield count(
            f"DELETE FROM {table} WHERE {where}", (VISIT_CHANNEL, volunteer_id)
        )
    deleted["household_members"] = yield count(
        "UPDATE household_members SET label = '', label_key = '' WHERE label_key != '' "
        "AND household_id IN (SELECT id FROM households WHERE volunteer_id = ?)",
        (volunteer_id,),
    )
    deleted["households"] = yield count(
        "UPDATE households SET label = '', label_key = 'forgotten-' || CAST(id AS TEXT) "
        "WHERE volunteer_id = ? AND label != ''",
        (volunteer_id,),
    )
    deleted["visit_outcomes"] = yield count(
        "UPDATE visit_outcomes SET note = '' WHERE volunteer_id = ? AND note != ''",
        (volunteer_id,),
    )
    yield count("DELETE FROM morning_lists WHERE volunteer_id = ?", (volunteer_id,))
    # Their hand-over links: one not used yet would still open a guide that is gone.
    deleted["handovers"] = yield count(
        "DELETE FROM handovers WHERE volunteer_id = ?", (volunteer_id,)
    )
