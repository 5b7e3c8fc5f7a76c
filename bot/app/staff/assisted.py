"""A guide run with a household member: their own session, driven from the volunteer's chat.

Each person helped has a session of their own (``visit:<household>-<number>``): their place,
answers, form of address, reminders and run log, credited to the volunteer's visit. While a
visit is open, whatever the volunteer does that is not the desk's goes to the session of the
person being helped, and what it answers comes back with the visit around it: the header and
buttons around the menu, and the question for the outcome when a guide ends. Its buttons name
the person, so a button pressed later (on a reminder, or after switching person) still goes to
the right session.
"""

from __future__ import annotations

from dataclasses import replace

from bot.app.staff.context import Ctx, MemberTurn
from bot.core import payloads
from bot.core.staff import VISIT_OUTCOMES, member_key
from bot.core.types import Button, Command, IncomingEvent, OutgoingMessage
from bot.engine.runner import Reply
from bot.storage.base import StaffStore

__all__ = ["MEMBER_PRESS", "drive", "person_payload", "show_menu", "unwrap", "wrap"]

MEMBER_PRESS = "m:"  # + "<household>-<number>:" + the engine's payload (after payloads.STAFF)
_LIMIT = 64  # bytes a Telegram button carries


def person_payload(household_id: int, number: int, payload: str) -> str:
    """A button of a person's guide, naming the person (the original when it would not fit)."""
    wrapped = payloads.staff(f"{MEMBER_PRESS}{household_id}-{number}", payload)
    return wrapped if len(wrapped.encode()) <= _LIMIT else payload


def wrap(
    messages: tuple[OutgoingMessage, ...], household_id: int, number: int
) -> list[OutgoingMessage]:
    """The engine's buttons in ``messages``, made to name the person they belong to."""
    return [
        replace(
            message,
            buttons=tuple(
                tuple(
                    replace(b, payload=person_payload(household_id, number, b.payload))
                    if b.payload
                    else b
                    for b in row
                )
                for row in message.buttons
            ),
        )
        for message in messages
    ]


def unwrap(payload: str) -> tuple[int, int, str] | None:
    """(household, person number, the engine's payload) of a person's button (``m:12-2:...``)."""
    if not payload.startswith(MEMBER_PRESS):
        return None
    person, _, inner = payload[len(MEMBER_PRESS) :].partition(":")
    household, _, number = person.partition("-")
    if not (household.isascii() and household.isdigit() and number.isascii() and number.isdigit()):
        return None
    if not inner or len(household) > 12 or len(number) > 4:
        return None
    return int(household), int(number), inner


async def drive(
    ctx: Ctx, store: StaffStore, event: IncomingEvent, *, helping: bool = True
) -> None:
    """Hand ``event`` to the session of the person being helped, and show what it answers
    (``helping``: the volunteer did something with them, not only saw their menu)."""
    visit = ctx.session.visit
    household_id, number = int(visit["household_id"]), int(visit.get("member", 1))
    key = member_key(household_id, number)
    helped = visit.setdefault("helped", [])
    if helping and number not in helped:  # whose guide may be left half-way at the visit's end
        helped.append(number)
    if ctx.member is None or ctx.member.key != key:
        # A turn drives one person: the first time, their session as stored (or a new one, in
        # the volunteer's language; the welcome then asks how to address *them*).
        stored = await store.read(key)
        session = stored.session or ctx.engine.new_session(lang_hint=ctx.session.lang)
        ctx.member = MemberTurn(
            key=key,
            revision=stored.revision,
            reply=Reply(session=session, messages=(), finished=()),
        )
    credit = {
        "mode": "assisted",
        "volunteer_id": visit.get("volunteer_id"),
        "village": visit.get("village", ""),
        "visit_id": visit.get("id"),
    }
    reply = ctx.engine.handle(
        ctx.member.reply.session, event, now=ctx.now, credit=credit, owned=True
    )
    if not helping:
        # Only seeing their menu (a visit opened, another person picked) answers nothing for
        # the person: the reminders of a guide they left half-way (or carry on on their own
        # phone) stay.
        reply = replace(reply, cancel_followups=False)
    ctx.member.then(reply)
    ctx.messages.extend(_around_visit(ctx, reply, household_id, number))


async def show_menu(ctx: Ctx, store: StaffStore) -> None:
    """The guides' menu for the person being helped, with the visit around it."""
    await drive(ctx, store, Command("menu"), helping=False)


def _around_visit(
    ctx: Ctx, reply: Reply, household_id: int, number: int
) -> list[OutgoingMessage]:
    """Ask for the outcome when a guide ends; around the menu, the visit and its buttons."""
    visit = ctx.session.visit
    session = reply.session
    messages = wrap(reply.messages, household_id, number)
    ended = [run for run in reply.finished if not run.parent_flow and run.outcome != "abandoned"]
    person = ctx.person(number, str(visit.get("member_label", "")))
    if ended and session.screen == "ended":
        flow_id = ended[-1].flow_id
        ctx.session.staff = {"await": "outcome", "flow": flow_id, "member": number}
        rows = [
            [Button(label=ctx.ui(f"staff.outcome_{code}"), payload=payloads.staff("out", code))]
            for code in VISIT_OUTCOMES
        ]
        if messages:
            # The volunteer records the outcome instead of "do it again / menu".
            messages[-1] = replace(messages[-1], buttons=())
        messages.append(
            OutgoingMessage(
                text=ctx.ui("field.ask_outcome", person=person, flow=ctx.flow_title(flow_id)),
                buttons=tuple(tuple(r) for r in rows),
            )
        )
    elif session.screen == "menu" and messages:
        header = ctx.ui(
            "field.visit_header",
            household=visit.get("household", ""),
            village=visit.get("village", ""),
            person=person,
        )
        if session.owner:
            # Handed over: the volunteer knows their reminders no longer come here.
            header += "\n" + ctx.ui("handover.on_own_phone", person=person)
        last = messages[-1]
        visit_rows = (
            (Button(label=ctx.ui("field.other_person_button"), payload=payloads.staff("pp")),),
            # The person goes on on their own phone: a link and QR code (bot/app/staff/handover).
            (Button(label=ctx.ui("handover.button"), payload=payloads.staff("ho")),),
            (Button(label=ctx.ui("staff.end_visit_button"), payload=payloads.staff("end")),),
        )
        messages[-1] = replace(
            last, text=f"{header}\n\n{last.text}", buttons=(*last.buttons, *visit_rows)
        )
    return messages
