"""Deleting what is older than the retention period (Law 91/2025/QH15: keep data only as needed).

The :class:`~bot.storage.base.PurgeStore` role of :class:`bot.storage.sqlite.SqliteStorage` (a
mixin on the connection it opened). Each table has one rule saying which rows are old; the same
rule counts them for a dry run and deletes them for real, so the two can never disagree.
"""

from __future__ import annotations

from typing import Any

from bot.storage.records import PURGE_TABLES

__all__ = ["PURGE_RULES", "PurgeTables"]

# (table, the condition that makes a row old), in the order of PURGE_TABLES (which says why).
# ``?`` is the cut-off in epoch seconds.
PURGE_RULES: tuple[tuple[str, str], ...] = (
    ("runs", "ended_at < ?"),
    ("visit_outcomes", "at < ?"),
    ("staff_alerts", "at < ?"),
    ("outbox", "sent_at IS NOT NULL AND created_at < ?"),
    ("processed_updates", "at < ?"),
    ("sessions", "updated_at < ?"),
    ("admin_actions", "at < ?"),
)
assert tuple(table for table, _ in PURGE_RULES) == PURGE_TABLES


class PurgeTables:
    """Purges; ``self.db`` is the open connection of the storage."""

    db: Any

    def forget_cached(self, key: None = None) -> None:
        raise NotImplementedError  # provided by SqliteStorage

    async def count_old(self, cutoff: float) -> dict[str, int]:
        """How many rows of each table :meth:`purge_old` would delete."""
        counts: dict[str, int] = {}
        for table, condition in PURGE_RULES:
            async with self.db.execute(
                f"SELECT COUNT(*) FROM {table} WHERE {condition}", (cutoff,)
            ) as cur:
                row = await cur.fetchone()
            counts[table] = int(row[0]) if row else 0
        return counts

    async def purge_old(self, cutoff: float) -> dict[str, int]:
        """Delete every row older than ``cutoff`` in one transaction; returns the count per table.

        ``secure_delete`` overwrites the freed pages with zeros, so the deleted text does not linger
        in the file where a copy of it could still be read.
        """
        await self.db.execute("PRAGMA secure_delete = ON")
        deleted: dict[str, int] = {}
        await self.db.execute("BEGIN IMMEDIATE")
        try:
            for table, condition in PURGE_RULES:
                cursor = await self.db.execute(f"DELETE FROM {table} WHERE {condition}", (cutoff,))
                deleted[table] = int(cursor.rowcount)
            await self.db.execute("COMMIT")
        except BaseException:
            await self.db.execute("ROLLBACK")
            raise
        self.forget_cached()  # the sessions deleted must not come back from memory
        # Old pages also sit in the write-ahead log until a checkpoint copies it back.
        async with self.db.execute("PRAGMA wal_checkpoint(TRUNCATE)") as cursor:
            await cursor.fetchall()
        return deleted
