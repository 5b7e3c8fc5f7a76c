"""Each web resident's replies, numbered, kept a while so a reconnect gets exactly what it missed.

A phone is locked, a tab reloaded, a 3G connection drops: the page asks again with the number of
the last reply it has, and gets every later one, in order, once. Replies are "sent" when they are
here (the outbox then forgets them); a connected page is woken at once. Memory is bounded: so
many replies per resident, so many residents (the least recently active go first). After the
process restarts the numbering starts again under a new ``epoch``: the page then shows where the
resident is from their saved session instead.
"""

from __future__ import annotations

import asyncio
import secrets
from collections import OrderedDict, deque
from dataclasses import dataclass, field
from typing import Any

__all__ = ["Mailbox", "Reply"]

# Per resident: enough for a long guide read offline; a reload shows the last ones.
KEEP_PER_RESIDENT = 200
# Residents whose replies are kept (the least recently active are forgotten first).
KEEP_RESIDENTS = 20_000


@dataclass(frozen=True, slots=True)
class Reply:
    """One reply, as the page shows it, with its number in this resident's conversation."""

    seq: int
    message: dict[str, Any]


@dataclass(slots=True)
class _Box:
    replies: deque[Reply] = field(default_factory=lambda: deque(maxlen=KEEP_PER_RESIDENT))
    last: int = 0
    changed: asyncio.Event = field(default_factory=asyncio.Event)


class Mailbox:
    """Numbered replies per resident, and a way to wait for the next one."""

    def __init__(self, *, keep_residents: int = KEEP_RESIDENTS) -> None:
        # Tells the page whether its numbers still mean anything (they restart with the process).
        self.epoch = secrets.token_hex(4)
        self._boxes: OrderedDict[str, _Box] = OrderedDict()
        self._keep = keep_residents

    def _box(self, resident: str) -> _Box:
        box = self._boxes.get(resident)
        if box is None:
            box = self._boxes[resident] = _Box()
            while len(self._boxes) > self._keep:
                self._boxes.popitem(last=False)
        self._boxes.move_to_end(resident)
        return box

    def post(self, resident: str, message: dict[str, Any]) -> int:
        """Keep ``message`` as the resident's next reply and wake their pages; its number."""
        box = self._box(resident)
        box.last += 1
        box.replies.append(Reply(box.last, message))
        box.changed.set()
        box.changed = asyncio.Event()
        return box.last

    def residents(self) -> list[str]:
        """Whose replies are kept, least recently active first."""
        return list(self._boxes)

    def last(self, resident: str) -> int:
        """The number of the resident's latest reply (0 before the first)."""
        box = self._boxes.get(resident)
        return box.last if box is not None else 0

    def since(self, resident: str, seq: int) -> list[Reply]:
        """The replies after number ``seq``, oldest first (those still kept)."""
        box = self._boxes.get(resident)
        if box is None:
            return []
        return [reply for reply in box.replies if reply.seq > seq]

    async def wait(self, resident: str, seq: int, timeout: float) -> list[Reply]:
        """The replies after ``seq``; waits up to ``timeout`` seconds for one if there is none."""
        found = self.since(resident, seq)
        if found or timeout <= 0:
            return found
        changed = self._box(resident).changed
        try:
            await asyncio.wait_for(changed.wait(), timeout)
        except TimeoutError:
            return []
        return self.since(resident, seq)
