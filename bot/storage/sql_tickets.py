"""Tickets (a resident's request for a person) and their notes, in both SQL backends: the
:class:`~bot.storage.base.TicketStore` role, and the statements a turn runs for its ticket
changes (:func:`apply_changes`, inside the turn's transaction in :mod:`bot.storage.sql_turns`).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from bot.core.errors import StaleSession
from bot.core.tickets import Ticket, TicketChange, TicketNote
from bot.core.types import SessionKey
from bot.storage.sql import SqlTables, Steps, count, insert, one, window

__all__ = ["TicketTables", "apply_changes"]

_COLUMNS = (
    "id, channel, user_id, status, flow_id, step, path, village, lang, xung_ho, opened_at, "
    "taken_by, taker_name, taken_at, first_answer_at, closed_at, outcome, note, notified, "
    "notified_at, contact"
)
_OPEN_OF = "SELECT id FROM tickets WHERE channel = ? AND user_id = ? AND status != 'closed'"


def _ticket(row: Any) -> Ticket:
    return Ticket(
        id=int(row[0]),
        resident=SessionKey(row[1], row[2]),
        status=row[3],
        flow_id=row[4],
        step=row[5],
        path=tuple(json.loads(row[6] or "[]")),
        village=row[7],
        lang=row[8],
        xung_ho=row[9],
        opened_at=float(row[10]),
        taken_by=row[11],
        taker_name=row[12],
        taken_at=row[13],
        first_answer_at=row[14],
        closed_at=row[15],
        outcome=row[16],
        note=row[17],
        notified=int(row[18]),
        notified_at=row[19],
        contact=row[20],
    )


def _ticket_id(change: TicketChange) -> Steps[int | None]:
    """The ticket a change is about: its own id, else the resident's open ticket."""
    if change.ticket_id is not None:
        return change.ticket_id
    if change.resident is None:
        return None
    row = yield one(_OPEN_OF, (change.resident.channel, change.resident.user_id))
    return int(row[0]) if row else None


def _note(ticket_id: int, change: TicketChange) -> Steps[None]:
    yield count(
        "INSERT INTO ticket_notes (ticket_id, author, name, text, at) VALUES (?, ?, ?, ?, ?)",
        (ticket_id, change.author, change.name, change.text, change.at),
    )
    if change.answer:
        yield count(
            "UPDATE tickets SET first_answer_at = ? WHERE id = ? AND first_answer_at IS NULL",
            (change.at, ticket_id),
        )


def apply_changes(changes: Sequence[TicketChange]) -> Steps[None]:
    """The statements of a turn's ticket changes, in order (part of the turn's transaction)."""
    for change in changes:
        ticket_id = yield from _ticket_id(change)
        if change.kind == "open":
            if ticket_id is None and change.resident is not None:
                ticket_id = yield insert(
                    "INSERT INTO tickets (channel, user_id, flow_id, step, path, village, lang, "
                    "xung_ho, opened_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (
                        change.resident.channel,
                        change.resident.user_id,
                        change.flow_id,
                        change.step,
                        json.dumps(list(change.path), ensure_ascii=False),
                        change.village,
                        change.lang,
                        change.xung_ho,
                        change.at,
                    ),
                )
            elif ticket_id is not None and change.village:
                yield count(
                    "UPDATE tickets SET village = ? WHERE id = ? AND village = ''",
                    (change.village, ticket_id),
                )
            if ticket_id is not None and change.text:
                yield from _note(int(ticket_id), change)
            continue
        if ticket_id is None:
            continue
        if change.kind == "note":
            yield from _note(ticket_id, change)
        elif change.kind == "take":
            taken = yield count(
                "UPDATE tickets SET status = 'taken', taken_by = ?, taker_name = ?, "
                "taken_at = COALESCE(taken_at, ?) WHERE id = ? AND status != 'closed' "
                "AND (? = 1 OR status = 'open' OR taken_by = ?)",
                (change.by, change.name, change.at, ticket_id, int(change.over), change.by),
            )
            if not taken:
                # Closed, or taken by someone else, since the turn read it (two staff at
                # once, perhaps in two processes): the turn is undone and computed again.
                raise StaleSession(f"ticket {ticket_id} changed since it was read")
        elif change.kind == "release":
            # Back in the queue: the staff are told again, as for a new request.
            yield count(
                "UPDATE tickets SET status = 'open', taken_by = '', taker_name = '', "
                "notified = 0, notified_at = NULL WHERE id = ? AND status = 'taken'",
                (ticket_id,),
            )
        elif change.kind == "close":
            yield count(
                "UPDATE tickets SET status = 'closed', closed_at = ?, outcome = ?, note = ? "
                "WHERE id = ? AND status != 'closed'",
                (change.at, change.outcome, change.text, ticket_id),
            )
        elif change.kind == "share":
            yield count("UPDATE tickets SET contact = ? WHERE id = ?", (change.text, ticket_id))
        elif change.kind == "notified":
            yield count(
                "UPDATE tickets SET notified = ?, notified_at = ? WHERE id = ? AND notified < ?",
                (change.level, change.at, ticket_id, change.level),
            )


class TicketTables(SqlTables):
    """Tickets, their notes and who is on duty."""

    async def ticket(self, ticket_id: int) -> Ticket | None:
        """One ticket by its number."""
        row = await self._one(f"SELECT {_COLUMNS} FROM tickets WHERE id = ?", (ticket_id,))
        return _ticket(row) if row else None

    async def open_ticket(self, resident: SessionKey) -> Ticket | None:
        """The resident's open ticket, if any."""
        row = await self._one(
            f"SELECT {_COLUMNS} FROM tickets WHERE channel = ? AND user_id = ? "
            "AND status != 'closed'",
            (resident.channel, resident.user_id),
        )
        return _ticket(row) if row else None

    async def open_tickets(self) -> list[Ticket]:
        """Every ticket not closed, oldest first."""
        found = await self._all(
            f"SELECT {_COLUMNS} FROM tickets WHERE status != 'closed' ORDER BY opened_at, id"
        )
        return [_ticket(row) for row in found]

    async def tickets_opened(self, start: float | None, end: float | None) -> list[Ticket]:
        """Tickets opened in the window ``[start, end)``, oldest first (for reports)."""
        where, params = window("opened_at", start, end)
        found = await self._all(
            f"SELECT {_COLUMNS} FROM tickets WHERE {where} ORDER BY opened_at, id", params
        )
        return [_ticket(row) for row in found]

    async def ticket_notes(self, ticket_id: int) -> list[TicketNote]:
        """A ticket's conversation, oldest first."""
        found = await self._all(
            "SELECT ticket_id, author, name, text, at FROM ticket_notes WHERE ticket_id = ? "
            "ORDER BY at, id",
            (ticket_id,),
        )
        return [
            TicketNote(ticket_id=int(r[0]), author=r[1], name=r[2], text=r[3], at=float(r[4]))
            for r in found
        ]

    async def record_ticket_notified(self, ticket_id: int, level: int, *, at: float) -> bool:
        """Record that staff were told at ``level``; False when it was recorded already."""
        changed = await self._count(
            "UPDATE tickets SET notified = ?, notified_at = ? WHERE id = ? AND notified < ? "
            "AND status = 'open'",
            (level, at, ticket_id, level),
        )
        return changed > 0

    async def set_on_duty(self, staff: str, on_duty: bool, *, at: float) -> None:
        """Record whether a staff member (``staff_ref``) takes requests now."""
        await self._count(
            "INSERT INTO staff_duty (staff, on_duty, at) VALUES (?, ?, ?) "
            "ON CONFLICT (staff) DO UPDATE SET on_duty = excluded.on_duty, at = excluded.at",
            (staff, 1 if on_duty else 0, at),
        )

    async def off_duty(self) -> set[str]:
        """The staff members who said they are off duty."""
        found = await self._all("SELECT staff FROM staff_duty WHERE on_duty = 0")
        return {str(r[0]) for r in found}
