"""Time in the engine: follow-up reminders, and flows that expire when a resident goes quiet.

Functions on a :class:`~bot.engine.turn.Turn` (kept apart from the conversation itself). Nothing
here reads a clock or sleeps: the scheduler decides *when*, the engine decides *whether it still
makes sense* and what to say.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from bot.core import payloads
from bot.core.session import Expire, FollowUpDue, FollowUpJob, Frame
from bot.engine import navigation, screens
from bot.flows.compiled import CompiledFlow
from bot.flows.schema import Step

if TYPE_CHECKING:
    from bot.engine.turn import Turn

__all__ = [
    "expires_after",
    "offer_return",
    "on_expire",
    "on_follow_up",
    "resume_expired",
    "schedule",
    "set_reminders",
]


# --- follow-ups ------------------------------------------------------------------------------


def schedule(turn: Turn, frame: Frame, step: Step) -> None:
    """A step that waits and has a ``follow_up``: come back later if nothing happens."""
    follow = step.follow_up
    if follow is None or turn.firing or turn.session.profile.get("reminders") is False:
        return
    turn.followups.append(
        FollowUpJob(
            flow_id=frame.flow_id,
            run_started_at=frame.started_at,
            anchor=frame.step,
            go=follow.go,
            attempt=1,
            repeat=follow.repeat,
            every=follow.seconds,
            condition=follow.while_,
            due=turn.now + follow.seconds,
        )
    )


def on_follow_up(turn: Turn, event: FollowUpDue) -> None:
    """Send the reminder step if the resident is still where the follow-up expects."""
    job = event.job
    session = turn.session
    frame = session.stack[-1] if session.stack else None
    relevant = (
        frame is not None
        and frame.flow_id == job.flow_id
        and frame.started_at == job.run_started_at
        and (job.condition == "in_flow" or frame.step == job.anchor)
        and session.profile.get("reminders") is not False
        and job.go in turn.engine.flow_of(frame).flow.steps
    )
    if not relevant or frame is None:
        return
    session.screen = "flow"
    if frame.step != job.go:
        frame.history.append(frame.step)
    turn.firing = True
    navigation.enter(turn, job.go)
    turn.firing = False
    if job.attempt < job.repeat and session.stack and session.stack[-1].step == job.go:
        # No answer to the reminder: it may come once more, up to ``repeat`` times.
        turn.followups.append(
            FollowUpJob(
                flow_id=job.flow_id,
                run_started_at=job.run_started_at,
                anchor=job.go,
                go=job.go,
                attempt=job.attempt + 1,
                repeat=job.repeat,
                every=job.every,
                condition=job.condition,
                due=turn.now + job.every,
            )
        )


def set_reminders(turn: Turn, on: bool) -> None:
    turn.session.profile["reminders"] = on
    turn.cancel_followups = True
    turn.notice("reminders.on" if on else "reminders.off")


# --- expiry ----------------------------------------------------------------------------------


def expires_after(flows: Mapping[str, CompiledFlow], session_stack: list[Frame]) -> float | None:
    """How long this session may stay idle (its root flow's ``expire_after``), if in a flow."""
    if not session_stack:
        return None
    flow = flows.get(session_stack[0].flow_id)
    return flow.flow.expire_seconds if flow is not None else None


def on_expire(turn: Turn, event: Expire) -> None:
    """End an idle session's flows as abandoned where they stopped; remember the place."""
    del event
    session = turn.session
    limit = expires_after(turn.engine.flows, session.stack)
    if limit is None or turn.now - session.active_at < limit:
        return
    root = session.stack[0]
    session.expired = {
        "flow": root.flow_id,
        "stack": [
            {
                "flow": f.flow_id,
                "v": f.version,
                "step": f.step,
                "vars": f.vars,
                "history": f.history,
                "credit": f.credit,
            }
            for f in session.stack
        ],
    }
    # The funnel must show where people really leave: the runs end at their last activity.
    navigation.abandon_all(turn, at=session.active_at)
    session.screen = "expired"
    turn.cancel_followups = True


def offer_return(turn: Turn) -> None:
    """A resident back after expiry: continue where they were, or start again."""
    expired = turn.session.expired
    flow = turn.engine.flows.get(str(expired.get("flow", "")))
    if flow is None:
        turn.session.expired = {}
        screens.show_menu(turn)
        return
    title = flow.flow.title.get(turn.session.lang)
    rows = [
        [turn.button("expired.continue", payloads.CONTINUE)],
        [turn.button("expired.restart", payloads.RESTART)],
        [turn.button("button.menu", payloads.MENU)],
    ]
    turn.emit(turn.ui("expired.offer", title=title), rows)


def resume_expired(turn: Turn, payload: str) -> None:
    session = turn.session
    expired, session.expired = session.expired, {}
    flow_id = str(expired.get("flow", ""))
    flows = turn.engine.flows
    if payload == payloads.RESTART or flow_id not in flows:
        if flow_id in flows:
            navigation.start_flow(turn, flow_id)
        else:
            screens.show_menu(turn)
        return
    # Continue: a new run of the same flow, from the step where the old one stopped.
    saved_stack = list(expired.get("stack", []))
    for depth, saved in enumerate(saved_stack):
        flow = flows.get(saved["flow"])
        step = flow.flow.steps.get(saved["step"]) if flow is not None else None
        # The flow may have been edited since: the place must still wait (or call a sub-flow).
        on_top = depth == len(saved_stack) - 1
        if flow is None or step is None or not (step.waits if on_top else step.kind == "flow"):
            session.stack = []
            navigation.start_flow(turn, flow_id)
            return
        session.stack.append(
            Frame(
                flow_id=saved["flow"],
                version=flow.version,
                step=saved["step"],
                started_at=turn.now,
                digest=flow.digest,
                step_kind=step.kind,
                history=list(saved.get("history", [])),
                path=[saved["step"]],
                vars=dict(saved.get("vars", {})),
                credit=dict(saved.get("credit", {})),
            )
        )
    session.screen = "flow"
    screens.show_step(turn)
