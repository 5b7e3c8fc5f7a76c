"""The staff tables of both SQL backends: volunteers, invites, households, visits, admin actions,
and a resident's /forget.

A mixin of :class:`~bot.storage.sql.SqlTables`: the transactions here (using an invite, a
/forget) are generators of statements, run by whichever backend it is.
"""

from __future__ import annotations

import secrets
from typing import Any

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
from bot.storage.sql import SqlTables, Steps, count, insert, one

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


class StaffTables(SqlTables):
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
        status = await self._atomic(_redeem(code_hash, key, name=name, at=at))
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

    # --- households and visits -------------------------------------------------------------------

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
        return (
            Household(id=row[0], volunteer_id=row[1], village=row[2], label=row[3]) if row else None
        )

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
        self, visit_id: int, flow_id: str, outcome: str, *, note: str, at: float
    ) -> None:
        """What came of a guide done during a visit (the note is masked and kept short)."""
        row = await self._one(
            "SELECT household_id, volunteer_id, village FROM visits WHERE id = ?", (visit_id,)
        )
        if row is None:
            raise ValueError(f"no visit {visit_id}")
        await self._count(
            "INSERT INTO visit_outcomes (visit_id, household_id, volunteer_id, village, flow_id, "
            "outcome, note, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (visit_id, row[0], row[1], row[2], flow_id, outcome, mask(note)[:300], at),
        )

    async def households_of(self, volunteer_id: int) -> list[HouseholdStatus]:
        """The volunteer's households, each with the latest outcome per service."""
        households = await self._all(
            "SELECT id, volunteer_id, village, label FROM households WHERE volunteer_id = ? "
            "ORDER BY village, label",
            (volunteer_id,),
        )
        latest = await self._all(
            "SELECT o.household_id, o.flow_id, o.outcome, o.at FROM visit_outcomes o "
            "WHERE o.volunteer_id = ? AND o.id = (SELECT MAX(i.id) FROM visit_outcomes i "
            "WHERE i.household_id = o.household_id AND i.flow_id = o.flow_id) ORDER BY o.at",
            (volunteer_id,),
        )
        by_household: dict[int, list[ServiceStatus]] = {}
        for household_id, flow_id, outcome, at in latest:
            by_household.setdefault(household_id, []).append(
                ServiceStatus(flow_id=flow_id, outcome=outcome, at=at)
            )
        return [
            HouseholdStatus(
                household=Household(id=r[0], volunteer_id=r[1], village=r[2], label=r[3]),
                services=tuple(by_household.get(r[0], ())),
            )
            for r in households
        ]

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
        self.forget_cached(key)
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
    ):
        deleted[table] = yield count(f"DELETE FROM {table} WHERE {where}", params)
    # A volunteer's own record loses what identifies them; their households' history stays,
    # because it is about the households, not about them.
    deleted["volunteers"] = yield count(
        "UPDATE volunteers SET user_id = 'forgotten-' || id, name = '', active = 0 "
        "WHERE channel = ? AND user_id = ?",
        resident,
    )
    # An admin's invites stay valid; who made them is forgotten.
    yield count("UPDATE invites SET created_by = 'forgotten' WHERE created_by = ?", (str(key),))
    return deleted
