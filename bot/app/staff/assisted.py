"""The engine's replies during a visit: the visit's header and buttons around the menu, and the
question for the outcome when a guide ends."""

from __future__ import annotations

from dataclasses import replace

from bot.app.staff.context import Ctx
from bot.core import payloads
from bot.core.staff import VISIT_OUTCOMES
from bot.core.types import Button, Command, OutgoingMessage
from bot.engine.runner import Reply

__all__ = ["around_visit", "show_menu"]


def show_menu(ctx: Ctx) -> None:
    """The guides' menu for the person being helped, with the visit around it."""
    reply = ctx.engine.handle(ctx.session, Command("menu"), now=ctx.now)
    ctx.session = reply.session
    ctx.messages.extend(around_visit(ctx, reply).messages)


def around_visit(ctx: Ctx, reply: Reply) -> Reply:
    """During a visit: ask for the outcome when a guide ends; offer to end the visit."""
    session = reply.session
    ctx.session = session
    visit = session.visit
    if not visit:
        return reply
    messages = list(reply.messages)
    ended = [run for run in reply.finished if not run.parent_flow and run.outcome != "abandoned"]
    person = ctx.person(int(visit.get("member", 1)), str(visit.get("member_label", "")))
    if ended and session.screen == "ended":
        flow_id = ended[-1].flow_id
        session.staff = {"await": "outcome", "flow": flow_id, "member": visit.get("member", 1)}
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
                text=ctx.ui("field.ask_outcome", person=person, flow=ctx.flow_title(flow_id)),
                buttons=tuple(tuple(r) for r in rows),
            )
        )
    elif session.screen == "menu" and messages:
        header = ctx.ui(
            "field.visit_header",
            household=visit.get("household", ""),
            village=visit.get("village", ""),
            person=person,
        )
        last = messages[-1]
        visit_rows = (
            (Button(label=ctx.ui("field.other_person_button"), payload=payloads.staff("pp")),),
            (Button(label=ctx.ui("staff.end_visit_button"), payload=payloads.staff("end")),),
        )
        messages[-1] = replace(
            last, text=f"{header}\n\n{last.text}", buttons=(*last.buttons, *visit_rows)
        )
    return replace(reply, messages=tuple(messages))
