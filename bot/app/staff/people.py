"""The people of a household during a visit: who is being helped, by a short name or a number.

The first person needs no name: they are "người 1" until the volunteer names them. Naming
someone who is not named yet, and has nothing recorded, names that person; any other name is
another person of the household (the same name: the same person).
"""

from __future__ import annotations

from bot.app.staff.assisted import show_menu
from bot.app.staff.context import Ctx, whole_number
from bot.core import payloads
from bot.core.staff import Household, Member, member_label
from bot.core.types import Button
from bot.storage.base import StaffStore

__all__ = [
    "ask_person",
    "first_person",
    "person_command",
    "person_press",
    "person_typed",
    "set_person",
]


def set_person(ctx: Ctx, member: Member) -> None:
    """The person helped from now on in the open visit."""
    ctx.session.visit["member"] = member.number
    ctx.session.visit["member_label"] = member.label


async def first_person(ctx: Ctx, store: StaffStore, household: Household) -> bool:
    """Who is helped when a visit opens: the only person, or ask (True when asked)."""
    members = await store.members(household.id)
    if not members:
        members = [await store.add_member(household.id, "", at=ctx.now)]
    if len(members) == 1:
        set_person(ctx, members[0])
        return False
    set_person(ctx, members[0])
    await ask_person(ctx, store, members)
    return True


async def ask_person(ctx: Ctx, store: StaffStore, members: list[Member] | None = None) -> None:
    """Which person of the household is being helped: one of them, or someone new."""
    visit = ctx.session.visit
    if members is None:
        members = await store.members(int(visit["household_id"]))
    rows = [
        [
            Button(
                label="👤 " + ctx.person(member.number, member.label),
                payload=payloads.staff("pp", member.number),
            )
        ]
        for member in members
    ]
    rows.append([Button(label=ctx.ui("field.person_add"), payload=payloads.staff("pp", "new"))])
    ctx.session.staff = {"await": "person_pick", "offered": [m.number for m in members]}
    ctx.say(ctx.ui("field.person_ask", household=visit.get("household", "")), rows)


async def person_command(ctx: Ctx, store: StaffStore, arg: str) -> None:
    """``/person [name]``: who is being helped now (asked, without a name)."""
    if not ctx.session.visit:
        ctx.say(ctx.ui("staff.no_visit"))
    elif arg:
        await person_typed(ctx, store, arg)
    else:
        await ask_person(ctx, store)


async def person_press(ctx: Ctx, store: StaffStore, payload: str) -> bool:
    """A button of :func:`ask_person` (or the menu's "someone else"); False if not offered."""
    visit = ctx.session.visit
    if not visit:
        return False
    if payload == "pp":
        await ask_person(ctx, store)
        return True
    if ctx.session.staff.get("await") != "person_pick":
        return False
    if payload == "pp:new":
        ctx.session.staff = {"await": "person"}
        ctx.say(ctx.ui("field.person_type"))
        return True
    number = whole_number(payload[3:]) if payload.startswith("pp:") else None
    if number is None or number not in ctx.session.staff.get("offered", []):
        return False
    members = await store.members(int(visit["household_id"]))
    member = next((m for m in members if m.number == number), None)
    if member is None:
        return False
    await _chosen(ctx, store, member)
    return True


async def person_typed(ctx: Ctx, store: StaffStore, text: str) -> None:
    """A typed name: this person named, someone already named, or another person."""
    visit = ctx.session.visit
    if not member_label(text)[1]:
        ctx.session.staff = {"await": "person"}
        ctx.say(ctx.ui("field.person_retry"))
        return
    household_id, current = int(visit["household_id"]), int(visit.get("member", 1))
    member = None
    if not visit.get("member_label") and not await _has_outcomes(ctx, store, current):
        member = await store.name_member(household_id, current, text)
    if member is None:
        member = await store.add_member(household_id, text, at=ctx.now)
    await _chosen(ctx, store, member)


async def _chosen(ctx: Ctx, store: StaffStore, member: Member) -> None:
    set_person(ctx, member)
    ctx.session.staff = {}
    ctx.say(ctx.ui("field.person_now", person=ctx.person(member.number, member.label)))
    await show_menu(ctx, store)


async def _has_outcomes(ctx: Ctx, store: StaffStore, number: int) -> bool:
    visit = ctx.session.visit
    statuses = await store.households_of(int(visit["volunteer_id"]))
    return any(
        service.member == number
        for status in statuses
        if status.household.id == int(visit["household_id"])
        for service in status.services
    )
