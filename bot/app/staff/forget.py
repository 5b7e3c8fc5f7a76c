"""``/forget``: a resident asks for everything about them to be deleted, and confirms it."""

from __future__ import annotations

from typing import Literal

from bot.app.staff.context import Ctx
from bot.core import payloads
from bot.core.types import Button

__all__ = ["FORGET_ANSWERS", "ask_forget", "forget_answer"]

FORGET_ANSWERS = ("forget:yes", "forget:no")


def ask_forget(ctx: Ctx) -> None:
    """Ask once more before deleting: yes, or keep everything."""
    ctx.session.staff = {"await": "forget"}
    ctx.say(
        ctx.ui("staff.forget_confirm"),
        [
            [Button(label=ctx.ui("staff.forget_yes"), payload=payloads.staff("forget", "yes"))],
            [Button(label=ctx.ui("staff.forget_no"), payload=payloads.staff("forget", "no"))],
        ],
    )


def forget_answer(ctx: Ctx, payload: str) -> Literal["forget"] | Literal[True]:
    """The answer to :func:`ask_forget`: ``"forget"`` (delete everything) or True (kept)."""
    ctx.session.staff = {}
    if payload == "forget:yes":
        ctx.say(ctx.ui("staff.forgotten"))
        return "forget"
    ctx.say(ctx.ui("staff.forget_kept"))
    return True
