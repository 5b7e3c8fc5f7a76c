"""A household member's guide outside the moment it runs: a button of it pressed later, and its
reminders, which reach the volunteer who runs it, naming the household and the person (or,
after a hand-over, the resident's own chat)."""

from __future__ import annotations

from dataclasses import replace

from bot.app.staff.assisted import drive, unwrap, wrap
from bot.app.staff.context import Ctx
from bot.app.staff.handed_over import owner_of
from bot.app.staff.people import set_person
from bot.app.staff.visits import open_visit
from bot.core import payloads
from bot.core.session import FollowUpDue, Session
from bot.core.staff import Volunteer, member_of
from bot.core.types import Button, Press, SessionKey
from bot.engine.runner import Engine, Reply
from bot.storage.base import StaffStore

__all__ = ["member_press", "reminder"]


async def member_press(ctx: Ctx, store: StaffStore, volunteer: Volunteer, payload: str) -> bool:
    """A button of a person's guide (``m:12-2:...``): that person's session answers it, in a
    visit to their household (opened when none is). False for a button not the volunteer's."""
    found = unwrap(payload)
    if found is None:
        return False
    household_id, number, inner = found
    household = await store.household_by_id(household_id)
    if household is None or household.volunteer_id != volunteer.id:
        return False
    member = next((m for m in await store.members(household_id) if m.number == number), None)
    if member is None:
        return False
    visit = ctx.session.visit
    if visit and int(visit["household_id"]) != household_id:
        # One household at a time: outcomes and credit belong to the visit they happen in.
        ctx.say(
            ctx.ui("field.other_visit_open", household=visit.get("household", "")),
            [[Button(label=ctx.ui("staff.end_visit_button"), payload=payloads.staff("end"))]],
        )
        return True
    if not visit:
        await open_visit(ctx, store, volunteer, household, quiet=True)
    if not visit or int(visit.get("member", 0)) != number:
        set_person(ctx, member)
        person = ctx.person(member.number, member.label)
        ctx.say(
            ctx.ui(
                "field.visit_header",
                household=household.label,
                village=household.village,
                person=person,
            )
        )
    await drive(ctx, store, Press(inner))
    return True


async def reminder(
    store: StaffStore,
    engine: Engine,
    key: SessionKey,
    session: Session | None,
    event: FollowUpDue,
    *,
    now: float,
) -> tuple[Reply, SessionKey | None]:
    """A reminder of a household member's guide, and whose chat it goes to: the volunteer's,
    with "🔔 Hộ 12 · Bác Tư:" before it; nobody's when the volunteer no longer serves."""
    person = member_of(key)
    owner = await owner_of(store, key, session)
    if owner is not None:
        # Handed over: the resident's own chat is reminded, as anyone alone would be.
        return engine.handle(session, event, now=now, owned=True), owner
    household = await store.household_by_id(person[0]) if person else None
    volunteer = await store.volunteer_by_id(household.volunteer_id) if household else None
    if person is None or household is None or volunteer is None or not volunteer.active:
        # Nobody to tell: the reminder is used up and the guide stays where it was.
        kept = session or engine.new_session()
        return Reply(session=kept, messages=(), finished=()), None
    reply = engine.handle(session, event, now=now, owned=True)
    if not reply.messages:
        return reply, volunteer.key
    lang = reply.session.lang or engine.default_language
    label = next((m.label for m in await store.members(household.id) if m.number == person[1]), "")
    name = label or engine.catalog.text("field.person_n", lang, n=person[1])
    head = engine.catalog.text("field.reminder_from", lang, household=household.label, person=name)
    messages = wrap(reply.messages, household.id, person[1])
    messages[0] = replace(messages[0], text=f"{head}\n{messages[0].text}")
    return replace(reply, messages=tuple(messages)), volunteer.key
