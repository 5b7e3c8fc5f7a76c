"""``/forget``: a resident asks for everything about them to be deleted, and confirms it."""

from __future__ import annotations

from typing import Literal

from bot.app.staff.context import Ctx
from bot.core import payloads
from bot.core.types import Button
from bot.storage.base import StaffStore

__all__ = ["FORGET_ANSWERS", "ask_forget", "forget_answer"]

FORGET_ANSWERS = ("forget:yes", "forget:no")


async def ask_forget(ctx: Ctx, store: StaffStore) -> None:
    """Ask once more before deleting: yes, or keep everything. A volunteer is told what goes
    (their chats and name, the names and notes they wrote, the guides in progress they ran),
    what stops (their access, their posters' credit) and what stays (the outcomes, unnamed)."""
    volunteer = await store.volunteer_for(ctx.key)
    ctx.session.staff = {"await": "forget", "volunteer": volunteer is not None}
    ctx.say(
        ctx.ui("field.forget_confirm_volunteer" if volunteer else "staff.forget_confirm"),
        [
            [Button(label=ctx.ui("staff.forget_yes"), payload=payloads.staff("forget", "yes"))],
            [Button(label=ctx.ui("staff.forget_no"), payload=payloads.staff("forget", "no"))],
        ],
    )


async def forget_answer(
    ctx: Ctx, store: StaffStore, payload: str
) -> Literal["forget"] | Literal[True]:
    """The answer to :func:`ask_forget`: ``"forget"`` (delete everything) or True (kept)."""
    volunteer = bool(ctx.session.staff.get("volunteer"))
    ctx.session.staff = {}
    if payload == "forget:yes":
        if ctx.session.visit:  # the visit ends here: nobody is left to end it
            await store.end_visit(int(ctx.session.visit["id"]), at=ctx.now)
        ctx.say(ctx.ui("field.forgotten_volunteer" if volunteer else "staff.forgotten"))
        return "forget"
    ctx.say(ctx.ui("staff.forget_kept"))
    return True
