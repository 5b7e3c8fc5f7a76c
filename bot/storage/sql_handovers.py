"""Volunteers' hand-over links in both SQL backends: made during a visit, used once.

Only the hash of a link's token is stored, with the person it continues (a household's
``number``), the visit it came from and until when it works. Using one is a single transaction
that claims it first (an update matching only an unused, unexpired link), so two phones opening
the same link cannot both take it, whichever process each reaches; the chat that took it may
open it again (a turn computed again after a clash, or the resident tapping the link twice).
"""

from __future__ import annotations

from bot.core.staff import Handover, HandoverCheck
from bot.storage.sql import SqlTables, Steps, count, one

__all__ = ["HandoverTables"]


class HandoverTables(SqlTables):
    """The hand-over links of the :class:`~bot.storage.base.StaffStore` role."""

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
        """Store a new hand-over link (only the hash of its token: the link is shown once)."""
        await self._count(
            "INSERT INTO handovers (token_hash, household_id, member, visit_id, volunteer_id, "
            "created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
            (token_hash, household_id, member, visit_id, volunteer_id, at, expires_at),
        )

    async def claim_handover(
        self, token_hash: str, *, by: str, at: float
    ) -> tuple[HandoverCheck, Handover | None]:
        """Use a hand-over link once, atomically: whose guide it continues, or why it cannot
        (``by``: the chat's pseudonym; the same chat opening it again is told "ok" again)."""
        return await self._atomic(_claim(token_hash, by, at))


def _claim(token_hash: str, by: str, at: float) -> Steps[tuple[HandoverCheck, Handover | None]]:
    claimed = yield count(
        "UPDATE handovers SET used_at = ?, used_by = ? WHERE token_hash = ? "
        "AND used_at IS NULL AND expires_at >= ?",
        (at, by, token_hash, at),
    )
    row = yield one(
        "SELECT household_id, member, visit_id, volunteer_id, created_at, expires_at, used_at, "
        "used_by FROM handovers WHERE token_hash = ?",
        (token_hash,),
    )
    if row is None:
        return "wrong", None
    if not claimed and not (row[6] is not None and by and row[7] == by):
        # Used by another chat: "used" wins over "expired".
        return ("used" if row[6] is not None else "expired"), None
    handover = Handover(
        household_id=int(row[0]),
        member=int(row[1]),
        visit_id=int(row[2]),
        volunteer_id=int(row[3]),
        created_at=float(row[4]),
        expires_at=float(row[5]),
    )
    return "ok", handover
