"""Several processes on one database, in SQL both backends understand (the
:class:`~bot.storage.base.Processes` role): claiming waiting replies and due follow-ups under a
lease.

A reply is claimed by the process that sends it: the claim is the row's ``holder`` and
``lease_until``, so a process that dies leaves claims that run out, and another process sends
those replies. A resident's replies leave in order: a process claims them only when nobody else
holds a live claim on the oldest waiting one. On PostgreSQL the rows are locked while they are
claimed (``FOR UPDATE SKIP LOCKED``, the dialect's :attr:`ProcessTables._CLAIM_LOCK`): two
processes claiming at once never wait for each other, and the one that finds the oldest row
locked leaves the resident to the other. SQLite serves one process: its transactions already
run one at a time, and the leadership and the turn scope are granted at once.
"""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import AsyncIterator
from typing import ClassVar

from bot.core.types import SessionKey
from bot.storage.codec import job_from_json, message_from_json
from bot.storage.records import OutboxRecord, PendingFollowUp
from bot.storage.sql import SqlTables, Steps, count, one, rows

__all__ = ["OUTBOX_LEASE", "ProcessTables", "claim_outbox"]

# Seconds a claimed reply stays this process's: a process that died leaves its replies to
# another after this long (sending one takes well under a second, waits for Telegram included).
OUTBOX_LEASE = 30.0


def claim_outbox(
    key: SessionKey, holder: str, now: float, until: float, lock: str
) -> Steps[list[OutboxRecord]]:
    """The statements of a claim: ``key``'s waiting replies, oldest first, made ``holder``'s
    until ``until``; none when the oldest is locked or under another live claim."""
    resident = (key.channel, key.user_id)
    found = yield rows(
        "SELECT id, holder, lease_until, message FROM outbox "
        f"WHERE channel = ? AND user_id = ? AND sent_at IS NULL ORDER BY id{lock}",
        resident,
    )
    if not found:
        return []
    if lock:
        # A row another claim holds locked right now is not in ``found``: if it is older than
        # everything found, that claim sends first, and these after it.
        oldest = yield one(
            "SELECT MIN(id) FROM outbox WHERE channel = ? AND user_id = ? AND sent_at IS NULL",
            resident,
        )
        if oldest is None or oldest[0] != found[0][0]:
            return []
    claimed: list[OutboxRecord] = []
    for outbox_id, other, lease_until, message in found:
        if other and other != holder and float(lease_until) >= now:
            break  # another process sends from here on
        claimed.append(OutboxRecord(id=int(outbox_id), key=key, message=message_from_json(message)))
    if claimed:
        yield count(
            "UPDATE outbox SET holder = ?, lease_until = ? WHERE channel = ? AND user_id = ? "
            "AND sent_at IS NULL AND id BETWEEN ? AND ?",
            (holder, until, *resident, claimed[0].id, claimed[-1].id),
        )
    return claimed


class ProcessTables(SqlTables):
    """Claims on waiting replies; leadership and the turn scope of a backend for one process
    (PostgreSQL overrides those three)."""

    shared: bool = False
    # What locks the rows being claimed (PostgreSQL's " FOR UPDATE SKIP LOCKED"; nothing more
    # is needed where transactions run one at a time).
    _CLAIM_LOCK: ClassVar[str] = ""
    outbox_lease: float = OUTBOX_LEASE
    # This process, as its claims name it (a new one each start: a process that died and came
    # back waits for its old claims to run out like any other).
    holder: str = ""

    def _holder(self) -> str:
        if not self.holder:
            self.holder = uuid.uuid4().hex[:16]
        return self.holder

    async def claim_outbox(self, key: SessionKey, *, now: float) -> list[OutboxRecord]:
        """Claim ``key``'s waiting replies for this process, oldest first, under a lease."""
        return await self._atomic(
            claim_outbox(key, self._holder(), now, now + self.outbox_lease, self._CLAIM_LOCK)
        )

    async def claim_followups(
        self, before: float, *, now: float, limit: int = 100
    ) -> list[PendingFollowUp]:
        """Follow-ups due before ``before`` that no other process holds, claimed for this one
        (earliest first): each is carried out by one process, by another if that one died."""
        holder = self._holder()
        found = await self._all(
            "UPDATE followups SET holder = ?, lease_until = ? WHERE id IN (SELECT id FROM "
            "followups WHERE due <= ? AND (lease_until < ? OR holder = ?) ORDER BY due, id "
            f"LIMIT ?{self._CLAIM_LOCK}) RETURNING id, channel, user_id, job, due",
            (holder, now + self.outbox_lease, before, now, holder, limit),
        )
        found.sort(key=lambda r: (float(r[4]), int(r[0])))
        return [
            PendingFollowUp(id=r[0], key=SessionKey(r[1], r[2]), job=job_from_json(r[3]))
            for r in found
        ]

    async def waiting_outbox(
        self, channel: str, *, now: float, older_than: float
    ) -> list[SessionKey]:
        """Residents of ``channel`` whose waiting replies nobody holds (a process died)."""
        found = await self._all(
            "SELECT DISTINCT user_id FROM outbox WHERE channel = ? AND sent_at IS NULL "
            "AND lease_until < ? AND created_at < ? ORDER BY user_id",
            (channel, now, older_than),
        )
        return [SessionKey(channel, str(r[0])) for r in found]

    async def try_lead(self, name: str) -> bool:
        """One process: it always leads."""
        return True

    async def stop_leading(self, name: str) -> None:
        """One process: nothing to give up."""

    @contextlib.asynccontextmanager
    async def turn_scope(self, key: SessionKey, *, locked: bool = True) -> AsyncIterator[None]:
        """One process: the application's own per-resident lock is enough."""
        yield
