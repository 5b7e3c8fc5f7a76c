"""The delivery side of the SQLite store: follow-ups, morning lists, update keys, the outbox,
blocked residents, file ids, alerts, flow versions and the run log (reading them).

A mixin of :class:`bot.storage.sqlite.SqliteStorage`: it only uses the connection that class
opened (a turn's own writes are in :mod:`bot.storage.sqlite_turns`).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from bot.core.session import FinishedRun, StaffAlert
from bot.core.types import SessionKey
from bot.storage.codec import job_from_json, message_from_json
from bot.storage.records import (
    AlertRecord,
    FlowVersion,
    OutboxRecord,
    PendingFollowUp,
    RunRecord,
)

__all__ = ["DeliveryTables"]


class DeliveryTables:
    """Everything but sessions and staff records; ``self.db`` is the open connection."""

    db: Any

    async def due_followups(self, before: float, *, limit: int = 100) -> list[PendingFollowUp]:
        """Follow-ups due before ``before``, earliest first."""
        async with self.db.execute(
            "SELECT id, channel, user_id, job FROM followups WHERE due <= ? ORDER BY due LIMIT ?",
            (before, limit),
        ) as cursor:
            rows = await cursor.fetchall()
        return [
            PendingFollowUp(id=r[0], key=SessionKey(r[1], r[2]), job=job_from_json(r[3]))
            for r in rows
        ]

    async def pending_followups(self, key: SessionKey) -> list[PendingFollowUp]:
        """A resident's scheduled follow-ups, earliest first."""
        async with self.db.execute(
            "SELECT id, channel, user_id, job FROM followups WHERE channel = ? AND user_id = ? "
            "ORDER BY due",
            (key.channel, key.user_id),
        ) as cursor:
            rows = await cursor.fetchall()
        return [
            PendingFollowUp(id=r[0], key=SessionKey(r[1], r[2]), job=job_from_json(r[3]))
            for r in rows
        ]

    async def drop_followup(self, followup_id: int) -> None:
        """Forget a follow-up that is no longer relevant."""
        await self.db.execute("DELETE FROM followups WHERE id = ?", (followup_id,))

    async def drop_followups(self, key: SessionKey) -> None:
        """Forget every follow-up of a resident (they blocked the bot, for instance)."""
        await self.db.execute(
            "DELETE FROM followups WHERE channel = ? AND user_id = ?", (key.channel, key.user_id)
        )

    async def idle_sessions(self, before: float, *, limit: int = 200) -> list[SessionKey]:
        """Residents in the middle of a flow whose last activity was before ``before``."""
        async with self.db.execute(
            "SELECT channel, user_id FROM sessions WHERE active_at < ? AND active_at > 0 "
            "AND json_array_length(state, '$.stack') > 0 ORDER BY active_at LIMIT ?",
            (before, limit),
        ) as cursor:
            rows = await cursor.fetchall()
        return [SessionKey(r[0], r[1]) for r in rows]

    async def claim_morning_list(self, volunteer_id: int, day: str, *, at: float) -> bool:
        """True the first time a volunteer's list for ``day`` is claimed (once, any process)."""
        cursor = await self.db.execute(
            "INSERT OR IGNORE INTO morning_lists (volunteer_id, day, sent_at) VALUES (?, ?, ?)",
            (volunteer_id, day, at),
        )
        return bool(cursor.rowcount)

    async def unclaim_morning_list(self, volunteer_id: int, day: str) -> None:
        """Undo a claim whose message could not be sent, so the next pass tries again."""
        await self.db.execute(
            "DELETE FROM morning_lists WHERE volunteer_id = ? AND day = ?", (volunteer_id, day)
        )

    async def is_processed(self, update_key: str) -> bool:
        """True when a turn with this key was saved."""
        async with self.db.execute(
            "SELECT 1 FROM processed_updates WHERE update_key = ?", (update_key,)
        ) as cursor:
            return await cursor.fetchone() is not None

    async def prune_processed(self, before: float) -> int:
        """Forget update keys saved before ``before``."""
        cursor = await self.db.execute("DELETE FROM processed_updates WHERE at < ?", (before,))
        return int(cursor.rowcount)

    async def pending_outbox(self, key: SessionKey | None = None) -> list[OutboxRecord]:
        """Replies not delivered yet, oldest first."""
        query = "SELECT id, channel, user_id, message FROM outbox WHERE sent_at IS NULL"
        params: tuple[str, ...] = ()
        if key is not None:
            query += " AND channel = ? AND user_id = ?"
            params = (key.channel, key.user_id)
        async with self.db.execute(query + " ORDER BY id", params) as cursor:
            rows = await cursor.fetchall()
        return [
            OutboxRecord(
                id=row[0], key=SessionKey(row[1], row[2]), message=message_from_json(row[3])
            )
            for row in rows
        ]

    async def set_reachable(self, key: SessionKey, reachable: bool, *, at: float) -> None:
        """Record that a resident blocked the bot (False) or wrote again (True)."""
        if reachable:
            await self.db.execute(
                "DELETE FROM unreachable WHERE channel = ? AND user_id = ?",
                (key.channel, key.user_id),
            )
        else:
            await self.db.execute(
                "INSERT OR IGNORE INTO unreachable (channel, user_id, since) VALUES (?, ?, ?)",
                (key.channel, key.user_id, at),
            )

    async def unreachable(self) -> set[SessionKey]:
        """Everyone who blocked the bot (read once at start, then kept in memory)."""
        async with self.db.execute("SELECT channel, user_id FROM unreachable") as cursor:
            rows = await cursor.fetchall()
        return {SessionKey(r[0], r[1]) for r in rows}

    async def is_reachable(self, key: SessionKey) -> bool:
        """False once a resident blocked the bot, until they write again."""
        async with self.db.execute(
            "SELECT 1 FROM unreachable WHERE channel = ? AND user_id = ?",
            (key.channel, key.user_id),
        ) as cursor:
            return await cursor.fetchone() is None

    async def cached_file(self, ref: str) -> str | None:
        """A channel's id for an uploaded file."""
        async with self.db.execute("SELECT file_id FROM file_cache WHERE ref = ?", (ref,)) as cur:
            row = await cur.fetchone()
        return str(row[0]) if row else None

    async def cache_file(self, ref: str, file_id: str) -> None:
        """Remember a channel's id for an uploaded file."""
        await self.db.execute(
            "INSERT OR REPLACE INTO file_cache (ref, file_id) VALUES (?, ?)", (ref, file_id)
        )

    async def alerts(self, *, pending_only: bool = True) -> list[AlertRecord]:
        """Staff alerts, oldest first (by default only those not delivered yet)."""
        where = "WHERE delivered_at IS NULL" if pending_only else ""
        async with self.db.execute(
            "SELECT id, channel, user_id, flow_id, step, text, at, delivered_at "
            f"FROM staff_alerts {where} ORDER BY id"
        ) as cursor:
            rows = await cursor.fetchall()
        return [
            AlertRecord(
                id=row[0],
                key=SessionKey(row[1], row[2]),
                alert=StaffAlert(text=row[5], flow_id=row[3], step=row[4], at=row[6]),
                delivered=row[7] is not None,
            )
            for row in rows
        ]

    async def mark_delivered(self, alert_id: int, *, at: float) -> None:
        """Record that an alert reached the staff."""
        await self.db.execute(
            "UPDATE staff_alerts SET delivered_at = ? WHERE id = ?", (at, alert_id)
        )

    async def record_flow_versions(self, versions: Sequence[FlowVersion]) -> int:
        """Remember loaded flow versions not seen before; returns how many were new."""
        before = self.db.total_changes
        await self.db.executemany(
            "INSERT OR IGNORE INTO flow_versions (flow_id, version, digest, loaded_at) "
            "VALUES (?, ?, ?, ?)",
            [(v.flow_id, v.version, v.digest, v.loaded_at) for v in versions],
        )
        return int(self.db.total_changes - before)

    async def flow_versions(self) -> list[FlowVersion]:
        """Every flow version ever loaded, oldest first."""
        async with self.db.execute(
            "SELECT flow_id, version, digest, loaded_at FROM flow_versions "
            "ORDER BY loaded_at, flow_id"
        ) as cursor:
            rows = await cursor.fetchall()
        return [FlowVersion(flow_id=r[0], version=r[1], digest=r[2], loaded_at=r[3]) for r in rows]

    async def runs(self) -> list[RunRecord]:
        """Every logged run, oldest first."""
        async with self.db.execute(
            "SELECT user_ref, channel, flow_id, flow_version, lang, started_at, ended_at, outcome, "
            "path, parent_flow, mode, volunteer_id, village, visit_id FROM runs ORDER BY id"
        ) as cursor:
            rows = await cursor.fetchall()
        return [
            RunRecord(
                user=row[0],
                channel=row[1],
                run=FinishedRun(
                    flow_id=row[2],
                    flow_version=row[3],
                    lang=row[4],
                    started_at=row[5],
                    ended_at=row[6],
                    outcome=row[7],
                    path=tuple(json.loads(row[8])),
                    parent_flow=row[9],
                    mode=row[10],
                    volunteer_id=row[11],
                    village=row[12],
                    visit_id=row[13],
                ),
            )
            for row in rows
        ]
