"""Volunteers' visits: one at a household, its outcomes, and the engine's replies around it.

During a visit the desk asks the volunteer for the outcome when a guide ends, and offers the end
of the visit in the menu.
"""

from __future__ import annotations

from dataclasses import replace

from bot.app.staff.context import Ctx, whole_number
from bot.core import payloads
from bot.core.privacy import mask
from bot.core.staff import VISIT_OUTCOMES, Household
from bot.core.staff import Volunteer as VolunteerRecord
from bot.core.types import Button, Command, OutgoingMessage
from bot.engine.runner import Reply
from bot.storage.base import StaffStore

__all__ = [
    "VOLUNTEER_COMMANDS",
    "around_visit",
    "end_visit",
    "households",
    "typed",
    "visit_press",
    "visit_start",
]

VOLUNTEER_COMMANDS = frozenset({"visit", "households", "endvisit"})


async def visit_start(ctx: Ctx, store: StaffStore, volunteer: VolunteerRecord) -> None:
    """``/visit``: a household to revisit, or a village and a household to start with."""
    if ctx.session.visit:
        await end_visit(ctx, store)
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


async def _open_visit(
    ctx: Ctx, store: StaffStore, volunteer: VolunteerRecord, household: Household
) -> None:
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
    reply = ctx.engine.handle(ctx.session, Command("menu"), now=ctx.now)
    ctx.session = reply.session
    ctx.say(ctx.ui("staff.visit_started", household=household.label, village=household.village))
    ctx.messages.extend(around_visit(ctx, reply).messages)


async def end_visit(ctx: Ctx, store: StaffStore) -> None:
    """``/endvisit`` or the menu's button: close the visit and show the menu."""
    visit = ctx.session.visit
    if not visit:
        ctx.say(ctx.ui("staff.no_visit"))
        return
    await store.end_visit(int(visit["id"]), at=ctx.now)
    ctx.session.visit = {}
    ctx.session.staff = {}
    ctx.say(
        ctx.ui("staff.visit_ended", household=visit["household"], count=visit.get("outcomes", 0))
    )
    reply = ctx.engine.handle(ctx.session, Command("menu"), now=ctx.now)
    ctx.session = reply.session
    ctx.messages.extend(reply.messages)


async def households(ctx: Ctx, store: StaffStore, volunteer: VolunteerRecord) -> None:
    """``/households``: the volunteer's households and what was done for each."""
    statuses = await store.households_of(volunteer.id)
    if not statuses:
        ctx.say(ctx.ui("staff.households_none"))
        return
    lines = [ctx.ui("staff.households_head")]
    for status in statuses:
        services = ", ".join(
            f"{ctx.ui('staff.outcome_' + s.outcome)} {ctx.flow_title(s.flow_id)}"
            for s in status.services
        ) or ctx.ui("staff.nothing_yet")
        lines.append(
            ctx.ui(
                "staff.household_line",
                label=status.household.label,
                village=status.household.village,
                services=services,
            )
        )
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
            await _open_visit(ctx, store, volunteer, household)
            return True
    if waiting == "village_pick" and payload in ("vil:own", "vil:other"):
        if payload == "vil:own":
            ctx.session.staff = {"await": "household", "village": staff.get("own", "")}
            ctx.say(ctx.ui("staff.ask_household"))
        else:
            ctx.session.staff = {"await": "village"}
            ctx.say(ctx.ui("staff.type_village"))
        return True
    outcome = payload[4:] if payload.startswith("out:") else ""
    if waiting == "outcome" and outcome in VISIT_OUTCOMES:
        ctx.session.staff = {**staff, "await": "note", "outcome": payload[4:]}
        ctx.say(
            ctx.ui("staff.ask_note"),
            [[Button(label=ctx.ui("staff.skip_note"), payload=payloads.staff("note", "skip"))]],
        )
        return True
    if waiting == "note" and payload == "note:skip":
        await _save_outcome(ctx, store, "")
        return True
    return False


async def typed(ctx: Ctx, store: StaffStore, text: str) -> None:
    """What the desk asked to be typed: a village name, a household, or an outcome's note."""
    staff = ctx.session.staff
    text = " ".join(text.split())
    if staff.get("await") == "note":
        await _save_outcome(ctx, store, text)
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
    await _open_visit(ctx, store, volunteer, household)


async def _save_outcome(ctx: Ctx, store: StaffStore, note: str) -> None:
    staff = ctx.session.staff
    visit = ctx.session.visit
    flow_id = str(staff.get("flow", ""))
    outcome = str(staff.get("outcome", ""))
    ctx.session.staff = {}
    if not visit or outcome not in VISIT_OUTCOMES:
        return
    await store.record_outcome(int(visit["id"]), flow_id, outcome, note=note, at=ctx.now)
    visit["outcomes"] = int(visit.get("outcomes", 0)) + 1
    ctx.say(
        ctx.ui(
            "staff.outcome_saved",
            outcome=ctx.ui(f"staff.outcome_{outcome}"),
            flow=ctx.flow_title(flow_id),
        )
    )
    reply = ctx.engine.handle(ctx.session, Command("menu"), now=ctx.now)
    ctx.session = reply.session
    ctx.messages.extend(around_visit(ctx, reply).messages)


def around_visit(ctx: Ctx, reply: Reply) -> Reply:
    """During a visit: ask for the outcome when a guide ends; offer to end the visit."""
    session = reply.session
    ctx.session = session
    if not session.visit:
        return reply
    messages = list(reply.messages)
    ended = [run for run in reply.finished if not run.parent_flow and run.outcome != "abandoned"]
    if ended and session.screen == "ended":
        flow_id = ended[-1].flow_id
        session.staff = {"await": "outcome", "flow": flow_id}
        rows = [
            [Button(label=ctx.ui(f"staff.outcome_{code}"), payload=payloads.staff("out", code))]
            for code in VISIT_OUTCOMES
        ]
        last = messages[-1] if messages else None
        if last is not None:
            # The volunteer records the outcome instead of "do it again / menu".
            messages[-1] = replace(last, buttons=())
        messages.append(
            OutgoingMessage(
                text=ctx.ui("staff.ask_outcome", flow=ctx.flow_title(flow_id)),
                buttons=tuple(tuple(r) for r in rows),
            )
        )
    elif session.screen == "menu" and messages:
        header = ctx.ui(
            "staff.visit_header",
            household=session.visit.get("household", ""),
            village=session.visit.get("village", ""),
        )
        last = messages[-1]
        end_row = (Button(label=ctx.ui("staff.end_visit_button"), payload=payloads.staff("end")),)
        messages[-1] = replace(
            last, text=f"{header}\n\n{last.text}", buttons=(*last.buttons, end_row)
        )
    return replace(reply, messages=tuple(messages))
