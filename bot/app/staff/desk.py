"""The staff desk: volunteers' visits and admins' commands, in front of the engine.

Residents never notice it: anything that is not a staff command, a staff button or an answer the
desk asked for goes straight to the engine. Around the engine it does three things: it opens a
flow from a volunteer's QR poster with that volunteer's credit; during a visit it asks the
volunteer for the outcome when a guide ends; and it offers the end of the visit in the menu.

This module routes each event; the work lives beside it: ``joining`` (invite codes, ``/join``,
poster referrals), ``admin`` (the admins' commands), ``visits`` (visits and households),
``people`` (who in the household is helped), ``outcomes`` (what a guide came to), ``assisted``
(the engine's replies during a visit), ``handover`` and ``handed_over`` (a person's guide
continued on their own phone), ``wording`` (how households read), ``forget`` (deleting a
resident) and ``context`` (one turn).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from bot.app.staff import members, people, team, tickets, visits
from bot.app.staff.admin import ADMIN_COMMANDS, ReportMaker, admin_command
from bot.app.staff.assisted import drive
from bot.app.staff.context import Ctx, MemberTurn, whole_number
from bot.app.staff.forget import FORGET_ANSWERS, ask_forget, forget_answer
from bot.app.staff.handed_over import own_turn, owned_person
from bot.app.staff.handover import HandoverSetup, is_handover, open_handover, show_handover
from bot.app.staff.joining import (
    INVITE_DAYS,
    JoinThrottle,
    create_invite,
    hash_invite,
    join,
    new_invite_code,
    referral,
)
from bot.app.staff.login import LoginMaker, login_command
from bot.app.staff.visits import VOLUNTEER_COMMANDS
from bot.config import DEFAULT_TIMEZONE
from bot.core import payloads
from bot.core.session import FollowUpDue, Session
from bot.core.staff import AdminAction, Volunteer
from bot.core.tickets import TicketChange
from bot.core.types import (
    BotProfile,
    Command,
    IncomingEvent,
    OutgoingMessage,
    Press,
    SessionKey,
    Text,
)
from bot.engine.runner import Engine, Reply
from bot.storage.base import DeskStore, StaffStore

__all__ = [
    "ADMIN_COMMANDS",
    "STAFF_COMMANDS",
    "DeskReply",
    "ReportMaker",
    "StaffDesk",
    "StaffStore",
    "hash_invite",
    "new_invite_code",
    "whole_number",
]

STAFF_COMMANDS = (
    ADMIN_COMMANDS | VOLUNTEER_COMMANDS | tickets.TICKET_COMMANDS | {"join", "forget", "login"}
)
# What the desk asked a volunteer to type.
_TYPED = ("village", "household", "note", "person")


@dataclass(frozen=True, slots=True)
class DeskReply:
    """The engine's reply shape, plus whether everything about the resident must be deleted,
    and what the turn did to the session of a household member the volunteer is helping
    (saved with the volunteer's turn)."""

    reply: Reply
    forget: bool = False
    member: MemberTurn | None = None
    # Forgotten too: the household member's session this resident's chat took over.
    forget_also: SessionKey | None = None
    # Sent after the turn's replies and never stored (a hand-over link: see Ctx.private).
    private: tuple[OutgoingMessage, ...] = ()
    # Ticket changes, messages for other chats and admin-log lines, saved with the turn.
    tickets: tuple[TicketChange, ...] = ()
    relay: tuple[tuple[SessionKey, OutgoingMessage], ...] = ()
    log: tuple[AdminAction, ...] = ()


class StaffDesk:
    """Admins' and volunteers' commands, and the visit around the engine's flows."""

    def __init__(
        self,
        store: DeskStore,
        *,
        admins: frozenset[SessionKey] = frozenset(),
        profile: BotProfile | None = None,
        report: ReportMaker | None = None,
        zone: dt.tzinfo | None = None,
        login: LoginMaker | None = None,
        handover: HandoverSetup | None = None,
        office_phone: str = "",
    ) -> None:
        self.store = store
        self.handover = handover or HandoverSetup()
        # The commune office's phone, told to a resident who asks for a person (may be empty).
        self.office_phone = office_phone
        self.zone = zone or ZoneInfo(DEFAULT_TIMEZONE)
        self.admins = admins
        # Shared with the channel, which learns the bot's username when it connects.
        self.profile = profile or BotProfile()
        self.report = report
        self.login = login  # /login: a one-time link to the web console
        self._join_throttle = JoinThrottle()

    # --- entry point -----------------------------------------------------------------------------

    async def turn(
        self,
        key: SessionKey,
        session: Session | None,
        event: IncomingEvent,
        *,
        engine: Engine,
        now: float,
        lang_hint: str = "",
        name_hint: str = "",
    ) -> DeskReply:
        """Handle one event: a staff matter here, anything else through the engine
        (``name_hint``: the name of the channel's profile, kept for a volunteer)."""
        # The session was just read for this turn and belongs to it: no copy is needed.
        session = engine.new_session(lang_hint=lang_hint) if session is None else session
        ctx = Ctx(
            key=key,
            session=session,
            engine=engine,
            now=now,
            messages=[],
            zone=self.zone,
            name_hint=name_hint,
        )
        handled = await self._staff(ctx, event, lang_hint)
        if handled == "forget":
            also = await owned_person(self.store, ctx.key, ctx.session)
            return DeskReply(self._reply(ctx), forget=True, forget_also=also)
        if handled or await tickets.resident_event(ctx, self.store, event):
            return self._answer(ctx, self._reply(ctx))
        credit: dict[str, Any] | None = None
        if isinstance(event, Command) and event.name == "start":
            event, credit = await referral(self.store, event)
        if ctx.session.person and await own_turn(ctx, self.store, event, credit=credit):
            # A resident who took over a household member's guide from a volunteer.
            return DeskReply(self._reply(ctx), member=ctx.member)
        if ctx.session.visit:
            # During a visit the guide is the household member's, in their own session.
            await drive(ctx, self.store, event)
            return DeskReply(self._reply(ctx), member=ctx.member)
        before = [frame.copy() for frame in ctx.session.stack]
        reply = engine.handle(
            ctx.session, event, now=now, lang_hint=lang_hint, credit=credit, owned=True
        )
        if reply.alerts:
            reply = await tickets.open_from_alerts(
                ctx, self.store, reply, before, office_phone=self.office_phone
            )
        return self._answer(ctx, reply)

    def _answer(self, ctx: Ctx, reply: Reply) -> DeskReply:
        """The turn's reply with what it did to tickets and sends to other chats."""
        return DeskReply(
            reply,
            member=ctx.member,
            private=tuple(ctx.private),
            tickets=tuple(ctx.tickets),
            relay=tuple(ctx.relay),
            log=tuple(ctx.log),
        )

    async def reminder(
        self,
        key: SessionKey,
        session: Session | None,
        event: FollowUpDue,
        *,
        engine: Engine,
        now: float,
    ) -> tuple[Reply, SessionKey | None]:
        """A reminder of a household member's guide, and the volunteer's chat it goes to."""
        return await members.reminder(self.store, engine, key, session, event, now=now)

    def _reply(self, ctx: Ctx) -> Reply:
        ctx.session.turn += 1
        ctx.session.updated_at = ctx.now
        faults = ctx.member.reply.faults if ctx.member is not None else ()
        return Reply(
            session=ctx.session, messages=tuple(ctx.messages), finished=(), faults=faults
        )

    async def refuse(self, key: SessionKey, command: str, reason: str, *, at: float) -> None:
        """Record an admin command that was not allowed (wrong person, group, sent as a chat)."""
        await self.store.record_admin_action(
            AdminAction(actor=str(key), action=command, detail=reason, allowed=False, at=at)
        )

    async def create_invite(
        self, *, village: str, commune: str, created_by: str, at: float, days: int = INVITE_DAYS
    ) -> str:
        """A new one-time invite code for a village (also used by ``trolyso volunteers invite``)."""
        return await create_invite(
            self.store, village=village, commune=commune, created_by=created_by, at=at, days=days
        )

    async def _show_handover(self, ctx: Ctx, volunteer: Volunteer) -> None:
        await show_handover(ctx, self.store, volunteer, self.handover, self.profile.username)

    # --- what the desk handles -------------------------------------------------------------------

    async def _staff(self, ctx: Ctx, event: IncomingEvent, lang_hint: str) -> bool | str:
        staff = ctx.session.staff
        if isinstance(event, Command):
            name = event.name.lower()
            if name == "start" and event.arg.lower().startswith("join_"):
                await join(ctx, self.store, self._join_throttle, event.arg[5:])
                return True
            if name == "start" and is_handover(event.arg):
                token = event.arg.strip()
                await open_handover(ctx, self.store, self.handover, token, lang_hint=lang_hint)
                return True
            if name not in STAFF_COMMANDS:
                return False
            ctx.session.staff = {}
            if name in tickets.TICKET_COMMANDS:
                await tickets.staff_command(ctx, self.store, self.admins, name, event.arg.strip())
                return True
            return await self._command(ctx, name, event.arg.strip())
        if isinstance(event, Press) and event.payload.startswith(payloads.STAFF):
            payload = event.payload[len(payloads.STAFF) :]
            if payload in ("tk:leave", "tk:share"):
                return False  # the resident's own buttons: tickets.resident_event answers them
            if await tickets.staff_press(ctx, self.store, self.admins, payload):
                return True
            return await self._press(ctx, payload)
        if isinstance(event, Text) and staff.get("await") in _TYPED:
            await visits.typed(ctx, self.store, event.text)
            return True
        if isinstance(event, Text) and ctx.session.ticket.get("holding"):
            return await tickets.staff_text(ctx, self.store, self.admins, event.text)
        return False

    async def _command(self, ctx: Ctx, name: str, arg: str) -> bool | str:
        if name == "join":
            await join(ctx, self.store, self._join_throttle, arg)
            return True
        if name == "forget":
            await ask_forget(ctx, self.store)
            return True
        if name == "login":
            await login_command(ctx, self.store, self.login, admin=ctx.key in self.admins)
            return True
        if name in ADMIN_COMMANDS:
            if ctx.key not in self.admins:
                await self.refuse(ctx.key, name, "not an admin", at=ctx.now)
                ctx.say(ctx.ui("staff.not_admin"))
                return True
            await admin_command(
                ctx, self.store, name, arg, bot_username=self.profile.username, report=self.report
            )
            return True
        volunteer = await self.store.volunteer_for(ctx.key)
        if volunteer is None:
            ctx.say(ctx.ui("staff.not_volunteer"))
            return True
        volunteer = await team.named_from_profile(ctx, self.store, volunteer)
        if name == "visit":
            await visits.visit_start(ctx, self.store, volunteer)
        elif name == "households":
            await visits.households(ctx, self.store, volunteer)
        elif name == "person":
            await people.person_command(ctx, self.store, arg)
        elif name == "name":
            await team.name_command(ctx, self.store, volunteer, arg)
        elif name == "handover":
            await self._show_handover(ctx, volunteer)
        else:
            await visits.end_visit(ctx, self.store)
        return True

    async def _press(self, ctx: Ctx, payload: str) -> bool | str:
        if payload == "end" and ctx.session.visit:
            await visits.end_visit(ctx, self.store)
            return True
        if ctx.session.staff.get("await") == "end_paused" and payload in ("end:paused", "end:back"):
            if payload == "end:paused":
                await visits.end_visit(ctx, self.store, ask=False)
            else:
                await visits.carry_on(ctx, self.store)
            return True
        if ctx.session.staff.get("await") == "forget" and payload in FORGET_ANSWERS:
            return await forget_answer(ctx, self.store, payload)
        volunteer = await self.store.volunteer_for(ctx.key)
        if volunteer is not None and payload == "ho" and ctx.session.visit:
            await self._show_handover(ctx, volunteer)
            return True
        if volunteer is not None and (
            await members.member_press(ctx, self.store, volunteer, payload)
            or await visits.visit_press(ctx, self.store, volunteer, payload)
        ):
            return True
        # An old staff button, or a forged one: nothing changes, the resident sees where they are
        # (the engine answers any button it did not offer with "that button is from an old
        # message" and the current step) — during a visit, where the person helped is.
        stale = Press(payloads.staff("stale"))
        if ctx.session.person and await own_turn(ctx, self.store, stale):
            return True
        if ctx.session.visit:
            await drive(ctx, self.store, stale)
            return True
        reply = ctx.engine.handle(ctx.session, stale, now=ctx.now)
        ctx.session = reply.session
        ctx.messages.extend(reply.messages)
        return True
