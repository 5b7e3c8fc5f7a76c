"""Deleting what is older than the retention period (Law 91/2025/QH15: keep data only as needed).

Takes the open connection of :class:`bot.storage.sqlite.SqliteStorage`, like
:mod:`bot.storage.sqlite_reports`. Each table has one rule saying which rows are old; the same
rule counts them for a dry run and deletes them for real, so the two can never disagree.
"""

from __future__ import annotations

from typing import Any

__all__ = ["PURGE_RULES", "count_old", "purge_old"]

# (table, the condition that makes a row old). ``?`` is the cut-off in epoch seconds.
# - runs: by when they ended; a run still going is in the sessions table, not here.
# - visit_outcomes: the row holds the volunteer's note, so deleting it deletes the note.
# - outbox: only replies already sent or dropped; one still waiting would be a lost message.
# - sessions: a resident idle that long starts afresh, which is what they would expect anyway.
# - admin_actions: the admin log, refused attempts included (they name a chat account).
PURGE_RULES: tuple[tuple[str, str], ...] = (
    ("runs", "ended_at < ?"),
    ("visit_outcomes", "at < ?"),
    ("staff_alerts", "at < ?"),
    ("outbox", "sent_at IS NOT NULL AND created_at < ?"),
    ("processed_updates", "at < ?"),
    ("sessions", "updated_at < ?"),
    ("admin_actions", "at < ?"),
)


async def count_old(db: Any, cutoff: float) -> dict[str, int]:
    """How many rows of each table :func:`purge_old` would delete."""
    counts: dict[str, int] = {}
    for table, condition in PURGE_RULES:
        async with db.execute(f"SELECT COUNT(*) FROM {table} WHERE {condition}", (cutoff,)) as cur:
            row = await cur.fetchone()
        counts[table] = int(row[0]) if row else 0
    return counts


async def purge_old(db: Any, cutoff: float) -> dict[str, int]:
    """Delete every row older than ``cutoff`` in one transaction; returns the count per table.

    ``secure_delete`` overwrites the freed pages with zeros, so the deleted text does not linger
    in the file where a copy of it could still be read.
    """
    await db.execute("PRAGMA secure_delete = ON")
    deleted: dict[str, int] = {}
    await db.execute("BEGIN IMMEDIATE")
    try:
        for table, condition in PURGE_RULES:
            cursor = await db.execute(f"DELETE FROM {table} WHERE {condition}", (cutoff,))
            deleted[table] = int(cursor.rowcount)
        await db.execute("COMMIT")
    except BaseException:
        await db.execute("ROLLBACK")
        raise
    # Old pages also sit in the write-ahead log until a checkpoint copies it back.
    async with db.execute("PRAGMA wal_checkpoint(TRUNCATE)") as cursor:
        await cursor.fetchall()
    return deleted
