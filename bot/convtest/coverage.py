"""What conversation tests reached: the steps they entered and the choices they took."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from bot.flows.compiled import CompiledFlow

__all__ = ["Coverage"]


@dataclass(slots=True)
class Coverage:
    """Which steps the tests entered and which choices they took, per flow and language."""

    steps: dict[str, dict[str, set[str]]] = field(default_factory=dict)
    choices: dict[str, dict[str, set[tuple[str, int]]]] = field(default_factory=dict)

    def add_steps(self, flow_id: str, lang: str, steps: Sequence[str]) -> None:
        """Record that ``steps`` of ``flow_id`` were entered in ``lang``."""
        self.steps.setdefault(flow_id, {}).setdefault(lang, set()).update(steps)

    def add_choice(self, flow_id: str, lang: str, step: str, index: int) -> None:
        """Record that the ``index``-th choice of ``step`` was taken in ``lang``."""
        self.choices.setdefault(flow_id, {}).setdefault(lang, set()).add((step, index))

    def reached(self, flow_id: str, lang: str | None = None) -> set[str]:
        """The steps of ``flow_id`` entered (in ``lang``, or in any language)."""
        by_lang = self.steps.get(flow_id, {})
        return set().union(*(v for k, v in by_lang.items() if lang in (None, k)))

    def pressed(self, flow_id: str, lang: str | None = None) -> set[tuple[str, int]]:
        """The (step, choice index) pairs of ``flow_id`` taken (in ``lang``, or in any)."""
        by_lang = self.choices.get(flow_id, {})
        return set().union(*(v for k, v in by_lang.items() if lang in (None, k)))

    def missing_steps(self, flow: CompiledFlow, lang: str | None = None) -> list[str]:
        """The steps no test entered, in file order."""
        seen = self.reached(flow.id, lang)
        return [step for step in flow.flow.steps if step not in seen]

    def missing_choices(self, flow: CompiledFlow, lang: str | None = None) -> list[tuple[str, int]]:
        """The (step, choice index) pairs no test took, in file order."""
        seen = self.pressed(flow.id, lang)
        return [
            (step_id, index)
            for step_id, step in flow.flow.steps.items()
            for index in range(len(step.choices or []))
            if (step_id, index) not in seen
        ]
