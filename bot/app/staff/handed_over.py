"""A resident's own chat after a volunteer's hand-over (:mod:`bot.app.staff.handover`): their
messages drive the household member's session their chat took over, its reminders reach them,
a guide they finish alone counts for the volunteer's visit, and their ``/forget`` takes it along.
"""

from __future__ import annotations

import contextlib
from typing import Any

from bot.app.staff.context import Ctx, MemberTurn
from bot.core.session import Session
from bot.core.staff import member_of
from bot.core.types import IncomingEvent, SessionKey
from bot.engine.runner import Reply
from bot.storage.base import StaffStore

__all__ = ["mirror", "own_turn", "owned_person", "owner_of"]


async def own_turn(
    ctx: Ctx,
    store: StaffStore,
    event: IncomingEvent,
    *,
    credit: dict[str, Any] | None = None,
) -> bool:
    """The resident's event, for the person's session their chat took over; False when the
    chat no longer owns it (handed over again to another phone, or forgotten): then the
    pointer is dropped and the chat is the resident's own again."""
    person = _person_key(ctx.session.person)
    stored = await store.read(person) if person is not None else None
    if person is None or stored is None or stored.session is None:
        ctx.session.person = ""
        return False
    if stored.session.owner != str(ctx.key):
        ctx.session.person = ""
        return False
    reply = ctx.engine.handle(stored.session, event, now=ctx.now, credit=credit, owned=True)
    ctx.member = MemberTurn(
        key=person,
        revision=stored.revision,
        reply=Reply(session=stored.session, messages=(), finished=()),
    )
    ctx.member.then(reply)
    mirror(ctx.session, reply.session)
    ctx.messages.extend(reply.messages)
    await _credit_visit(ctx, store, person, reply)
    return True


async def _credit_visit(ctx: Ctx, store: StaffStore, person: SessionKey, reply: Reply) -> None:
    """A guide begun in a visit and finished by the resident alone is "done" for that person in
    the volunteer's visit, so the household leaves the list to go back to (once: a redelivered
    update finds it recorded already)."""
    household_id, number = member_of(person) or (0, 0)
    for run in reply.finished:
        if run.parent_flow or run.outcome != "completed" or run.visit_id is None:
            continue
        if run.mode != "assisted" or run.volunteer_id is None:
            continue
        statuses = await store.households_of(run.volunteer_id)
        if any(
            s.flow_id == run.flow_id and s.member == number and s.outcome == "done"
            and s.at >= run.started_at
            for status in statuses
            if status.household.id == household_id
            for s in status.services
        ):
            continue
        note = ctx.engine.catalog.text("handover.done_note", ctx.engine.default_language)
        # A visit purged meanwhile: the run log still credits it.
        with contextlib.suppress(ValueError):
            await store.record_outcome(
                run.visit_id, run.flow_id, "done", note=note, at=ctx.now, member=number
            )


def mirror(chat: Session, person: Session) -> None:
    """The chat's own texts (``/forget``, a staff command refused) in the person's language
    and form of address, as everything else they read."""
    chat.lang = person.lang
    if person.profile.get("xung_ho"):
        chat.profile["xung_ho"] = person.profile["xung_ho"]


def _person_key(text: str) -> SessionKey | None:
    channel, _, user_id = text.partition(":")
    key = SessionKey(channel, user_id)
    return key if member_of(key) is not None else None


async def owner_of(
    store: StaffStore, key: SessionKey, session: Session | None
) -> SessionKey | None:
    """The resident's chat that took over the person's session ``key``, while it still points
    to it; None: the volunteer's, as before the hand-over."""
    if session is None or not session.owner:
        return None
    channel, _, user_id = session.owner.partition(":")
    owner = SessionKey(channel, user_id)
    theirs = (await store.read(owner)).session
    return owner if theirs is not None and theirs.person == str(key) else None


async def owned_person(store: StaffStore, key: SessionKey, session: Session) -> SessionKey | None:
    """The person's session the chat ``key`` took over and still owns (None: none), which goes
    with the resident's ``/forget``: their place, answers and guides are about them."""
    person = _person_key(session.person)
    if person is None:
        return None
    theirs = (await store.read(person)).session
    return person if theirs is not None and theirs.owner == str(key) else None
