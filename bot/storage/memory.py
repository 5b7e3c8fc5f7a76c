"""A storage that keeps everything in memory: for tests and experiments, never for residents."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from bot.core.errors import StaleSession
from bot.core.privacy import mask
from bot.core.session import Session
from bot.core.types import SessionKey
from bot.storage.memory_channel_state import MemoryChannelState
from bot.storage.memory_processes import MemoryProcesses
from bot.storage.memory_reports import MemoryReports
from bot.storage.memory_staff import MemoryStaff
from bot.storage.memory_tables import SessionRow
from bot.storage.processes import MORNING_LIST_LEASE
from bot.storage.records import (
    AlertRecord,
    AlreadyProcessed,
    FlowVersion,
    OutboxRecord,
    PendingFollowUp,
    RunRecord,
    StoredSession,
    TurnRecord,
)

__all__ = ["MemoryStorage"]


class MemoryStorage(MemoryStaff, MemoryReports, MemoryChannelState, MemoryProcesses):
    """The whole :class:`~bot.storage.base.Storage` contract on plain dicts and lists."""

    async def open(self) -> None:
        """Nothing to open."""

    async def load(self, key: SessionKey) -> Session | None:
        """The stored session of ``key``, or None."""
        return (await self.read(key)).session

    async def read(self, key: SessionKey) -> StoredSession:
        """The stored session of ``key`` and its revision."""
        row = self._sessions.get(key)
        if row is None:
            return StoredSession(session=None, revision=0)
        return StoredSession(session=Session.from_json(row.state), revision=row.revision)

    async def save(self, turn: TurnRecord) -> list[int]:
        """Keep a serialised copy, so later changes to the session do not leak in; a companion
        turn is saved with it, or neither is."""
        if turn.update_key and turn.update_key in self._processed:
            raise AlreadyProcessed(turn.update_key)
        for each in (turn, turn.companion):
            if each is not None and each.revision is not None:
                stored = self._sessions.get(each.key)
                if each.revision != (stored.revision if stored is not None else 0):
                    raise StaleSession(f"{each.key.channel}: the session changed since it was read")
        self._check_tickets(turn.tickets)
        if turn.companion is not None:
            self._save(turn.companion)
        return self._save(turn)

    def _save(self, turn: TurnRecord) -> list[int]:
        key = turn.key
        stored = self._sessions.get(key)
        current = stored.revision if stored is not None else 0
        if turn.update_key:
            self._processed[turn.update_key] = turn.session.updated_at
        session = turn.session
        self._sessions[key] = SessionRow(
            state=session.to_json(),
            revision=current + 1,
            updated_at=session.updated_at,
            active_at=session.active_at,
        )
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
        user = self.user_ref(key)
        self._runs.extend(RunRecord(user=user, channel=key.channel, run=r) for r in turn.finished)
        for alert in turn.alerts:
            self._alerts.append(
                AlertRecord(
                    id=max((a.id for a in self._alerts), default=0) + 1,
                    key=key,
                    alert=alert,
                    delivered=False,
                )
            )
        ids: list[int] = []
        for message in turn.outbox:
            self._outbox_ids += 1
            to = turn.outbox_to or key
            self._outbox.append(OutboxRecord(id=self._outbox_ids, key=to, message=message))
            self._outbox_at[self._outbox_ids] = session.updated_at
            ids.append(self._outbox_ids)
        if turn.reachable:
            self._unreachable.discard(key)
        self._apply_tickets(turn.tickets)
        self._admin.extend(replace(a, detail=mask(a.detail)[:500]) for a in turn.admin_actions)
        for other, message in turn.relay:
            self._outbox_ids += 1
            self._outbox.append(OutboxRecord(id=self._outbox_ids, key=other, message=message))
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

    async def idle_sessions(self, before: float, *, limit: int = 200) -> list[SessionKey]:
        """Residents in the middle of a flow whose last activity was before ``before``."""
        idle = sorted(
            (row.active_at, key)
            for key, row in self._sessions.items()
            if 0 < row.active_at < before and Session.from_json(row.state).stack
        )
        return [key for _at, key in idle[:limit]]

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
        return [r for r in self._outbox if key is None or r.key == key]

    async def mark_sent(self, ids: Sequence[int], *, at: float, dropped: bool = False) -> None:
        """Forget replies once delivered or dropped."""
        wanted = set(ids)
        self._outbox = [r for r in self._outbox if r.id not in wanted]

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
        new = []
        for version in versions:
            if (version.flow_id, version.digest) not in known:
                known.add((version.flow_id, version.digest))
                new.append(version)
        self._versions.extend(new)
        return len(new)

    async def flow_versions(self) -> list[FlowVersion]:
        """Every flow version loaded, oldest first."""
        return sorted(self._versions, key=lambda v: (v.loaded_at, v.flow_id))

    async def due_followups(self, before: float, *, limit: int = 100) -> list[PendingFollowUp]:
        """Follow-ups due before ``before``, earliest first."""
        due = sorted((f for f in self._followups if f.job.due <= before), key=lambda f: f.job.due)
        return due[:limit]

    async def pending_followups(self, key: SessionKey) -> list[PendingFollowUp]:
        """A resident's scheduled follow-ups, earliest first."""
        return sorted((f for f in self._followups if f.key == key), key=lambda f: f.job.due)

    async def drop_followup(self, followup_id: int) -> None:
        """Forget one follow-up (no longer relevant)."""
        self._followups = [f for f in self._followups if f.id != followup_id]

    async def drop_followups(self, key: SessionKey) -> None:
        """Forget a resident's follow-ups."""
        self._followups = [f for f in self._followups if f.key != key]

    async def claim_morning_list(self, volunteer_id: int, day: str, *, at: float) -> bool:
        """True the first time a volunteer's list for ``day`` is claimed, or when the claim's
        lease ran out before the list was said to be sent."""
        lease = self._morning.get((volunteer_id, day))
        if lease is not None and not 0 < lease < at:
            return False
        self._morning[volunteer_id, day] = at + MORNING_LIST_LEASE
        return True

    async def morning_list_sent(self, volunteer_id: int, day: str) -> None:
        """The claimed list went out: never claimed again that day."""
        if (volunteer_id, day) in self._morning:
            self._morning[volunteer_id, day] = 0.0

    async def unclaim_morning_list(self, volunteer_id: int, day: str) -> None:
        """Undo a claim whose message could not be sent."""
        self._morning.pop((volunteer_id, day), None)

    async def close(self) -> None:
        """Nothing to close."""
