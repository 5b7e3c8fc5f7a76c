"""What a channel keeps for itself: small named values (credentials, per-resident marks) and a
lease on each, so only one process at a time renews what cannot be renewed twice.

A Zalo OA's refresh token works once: two processes refreshing together would leave one of them,
and then the whole OA, without a valid pair. The lease is a row's ``holder`` and ``lease_until``,
claimed with one conditional update (``... WHERE lease_until < now``), so whichever database
serves several processes decides who renews; the new value is written, and the lease released,
in that same row by one statement.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol, runtime_checkable

__all__ = ["ChannelStateStore", "ChannelValue"]


@dataclass(frozen=True, slots=True)
class ChannelValue:
    """One named value of a channel, with who holds its lease and until when."""

    value: str
    holder: str = ""
    lease_until: float = 0.0
    updated_at: float = 0.0


@runtime_checkable
class ChannelStateStore(Protocol):
    """The channel-state role of a storage (the table ``channel_state``)."""

    async def channel_value(self, channel: str, name: str) -> ChannelValue | None:
        """The value named ``name`` of ``channel``, or None when there is none."""

    async def put_channel_value(
        self, channel: str, name: str, value: str, *, at: float, holder: str = ""
    ) -> bool:
        """Keep ``value``. With ``holder``: only while that holder has the lease, which is
        released by the same write; False (nothing written) when the lease was lost."""

    async def claim_channel_lease(
        self, channel: str, name: str, holder: str, *, now: float, until: float
    ) -> bool:
        """Take the lease on ``name`` until ``until`` if nobody holds it at ``now`` (or
        ``holder`` already does); True when it is ``holder``'s."""

    async def release_channel_lease(self, channel: str, name: str, holder: str) -> None:
        """Give the lease back (only ``holder``'s own), leaving the value as it is."""
