"""A volunteer's name in the team: taken from the chat's profile when they join (or the first
time they use a volunteer's command without one), changed with ``/name``."""

from __future__ import annotations

from bot.app.staff.context import Ctx
from bot.core.staff import Volunteer
from bot.storage.base import StaffStore

__all__ = ["name_command", "named_from_profile"]


async def named_from_profile(ctx: Ctx, store: StaffStore, volunteer: Volunteer) -> Volunteer:
    """The volunteer, named after their chat profile if they have no name yet."""
    if volunteer.name or not ctx.name_hint.strip():
        return volunteer
    await store.rename_volunteer(volunteer.id, ctx.name_hint)
    return await store.volunteer_by_id(volunteer.id) or volunteer


async def name_command(ctx: Ctx, store: StaffStore, volunteer: Volunteer, arg: str) -> None:
    """``/name Lan``: the name leaders and reports show; without a name, the one kept."""
    if arg:
        ctx.say(ctx.ui("field.name_saved", name=await store.rename_volunteer(volunteer.id, arg)))
    elif volunteer.name:
        ctx.say(ctx.ui("field.name_now", name=volunteer.name))
    else:
        ctx.say(ctx.ui("field.name_none"))
