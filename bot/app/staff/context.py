"""One turn at the staff desk: the resident, their session, the engine, and the answer."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from bot.config import DEFAULT_TIMEZONE
from bot.core.session import Session
from bot.core.staff import AdminAction
from bot.core.tickets import TicketChange
from bot.core.types import Button, OutgoingMessage, SessionKey
from bot.engine.runner import Engine, Reply

__all__ = ["Ctx", "MemberTurn", "whole_number"]

_DIGITS = re.compile(r"[0-9]+")  # ASCII only: str.isdigit() also takes "²", which int() refuses


def whole_number(text: str, *, digits: int = 9) -> int | None:
    """``text`` as a number of at most ``digits`` ASCII digits ("42"; "²" or "٤٢": None)."""
    return int(text) if _DIGITS.fullmatch(text) and len(text) <= digits else None


@dataclass(slots=True)
class MemberTurn:
    """What a turn did to the session of the household member a volunteer is helping: saved
    with the volunteer's turn, in one transaction (``reply`` gathers every engine reply)."""

    key: SessionKey
    revision: int
    reply: Reply
    # A message for another chat, saved with this session's turn: the volunteer told that the
    # person now goes on on their own phone.
    notice: tuple[OutgoingMessage, ...] = ()
    notice_to: SessionKey | None = None

    def then(self, reply: Reply) -> None:
        """Add what one more engine reply did (its messages are the volunteer's to show)."""
        done = self.reply
        # A reply that cancels the reminders also cancels those the turn scheduled before it.
        followups = reply.followups if reply.cancel_followups else done.followups + reply.followups
        self.reply = Reply(
            session=reply.session,
            messages=(),
            finished=done.finished + reply.finished,
            alerts=done.alerts + reply.alerts,
            followups=followups,
            cancel_followups=done.cancel_followups or reply.cancel_followups,
            faults=done.faults + reply.faults,
        )


@dataclass(slots=True)
class Ctx:
    """One turn at the desk: who, their session, the engine, the time and what is said back."""

    key: SessionKey
    session: Session
    engine: Engine
    now: float
    messages: list[OutgoingMessage]
    # The commune's time zone: a date shown to a volunteer is the commune's, never the server's.
    zone: dt.tzinfo = field(default_factory=lambda: ZoneInfo(DEFAULT_TIMEZONE))
    # The household member whose guide the volunteer drove in this turn (one per turn).
    member: MemberTurn | None = None
    # The name of the channel's profile (Telegram's first name): a volunteer is known by it.
    name_hint: str = ""
    # What the turn did to tickets, the messages it sends to other chats (a resident's to the
    # staff member helping them, and back) and the admin log's lines: saved with the turn.
    tickets: list[TicketChange] = field(default_factory=list)
    relay: list[tuple[SessionKey, OutgoingMessage]] = field(default_factory=list)
    log: list[AdminAction] = field(default_factory=list)
    # Messages holding a secret (a hand-over link): sent straight to the chat after the turn,
    # never kept in the outbox, so the database never holds a link that still works.
    private: list[OutgoingMessage] = field(default_factory=list)

    def ui(self, key: str, **params: Any) -> str:
        lang = self.session.lang or self.engine.default_language
        context = {"xung_ho": self.session.profile.get("xung_ho") or "bạn", **params}
        return self.engine.catalog.text(key, lang, **context)

    def day(self, at: float) -> str:
        """The commune's calendar day of ``at``, as a volunteer reads it (``29/11``)."""
        return dt.datetime.fromtimestamp(at, self.zone).strftime("%d/%m")

    def say(self, text: str, rows: list[list[Button]] | None = None) -> None:
        self.messages.append(
            OutgoingMessage(text=text, buttons=tuple(tuple(r) for r in rows or [] if r))
        )

    def flow_title(self, flow_id: str) -> str:
        flow = self.engine.flows.get(flow_id)
        return flow.flow.title.get(self.session.lang or "vi") if flow else flow_id

    def person(self, number: int, label: str = "") -> str:
        """A household's person as the volunteer knows them: their label, or "người 2"."""
        return label or self.ui("field.person_n", n=number)
