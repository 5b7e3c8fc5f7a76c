"""The storage protocol every backend implements (memory for tests, SQLite by default)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from bot.core.errors import StorageError
from bot.core.session import FinishedRun, FollowUpJob, Session, StaffAlert
from bot.core.types import OutgoingMessage, SessionKey

__all__ = [
    "AlertRecord",
    "AlreadyProcessed",
    "FlowVersion",
    "OutboxRecord",
    "PendingFollowUp",
    "RunRecord",
    "Storage",
    "TurnRecord",
]


class AlreadyProcessed(StorageError):
    """The update that caused this turn was processed before (a redelivery): nothing was saved."""


@dataclass(frozen=True, slots=True, kw_only=True)
class TurnRecord:
    """Everything one turn changes, saved together or not at all.

    ``update_key`` names the channel update that caused the turn (a Telegram update id): saving a
    second turn with the same key fails with :class:`AlreadyProcessed`. ``outbox`` holds the
    replies still to be delivered, so a crash after the commit does not lose them.
    """

    key: SessionKey
    session: Session
    finished: Sequence[FinishedRun] = ()
    alerts: Sequence[StaffAlert] = ()
    outbox: Sequence[OutgoingMessage] = ()
    update_key: str = ""
    # Reminders: the resident's pending ones are cancelled first, then these are scheduled.
    cancel_followups: bool = False
    followups: Sequence[FollowUpJob] = ()
    # The follow-up this turn carried out (it is removed with the turn).
    fired_followup: int | None = None


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


@dataclass(frozen=True, slots=True, kw_only=True)
class OutboxRecord:
    """A reply committed with its turn and not delivered yet."""

    id: int
    key: SessionKey
    message: OutgoingMessage


@dataclass(frozen=True, slots=True, kw_only=True)
class FlowVersion:
    """A version of a flow the bot loaded: reports tell edits apart by ``digest``."""

    flow_id: str
    version: int
    digest: str
    loaded_at: float


@dataclass(frozen=True, slots=True, kw_only=True)
class PendingFollowUp:
    """A scheduled reminder as stored."""

    id: int
    key: SessionKey
    job: FollowUpJob


class Storage(Protocol):
    """Durable sessions, the log of finished guidance sessions, alerts and undelivered replies.

    ``save`` is atomic and durable: when it returns, the whole turn is on disk.
    """

    async def open(self) -> None:
        """Create or migrate the store; call once before anything else."""

    async def load(self, key: SessionKey) -> Session | None:
        """The stored session of ``key``, or None for someone new."""

    async def save(self, turn: TurnRecord) -> list[int]:
        """Store a turn in one transaction; :class:`AlreadyProcessed` for a redelivered update.

        Returns the outbox ids of the turn's replies, in order.
        """

    async def is_processed(self, update_key: str) -> bool:
        """True when a turn with this ``update_key`` was saved."""

    async def prune_processed(self, before: float) -> int:
        """Forget update keys saved before ``before`` (channels reuse ids after a while)."""

    async def runs(self) -> list[RunRecord]:
        """Every logged run, oldest first."""

    async def alerts(self, *, pending_only: bool = True) -> list[AlertRecord]:
        """Staff alerts, oldest first (by default only those not delivered yet)."""

    async def mark_delivered(self, alert_id: int, *, at: float) -> None:
        """Record that an alert reached the staff."""

    async def pending_outbox(self, key: SessionKey | None = None) -> list[OutboxRecord]:
        """Replies not delivered yet (for ``key``, or everyone), oldest first."""

    async def mark_sent(self, ids: Sequence[int], *, at: float, dropped: bool = False) -> None:
        """Record replies as delivered (or given up, when the resident cannot be reached)."""

    async def set_reachable(self, key: SessionKey, reachable: bool, *, at: float) -> None:
        """Record that a resident blocked the bot (False) or wrote again (True)."""

    async def is_reachable(self, key: SessionKey) -> bool:
        """False once a resident blocked the bot, until they write again."""

    async def unreachable(self) -> set[SessionKey]:
        """Everyone who blocked the bot."""

    async def drop_followups(self, key: SessionKey) -> None:
        """Forget every follow-up of a resident (they blocked the bot)."""

    async def cached_file(self, ref: str) -> str | None:
        """A channel's id for an uploaded file (Telegram's file_id), by our reference."""

    async def cache_file(self, ref: str, file_id: str) -> None:
        """Remember a channel's id for an uploaded file."""

    async def record_flow_versions(self, versions: Sequence[FlowVersion]) -> int:
        """Remember loaded flow versions not seen before; returns how many were new."""

    async def flow_versions(self) -> list[FlowVersion]:
        """Every flow version ever loaded, oldest first."""

    async def close(self) -> None:
        """Finish writing and release the store."""
