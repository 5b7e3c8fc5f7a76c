"""Messages for staff outside any conversation: refused edits, broken flows, alerts, morning lists.

They go out through a channel's delivery to that channel's staff chats (for Telegram the admin
chats, or the admins' own chats), in Vietnamese.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence

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


class StaffNotices:
    """Tells the staff chats what they need to know, through one channel's delivery."""

    def __init__(
        self,
        delivery: Delivery,
        storage: Storage,
        catalog: Catalog,
        *,
        chats: Sequence[SessionKey],
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.delivery = delivery
        self.storage = storage
        self.catalog = catalog
        self.chats = tuple(chats)
        self.clock = clock

    async def tell_admins(self, problems: Sequence[Problem], *, limit: int = 10) -> None:
        """Tell the admin chats that an edit was refused, and why (in Vietnamese)."""
        if not self.chats or not problems:
            return
        lines = [self.catalog.text("staff.reload_refused", "vi", count=len(problems))]
        lines += [problem.render("vi") for problem in problems[:limit]]
        if len(problems) > limit:
            lines.append(f"… (+{len(problems) - limit})")
        await self.delivery.send_many(self.chats, OutgoingMessage(text="\n".join(lines)))

    async def tell_admins_fault(self, fault: FlowFault) -> None:
        """Tell the admin chats that a flow failed for a resident, where, and what to fix."""
        if not self.chats:
            return
        text = describe("runtime.heading", {}, "vi") + "\n" + fault_problem(fault).render("vi")
        await self.delivery.send_many(self.chats, OutgoingMessage(text=text))

    async def send_to(self, key: SessionKey, message: OutgoingMessage) -> bool:
        """Send one message outside any conversation turn (a volunteer's morning list)."""
        try:
            await self.delivery.send(key, message)
        except ChannelError:
            return False
        return True

    async def deliver_alerts(self) -> int:
        """Send pending staff alerts to the admin chats; returns how many went out."""
        if not self.chats:
            return 0
        sent = 0
        for record in await self.storage.alerts():
            text = self.catalog.text(
                "staff.alert", "vi", flow=record.alert.flow_id, text=record.alert.text
            )
            if await self.delivery.send_many(self.chats, OutgoingMessage(text=text)):
                await self.storage.mark_delivered(record.id, at=self.clock())
                sent += 1
        return sent
