"""A storage that keeps everything in memory: for tests and experiments, never for residents."""

from __future__ import annotations

from collections.abc import Sequence

from bot.engine.session import FinishedRun, Session
from bot.privacy import pseudonym
from bot.storage.base import RunRecord
from bot.types import SessionKey

__all__ = ["MemoryStorage"]


class MemoryStorage:
    """The :class:`~bot.storage.base.Storage` protocol on plain dicts."""

    def __init__(self) -> None:
        self._sessions: dict[SessionKey, str] = {}
        self._runs: list[RunRecord] = []
        self._secret = b"memory"

    async def open(self) -> None:
        """Nothing to open."""

    async def load(self, key: SessionKey) -> Session | None:
        """The stored session of ``key``, or None."""
        raw = self._sessions.get(key)
        return Session.from_json(raw) if raw is not None else None

    async def save(
        self, key: SessionKey, session: Session, finished: Sequence[FinishedRun]
    ) -> None:
        """Keep a serialised copy, so later changes to ``session`` do not leak in."""
        self._sessions[key] = session.to_json()
        user = pseudonym(self._secret, str(key))
        self._runs.extend(RunRecord(user=user, channel=key.channel, run=run) for run in finished)

    async def runs(self) -> list[RunRecord]:
        """Every logged run, oldest first."""
        return list(self._runs)

    async def close(self) -> None:
        """Nothing to close."""
