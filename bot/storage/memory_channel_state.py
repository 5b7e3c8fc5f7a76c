"""The channel-state role on a dict, for tests (see :mod:`bot.storage.channel_state`)."""

from __future__ import annotations

from dataclasses import replace

from bot.storage.channel_state import ChannelValue

__all__ = ["MemoryChannelState"]


class MemoryChannelState:
    """Named values of channels, each with a lease, in one process's memory."""

    _channel_state: dict[tuple[str, str], ChannelValue]

    def _state_rows(self) -> dict[tuple[str, str], ChannelValue]:
        # Created on first use: the other parts of the memory storage build their own tables.
        if not hasattr(self, "_channel_state"):
            self._channel_state = {}
        return self._channel_state

    async def channel_value(self, channel: str, name: str) -> ChannelValue | None:
        """The value named ``name`` of ``channel``, or None when there is none."""
        found = self._state_rows().get((channel, name))
        return None if found is None or (not found.value and not found.updated_at) else found

    async def put_channel_value(
        self, channel: str, name: str, value: str, *, at: float, holder: str = ""
    ) -> bool:
        """Keep ``value``; with ``holder`` only under that holder's lease, released with it."""
        rows = self._state_rows()
        current = rows.get((channel, name))
        if holder:
            if current is None or current.holder != holder:
                return False
            rows[(channel, name)] = ChannelValue(value=value, updated_at=at)
            return True
        base = current or ChannelValue(value="")
        rows[(channel, name)] = replace(base, value=value, updated_at=at)
        return True

    async def claim_channel_lease(
        self, channel: str, name: str, holder: str, *, now: float, until: float
    ) -> bool:
        """Take the lease if it is free at ``now`` (or already ``holder``'s)."""
        rows = self._state_rows()
        current = rows.get((channel, name)) or ChannelValue(value="")
        if current.lease_until < now or current.holder == holder:
            rows[(channel, name)] = replace(current, holder=holder, lease_until=until)
            return True
        rows.setdefault((channel, name), current)
        return False

    async def release_channel_lease(self, channel: str, name: str, holder: str) -> None:
        """Give the lease back (only ``holder``'s own)."""
        rows = self._state_rows()
        current = rows.get((channel, name))
        if current is not None and current.holder == holder:
            rows[(channel, name)] = replace(current, holder="", lease_until=0.0)
