"""A flow ready to run: the validated data plus its templates and conditions compiled once."""

from __future__ import annotations

from dataclasses import dataclass, field

from jinja2.environment import TemplateExpression

from bot.core.address import ADDRESS_NAMES
from bot.core.errors import FlowRuntimeError
from bot.core.sandbox import LazyTemplate, Renderable
from bot.flows.schema import DEFAULT_LANGUAGE, Flow, Given, Step

__all__ = ["GLOBAL_NAMES", "CompiledFlow", "GivenValue"]

# A value of a ``with:`` ready to use: as written, a text template, or one ``{{ expression }}``
# (kept as an expression so a number or yes/no answer reaches the sub-flow as it was saved).
GivenValue = Given | LazyTemplate | TemplateExpression

# Names every template may use, whatever the flow collects (see docs/flows.md): the address words
# (xung_ho, toi, a) come from bot.core.address, which the engine's template context uses too.
GLOBAL_NAMES = ADDRESS_NAMES | {"commune", "lang", "last_outcome"}


@dataclass(frozen=True, slots=True, kw_only=True)
class CompiledFlow:
    """One loaded flow: ``flow`` is the data, the rest is what running it needs, computed once."""

    flow: Flow
    path: str
    digest: str
    texts: dict[tuple[str, str, str], Renderable] = field(default_factory=dict)
    conditions: dict[tuple[str, int], TemplateExpression] = field(default_factory=dict)
    variables: frozenset[str] = frozenset()
    # What each ``flow`` step gives its sub-flow (``with:``), by step id then variable name.
    given: dict[str, dict[str, GivenValue]] = field(default_factory=dict)
    images: dict[str, str] = field(default_factory=dict)
    # The line of each step's id in the file, for messages to admins about a step at run time.
    lines: dict[str, int] = field(default_factory=dict)

    @property
    def id(self) -> str:
        """The flow's id."""
        return self.flow.id

    @property
    def version(self) -> int:
        """The flow's version number."""
        return self.flow.version

    def step(self, step_id: str) -> Step:
        """The step called ``step_id`` (:class:`FlowRuntimeError` when the flow has none)."""
        step = self.flow.steps.get(step_id)
        if step is None:
            raise FlowRuntimeError(
                "missing_step", flow_id=self.id, step=step_id, path=self.path, detail=step_id
            )
        return step

    def text(self, step_id: str, part: str, lang: str) -> Renderable | None:
        """The compiled ``part`` ("say" or "retry") of a step in ``lang``, else in Vietnamese."""
        return self.texts.get((step_id, part, lang)) or self.texts.get(
            (step_id, part, DEFAULT_LANGUAGE)
        )
