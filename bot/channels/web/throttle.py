"""How much one resident, or one address, may ask of the web chat: token buckets that refuse.

Unlike the outbox's limiter (which waits before each send), these answer at once: a message over
the limit is refused with "slow down" and the page sends it again a little later, so one noisy
page cannot make the bot work for it alone. Memory is bounded: idle buckets are forgotten.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable

__all__ = ["Throttle"]


class Throttle:
    """``rate`` requests a second per key, with bursts of ``burst``."""

    def __init__(
        self,
        *,
        rate: float,
        burst: int,
        keep: int = 50_000,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.rate = rate
        self.burst = float(burst)
        self.keep = keep
        self.clock = clock
        self._buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()  # tokens, at

    def allow(self, key: str) -> bool:
        """Take one token for ``key``; False when it has none left just now."""
        now = self.clock()
        tokens, at = self._buckets.pop(key, (self.burst, now))
        tokens = min(self.burst, tokens + (now - at) * self.rate)
        allowed = tokens >= 1.0
        self._buckets[key] = (tokens - 1.0 if allowed else tokens, now)
        while len(self._buckets) > self.keep:
            self._buckets.popitem(last=False)  # the longest idle: its bucket would be full
        return allowed
