"""The staff tables of the SQLite store: volunteers, invites, households, visits, admin actions.

A mixin of :class:`bot.storage.sqlite.SqliteStorage`: it only uses the connection that class
opened, so the database driver is still imported in one place.
"""

from __future__ import annotations

import secrets
import sqlite3
from collections.abc import Callable
from typing import Any, TypeVar

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

__all__ = ["StaffTables"]

T = TypeVar("T")

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


class StaffTables:
    """Staff records; ``self.db`` is the open connection of the storage."""

    db: Any

    async def _write(self, operation: Callable[[sqlite3.Connection], T]) -> T:
        raise NotImplementedError  # provided by SqliteStorage

    def forget_cached(self, key: SessionKey | None = None) -> None:
        raise NotImplementedError  # provided by SqliteStorage

    async def compact(self, *, wait: float | None = None) -> bool:
        raise NotImplementedError  # provided by SqliteStorage

    async def _fetchone(self, query: str, params: tuple[Any, ...] = ()) -> Any:
        async with self.db.execute(query, params) as cursor:
            return await cursor.fetchone()

    async def _fetchall(self, query: str, params: tuple[Any, ...] = ()) -> list[Any]:
        async with self.db.execute(query, params) as cursor:
            return list(await cursor.fetchall())

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
        await self.db.execute(
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
        status: InviteCheck = await self._write(
            lambda conn: _redeem(conn, code_hash, key, name=name, at=at)
        )
        return status, (await self.volunteer_for(key) if status == "ok" else None)

    async def volunteer_for(self, key: SessionKey) -> Volunteer | None:
        """The active volunteer behind a chat, if any."""
        row = await self._fetchone(
            f"SELECT {_VOLUNTEER_COLUMNS} FROM volunteers "
            "WHERE channel = ? AND user_id = ? AND active = 1",
            (key.channel, key.user_id),
        )
        return _volunteer(row) if row else None

    async def volunteer_by_code(self, code: str) -> Volunteer | None:
        """The active volunteer with this public code (from a QR poster)."""
        row = await self._fetchone(
            f"SELECT {_VOLUNTEER_COLUMNS} FROM volunteers WHERE code = ? AND active = 1",
            (code.upper(),),
        )
        return _volunteer(row) if row else None

    async def volunteers(self) -> list[Volunteer]:
        """Every volunteer, active or not."""
        rows = await self._fetchall(f"SELECT {_VOLUNTEER_COLUMNS} FROM volunteers ORDER BY id")
        return [_volunteer(row) for row in rows]

    async def deactivate_volunteer(self, volunteer_id: int, *, at: float) -> bool:
        """Stop a volunteer's access; True when there was such an active volunteer."""
        cursor = await self.db.execute(
            "UPDATE volunteers SET active = 0, deactivated_at = ? WHERE id = ? AND active = 1",
            (at, volunteer_id),
        )
        return bool(cursor.rowcount)

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
        await self.db.execute(
            "INSERT OR IGNORE INTO households "
            "(volunteer_id, village, label, label_key, created_at) VALUES (?, ?, ?, ?, ?)",
            (volunteer_id, village, label, key, at),
        )
        row = await self._fetchone(
            "SELECT id, label FROM households WHERE volunteer_id = ? AND village = ? "
            "AND label_key = ?",
            (volunteer_id, village, key),
        )
        return Household(id=row[0], volunteer_id=volunteer_id, village=village, label=row[1])

    async def household_by_id(self, household_id: int) -> Household | None:
        """A household by its id."""
        row = await self._fetchone(
            "SELECT id, volunteer_id, village, label FROM households WHERE id = ?", (household_id,)
        )
        return (
            Household(id=row[0], volunteer_id=row[1], village=row[2], label=row[3]) if row else None
        )

    async def start_visit(self, volunteer_id: int, household: Household, *, at: float) -> Visit:
        """Open a visit to a household."""
        cursor = await self.db.execute(
            "INSERT INTO visits (volunteer_id, household_id, village, started_at) "
            "VALUES (?, ?, ?, ?)",
            (volunteer_id, household.id, household.village, at),
        )
        return Visit(
            id=int(cursor.lastrowid),
            volunteer_id=volunteer_id,
            household_id=household.id,
            village=household.village,
            started_at=at,
        )

    async def end_visit(self, visit_id: int, *, at: float) -> None:
        """Close a visit."""
        await self.db.execute(
            "UPDATE visits SET ended_at = ? WHERE id = ? AND ended_at IS NULL", (at, visit_id)
        )

    async def record_outcome(
        self, visit_id: int, flow_id: str, outcome: str, *, note: str, at: float
    ) -> None:
        """What came of a guide done during a visit (the note is masked and kept short)."""
        row = await self._fetchone(
            "SELECT household_id, volunteer_id, village FROM visits WHERE id = ?", (visit_id,)
        )
        if row is None:
            raise ValueError(f"no visit {visit_id}")
        await self.db.execute(
            "INSERT INTO visit_outcomes (visit_id, household_id, volunteer_id, village, flow_id, "
            "outcome, note, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (visit_id, row[0], row[1], row[2], flow_id, outcome, mask(note)[:300], at),
        )

    async def households_of(self, volunteer_id: int) -> list[HouseholdStatus]:
        """The volunteer's households, each with the latest outcome per service."""
        households = await self._fetchall(
            "SELECT id, volunteer_id, village, label FROM households WHERE volunteer_id = ? "
            "ORDER BY village, label",
            (volunteer_id,),
        )
        latest = await self._fetchall(
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
        await self.db.execute(
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
        rows = await self._fetchall(
            "SELECT actor, action, detail, allowed, at FROM admin_actions ORDER BY id"
        )
        return [
            AdminAction(actor=r[0], action=r[1], detail=r[2], allowed=bool(r[3]), at=r[4])
            for r in rows
        ]

    # --- a resident's right to be forgotten ------------------------------------------------------

    async def forget(self, key: SessionKey, user_ref: str) -> dict[str, int]:
        """Delete everything kept about one resident; returns how many rows per table."""
        deleted = await self._write(lambda conn: _forget(conn, key, user_ref))
        self.forget_cached(key)
        await self.compact()
        return deleted


def _redeem(
    conn: sqlite3.Connection, code_hash: str, key: SessionKey, *, name: str, at: float
) -> InviteCheck:
    """Check and use an invite in one transaction, so two people cannot both use it."""
    invite = conn.execute(
        "SELECT village, commune, expires_at, used_by FROM invites WHERE code_hash = ?",
        (code_hash,),
    ).fetchone()
    if invite is None:
        return "wrong"
    village, commune, expires_at, used_by = invite
    if used_by is not None:
        return "used"
    if expires_at < at:
        return "expired"
    while True:
        code = "".join(secrets.choice(_CODE_LETTERS) for _ in range(6))
        if conn.execute("SELECT 1 FROM volunteers WHERE code = ?", (code,)).fetchone() is None:
            break
    conn.execute(
        "INSERT INTO volunteers (channel, user_id, name, village, commune, code, active, "
        "joined_at) VALUES (?, ?, ?, ?, ?, ?, 1, ?) "
        "ON CONFLICT (channel, user_id) DO UPDATE SET name = excluded.name, "
        "village = excluded.village, commune = excluded.commune, active = 1, "
        "deactivated_at = NULL",
        (key.channel, key.user_id, name, village, commune, code, at),
    )
    volunteer_id = conn.execute(
        "SELECT id FROM volunteers WHERE channel = ? AND user_id = ?",
        (key.channel, key.user_id),
    ).fetchone()[0]
    conn.execute(
        "UPDATE invites SET used_by = ?, used_at = ? WHERE code_hash = ?",
        (volunteer_id, at, code_hash),
    )
    return "ok"


def _forget(conn: sqlite3.Connection, key: SessionKey, user_ref: str) -> dict[str, int]:
    """The deletions of a resident's /forget, in one transaction."""
    deleted: dict[str, int] = {}
    for table, where, params in (
        ("sessions", "channel = ? AND user_id = ?", (key.channel, key.user_id)),
        ("runs", "user_ref = ?", (user_ref,)),
        ("staff_alerts", "channel = ? AND user_id = ?", (key.channel, key.user_id)),
        ("outbox", "channel = ? AND user_id = ?", (key.channel, key.user_id)),
        ("unreachable", "channel = ? AND user_id = ?", (key.channel, key.user_id)),
        ("followups", "channel = ? AND user_id = ?", (key.channel, key.user_id)),
        # Their lines in the admin log (refused commands, wrong invite codes): "telegram:<id>".
        ("admin_actions", "actor = ?", (str(key),)),
    ):
        deleted[table] = conn.execute(f"DELETE FROM {table} WHERE {where}", params).rowcount
    # A volunteer's own record loses what identifies them; their households' history stays,
    # because it is about the households, not about them.
    deleted["volunteers"] = conn.execute(
        "UPDATE volunteers SET user_id = 'forgotten-' || id, name = '', active = 0 "
        "WHERE channel = ? AND user_id = ?",
        (key.channel, key.user_id),
    ).rowcount
    # An admin's invites stay valid; who made them is forgotten.
    conn.execute("UPDATE invites SET created_by = 'forgotten' WHERE created_by = ?", (str(key),))
    return deleted
