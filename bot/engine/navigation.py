"""Moving through flows: enter and advance steps, finish a flow, Back, restart, start, abandon.

Functions on a :class:`~bot.engine.turn.Turn`. A flow running for a resident is a
:class:`~bot.core.session.Frame` on the session's stack (a sub-flow or a detour on top of its
caller); every run that ends, however, leaves a :class:`~bot.core.session.FinishedRun`.
"""

from __future__ import annotations

from bot.core.privacy import shown
from bot.core.session import FinishedRun, Frame
from bot.engine import screens, steps
from bot.engine.texts import alert, fault_at
from bot.engine.turn import Turn
from bot.flows.compiled import CompiledFlow
from bot.flows.schema import ABANDONED

__all__ = [
    "ABANDONED",
    "MAX_STEPS_PER_TURN",
    "abandon_all",
    "advance",
    "detour",
    "enter",
    "finish_frame",
    "go_back",
    "new_frame",
    "record",
    "restart",
    "start_by_name",
    "start_flow",
]

# A flow that passes lint never needs this many steps without waiting; the limit only protects
# residents from a loop slipped past it.
MAX_STEPS_PER_TURN = 100


def advance(turn: Turn, target: str) -> None:
    """Leave the current waiting step for ``target``, remembering it for Back."""
    frame = turn.session.stack[-1]
    frame.history.append(frame.step)
    enter(turn, target)


def enter(turn: Turn, step_id: str) -> None:
    """Enter ``step_id`` of the top frame and keep going until a step waits or the flow ends.

    What each kind of step does is its handler in :data:`bot.engine.steps.HANDLERS`.
    """
    session = turn.session
    for _ in range(MAX_STEPS_PER_TURN):
        frame = session.stack[-1]
        flow = turn.engine.flow_of(frame)
        step = flow.step(step_id)
        frame.step = step_id
        frame.path.append(step_id)
        if step.notify is not None and not turn.going_back:
            alert(turn, flow, frame)
        next_step = steps.HANDLERS[step.kind](turn, flow, frame, step)
        if next_step is None:
            return
        step_id = next_step
    raise fault_at(
        turn.engine,
        session.stack[-1],
        "loop",
        f"more than {MAX_STEPS_PER_TURN} steps without waiting",
    )


def finish_frame(turn: Turn, outcome: str) -> str | None:
    """End the top frame; return the parent's next step, or None when the root flow ended."""
    engine = turn.engine
    session = turn.session
    frame = session.stack.pop()
    parent = session.stack[-1] if session.stack else None
    turn.finished.append(record(turn, frame, outcome, parent))
    if parent is None:
        session.screen = "ended"
        session.last_flow = frame.flow_id
        screens.emit_end_buttons(turn)
        return None
    if frame.flow_id == engine.welcome_flow:
        session.profile["welcomed"] = True
    parent.vars["last_outcome"] = outcome
    if frame.detour:
        # Back to the step the resident left to follow this flow.
        title = engine.flow_of(parent).flow.title.get(session.lang)
        turn.notice("route.back_to", title=title)
        return parent.step
    if parent.resume_at:
        # The welcome flow ran before this flow's first step: now enter that step.
        target, parent.resume_at = parent.resume_at, ""
        return target
    parent_step = engine.flow_of(parent).step(parent.step)
    assert parent_step.go is not None
    return parent_step.go


def go_back(turn: Turn) -> None:
    """Back: the previous step of the flow, or of the calling flow at a sub-flow's first step."""
    session = turn.session
    while session.stack:
        frame = session.stack[-1]
        if frame.history:
            target = frame.history.pop()
            session.screen = "flow"
            turn.going_back = True
            enter(turn, target)
            return
        if len(session.stack) == 1:
            break
        # At the first step of a sub-flow: Back leaves it for the calling flow's previous step.
        session.stack.pop()
    if session.stack:
        screens.show_menu(turn)
    else:
        screens.show_current(turn)


def restart(turn: Turn) -> None:
    """Start the flow in progress (or the one just ended) again."""
    session = turn.session
    if session.stack:
        start_flow(turn, session.stack[0].flow_id)
    elif session.screen == "ended" and session.last_flow in turn.engine.flows:
        start_flow(turn, session.last_flow)
    else:
        turn.notice("flow.no_current")
        screens.show_menu(turn, with_prompt=False)


def start_by_name(turn: Turn, name: str) -> None:
    """``/start NAME``: the flow with that id, or the menu."""
    flow_id = name.strip().lower()
    if flow_id in turn.engine.flows:
        start_flow(turn, flow_id)
    else:
        turn.notice("menu.unknown_flow", name=shown(name, 40))
        screens.show_menu(turn, with_prompt=False)


def start_flow(turn: Turn, flow_id: str) -> None:
    """Leave every flow in progress and start ``flow_id`` (after the welcome flow, once)."""
    engine = turn.engine
    flow = engine.flows.get(flow_id)
    if flow is None:
        turn.notice("flow.gone")
        screens.show_menu(turn, with_prompt=False)
        return
    abandon_all(turn)
    session = turn.session
    frame = new_frame(turn, flow)
    session.stack.append(frame)
    session.screen = "flow"
    if (
        engine.welcome_flow
        and flow_id != engine.welcome_flow
        and not session.profile.get("welcomed")
    ):
        frame.resume_at = flow.flow.start
        welcome = engine.flows[engine.welcome_flow]
        session.stack.append(new_frame(turn, welcome))
        enter(turn, welcome.flow.start)
        return
    enter(turn, flow.flow.start)


def detour(turn: Turn, flow: CompiledFlow) -> None:
    """Run ``flow`` on top of the one in progress; when it ends, back to the step left."""
    session = turn.session
    frame = new_frame(turn, flow)
    frame.detour = True
    session.stack.append(frame)
    session.screen = "flow"
    enter(turn, flow.flow.start)


def new_frame(turn: Turn, flow: CompiledFlow) -> Frame:
    """A run of ``flow`` starting now, credited to whoever the turn's runs count for."""
    session = turn.session
    if session.stack:  # a sub-flow counts for whoever the calling flow counts for
        credit = dict(session.stack[-1].credit)
    elif session.visit:
        visit = session.visit
        credit = {
            "mode": "assisted",
            "volunteer_id": visit.get("volunteer_id"),
            "village": visit.get("village", ""),
            "visit_id": visit.get("id"),
        }
    else:
        credit = dict(turn.credit)
    return Frame(
        flow_id=flow.id,
        version=flow.version,
        step=flow.flow.start,
        started_at=turn.now,
        digest=flow.digest,
        credit=credit,
    )


def abandon_all(turn: Turn, *, at: float | None = None) -> None:
    """Record every unfinished flow as left at its current step, innermost first."""
    session = turn.session
    while session.stack:
        frame = session.stack.pop()
        parent = session.stack[-1] if session.stack else None
        turn.finished.append(record(turn, frame, ABANDONED, parent, at=at))


def record(
    turn: Turn,
    frame: Frame,
    outcome: str,
    parent: Frame | None,
    *,
    at: float | None = None,
) -> FinishedRun:
    """The run of ``frame`` as reports read it, ended with ``outcome`` (now, or ``at``)."""
    return FinishedRun(
        flow_id=frame.flow_id,
        flow_version=frame.version,
        lang=turn.session.lang,
        started_at=frame.started_at,
        ended_at=turn.now if at is None else max(at, frame.started_at),
        outcome=outcome,
        path=tuple(frame.path),
        parent_flow=parent.flow_id if parent else "",
        mode=str(frame.credit.get("mode", "self")),
        volunteer_id=frame.credit.get("volunteer_id"),
        village=str(frame.credit.get("village", "")),
        visit_id=frame.credit.get("visit_id"),
    )
