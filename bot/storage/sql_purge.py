"""Deleting what is older than the retention period (Law 91/2025/QH15: keep data only as needed).

The :class:`~bot.storage.base.PurgeStore` role of both SQL backends (a mixin of
:class:`~bot.storage.sql.SqlTables`). Each table has one rule saying which rows are old; the same
rule counts them for a dry run and deletes them for real, so the two can never disagree.
"""

from __future__ import annotations

from bot.storage.records import PURGE_TABLES
from bot.storage.sql import SqlTables, Steps, count

__all__ = ["PURGE_RULES", "PurgeTables"]

# Nothing recent about a household's person: no outcome, no visit to the household, no session
# (their guide, "visit:<household>-<number>") active within the retention.
_PERSON_IDLE = (
    "NOT EXISTS (SELECT 1 FROM visit_outcomes o WHERE o.household_id = "
    "household_members.household_id AND o.member = household_members.number AND o.at >= ?) "
    "AND NOT EXISTS (SELECT 1 FROM visits v WHERE v.household_id = household_members.household_id "
    "AND COALESCE(v.ended_at, v.started_at) >= ?) "
    "AND NOT EXISTS (SELECT 1 FROM sessions s WHERE s.channel = 'visit' AND s.user_id = "
    "CAST(household_members.household_id AS TEXT) || '-' || CAST(household_members.number AS "
    "TEXT) AND s.updated_at >= ?)"
)
# Nothing recent about a household: no visit, outcome, person added or guide in progress.
_HOUSEHOLD_IDLE = (
    "NOT EXISTS (SELECT 1 FROM visits v WHERE v.household_id = households.id "
    "AND COALESCE(v.ended_at, v.started_at) >= ?) "
    "AND NOT EXISTS (SELECT 1 FROM visit_outcomes o WHERE o.household_id = households.id "
    "AND o.at >= ?) "
    "AND NOT EXISTS (SELECT 1 FROM household_members m WHERE m.household_id = households.id "
    "AND m.created_at >= ?) "
    "AND NOT EXISTS (SELECT 1 FROM sessions s WHERE s.channel = 'visit' "
    "AND s.user_id LIKE CAST(households.id AS TEXT) || '-%' AND s.updated_at >= ?)"
)

# (table, the condition that makes a row old), in the order of PURGE_TABLES (which says why).
# Every ``?`` is the cut-off in epoch seconds. A rule only ever looks at what is *recent* in
# other tables, which no rule deletes: the order of deleting cannot change what is counted.
PURGE_RULES: tuple[tuple[str, str], ...] = (
    ("runs", "ended_at < ?"),
    ("visit_outcomes", "at < ?"),
    (
        "visits",
        "COALESCE(ended_at, started_at) < ? AND NOT EXISTS (SELECT 1 FROM visit_outcomes o "
        "WHERE o.visit_id = visits.id AND o.at >= ?)",
    ),
    ("household_members", f"created_at < ? AND {_PERSON_IDLE}"),
    ("households", f"created_at < ? AND {_HOUSEHOLD_IDLE}"),
    ("staff_alerts", "at < ?"),
    ("outbox", "sent_at IS NOT NULL AND created_at < ?"),
    ("processed_updates", "at < ?"),
    ("sessions", "updated_at < ?"),
    ("admin_actions", "at < ?"),
    ("handovers", "COALESCE(used_at, expires_at) < ?"),
    ("ticket_notes", "at < ?"),
    (
        "tickets",
        "closed_at IS NOT NULL AND closed_at < ? AND NOT EXISTS (SELECT 1 FROM ticket_notes n "
        "WHERE n.ticket_id = tickets.id AND n.at >= ?)",
    ),
)
assert tuple(table for table, _ in PURGE_RULES) == PURGE_TABLES


def _cutoffs(condition: str, cutoff: float) -> tuple[float, ...]:
    return (cutoff,) * condition.count("?")


def _purge(cutoff: float) -> Steps[dict[str, int]]:
    deleted: dict[str, int] = {}
    for table, condition in PURGE_RULES:
        deleted[table] = yield count(
            f"DELETE FROM {table} WHERE {condition}", _cutoffs(condition, cutoff)
        )
    return deleted


class PurgeTables(SqlTables):
    """Purges."""

    async def count_old(self, cutoff: float) -> dict[str, int]:
        """How many rows of each table :meth:`purge_old` would delete."""
        counts: dict[str, int] = {}
        for table, condition in PURGE_RULES:
            row = await self._one(
                f"SELECT COUNT(*) FROM {table} WHERE {condition}", _cutoffs(condition, cutoff)
            )
            counts[table] = int(row[0]) if row else 0
        return counts

    async def purge_old(self, cutoff: float) -> dict[str, int]:
        """Delete every row older than ``cutoff`` in one transaction; returns the count per table.

        The backend then makes sure the deleted text does not linger where a copy of it could
        still be read (SQLite: overwritten pages and an emptied write-ahead log).
        """
        deleted = await self._atomic(_purge(cutoff))
        self.forget_cached()  # the sessions deleted must not come back from memory
        await self._scrub()
        return deleted
