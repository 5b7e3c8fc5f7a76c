"""The :class:`~bot.storage.base.Processes` role in one process's memory, for tests: claims on
waiting replies behave as in SQL (bot/storage/sql_processes.py); the leadership is always held."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator

from bot.core.types import SessionKey
from bot.storage.records import OutboxRecord, PendingFollowUp
from bot.storage.sql_processes import OUTBOX_LEASE

__all__ = ["MemoryProcesses"]


class MemoryProcesses:
    """Claims on the outbox (holder and lease per reply) and a leadership nobody contests."""

    shared = False
    outbox_lease = OUTBOX_LEASE
    holder = "memory"
    _outbox: list[OutboxRecord]
    _outbox_at: dict[int, float]
    _claims: dict[int, tuple[str, float]]
    _followups: list[PendingFollowUp]

    def _claim_rows(self) -> dict[int, tuple[str, float]]:
        # Created on first use: the other parts of the memory storage build their own tables.
        if not hasattr(self, "_claims"):
            self._claims = {}
        return self._claims

    async def claim_outbox(self, key: SessionKey, *, now: float) -> list[OutboxRecord]:
        """Claim ``key``'s waiting replies, oldest first, unless another holds the oldest."""
        claims = self._claim_rows()
        claimed: list[OutboxRecord] = []
        for record in (r for r in self._outbox if r.key == key):
            other, until = claims.get(record.id, ("", 0.0))
            if other and other != self.holder and until >= now:
                break
            claimed.append(record)
        for record in claimed:
            claims[record.id] = (self.holder, now + self.outbox_lease)
        return claimed

    async def claim_followups(
        self, before: float, *, now: float, limit: int = 100
    ) -> list[PendingFollowUp]:
        """Follow-ups due before ``before`` that no other holder has, claimed (earliest first)."""
        if not hasattr(self, "_followup_claims"):
            self._followup_claims: dict[int, tuple[str, float]] = {}
        claims = self._followup_claims
        free = [
            f
            for f in sorted(self._followups, key=lambda f: (f.job.due, f.id))
            if f.job.due <= before
            and (claims.get(f.id, ("", 0.0))[1] < now or claims[f.id][0] == self.holder)
        ][:limit]
        for followup in free:
            claims[followup.id] = (self.holder, now + self.outbox_lease)
        return free

    async def waiting_outbox(
        self, channel: str, *, now: float, older_than: float
    ) -> list[SessionKey]:
        """Residents of ``channel`` whose waiting replies nobody holds."""
        claims = self._claim_rows()
        at = getattr(self, "_outbox_at", {})
        keys = {
            r.key
            for r in self._outbox
            if r.key.channel == channel
            and claims.get(r.id, ("", 0.0))[1] < now
            and at.get(r.id, 0.0) < older_than
        }
        return sorted(keys, key=lambda k: k.user_id)

    async def try_lead(self, name: str) -> bool:
        """One process: it always leads."""
        return True

    async def stop_leading(self, name: str) -> None:
        """Nothing to give up."""

    @contextlib.asynccontextmanager
    async def turn_scope(self, key: SessionKey, *, locked: bool = True) -> AsyncIterator[None]:
        """One process: the application's own per-resident lock is enough."""
        yield
