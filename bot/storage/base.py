"""The storage protocol every backend implements (memory for tests, SQLite by default)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from bot.engine.session import FinishedRun, Session
from bot.types import SessionKey

__all__ = ["RunRecord", "Storage"]


@dataclass(frozen=True, slots=True, kw_only=True)
class RunRecord:
    """A finished guidance session as stored: the run plus who (pseudonymous) and where."""

    user: str
    channel: str
    run: FinishedRun


class Storage(Protocol):
    """Durable sessions and the log of finished guidance sessions.

    ``save`` is atomic: the new session and the runs that ended in the same turn are written
    together or not at all, and are on disk when it returns.
    """

    async def open(self) -> None:
        """Create or migrate the store; call once before anything else."""

    async def load(self, key: SessionKey) -> Session | None:
        """The stored session of ``key``, or None for someone new."""

    async def save(
        self, key: SessionKey, session: Session, finished: Sequence[FinishedRun]
    ) -> None:
        """Store ``session`` and log ``finished`` in one transaction."""

    async def runs(self) -> list[RunRecord]:
        """Every logged run, oldest first."""

    async def close(self) -> None:
        """Finish writing and release the store."""
