"""The delivery side of both SQL backends: follow-ups, morning lists, the outbox, blocked
residents, file ids, alerts, flow versions and the run log (reading it).

A mixin of :class:`~bot.storage.sql.SqlTables` (a turn's own writes are in
:mod:`bot.storage.sql_turns`).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from bot.core.session import FinishedRun, StaffAlert
from bot.core.types import SessionKey
from bot.storage.codec import job_from_json, message_from_json
from bot.storage.processes import MORNING_LIST_LEASE
from bot.storage.records import (
    AlertRecord,
    FlowVersion,
    OutboxRecord,
    PendingFollowUp,
    RunRecord,
)
from bot.storage.sql import SqlTables, many

__all__ = ["DeliveryTables"]

_FOLLOWUP = "SELECT id, channel, user_id, job FROM followups"


def _followups(found: list[Any]) -> list[PendingFollowUp]:
    return [
        PendingFollowUp(id=r[0], key=SessionKey(r[1], r[2]), job=job_from_json(r[3])) for r in found
    ]


class DeliveryTables(SqlTables):
    """Everything but sessions and staff records."""

    async def due_followups(self, before: float, *, limit: int = 100) -> list[PendingFollowUp]:
        """Follow-ups due before ``before``, earliest first."""
        found = await self._all(
            f"{_FOLLOWUP} WHERE due <= ? ORDER BY due, id LIMIT ?", (before, limit)
        )
        return _followups(found)

    async def pending_followups(self, key: SessionKey) -> list[PendingFollowUp]:
        """A resident's scheduled follow-ups, earliest first."""
        found = await self._all(
            f"{_FOLLOWUP} WHERE channel = ? AND user_id = ? ORDER BY due, id",
            (key.channel, key.user_id),
        )
        return _followups(found)

    async def drop_followup(self, followup_id: int) -> None:
        """Forget a follow-up that is no longer relevant."""
        await self._count("DELETE FROM followups WHERE id = ?", (followup_id,))

    async def drop_followups(self, key: SessionKey) -> None:
        """Forget every follow-up of a resident (they blocked the bot, for instance)."""
        await self._count(
            "DELETE FROM followups WHERE channel = ? AND user_id = ?", (key.channel, key.user_id)
        )

    async def claim_morning_list(self, volunteer_id: int, day: str, *, at: float) -> bool:
        """True when this process may send a volunteer's list for ``day``: the first claim, or
        one whose lease ran out before its process said it was sent (once, any process)."""
        claimed = await self._count(
            "INSERT INTO morning_lists (volunteer_id, day, sent_at, lease_until) "
            "VALUES (?, ?, ?, ?) ON CONFLICT (volunteer_id, day) DO UPDATE SET "
            "sent_at = excluded.sent_at, lease_until = excluded.lease_until "
            "WHERE morning_lists.lease_until > 0 AND morning_lists.lease_until < excluded.sent_at",
            (volunteer_id, day, at, at + MORNING_LIST_LEASE),
        )
        return bool(claimed)

    async def morning_list_sent(self, volunteer_id: int, day: str) -> None:
        """The claimed list went out: it is never claimed again that day."""
        await self._count(
            "UPDATE morning_lists SET lease_until = 0 WHERE volunteer_id = ? AND day = ?",
            (volunteer_id, day),
        )

    async def unclaim_morning_list(self, volunteer_id: int, day: str) -> None:
        """Undo a claim whose message could not be sent, so the next pass tries again."""
        await self._count(
            "DELETE FROM morning_lists WHERE volunteer_id = ? AND day = ?", (volunteer_id, day)
        )

    async def pending_outbox(self, key: SessionKey | None = None) -> list[OutboxRecord]:
        """Replies not delivered yet, oldest first."""
        query = "SELECT id, channel, user_id, message FROM outbox WHERE sent_at IS NULL"
        params: tuple[str, ...] = ()
        if key is not None:
            query += " AND channel = ? AND user_id = ?"
            params = (key.channel, key.user_id)
        found = await self._all(query + " ORDER BY id", params)
        return [
            OutboxRecord(id=r[0], key=SessionKey(r[1], r[2]), message=message_from_json(r[3]))
            for r in found
        ]

    async def mark_sent(self, ids: Sequence[int], *, at: float, dropped: bool = False) -> None:
        """Forget replies once delivered (or given up): their words are not kept any longer."""
        if ids:
            await self._run(many("DELETE FROM outbox WHERE id = ?", [(i,) for i in ids]))

    async def set_reachable(self, key: SessionKey, reachable: bool, *, at: float) -> None:
        """Record that a resident blocked the bot (False) or wrote again (True)."""
        if reachable:
            await self._count(
                "DELETE FROM unreachable WHERE channel = ? AND user_id = ?",
                (key.channel, key.user_id),
            )
        else:
            await self._count(
                "INSERT INTO unreachable (channel, user_id, since) VALUES (?, ?, ?) "
                "ON CONFLICT DO NOTHING",
                (key.channel, key.user_id, at),
            )

    async def unreachable(self) -> set[SessionKey]:
        """Everyone who blocked the bot (read once at start, then kept in memory)."""
        return {
            SessionKey(r[0], r[1])
            for r in await self._all("SELECT channel, user_id FROM unreachable")
        }

    async def is_reachable(self, key: SessionKey) -> bool:
        """False once a resident blocked the bot, until they write again."""
        found = await self._one(
            "SELECT 1 FROM unreachable WHERE channel = ? AND user_id = ?",
            (key.channel, key.user_id),
        )
        return found is None

    async def cached_file(self, ref: str) -> str | None:
        """A channel's id for an uploaded file."""
        row = await self._one("SELECT file_id FROM file_cache WHERE ref = ?", (ref,))
        return str(row[0]) if row else None

    async def cache_file(self, ref: str, file_id: str) -> None:
        """Remember a channel's id for an uploaded file."""
        await self._count(
            "INSERT INTO file_cache (ref, file_id) VALUES (?, ?) "
            "ON CONFLICT (ref) DO UPDATE SET file_id = excluded.file_id",
            (ref, file_id),
        )

    async def alerts(self, *, pending_only: bool = True) -> list[AlertRecord]:
        """Staff alerts, oldest first (by default only those not delivered yet)."""
        where = "WHERE delivered_at IS NULL" if pending_only else ""
        found = await self._all(
            "SELECT id, channel, user_id, flow_id, step, text, at, delivered_at "
            f"FROM staff_alerts {where} ORDER BY id"
        )
        return [
            AlertRecord(
                id=r[0],
                key=SessionKey(r[1], r[2]),
                alert=StaffAlert(text=r[5], flow_id=r[3], step=r[4], at=r[6]),
                delivered=r[7] is not None,
            )
            for r in found
        ]

    async def mark_delivered(self, alert_id: int, *, at: float) -> None:
        """Record that an alert reached the staff."""
        await self._count("UPDATE staff_alerts SET delivered_at = ? WHERE id = ?", (at, alert_id))

    async def record_flow_versions(self, versions: Sequence[FlowVersion]) -> int:
        """Remember loaded flow versions not seen before; returns how many were new."""
        if not versions:
            return 0
        added = await self._run(
            many(
                "INSERT INTO flow_versions (flow_id, version, digest, loaded_at) "
                "VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING",
                [(v.flow_id, v.version, v.digest, v.loaded_at) for v in versions],
            )
        )
        return int(added)

    async def flow_versions(self) -> list[FlowVersion]:
        """Every flow version ever loaded, oldest first."""
        found = await self._all(
            "SELECT flow_id, version, digest, loaded_at FROM flow_versions "
            "ORDER BY loaded_at, flow_id"
        )
        return [FlowVersion(flow_id=r[0], version=r[1], digest=r[2], loaded_at=r[3]) for r in found]

    async def runs(self) -> list[RunRecord]:
        """Every logged run, oldest first."""
        found = await self._all(
            "SELECT user_ref, channel, flow_id, flow_version, lang, started_at, ended_at, outcome, "
            "path, parent_flow, mode, volunteer_id, village, visit_id FROM runs ORDER BY id"
        )
        return [
            RunRecord(
                user=r[0],
                channel=r[1],
                run=FinishedRun(
                    flow_id=r[2],
                    flow_version=r[3],
                    lang=r[4],
                    started_at=r[5],
                    ended_at=r[6],
                    outcome=r[7],
                    path=tuple(json.loads(r[8])),
                    parent_flow=r[9],
                    mode=r[10],
                    volunteer_id=r[11],
                    village=r[12],
                    visit_id=r[13],
                ),
            )
            for r in found
        ]
