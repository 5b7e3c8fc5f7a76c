"""A ``choices`` or ``ask`` step: show it and wait (a reminder may come back later), unless the
calling flow already gave its answer (``skip_if_known``)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.core.session import Frame
from bot.engine import given, screens, timers
from bot.flows.compiled import CompiledFlow
from bot.flows.schema import Step

if TYPE_CHECKING:
    from bot.engine.turn import Turn


def handle(turn: Turn, flow: CompiledFlow, frame: Frame, step: Step) -> str | None:
    """None: the turn stops at this step, on screen; or the step its given answer leads to."""
    del flow
    skip_to = given.answered(turn, frame, step)
    if skip_to is not None:
        return skip_to
    frame.step_kind = step.kind
    frame.misses = 0  # a step entered again starts with a clean slate
    turn.session.screen = "flow"
    screens.show_step(turn)
    timers.schedule(turn, frame, step)
    return None
