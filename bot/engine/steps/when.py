"""A ``when`` step: the first condition that holds picks the next step; else ``go``."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from bot.core.session import Frame
from bot.engine.texts import context
from bot.flows.compiled import CompiledFlow
from bot.flows.schema import Step

if TYPE_CHECKING:
    from bot.engine.turn import Turn

log = logging.getLogger(__name__)


def handle(turn: Turn, flow: CompiledFlow, frame: Frame, step: Step) -> str | None:
    """The step the first true condition names (a condition that fails counts as false)."""
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
