"""The channel-state role in SQL both backends understand (see :mod:`bot.storage.channel_state`).

A mixin of :class:`~bot.storage.sql.SqlTables`.
"""

from __future__ import annotations

from bot.storage.channel_state import ChannelValue
from bot.storage.sql import SqlTables

__all__ = ["ChannelStateTables"]


class ChannelStateTables(SqlTables):
    """Named values of channels, each with a lease (table ``channel_state``)."""

    async def channel_value(self, channel: str, name: str) -> ChannelValue | None:
        """The value named ``name`` of ``channel``, or None when there is none."""
        row = await self._one(
            "SELECT value, holder, lease_until, updated_at FROM channel_state "
            "WHERE channel = ? AND name = ?",
            (channel, name),
        )
        if row is None or (not row[0] and not row[3]):  # a lease claimed, no value put yet
            return None
        return ChannelValue(
            value=row[0], holder=row[1], lease_until=float(row[2]), updated_at=float(row[3])
        )

    async def put_channel_value(
        self, channel: str, name: str, value: str, *, at: float, holder: str = ""
    ) -> bool:
        """Keep ``value``; with ``holder`` only under that holder's lease, released with it."""
        if holder:
            # One statement: the new value and the lease's end cannot be separated by a crash.
            written = await self._count(
                "UPDATE channel_state SET value = ?, updated_at = ?, holder = '', "
                "lease_until = 0 WHERE channel = ? AND name = ? AND holder = ?",
                (value, at, channel, name, holder),
            )
            return written == 1
        await self._count(
            "INSERT INTO channel_state (channel, name, value, updated_at) VALUES (?, ?, ?, ?) "
            "ON CONFLICT (channel, name) DO UPDATE SET value = excluded.value, "
            "updated_at = excluded.updated_at",
            (channel, name, value, at),
        )
        return True

    async def claim_channel_lease(
        self, channel: str, name: str, holder: str, *, now: float, until: float
    ) -> bool:
        """Take the lease if it is free at ``now`` (or already ``holder``'s)."""
        await self._count(
            "INSERT INTO channel_state (channel, name) VALUES (?, ?) ON CONFLICT DO NOTHING",
            (channel, name),
        )
        claimed = await self._count(
            "UPDATE channel_state SET holder = ?, lease_until = ? "
            "WHERE channel = ? AND name = ? AND (lease_until < ? OR holder = ?)",
            (holder, until, channel, name, now, holder),
        )
        return claimed == 1

    async def release_channel_lease(self, channel: str, name: str, holder: str) -> None:
        """Give the lease back (only ``holder``'s own)."""
        await self._count(
            "UPDATE channel_state SET holder = '', lease_until = 0 "
            "WHERE channel = ? AND name = ? AND holder = ?",
            (channel, name, holder),
        )
