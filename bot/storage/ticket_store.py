"""The storage role of residents' requests for a person (tickets)."""

from __future__ import annotations

from typing import Protocol

from bot.core.tickets import Ticket, TicketNote
from bot.core.types import SessionKey

__all__ = ["TicketStore"]


class TicketStore(Protocol):
    """Residents' requests for a person (tickets) and the conversation relayed in them.

    A ticket changes only with a turn (``TurnRecord.tickets``, in the turn's transaction), except
    how far staff were told (:meth:`record_ticket_notified`, by whichever process tells them
    first) and who is on duty. At most one ticket per resident is open at a time.
    """

    async def ticket(self, ticket_id: int) -> Ticket | None:
        """One ticket by its number."""

    async def open_ticket(self, resident: SessionKey) -> Ticket | None:
        """The resident's open ticket, if any."""

    async def open_tickets(self) -> list[Ticket]:
        """Every ticket not closed, oldest first."""

    async def ticket_notes(self, ticket_id: int) -> list[TicketNote]:
        """A ticket's conversation, oldest first."""

    async def record_ticket_notified(self, ticket_id: int, level: int, *, at: float) -> bool:
        """Record that staff were told about an untaken ticket at ``level`` (1: told, 2:
        reminded with the officers); False when that was recorded already (by another process)."""

    async def set_on_duty(self, staff: str, on_duty: bool, *, at: float) -> None:
        """Record whether a staff member (``bot.core.tickets.staff_ref``) takes requests now."""

    async def off_duty(self) -> set[str]:
        """The staff members who said they are off duty (everyone else is on duty)."""
