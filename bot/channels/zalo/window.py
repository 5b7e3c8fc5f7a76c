"""When each resident last wrote to the OA: Zalo lets an OA send consultation messages only
within ``zalo.window_hours`` after that.

The time is kept in the database (``channel_state``, one row a resident), so every process and
a restart know it. A message due outside the window (a follow-up, a morning list) is not sent:
it is counted and the count logged, never its words.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from bot.storage.channel_state import ChannelStateStore

__all__ = ["InteractionWindow"]

log = logging.getLogger(__name__)
CHANNEL = "zalo"  # the name the residents' times are kept under in channel_state


class InteractionWindow:
    """Who may be written to now, by when they last wrote."""

    def __init__(
        self,
        state: ChannelStateStore,
        *,
        hours: float,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.state, self.clock = state, clock
        self.seconds = hours * 3600
        self.skipped = 0
        self._seen: dict[str, float] = {}

    async def wrote(self, user_id: str, at: float) -> None:
        """``user_id`` wrote (or followed the OA) at ``at``."""
        if at > self._seen.get(user_id, 0.0):
            self._seen[user_id] = at
            await self.state.put_channel_value(CHANNEL, f"seen:{user_id}", repr(at), at=at)

    async def open_for(self, user_id: str) -> bool:
        """True while the OA may still write to ``user_id``."""
        at = self._seen.get(user_id, 0.0)
        if self.clock() - at > self.seconds:  # closed here: another process may have seen more
            found = await self.state.channel_value(CHANNEL, f"seen:{user_id}")
            if found is not None and found.value:
                at = max(at, float(found.value))
            self._seen[user_id] = at
        return self.clock() - at <= self.seconds

    def skip(self) -> None:
        """Count (and log) a message not sent because the window had closed."""
        self.skipped += 1
        log.info(
            "a Zalo message was not sent: the resident last wrote more than %.0f hours ago "
            "(%d not sent since the start)",
            self.seconds / 3600,
            self.skipped,
        )
