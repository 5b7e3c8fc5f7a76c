"""What each kind of step does when the engine enters it: the registry of step kinds.

:func:`bot.engine.navigation.enter` looks a step's kind (:data:`bot.flows.schema.StepKind`, which
the schema, lint and graph read too) up in :data:`HANDLERS`. A handler does the step's work and
returns the step to enter next, or None when the turn stops there (the step waits for the
resident, or the resident's flow ended). Adding a kind of step: its fields in the schema, one
handler module here, and its line in :data:`HANDLERS`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING

from bot.core.session import Frame
from bot.engine.steps import end, say, subflow, wait, when
from bot.flows.compiled import CompiledFlow
from bot.flows.schema import Step, StepKind

if TYPE_CHECKING:
    from bot.engine.turn import Turn

__all__ = ["HANDLERS", "Handler"]

Handler = Callable[["Turn", CompiledFlow, Frame, Step], "str | None"]

HANDLERS: Mapping[StepKind, Handler] = {
    "when": when.handle,
    "flow": subflow.handle,
    "choices": wait.handle,
    "ask": wait.handle,
    "say": say.handle,
    "end": end.handle,
}
