"""What each kind of step does when the engine enters it: the registry of step kinds.

:func:`bot.engine.navigation.enter` looks a step's kind (:data:`bot.flows.schema.StepKind`, which
the schema, lint and graph read too) up in :data:`HANDLERS`. A handler does the step's work and
returns the step to enter next, or None when the turn stops there (the step waits for the
resident, or the resident's flow ended). Adding a kind of step: its fields in the schema, and a
handler here.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING

from bot.core.errors import FlowRuntimeError
from bot.core.session import Frame
from bot.engine import navigation, screens, timers
from bot.engine.texts import context
from bot.flows.compiled import CompiledFlow
from bot.flows.schema import Step, StepKind

if TYPE_CHECKING:
    from bot.engine.turn import Turn

__all__ = ["HANDLERS", "Handler"]

log = logging.getLogger(__name__)

Handler = Callable[["Turn", CompiledFlow, Frame, Step], "str | None"]


def _when(turn: Turn, flow: CompiledFlow, frame: Frame, step: Step) -> str | None:
    """The first condition that holds picks the next step; else ``go``."""
    seen = context(turn, frame)
    for index, condition in enumerate(step.when or []):
        try:
            if flow.conditions[(frame.step, index)](**seen):
                return condition.go
        except Exception:  # a condition that cannot be evaluated counts as false
            log.warning(
                "flow %s step %s: condition %r failed",
                flow.id,
                frame.step,
                condition.if_,
                exc_info=True,
            )
    assert step.go is not None
    return step.go


def _flow(turn: Turn, flow: CompiledFlow, frame: Frame, step: Step) -> str | None:
    """Run a sub-flow on top; its end comes back to this step's ``go``."""
    assert step.flow is not None
    frame.step_kind = step.kind
    child = turn.engine.flows.get(step.flow)
    if child is None:
        raise FlowRuntimeError(
            "missing_flow", flow_id=flow.id, step=frame.step, path=flow.path, detail=step.flow
        )
    turn.session.stack.append(navigation.new_frame(turn, child))
    return child.flow.start


def _wait(turn: Turn, flow: CompiledFlow, frame: Frame, step: Step) -> str | None:
    """Buttons or a question: show the step and wait (a reminder may come back later)."""
    del flow
    frame.step_kind = step.kind
    turn.session.screen = "flow"
    screens.show_step(turn)
    timers.schedule(turn, frame, step)
    return None


def _say(turn: Turn, flow: CompiledFlow, frame: Frame, step: Step) -> str | None:
    """Words, then straight on to ``go``."""
    if step.say is not None:
        screens.emit_say(turn, flow, frame, step, [])
    assert step.go is not None
    return step.go


def _end(turn: Turn, flow: CompiledFlow, frame: Frame, step: Step) -> str | None:
    """Last words, then the flow ends: back to the calling flow, or the end buttons."""
    if step.say is not None:
        screens.emit_say(turn, flow, frame, step, [])
    assert step.end is not None
    return navigation.finish_frame(turn, step.end)


HANDLERS: Mapping[StepKind, Handler] = {
    "when": _when,
    "flow": _flow,
    "choices": _wait,
    "ask": _wait,
    "say": _say,
    "end": _end,
}
