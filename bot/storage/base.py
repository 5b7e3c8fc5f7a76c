"""The storage protocol every backend implements (memory for tests, SQLite by default)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from bot.engine.session import FinishedRun, Session, StaffAlert
from bot.types import SessionKey

__all__ = ["AlertRecord", "RunRecord", "Storage"]


@dataclass(frozen=True, slots=True, kw_only=True)
class RunRecord:
    """A finished guidance session as stored: the run plus who (pseudonymous) and where."""

    user: str
    channel: str
    run: FinishedRun


@dataclass(frozen=True, slots=True, kw_only=True)
class AlertRecord:
    """A stored staff alert: who raised it (to answer on the same channel) and what it says."""

    id: int
    key: SessionKey
    alert: StaffAlert
    delivered: bool


class Storage(Protocol):
    """Durable sessions, the log of finished guidance sessions, and alerts for staff.

    ``save`` is atomic: the new session, the runs that ended and the alerts raised in the same
    turn are written together or not at all, and are on disk when it returns.
    """

    async def open(self) -> None:
        """Create or migrate the store; call once before anything else."""

    async def load(self, key: SessionKey) -> Session | None:
        """The stored session of ``key``, or None for someone new."""

    async def save(
        self,
        key: SessionKey,
        session: Session,
        finished: Sequence[FinishedRun],
        alerts: Sequence[StaffAlert] = (),
    ) -> None:
        """Store ``session``, log ``finished`` and queue ``alerts``, in one transaction."""

    async def runs(self) -> list[RunRecord]:
        """Every logged run, oldest first."""

    async def alerts(self, *, pending_only: bool = True) -> list[AlertRecord]:
        """Staff alerts, oldest first (by default only those not delivered yet)."""

    async def mark_delivered(self, alert_id: int, *, at: float) -> None:
        """Record that an alert reached the staff."""

    async def close(self) -> None:
        """Finish writing and release the store."""
