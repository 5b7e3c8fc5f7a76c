"""An ``end`` step: last words, then the flow ends with its outcome."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.core.session import Frame
from bot.engine import navigation, screens
from bot.flows.compiled import CompiledFlow
from bot.flows.schema import Step

if TYPE_CHECKING:
    from bot.engine.turn import Turn


def handle(turn: Turn, flow: CompiledFlow, frame: Frame, step: Step) -> str | None:
    """The calling flow's next step, or None when the resident's own flow ended (end buttons)."""
    if step.say is not None:
        screens.emit_say(turn, flow, frame, step, [])
    assert step.end is not None
    return navigation.finish_frame(turn, step.end)
