"""Messages for staff outside any conversation: refused edits, broken flows, alerts, morning lists.

One :class:`StaffNotices` serves every channel. The composition root builds it before the
assistant (which reports broken flows to it) and joins each channel to it as the channel is built:
a notice for the admins goes to every channel's staff chats (for Telegram the admin chats, or the
admins' own chats), in Vietnamese; a message for one person (a volunteer's morning list) and the
replies waiting after a reminder go through the channel that person uses.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from bot.app.assistant import fault_problem
from bot.app.delivery import Delivery
from bot.core.errors import ChannelError
from bot.core.messages import describe
from bot.core.problems import Problem
from bot.core.session import FlowFault
from bot.core.types import OutgoingMessage, SessionKey
from bot.i18n.catalog import Catalog
from bot.storage.base import Storage

__all__ = ["StaffNotices"]

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class _Outlet:
    """One channel's way out: its delivery and the chats its staff read."""

    delivery: Delivery
    chats: tuple[SessionKey, ...]


class StaffNotices:
    """Tells the staff chats of every channel what they need to know."""

    def __init__(
        self,
        storage: Storage,
        catalog: Catalog,
        *,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.storage = storage
        self.catalog = catalog
        self.clock = clock
        self._outlets: dict[str, _Outlet] = {}

    def join(self, delivery: Delivery, chats: Sequence[SessionKey]) -> None:
        """Add a channel: its delivery, and the chats where its staff read notices."""
        self._outlets[delivery.channel] = _Outlet(delivery, tuple(chats))

    @property
    def chats(self) -> tuple[SessionKey, ...]:
        """Every channel's staff chats."""
        return tuple(chat for outlet in self._outlets.values() for chat in outlet.chats)

    async def _to_staff(self, message: OutgoingMessage) -> bool:
        """``message`` to every channel's staff chats; True when it reached at least one."""
        reached = False
        for outlet in self._outlets.values():
            if outlet.chats and await outlet.delivery.send_many(outlet.chats, message):
                reached = True
        return reached

    async def tell_admins(self, problems: Sequence[Problem], *, limit: int = 10) -> None:
        """Tell the admin chats that an edit was refused, and why (in Vietnamese)."""
        if not self.chats or not problems:
            return
        lines = [self.catalog.text("staff.reload_refused", "vi", count=len(problems))]
        lines += [problem.render("vi") for problem in problems[:limit]]
        if len(problems) > limit:
            lines.append(f"… (+{len(problems) - limit})")
        await self._to_staff(OutgoingMessage(text="\n".join(lines)))

    async def tell_admins_fault(self, fault: FlowFault) -> None:
        """Tell the admin chats that a flow failed for a resident, where, and what to fix."""
        if not self.chats:
            return
        text = describe("runtime.heading", {}, "vi") + "\n" + fault_problem(fault).render("vi")
        await self._to_staff(OutgoingMessage(text=text))

    async def send_to(self, key: SessionKey, message: OutgoingMessage) -> bool:
        """Send one message outside any conversation turn (a volunteer's morning list)."""
        outlet = self._outlets.get(key.channel)
        if outlet is None:
            log.warning("no channel %r to send a message outside a turn", key.channel)
            return False
        try:
            await outlet.delivery.send(key, message, urgent=False)  # replies go first
        except ChannelError:
            return False
        return True

    def flush_soon(self, key: SessionKey) -> None:
        """Send in the background what waits in ``key``'s outbox (a staff member's answer stored
        with their turn), through ``key``'s own channel, whichever channel the turn came from."""
        outlet = self._outlets.get(key.channel)
        if outlet is None:
            log.warning("no channel %r for a relayed message; it waits in the outbox", key.channel)
            return
        outlet.delivery.flush_stored(key)

    async def tell_staff(self, message: OutgoingMessage) -> bool:
        """``message`` to every channel's staff chats; True when it reached at least one."""
        return await self._to_staff(message)

    async def flush(self, key: SessionKey) -> None:
        """Send what waits in the outbox for ``key`` (after a reminder), through its channel,
        after the replies to residents who are writing (a reminder is not urgent)."""
        outlet = self._outlets.get(key.channel)
        if outlet is not None:
            await outlet.delivery.flush(key, urgent=False)

    async def deliver_alerts(self) -> int:
        """Send pending staff alerts to the staff chats; returns how many went out."""
        if not self.chats:
            return 0
        sent = 0
        for record in await self.storage.alerts():
            text = self.catalog.text(
                "staff.alert", "vi", flow=record.alert.flow_id, text=record.alert.text
            )
            if await self._to_staff(OutgoingMessage(text=text)):
                await self.storage.mark_delivered(record.id, at=self.clock())
                sent += 1
        return sent
