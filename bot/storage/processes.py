"""What several bot processes sharing one database agree on (claims, leadership, a turn's
scope), and what one process on its own database is granted at once."""

from __future__ import annotations

from contextlib import AbstractAsyncContextManager
from typing import Protocol

from bot.core.types import SessionKey
from bot.storage.records import OutboxRecord, PendingFollowUp

# Seconds a volunteer's morning list stays claimed by the process sending it: a list waits
# behind residents' replies and the morning's reminders (minutes at Telegram's limit), and a
# process that died before sending it leaves it to the next leader after this long.
MORNING_LIST_LEASE = 1800.0

__all__ = ["Processes"]


class Processes(Protocol):
    """What several bot processes on one database need to agree on, and one process gets free.

    ``shared`` is True for a backend several processes may use at once (PostgreSQL): then no
    process may trust what it keeps in memory about a resident, replies are claimed before they
    are sent, and the loops that must run once run where the leadership is. On a backend for one
    process (memory, SQLite) the claims and the leadership are granted at once.
    """

    shared: bool
    # This process, as its claims name it.
    holder: str

    async def claim_outbox(self, key: SessionKey, *, now: float) -> list[OutboxRecord]:
        """Claim ``key``'s waiting replies for this process, oldest first, under a lease that
        runs out if the process dies. Nothing when another process holds a live claim on the
        oldest of them (it sends them, in order); this process's own claims are renewed."""

    async def claim_followups(
        self, before: float, *, now: float, limit: int = 100
    ) -> list[PendingFollowUp]:
        """Follow-ups due before ``before`` that no other process holds, claimed for this one
        under a lease (earliest first): each is carried out once, by another process if the
        claimer died."""

    async def waiting_outbox(
        self, channel: str, *, now: float, older_than: float
    ) -> list[SessionKey]:
        """Whose replies on ``channel`` wait unclaimed (or under a lease that ran out) since
        before ``older_than``: left by a process that died, or never claimed."""

    async def try_lead(self, name: str) -> bool:
        """True while this process holds the leadership named ``name`` (taken now if free):
        only one process at a time polls Telegram or runs the scheduler."""

    async def stop_leading(self, name: str) -> None:
        """Give up the leadership ``name`` (a process stopping)."""

    def turn_scope(
        self, key: SessionKey, *, locked: bool = True
    ) -> AbstractAsyncContextManager[None]:
        """A turn of ``key``. ``locked``: one turn of ``key`` at a time across processes, and
        everything the turn reads and writes inside is kept together when it ends, or undone
        when it raises. Not ``locked``: the backend may leave out the lock and the transaction,
        and rely on the save's revision check alone; it then raises LockNeeded (a StaleSession:
        nothing written) at the turn's first write before its save, so the caller runs the turn
        again locked, as it does when the save finds the session changed."""
