"""What came of a guide for the person helped: the outcome the volunteer picks, and a note."""

from __future__ import annotations

from bot.app.staff.assisted import show_menu
from bot.app.staff.context import Ctx
from bot.core import payloads
from bot.core.staff import VISIT_OUTCOMES
from bot.core.types import Button
from bot.storage.base import StaffStore

__all__ = ["outcome_press", "save_outcome"]


async def outcome_press(ctx: Ctx, store: StaffStore, payload: str) -> bool:
    """An outcome button (then the note is asked), or "skip the note"; False if not asked."""
    staff = ctx.session.staff
    waiting = staff.get("await")
    outcome = payload[4:] if payload.startswith("out:") else ""
    if waiting == "outcome" and outcome in VISIT_OUTCOMES:
        ctx.session.staff = {**staff, "await": "note", "outcome": outcome}
        ctx.say(
            ctx.ui("staff.ask_note"),
            [[Button(label=ctx.ui("staff.skip_note"), payload=payloads.staff("note", "skip"))]],
        )
        return True
    if waiting == "note" and payload == "note:skip":
        await save_outcome(ctx, store, "")
        return True
    return False


async def save_outcome(ctx: Ctx, store: StaffStore, note: str) -> None:
    """Record the outcome asked for (with the typed note), then the menu again."""
    staff = ctx.session.staff
    visit = ctx.session.visit
    flow_id = str(staff.get("flow", ""))
    outcome = str(staff.get("outcome", ""))
    ctx.session.staff = {}
    if not visit or outcome not in VISIT_OUTCOMES:
        return
    member = int(staff.get("member", visit.get("member", 1)))
    await store.record_outcome(
        int(visit["id"]), flow_id, outcome, note=note, at=ctx.now, member=member
    )
    visit["outcomes"] = int(visit.get("outcomes", 0)) + 1
    ctx.say(
        ctx.ui(
            "staff.outcome_saved",
            outcome=ctx.ui(f"staff.outcome_{outcome}"),
            flow=ctx.flow_title(flow_id),
        )
    )
    await show_menu(ctx, store)
