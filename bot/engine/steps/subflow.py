"""A ``flow`` step: run a sub-flow on top, given the answers of ``with:``; its end comes back to
this step's ``go``."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.core.errors import FlowRuntimeError
from bot.core.session import Frame
from bot.engine import given, navigation
from bot.flows.compiled import CompiledFlow
from bot.flows.schema import Step

if TYPE_CHECKING:
    from bot.engine.turn import Turn


def handle(turn: Turn, flow: CompiledFlow, frame: Frame, step: Step) -> str | None:
    """The sub-flow's first step, in a new frame on top (a fault if the flow is not loaded)."""
    assert step.flow is not None
    frame.step_kind = step.kind
    child = turn.engine.flows.get(step.flow)
    if child is None:
        raise FlowRuntimeError(
            "missing_flow", flow_id=flow.id, step=frame.step, path=flow.path, detail=step.flow
        )
    sub = navigation.new_frame(turn, child)
    given.hand_over(turn, flow, frame, sub)
    turn.session.stack.append(sub)
    return child.flow.start
