"""A step that only says something, then goes straight on to ``go``."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.core.session import Frame
from bot.engine import screens
from bot.flows.compiled import CompiledFlow
from bot.flows.schema import Step

if TYPE_CHECKING:
    from bot.engine.turn import Turn


def handle(turn: Turn, flow: CompiledFlow, frame: Frame, step: Step) -> str | None:
    """The step's words (without buttons), then its ``go``."""
    if step.say is not None:
        screens.emit_say(turn, flow, frame, step, [])
    assert step.go is not None
    return step.go
