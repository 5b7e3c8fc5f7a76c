"""``/police [village]``: for a leader, everyone whose latest outcome for a service is "needs the
commune police", to hand over: household, person, service, since when, volunteer and note."""

from __future__ import annotations

from bot.app.staff.context import Ctx
from bot.app.staff.wording import people_of, person_name
from bot.core.matching import fold
from bot.storage.base import StaffStore

__all__ = ["police_list"]


async def police_list(ctx: Ctx, store: StaffStore, village: str) -> None:
    """The people to hand over to the commune police (a village typed without accents too)."""
    wanted = fold(village)
    found: list[tuple[str, str, int, str]] = []
    people: set[tuple[int, int]] = set()
    for volunteer in await store.volunteers():
        for status in await store.households_of(volunteer.id):
            household = status.household
            if wanted and fold(household.village) != wanted:
                continue
            labels = people_of(status)
            for service in status.services:
                if service.outcome != "police":
                    continue
                people.add((household.id, service.member))
                line = ctx.ui(
                    "field.police_line",
                    label=household.label or f"#{household.id}",
                    village=household.village,
                    person=person_name(ctx.ui, service.member, labels.get(service.member, "")),
                    flow=ctx.flow_title(service.flow_id),
                    since=ctx.day(service.at),
                    volunteer=volunteer.name or volunteer.code,
                    note=service.note,
                )
                found.append((fold(household.village), fold(household.label), service.member, line))
    if not found:
        ctx.say(ctx.ui("field.police_none", village=village))
        return
    lines = [ctx.ui("field.police_head", count=len(people))]
    ctx.say("\n".join(lines + [line for *_order, line in sorted(found)]))
