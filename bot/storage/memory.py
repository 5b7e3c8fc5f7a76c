"""A storage that keeps everything in memory: for tests and experiments, never for residents."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from bot.core.privacy import pseudonym
from bot.core.session import Session
from bot.core.types import SessionKey
from bot.storage.base import (
    AlertRecord,
    AlreadyProcessed,
    FlowVersion,
    OutboxRecord,
    PendingFollowUp,
    RunRecord,
    TurnRecord,
)

__all__ = ["MemoryStorage"]


class MemoryStorage:
    """The :class:`~bot.storage.base.Storage` protocol on plain dicts and lists."""

    def __init__(self) -> None:
        self._sessions: dict[SessionKey, str] = {}
        self._runs: list[RunRecord] = []
        self._alerts: list[AlertRecord] = []
        self._outbox: list[tuple[OutboxRecord, bool]] = []
        self._processed: dict[str, float] = {}
        self._unreachable: set[SessionKey] = set()
        self._files: dict[str, str] = {}
        self._versions: list[FlowVersion] = []
        self._followups: list[PendingFollowUp] = []
        self._followup_ids = 0
        self._secret = b"memory"

    async def open(self) -> None:
        """Nothing to open."""

    async def load(self, key: SessionKey) -> Session | None:
        """The stored session of ``key``, or None."""
        raw = self._sessions.get(key)
        return Session.from_json(raw) if raw is not None else None

    async def save(self, turn: TurnRecord) -> list[int]:
        """Keep a serialised copy, so later changes to the session do not leak in."""
        if turn.update_key:
            if turn.update_key in self._processed:
                raise AlreadyProcessed(turn.update_key)
            self._processed[turn.update_key] = turn.session.updated_at
        key = turn.key
        self._sessions[key] = turn.session.to_json()
        kept = [
            f
            for f in self._followups
            if f.id != turn.fired_followup and not (turn.cancel_followups and f.key == key)
        ]
        # Ids are never reused: a follow-up's turn is keyed by its id ("fu:<id>").
        next_id = self._followup_ids + 1
        self._followup_ids += len(turn.followups)
        self._followups = kept + [
            PendingFollowUp(id=next_id + i, key=key, job=job)
            for i, job in enumerate(turn.followups)
        ]
        user = pseudonym(self._secret, str(key))
        self._runs.extend(RunRecord(user=user, channel=key.channel, run=r) for r in turn.finished)
        for alert in turn.alerts:
            self._alerts.append(
                AlertRecord(id=len(self._alerts) + 1, key=key, alert=alert, delivered=False)
            )
        ids: list[int] = []
        for message in turn.outbox:
            record = OutboxRecord(id=len(self._outbox) + 1, key=key, message=message)
            self._outbox.append((record, False))
            ids.append(record.id)
        return ids

    async def is_processed(self, update_key: str) -> bool:
        """True when a turn with this key was saved."""
        return update_key in self._processed

    async def prune_processed(self, before: float) -> int:
        """Forget old update keys."""
        old = [k for k, at in self._processed.items() if at < before]
        for k in old:
            del self._processed[k]
        return len(old)

    async def runs(self) -> list[RunRecord]:
        """Every logged run, oldest first."""
        return list(self._runs)

    async def alerts(self, *, pending_only: bool = True) -> list[AlertRecord]:
        """Staff alerts, oldest first."""
        return [a for a in self._alerts if not (pending_only and a.delivered)]

    async def mark_delivered(self, alert_id: int, *, at: float) -> None:
        """Record that an alert reached the staff."""
        self._alerts = [replace(a, delivered=True) if a.id == alert_id else a for a in self._alerts]

    async def pending_outbox(self, key: SessionKey | None = None) -> list[OutboxRecord]:
        """Replies not delivered yet, oldest first."""
        return [r for r, done in self._outbox if not done and (key is None or r.key == key)]

    async def mark_sent(self, ids: Sequence[int], *, at: float, dropped: bool = False) -> None:
        """Record replies as delivered or dropped."""
        wanted = set(ids)
        self._outbox = [(r, done or r.id in wanted) for r, done in self._outbox]

    async def set_reachable(self, key: SessionKey, reachable: bool, *, at: float) -> None:
        """Record that a resident blocked the bot or wrote again."""
        if reachable:
            self._unreachable.discard(key)
        else:
            self._unreachable.add(key)

    async def unreachable(self) -> set[SessionKey]:
        """Everyone who blocked the bot."""
        return set(self._unreachable)

    async def is_reachable(self, key: SessionKey) -> bool:
        """False once a resident blocked the bot."""
        return key not in self._unreachable

    async def cached_file(self, ref: str) -> str | None:
        """A remembered upload id."""
        return self._files.get(ref)

    async def cache_file(self, ref: str, file_id: str) -> None:
        """Remember an upload id."""
        self._files[ref] = file_id

    async def record_flow_versions(self, versions: Sequence[FlowVersion]) -> int:
        """Remember loaded flow versions not seen before."""
        known = {(v.flow_id, v.digest) for v in self._versions}
        new = [v for v in versions if (v.flow_id, v.digest) not in known]
        self._versions.extend(new)
        return len(new)

    async def flow_versions(self) -> list[FlowVersion]:
        """Every flow version loaded."""
        return list(self._versions)

    async def drop_followups(self, key: SessionKey) -> None:
        """Forget a resident's follow-ups."""
        self._followups = [f for f in self._followups if f.key != key]

    async def drop_followup(self, followup_id: int) -> None:
        """Forget one follow-up (no longer relevant)."""
        self._followups = [f for f in self._followups if f.id != followup_id]

    async def pending_followups(self, key: SessionKey) -> list[PendingFollowUp]:
        """A resident's scheduled follow-ups."""
        return sorted((f for f in self._followups if f.key == key), key=lambda f: f.job.due)

    async def close(self) -> None:
        """Nothing to close."""
