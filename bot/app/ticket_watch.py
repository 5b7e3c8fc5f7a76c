"""Telling the right people about a resident's request for a person, and escalating it.

A new ticket goes to the on-duty volunteers of the resident's village first; when the village has
none (or the resident did not say it), to the commune's officers (the admins), and when there are
no officers either, to the staff chats. A ticket nobody took within
``tickets.escalate_after_minutes`` is sent again, to the village's volunteers and the officers
together, but never in the quiet hours (it waits for the morning, as reminders do).

Each step is claimed in the database before it is sent (:meth:`record_ticket_notified`), so two
bot processes never both send it. The watch runs after every turn that changed a ticket (poked by
the assistant) and every ``tickets.check_seconds`` besides (a crash between the commit and the
notice, or the escalation's time coming).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from contextlib import suppress
from typing import TYPE_CHECKING

from bot.app.scheduler import is_quiet
from bot.app.ticket_wording import label
from bot.config import ReminderSettings, TicketSettings
from bot.core import payloads
from bot.core.matching import fold
from bot.core.tickets import Ticket, staff_ref
from bot.core.types import Button, OutgoingMessage, SessionKey
from bot.engine.runner import Engine
from bot.storage.base import Storage

if TYPE_CHECKING:
    from bot.app.notices import StaffNotices

__all__ = ["TicketWatch"]

log = logging.getLogger(__name__)


class TicketWatch:
    """Looks for tickets staff must hear of; every decision uses the injected clock."""

    def __init__(
        self,
        storage: Storage,
        notices: StaffNotices,
        settings: TicketSettings,
        reminders: ReminderSettings,
        *,
        officers: frozenset[SessionKey] = frozenset(),
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.storage = storage
        self.notices = notices
        self.settings = settings
        self.reminders = reminders
        self.officers = officers
        self.clock = clock
        self._poked = asyncio.Event()

    def poke(self) -> None:
        """A turn changed a ticket: look now rather than at the next pass."""
        self._poked.set()

    async def run(self, engine_of: Callable[[], Engine]) -> None:
        """Until cancelled: a pass whenever poked, and every ``check_seconds`` anyway."""
        while True:
            self._poked.clear()
            try:
                await self.tick(engine_of())
            except Exception:
                log.exception("could not tell staff about residents' requests")
            with suppress(asyncio.TimeoutError):
                await asyncio.wait_for(self._poked.wait(), self.settings.check_seconds)

    async def tick(self, engine: Engine) -> int:
        """Tell and escalate what is due now; returns how many tickets staff were told of."""
        now = self.clock()
        quiet = is_quiet(self.reminders, now)
        waiting = [t for t in await self.storage.open_tickets() if t.status == "open"]
        if not waiting:
            return 0
        off = await self.storage.off_duty()
        volunteers = [v for v in await self.storage.volunteers() if v.active]
        officers = [k for k in sorted(self.officers, key=str) if staff_ref(k) not in off]
        told = 0
        for ticket in waiting:
            level = self._due(ticket, now, quiet)
            if level == 0:
                continue
            if not await self.storage.record_ticket_notified(ticket.id, level, at=now):
                continue  # another process told them
            team = [
                v.key
                for v in volunteers
                if ticket.village
                and fold(v.village) == fold(ticket.village)
                and staff_ref(v.key) not in off
            ]
            chats = (team or officers) if level == 1 else list(dict.fromkeys(team + officers))
            message = await self._message(engine, ticket, level)
            if not chats:
                await self.notices.tell_staff(message)
            for key in chats:
                await self.notices.send_to(key, message)
            told += 1
        return told

    def _due(self, ticket: Ticket, now: float, quiet: bool) -> int:
        """The level a ticket is due for now: 1 (tell), 2 (escalate), or 0 (nothing)."""
        if ticket.notified == 0:
            return 1
        since = ticket.notified_at if ticket.notified_at is not None else ticket.opened_at
        late = now - since >= self.settings.escalate_after_minutes * 60
        if ticket.notified == 1 and late and not quiet:
            return 2
        return 0

    async def _message(self, engine: Engine, ticket: Ticket, level: int) -> OutgoingMessage:
        notes = await self.storage.ticket_notes(ticket.id)
        summary = notes[0].text if notes else ""
        key = "ticket.alert" if level == 1 else "ticket.escalated"
        minutes = int(self.settings.escalate_after_minutes)
        text = engine.catalog.text(
            key, "vi", label=label(engine, ticket), summary=summary, id=ticket.id, minutes=minutes
        )
        take = engine.catalog.text("ticket.take_button", "vi", id=ticket.id)
        button = Button(label=take, payload=payloads.staff("tk", "take", ticket.id))
        return OutgoingMessage(text=text, buttons=((button,),))
