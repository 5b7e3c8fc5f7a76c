"""Tickets, their notes and who is off duty, for :class:`~bot.storage.memory.MemoryStorage`, as
the SQL backends keep them (:mod:`bot.storage.sql_tickets`)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from bot.core.errors import StaleSession
from bot.core.tickets import Ticket, TicketChange, TicketNote
from bot.core.types import SessionKey
from bot.storage.memory_tables import MemoryTables

__all__ = ["MemoryTickets"]


def _inside(at: float, start: float | None, end: float | None) -> bool:
    return (start is None or at >= start) and (end is None or at < end)


class MemoryTickets(MemoryTables):
    """The :class:`~bot.storage.base.TicketStore` role on plain dicts and lists."""

    def _open_id(self, resident: SessionKey | None) -> int | None:
        for ticket in self._tickets.values():
            if ticket.resident == resident and ticket.open:
                return ticket.id
        return None

    def _check_tickets(self, changes: Sequence[TicketChange]) -> None:
        """Refuse (StaleSession, before anything is saved) a take of a ticket that was closed,
        or taken by someone else, since the turn read it (an officer may take one over)."""
        for change in changes:
            ticket = self._tickets.get(change.ticket_id or 0)
            if change.kind != "take" or ticket is None:
                continue
            if not ticket.open or not (
                change.over or ticket.status == "open" or ticket.taken_by == change.by
            ):
                raise StaleSession(f"ticket {ticket.id} changed since it was read")

    def _apply_tickets(self, changes: Sequence[TicketChange]) -> None:
        """A turn's ticket changes, in order (called inside the turn's save)."""
        for change in changes:
            ticket_id = change.ticket_id
            if ticket_id is None:
                ticket_id = self._open_id(change.resident)
            if change.kind == "open" and change.resident is not None:
                if ticket_id is None:
                    ticket_id = max(self._tickets, default=0) + 1
                    self._tickets[ticket_id] = Ticket(
                        id=ticket_id,
                        resident=change.resident,
                        status="open",
                        opened_at=change.at,
                        flow_id=change.flow_id,
                        step=change.step,
                        path=tuple(change.path),
                        village=change.village,
                        lang=change.lang,
                        xung_ho=change.xung_ho,
                    )
                elif change.village and not self._tickets[ticket_id].village:
                    self._tickets[ticket_id] = replace(
                        self._tickets[ticket_id], village=change.village
                    )
                if change.text:
                    self._note(ticket_id, change)
                continue
            ticket = self._tickets.get(ticket_id) if ticket_id is not None else None
            if ticket is None:
                continue
            self._tickets[ticket.id] = self._changed(ticket, change)

    def _note(self, ticket_id: int, change: TicketChange) -> None:
        self._notes.append(
            TicketNote(
                ticket_id=ticket_id,
                author=change.author,
                text=change.text,
                at=change.at,
                name=change.name,
            )
        )
        ticket = self._tickets[ticket_id]
        if change.answer and ticket.first_answer_at is None:
            self._tickets[ticket_id] = replace(ticket, first_answer_at=change.at)

    def _changed(self, ticket: Ticket, change: TicketChange) -> Ticket:
        if change.kind == "note":
            self._note(ticket.id, change)
            return self._tickets[ticket.id]
        if change.kind == "take" and ticket.open:
            return replace(
                ticket,
                status="taken",
                taken_by=change.by,
                taker_name=change.name,
                taken_at=ticket.taken_at if ticket.taken_at is not None else change.at,
            )
        if change.kind == "release" and ticket.status == "taken":
            return replace(
                ticket, status="open", taken_by="", taker_name="", notified=0, notified_at=None
            )
        if change.kind == "close" and ticket.open:
            return replace(
                ticket,
                status="closed",
                closed_at=change.at,
                outcome=change.outcome,
                note=change.text,
            )
        if change.kind == "share":
            return replace(ticket, contact=change.text)
        if change.kind == "notified" and ticket.notified < change.level:
            return replace(ticket, notified=change.level, notified_at=change.at)
        return ticket

    async def ticket(self, ticket_id: int) -> Ticket | None:
        """One ticket by its number."""
        return self._tickets.get(ticket_id)

    async def open_ticket(self, resident: SessionKey) -> Ticket | None:
        """The resident's open ticket, if any."""
        ticket_id = self._open_id(resident)
        return self._tickets[ticket_id] if ticket_id is not None else None

    async def open_tickets(self) -> list[Ticket]:
        """Every ticket not closed, oldest first."""
        found = [t for t in self._tickets.values() if t.open]
        return sorted(found, key=lambda t: (t.opened_at, t.id))

    async def tickets_opened(self, start: float | None, end: float | None) -> list[Ticket]:
        """Tickets opened in the window, oldest first."""
        found = [t for t in self._tickets.values() if _inside(t.opened_at, start, end)]
        return sorted(found, key=lambda t: (t.opened_at, t.id))

    async def ticket_notes(self, ticket_id: int) -> list[TicketNote]:
        """A ticket's conversation, oldest first."""
        return sorted((n for n in self._notes if n.ticket_id == ticket_id), key=lambda n: n.at)

    async def record_ticket_notified(self, ticket_id: int, level: int, *, at: float) -> bool:
        """Record that staff were told at ``level``; False when it was recorded already."""
        ticket = self._tickets.get(ticket_id)
        if ticket is None or ticket.status != "open" or ticket.notified >= level:
            return False
        self._tickets[ticket_id] = replace(ticket, notified=level, notified_at=at)
        return True

    async def set_on_duty(self, staff: str, on_duty: bool, *, at: float) -> None:
        """Record whether a staff member takes requests now."""
        self._duty[staff] = on_duty

    async def off_duty(self) -> set[str]:
        """The staff members who said they are off duty."""
        return {staff for staff, on in self._duty.items() if not on}

    def _old_tickets(self, cutoff: float) -> dict[str, list[object]]:
        """The old ticket notes and closed tickets (the purge's rule)."""
        recent = {n.ticket_id for n in self._notes if n.at >= cutoff}
        return {
            "ticket_notes": [n for n in self._notes if n.at < cutoff],
            "tickets": [
                t.id
                for t in self._tickets.values()
                if t.closed_at is not None and t.closed_at < cutoff and t.id not in recent
            ],
        }

    def _purge_tickets(self, cutoff: float, old: dict[str, list[object]]) -> None:
        self._notes = [n for n in self._notes if n.at >= cutoff]
        for ticket_id in old["tickets"]:
            self._tickets.pop(int(str(ticket_id)), None)

    def _forget_tickets(self, key: SessionKey, deleted: dict[str, int]) -> None:
        """A resident's /forget: their tickets and what was said in them; a staff member's: the
        requests they took no longer name them, and their on-duty setting goes."""
        staff = str(key)
        taken = {t.id for t in self._tickets.values() if t.taken_by == staff}
        self._notes = [
            replace(n, name="") if n.ticket_id in taken and n.author == "staff" else n
            for n in self._notes
        ]
        for ticket_id in taken:
            self._tickets[ticket_id] = replace(
                self._tickets[ticket_id], taken_by="forgotten", taker_name=""
            )
        self._duty.pop(staff, None)
        theirs = {t.id for t in self._tickets.values() if t.resident == key}
        deleted["ticket_notes"] = sum(n.ticket_id in theirs for n in self._notes)
        deleted["tickets"] = len(theirs)
        self._notes = [n for n in self._notes if n.ticket_id not in theirs]
        for ticket_id in theirs:
            del self._tickets[ticket_id]
