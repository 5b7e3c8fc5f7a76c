"""A storage that keeps everything in memory: for tests and experiments, never for residents."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from bot.engine.session import FinishedRun, Session, StaffAlert
from bot.privacy import pseudonym
from bot.storage.base import AlertRecord, RunRecord
from bot.types import SessionKey

__all__ = ["MemoryStorage"]


class MemoryStorage:
    """The :class:`~bot.storage.base.Storage` protocol on plain dicts and lists."""

    def __init__(self) -> None:
        self._sessions: dict[SessionKey, str] = {}
        self._runs: list[RunRecord] = []
        self._alerts: list[AlertRecord] = []
        self._secret = b"memory"

    async def open(self) -> None:
        """Nothing to open."""

    async def load(self, key: SessionKey) -> Session | None:
        """The stored session of ``key``, or None."""
        raw = self._sessions.get(key)
        return Session.from_json(raw) if raw is not None else None

    async def save(
        self,
        key: SessionKey,
        session: Session,
        finished: Sequence[FinishedRun],
        alerts: Sequence[StaffAlert] = (),
    ) -> None:
        """Keep a serialised copy, so later changes to ``session`` do not leak in."""
        self._sessions[key] = session.to_json()
        user = pseudonym(self._secret, str(key))
        self._runs.extend(RunRecord(user=user, channel=key.channel, run=run) for run in finished)
        for alert in alerts:
            self._alerts.append(
                AlertRecord(id=len(self._alerts) + 1, key=key, alert=alert, delivered=False)
            )

    async def runs(self) -> list[RunRecord]:
        """Every logged run, oldest first."""
        return list(self._runs)

    async def alerts(self, *, pending_only: bool = True) -> list[AlertRecord]:
        """Staff alerts, oldest first."""
        return [a for a in self._alerts if not (pending_only and a.delivered)]

    async def mark_delivered(self, alert_id: int, *, at: float) -> None:
        """Record that an alert reached the staff."""
        self._alerts = [replace(a, delivered=True) if a.id == alert_id else a for a in self._alerts]

    async def close(self) -> None:
        """Nothing to close."""
