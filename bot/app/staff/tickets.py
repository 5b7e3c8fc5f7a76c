"""Tickets in the chat: a resident's request opened from a flow, the relay while it is open, and
the staff commands (``/tickets``, ``/take``, ``/release``, ``/close``, ``/resume``, ``/duty``).

The actions themselves are :mod:`bot.app.tickets` (callable without a chat); this module reads
the chat's words and buttons and puts an action's result into the turn (:func:`apply`), which
the assistant saves in one transaction with the staff member's or the resident's turn.
"""

from __future__ import annotations

from dataclasses import replace

from bot.app import tickets
from bot.app.staff.context import Ctx, whole_number
from bot.core import payloads
from bot.core.matching import fold
from bot.core.privacy import secrets_in
from bot.core.session import Frame
from bot.core.staff import AdminAction
from bot.core.tickets import TicketChange, note_text, staff_ref
from bot.core.types import (
    Button,
    Command,
    IncomingEvent,
    OutgoingMessage,
    Press,
    SessionKey,
    Text,
)
from bot.engine.runner import Reply
from bot.engine.understanding import PERSON_FLOW
from bot.storage.base import DeskStore

__all__ = [
    "TICKET_COMMANDS",
    "open_from_alerts",
    "resident_event",
    "staff_command",
    "staff_press",
    "staff_text",
]

TICKET_COMMANDS = frozenset({"tickets", "take", "release", "close", "resume", "duty"})
LEAVE = tickets.LEAVE
SHARE = tickets.SHARE


def apply(ctx: Ctx, action: tickets.Action) -> None:
    """Put what a ticket action did into this turn."""
    ctx.messages.extend(action.said)
    ctx.tickets.extend(action.changes)
    ctx.relay.extend(action.relay)
    ctx.log.extend(action.log)
    if action.resident is not None:
        ctx.member = action.resident
    if action.holding is not None:
        ctx.session.ticket = {"holding": action.holding} if action.holding else {}


async def helper_for(
    ctx: Ctx, store: DeskStore, admins: frozenset[SessionKey]
) -> tickets.Helper | None:
    """The staff member behind this chat (a volunteer, or an officer: an admin), or None."""
    lang = ctx.session.lang or ctx.engine.default_language
    volunteer = await store.volunteer_for(ctx.key)
    if volunteer is not None:
        name = volunteer.name or ctx.name_hint
        return tickets.Helper(key=ctx.key, name=name, lang=lang, village=volunteer.village)
    if ctx.key in admins:
        return tickets.Helper(key=ctx.key, name=ctx.name_hint, lang=lang, officer=True)
    return None


async def staff_command(
    ctx: Ctx, store: DeskStore, admins: frozenset[SessionKey], name: str, arg: str
) -> None:
    """One of :data:`TICKET_COMMANDS`; refused (and logged) for someone who is not staff."""
    helper = await helper_for(ctx, store, admins)
    if helper is None:
        ctx.log.append(
            AdminAction(
                actor=str(ctx.key), action=name, detail="not staff", allowed=False, at=ctx.now
            )
        )
        ctx.say(ctx.ui("ticket.not_staff"))
        return
    words = arg.split()
    number = whole_number(words[0].lstrip("#")) if words else None
    holding = int(ctx.session.ticket.get("holding", 0))
    if name == "tickets":
        await _list(ctx, store, helper)
    elif name == "duty":
        await _duty(ctx, store, words[0].lower() if words else "")
    elif name == "take":
        if number is None:
            ctx.say(ctx.ui("ticket.take_usage"))
            return
        apply(ctx, await tickets.take(store, ctx.engine, helper, number, now=ctx.now))
    elif name == "release":
        apply(ctx, await tickets.release(store, ctx.engine, helper, number or holding, now=ctx.now))
    elif name == "close":
        if number is None or len(words) < 2:
            ctx.say(ctx.ui("ticket.close_usage"))
            return
        note = arg.split(None, 2)[2] if len(words) > 2 else ""
        apply(
            ctx,
            await tickets.close(
                store, ctx.engine, helper, number, words[1].lower(), note, now=ctx.now
            ),
        )
    else:
        if number is None:
            ctx.say(ctx.ui("ticket.resume_usage"))
            return
        step = words[1] if len(words) > 1 else ""
        apply(ctx, await tickets.resume(store, ctx.engine, helper, number, step, now=ctx.now))


async def _list(ctx: Ctx, store: DeskStore, helper: tickets.Helper) -> None:
    found = await tickets.list_open(store, helper)
    if not found:
        ctx.say(ctx.ui("ticket.list_none"))
        return
    lang = ctx.session.lang or "vi"
    lines = [ctx.ui("ticket.list_head")]
    rows: list[list[Button]] = []
    for ticket in found[:20]:
        minutes = max(0, int((ctx.now - ticket.opened_at) // 60))
        lines.append(
            ctx.ui(
                "ticket.list_line",
                label=tickets.label(ctx.engine, ticket, lang),
                minutes=minutes,
                taker=ticket.taker_name,
            )
        )
        if ticket.status == "open" and len(rows) < 8:
            rows.append(
                [
                    Button(
                        label=ctx.ui("ticket.take_button", id=ticket.id),
                        payload=payloads.staff("tk", "take", ticket.id),
                    )
                ]
            )
    ctx.say("\n".join(lines), rows)


async def _duty(ctx: Ctx, store: DeskStore, word: str) -> None:
    if word not in ("on", "off"):
        off = staff_ref(ctx.key) in await store.off_duty()
        ctx.say(ctx.ui("ticket.duty_usage", on=not off))
        return
    await store.set_on_duty(staff_ref(ctx.key), word == "on", at=ctx.now)
    ctx.say(ctx.ui("ticket.duty_on" if word == "on" else "ticket.duty_off"))


async def staff_press(
    ctx: Ctx, store: DeskStore, admins: frozenset[SessionKey], payload: str
) -> bool:
    """A ticket button of a staff member (``tk:take:12``, ``tk:rs:12:<step>``)."""
    parts = payload.split(":")
    if len(parts) < 3 or parts[0] != "tk" or parts[1] not in ("take", "rs"):
        return False
    number = whole_number(parts[2])
    helper = await helper_for(ctx, store, admins)
    if number is None or helper is None:
        return False
    if parts[1] == "take":
        apply(ctx, await tickets.take(store, ctx.engine, helper, number, now=ctx.now))
    else:
        step = parts[3] if len(parts) > 3 else ""
        apply(ctx, await tickets.resume(store, ctx.engine, helper, number, step, now=ctx.now))
    return True


async def staff_text(ctx: Ctx, store: DeskStore, admins: frozenset[SessionKey], text: str) -> bool:
    """What a staff member holding a ticket writes: to the resident. False when they hold none."""
    holding = int(ctx.session.ticket.get("holding", 0))
    if not holding:
        return False
    helper = await helper_for(ctx, store, admins)
    if helper is None:
        ctx.session.ticket = {}
        return False
    apply(ctx, await tickets.answer(store, ctx.engine, helper, holding, text, now=ctx.now))
    return True


# --- the resident's side ---------------------------------------------------------------------


def _buttons(ctx: Ctx) -> list[list[Button]]:
    rows = [[Button(label=ctx.ui("ticket.leave_button"), payload=LEAVE)]]
    if ctx.key.channel in ("telegram", "zalo"):
        rows.append([Button(label=ctx.ui("ticket.share_button"), payload=SHARE)])
    return rows


def _contact(ctx: Ctx) -> str:
    """What the resident agreed to share: the way to reach their chat account."""
    if ctx.key.channel == "telegram":
        return f"tg://user?id={ctx.key.user_id}"
    return f"{ctx.key.channel}: {ctx.key.user_id}"


async def resident_event(ctx: Ctx, store: DeskStore, event: IncomingEvent) -> bool:
    """While the resident's ticket is open their messages go to the person helping, and the
    guide waits; a button lets them leave. False: not in a ticket (or this event ends it)."""
    if not ctx.session.ticket.get("open"):
        return False
    ticket = await store.open_ticket(ctx.key)
    if ticket is None:
        ctx.session.ticket = {}
        return False
    taker = ticket.taken_by
    to = _taker_key(taker)
    if isinstance(event, Command):
        ctx.session.ticket = {}  # a command means the resident wants the bot again
        return False
    if isinstance(event, Text):
        if secrets_in(event.text):
            # Masked for the helper too; the resident is told kindly, as anywhere in the bot.
            ctx.say(ctx.ui("safety.secret"))
        kept = note_text(event.text)
        ctx.tickets.append(TicketChange(kind="note", at=ctx.now, ticket_id=ticket.id, text=kept))
        if to is not None:
            ctx.relay.append(
                (
                    to,
                    OutgoingMessage(
                        text=ctx.engine.catalog.text(
                            "ticket.from_resident", "vi", id=ticket.id, text=kept
                        )
                    ),
                )
            )
        else:
            ctx.say(ctx.ui("ticket.noted"), _buttons(ctx))
        return True
    if isinstance(event, Press) and event.payload == LEAVE:
        ctx.session.ticket = {}
        left = ctx.engine.catalog.text("ticket.resident_left", "vi", id=ticket.id)
        ctx.tickets.append(
            TicketChange(kind="note", at=ctx.now, ticket_id=ticket.id, author="bot", text=left)
        )
        if to is not None:
            ctx.relay.append((to, OutgoingMessage(text=left)))
        ctx.say(ctx.ui("ticket.left"))
        reply = ctx.engine.handle(ctx.session, Press(payloads.MENU), now=ctx.now)
        ctx.session = reply.session
        ctx.messages.extend(reply.messages)
        return True
    if isinstance(event, Press) and event.payload == SHARE:
        contact = _contact(ctx)
        ctx.tickets.append(
            TicketChange(kind="share", at=ctx.now, ticket_id=ticket.id, text=contact)
        )
        if to is not None:
            ctx.relay.append(
                (
                    to,
                    OutgoingMessage(
                        text=ctx.engine.catalog.text(
                            "ticket.resident_shared", "vi", id=ticket.id, contact=contact
                        )
                    ),
                )
            )
        ctx.say(ctx.ui("ticket.shared"), _buttons(ctx)[:1])
        return True
    ctx.say(ctx.ui("ticket.paused", taken=to is not None), _buttons(ctx))
    return True


def _taker_key(taker: str) -> SessionKey | None:
    """The chat of the staff member who holds a ticket (``staff_ref``), or None."""
    if not taker or ":" not in taker:
        return None
    channel, _, user_id = taker.partition(":")
    return SessionKey(channel, user_id)


async def open_from_alerts(
    ctx: Ctx, store: DeskStore, reply: Reply, before: list[Frame], *, office_phone: str = ""
) -> Reply:
    """A step that tells staff (a ``notify:``, such as talk-to-person's request) opens the
    resident's ticket instead of a one-way alert, or adds to the open one; the resident is told
    honestly who was told and what to expect, and their messages go to that person from now."""
    if not reply.alerts or ctx.session.visit:
        return reply
    alert = reply.alerts[0]
    frames = [*before, *reply.session.stack]
    origin = next((f for f in frames if f.flow_id != PERSON_FLOW), None)
    flow_id, step = (origin.flow_id, origin.step) if origin else (alert.flow_id, alert.step)
    path = tuple(
        origin.path
        if origin
        else next((f.path for f in frames if f.flow_id == alert.flow_id), [alert.step])
    )
    village = alert.village or next(
        (str(f.credit["village"]) for f in frames if f.credit.get("village")), ""
    )
    village = note_text(village)[:60]
    session = reply.session
    # A new request of a resident whose ticket someone holds: that person hears of it at once.
    held = await store.open_ticket(ctx.key)
    taker = _taker_key(held.taken_by) if held is not None else None
    if held is not None and taker is not None:
        told = ctx.engine.catalog.text("ticket.from_resident", "vi", id=held.id, text=alert.text)
        ctx.relay.append((taker, OutgoingMessage(text=told)))
    ctx.tickets.append(
        TicketChange(
            kind="open",
            at=ctx.now,
            resident=ctx.key,
            author="bot",
            text=alert.text,
            flow_id=flow_id,
            step=step,
            path=path,
            village=village,
            lang=session.lang or "vi",
            xung_ho=str(session.profile.get("xung_ho", "")),
        )
    )
    # Asked to write to a person, or at the end of a guide: the conversation with a person starts
    # now, and the guide waits (its buttons would not answer, so only the ticket's are shown). A
    # guide that goes on (a request made in a guide another one called) keeps its buttons, and
    # waits only once someone takes the request.
    now = alert.flow_id == PERSON_FLOW or not session.stack
    if now:
        session.ticket = {"open": 1}
    team = [
        v
        for v in await store.volunteers()
        if v.active and village and fold(v.village) == fold(village)
    ]
    ctx.session = session
    shown = village if team else ""
    text = ctx.ui("ticket.opened", village=shown, phone=office_phone, guide=not now)
    rows = _buttons(ctx) if now else []
    message = OutgoingMessage(text=text, buttons=tuple(tuple(r) for r in rows))
    said = tuple(replace(m, buttons=()) for m in reply.messages) if now else reply.messages
    return Reply(
        session=session,
        messages=(*said, message),
        finished=reply.finished,
        # The request is the ticket now: no one-way alert besides.
        alerts=(),
        followups=reply.followups,
        cancel_followups=reply.cancel_followups,
        faults=reply.faults,
    )
