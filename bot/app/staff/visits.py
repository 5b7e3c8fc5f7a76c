"""Volunteers' visits: one at a household, opened from the list to go back to or a new one,
and closed with ``/endvisit``; ``/households`` says where each person stands.

The people helped are in ``people``, the engine's replies around the visit in ``assisted``, and
the outcomes in ``outcomes``.
"""

from __future__ import annotations

from bot.app.staff.assisted import drive, show_menu
from bot.app.staff.context import Ctx, whole_number
from bot.app.staff.outcomes import outcome_press, save_outcome
from bot.app.staff.people import first_person, person_press, person_typed
from bot.app.staff.wording import household_lines
from bot.core import payloads
from bot.core.privacy import mask
from bot.core.staff import Household, member_key
from bot.core.staff import Volunteer as VolunteerRecord
from bot.core.types import Button, Command, Opened
from bot.storage.base import StaffStore

__all__ = [
    "VOLUNTEER_COMMANDS",
    "carry_on",
    "end_visit",
    "half_way",
    "households",
    "open_visit",
    "typed",
    "visit_press",
    "visit_start",
]

VOLUNTEER_COMMANDS = frozenset(
    {"visit", "households", "endvisit", "person", "name", "handover"}
)


async def visit_start(ctx: Ctx, store: StaffStore, volunteer: VolunteerRecord) -> None:
    """``/visit``: a household to revisit, or a village and a household to start with."""
    if ctx.session.visit:
        # Moving on to another household: a guide left half-way is to be continued later.
        await end_visit(ctx, store, ask=False)
    statuses = await store.households_of(volunteer.id)
    revisit = [s for s in statuses if s.revisit]
    if revisit:
        rows = []
        for status in revisit:
            since = min(service.at for service in status.revisit)
            label = ctx.ui(
                "staff.revisit_button",
                label=status.household.label,
                village=status.household.village,
                since=ctx.day(since),
            )
            rows.append([Button(label=label, payload=payloads.staff("rv", status.household.id))])
        rows.append([Button(label=ctx.ui("staff.new_household"), payload=payloads.staff("new"))])
        ctx.session.staff = {
            "await": "household_pick",
            "offered": [s.household.id for s in revisit],
        }
        ctx.say(ctx.ui("staff.revisits_head"), rows)
        return
    _ask_village(ctx, volunteer)


def _ask_village(ctx: Ctx, volunteer: VolunteerRecord) -> None:
    ctx.session.staff = {"await": "village_pick", "own": volunteer.village}
    ctx.say(
        ctx.ui("staff.ask_village"),
        [
            [Button(label=volunteer.village, payload=payloads.staff("vil", "own"))],
            [Button(label=ctx.ui("staff.village_other"), payload=payloads.staff("vil", "other"))],
        ],
    )


async def open_visit(
    ctx: Ctx,
    store: StaffStore,
    volunteer: VolunteerRecord,
    household: Household,
    *,
    quiet: bool = False,
) -> None:
    """Start a visit to ``household``: whom to help, then the guides' menu (``quiet``: only
    the visit, for a button of a person's guide pressed when no visit was open)."""
    visit = await store.start_visit(volunteer.id, household, at=ctx.now)
    ctx.session.staff = {}
    ctx.session.visit = {
        "id": visit.id,
        "household_id": household.id,
        "household": household.label,
        "village": household.village,
        "volunteer_id": volunteer.id,
        "outcomes": 0,
    }
    if quiet:
        return
    ctx.say(ctx.ui("staff.visit_started", household=household.label, village=household.village))
    if not await first_person(ctx, store, household):
        await show_menu(ctx, store)


async def end_visit(ctx: Ctx, store: StaffStore, *, ask: bool = True) -> None:
    """``/endvisit`` or the menu's button: close the visit and show the menu.

    A guide still half-way for someone helped in this visit is recorded as "come back later"
    (so the household is on the list to go back to, and the guide goes on from where it
    stopped); with ``ask``, the volunteer is told first and may carry on instead.
    """
    visit = ctx.session.visit
    if not visit:
        ctx.say(ctx.ui("staff.no_visit"))
        return
    paused = await half_way(ctx, store)
    if paused and ask:
        items = "; ".join(
            ctx.ui("field.paused_item", person=person, flow=ctx.flow_title(flow_id))
            for _number, person, flow_id in paused
        )
        ctx.session.staff = {"await": "end_paused"}
        rows = [
            [Button(label=ctx.ui(f"field.endvisit_{text}"), payload=payloads.staff("end", code))]
            for text, code in (("confirm", "paused"), ("continue", "back"))
        ]
        ctx.say(ctx.ui("field.endvisit_paused", items=items), rows)
        return
    for number, _person, flow_id in paused:
        note = ctx.ui("field.paused_note")
        await store.record_outcome(
            int(visit["id"]), flow_id, "later", note=note, at=ctx.now, member=number
        )
        visit["outcomes"] = int(visit.get("outcomes", 0)) + 1
    await store.end_visit(int(visit["id"]), at=ctx.now)
    ctx.session.visit = {}
    ctx.session.staff = {}
    ctx.say(
        ctx.ui("staff.visit_ended", household=visit["household"], count=visit.get("outcomes", 0))
    )
    reply = ctx.engine.handle(ctx.session, Command("menu"), now=ctx.now)
    ctx.session = reply.session
    ctx.messages.extend(reply.messages)


async def half_way(ctx: Ctx, store: StaffStore) -> list[tuple[int, str, str]]:
    """Who, helped in this visit, is in the middle of a guide: (number, name, guide)."""
    visit = ctx.session.visit
    household_id = int(visit["household_id"])
    labels = {m.number: m.label for m in await store.members(household_id)}
    found = []
    for number in visit.get("helped", []):
        key = member_key(household_id, int(number))
        session = ctx.member.reply.session if ctx.member and ctx.member.key == key else None
        session = session or (await store.read(key)).session
        if session is not None and session.stack:
            person = ctx.person(int(number), labels.get(int(number), ""))
            found.append((int(number), person, session.stack[0].flow_id))
    return found


async def carry_on(ctx: Ctx, store: StaffStore) -> None:
    """The volunteer did not end the visit after all: back to where the guide is."""
    ctx.session.staff = {}
    await drive(ctx, store, Opened())


async def households(ctx: Ctx, store: StaffStore, volunteer: VolunteerRecord) -> None:
    """``/households``: the volunteer's households and where each person's services stand."""
    statuses = await store.households_of(volunteer.id)
    if not statuses:
        ctx.say(ctx.ui("staff.households_none"))
        return
    lines = [ctx.ui("staff.households_head")]
    for status in statuses:
        lines += household_lines(ctx.ui, ctx.flow_title, status)
    ctx.say("\n".join(lines))


async def visit_press(
    ctx: Ctx, store: StaffStore, volunteer: VolunteerRecord, payload: str
) -> bool:
    """A volunteer's staff button the desk is waiting for; False if it was not offered."""
    staff = ctx.session.staff
    waiting = staff.get("await")
    if waiting == "household_pick" and payload == "new":
        _ask_village(ctx, volunteer)
        return True
    if waiting == "household_pick" and payload.startswith("rv:"):
        household_id = whole_number(payload[3:])
        household = None if household_id is None else await store.household_by_id(household_id)
        if household is not None and household_id in staff.get("offered", []):
            await open_visit(ctx, store, volunteer, household)
            return True
    if waiting == "village_pick" and payload in ("vil:own", "vil:other"):
        if payload == "vil:own":
            ctx.session.staff = {"await": "household", "village": staff.get("own", "")}
            ctx.say(ctx.ui("staff.ask_household"))
        else:
            ctx.session.staff = {"await": "village"}
            ctx.say(ctx.ui("staff.type_village"))
        return True
    if await person_press(ctx, store, payload):
        return True
    return await outcome_press(ctx, store, payload)


async def typed(ctx: Ctx, store: StaffStore, text: str) -> None:
    """What the desk asked to be typed: a village, a household, a person, or a note."""
    staff = ctx.session.staff
    text = " ".join(text.split())
    if staff.get("await") == "note":
        await save_outcome(ctx, store, text)
        return
    if staff.get("await") == "person" and ctx.session.visit:
        await person_typed(ctx, store, text)
        return
    volunteer = await store.volunteer_for(ctx.key)
    if volunteer is None or not text:
        ctx.session.staff = {}
        ctx.say(ctx.ui("staff.not_volunteer"))
        return
    if staff.get("await") == "village":
        ctx.session.staff = {"await": "household", "village": mask(text)[:60]}
        ctx.say(ctx.ui("staff.ask_household"))
        return
    household = await store.household(
        volunteer.id, str(staff.get("village", volunteer.village)), text, at=ctx.now
    )
    await open_visit(ctx, store, volunteer, household)
