"""A resident's request for a person, as plain records: the ticket, its notes, and its changes.

A ticket carries what staff need to help and nothing more: where the resident is (the guide, the
step, the steps they went through), their village if they said it, their language and form of
address, and the channel (to answer there; staff never see the chat id). Its notes are the
conversation relayed between the resident and the staff member who took it, masked before they
are kept. One resident has at most one open ticket: a new request adds a note to it.

Every change of a ticket is a :class:`TicketChange` saved with the turn that made it, in the
same transaction (``TurnRecord.tickets``): a crash cannot keep the reply without the change, nor
the change without the reply.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from bot.core.privacy import mask
from bot.core.types import SessionKey

__all__ = [
    "CLOSE_OUTCOMES",
    "NOTE_LENGTH",
    "Author",
    "ChangeKind",
    "Ticket",
    "TicketChange",
    "TicketNote",
    "TicketStatus",
    "note_text",
    "staff_ref",
]

# How a ticket ends: solved, sent on to someone else (the commune police), or no answer came.
# "left": the resident left the conversation before anyone closed it (recorded on /close too).
CLOSE_OUTCOMES = ("done", "referred", "no_answer")
TicketStatus = Literal["open", "taken", "closed"]
Author = Literal["resident", "staff", "bot"]
ChangeKind = Literal["open", "note", "take", "release", "close", "notified", "share"]
# A relayed message is kept this long at most: enough for a question, too short for a life story.
NOTE_LENGTH = 1000


def note_text(text: str) -> str:
    """A message as a ticket keeps it: anything like an ID, a phone or an OTP masked, short."""
    return mask(text.strip())[:NOTE_LENGTH]


def staff_ref(key: SessionKey) -> str:
    """How a ticket names the staff member who took it (their chat, never shown to residents)."""
    return str(key)


@dataclass(frozen=True, slots=True, kw_only=True)
class TicketNote:
    """One message of a ticket's conversation (already masked)."""

    ticket_id: int
    author: Author
    text: str
    at: float
    # The staff member's name as the resident saw it ("Chị Lan"); empty for the resident.
    name: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class Ticket:
    """A resident's request for a person, as stored."""

    id: int
    resident: SessionKey
    status: TicketStatus
    opened_at: float
    flow_id: str = ""
    step: str = ""
    path: tuple[str, ...] = ()
    village: str = ""
    lang: str = "vi"
    xung_ho: str = ""
    # Who holds it (``staff_ref``) and the name they answer under, while it is taken.
    taken_by: str = ""
    taker_name: str = ""
    taken_at: float | None = None
    first_answer_at: float | None = None
    closed_at: float | None = None
    outcome: str = ""
    note: str = ""
    # Staff were told (1) and reminded, with the officers, after nobody took it (2).
    notified: int = 0
    notified_at: float | None = None
    # The resident chose to share their contact with the staff member (masked nowhere: they
    # chose it; shown only to the one who holds the ticket).
    contact: str = ""

    @property
    def open(self) -> bool:
        """Still waiting for a person, or with one."""
        return self.status != "closed"


@dataclass(frozen=True, slots=True, kw_only=True)
class TicketChange:
    """One change of a ticket, saved with the turn that made it.

    ``open`` opens the resident's ticket (or, when one is open, adds ``text`` to it); ``note``
    adds a message; ``take`` / ``release`` / ``close`` change who holds it and how it ended;
    ``notified`` records how far staff were told; ``share`` keeps the contact the resident chose
    to share. Every kind but ``open`` names the ticket by ``ticket_id``; ``open`` and ``note``
    without one name it by ``resident``.
    """

    kind: ChangeKind
    at: float
    resident: SessionKey | None = None
    ticket_id: int | None = None
    author: Author = "resident"
    text: str = ""
    name: str = ""
    # open: where the resident is.
    flow_id: str = ""
    step: str = ""
    path: tuple[str, ...] = field(default=())
    village: str = ""
    lang: str = "vi"
    xung_ho: str = ""
    # take: who; close: the outcome; notified: the level reached.
    by: str = ""
    # take: an officer may take a ticket over from whoever holds it; anyone else only takes an
    # untaken one (or their own): if another staff member took it since, the turn is undone.
    over: bool = False
    outcome: str = ""
    level: int = 0
    # note by staff: the first one is the first answer (the reports' response time).
    answer: bool = False
