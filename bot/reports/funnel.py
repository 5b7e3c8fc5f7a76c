"""Where residents go in a flow: how many reach each step, where they leave, where they get stuck.

Pure functions over a flow's steps and the paths its runs took (a path lists the steps entered,
in order, as the engine recorded them).
"""

from __future__ import annotations

import re
from collections import Counter, deque
from collections.abc import Iterable, Sequence
from itertools import pairwise

from bot.flows.schema import LANGUAGES, Flow, Step
from bot.reports.model import FunnelStep

__all__ = ["build_funnel", "help_targets", "step_label", "step_order"]

_TEMPLATE = re.compile(r"\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}", re.DOTALL)
_LABEL_LENGTH = 48


def _next_steps(step: Step) -> list[str]:
    """Where a step can lead, in the order an admin reads them in the file."""
    targets = [choice.go for choice in step.choices or []]
    if step.help is not None:
        targets.append(step.help.go)
    targets.extend(condition.go for condition in step.when or [])
    if step.go is not None:
        targets.append(step.go)
    return targets


def step_order(flow: Flow) -> list[str]:
    """The flow's steps breadth-first from its start; steps nothing leads to come last."""
    order: list[str] = []
    seen: set[str] = set()
    queue = deque([flow.start])
    while queue:
        step_id = queue.popleft()
        if step_id in seen or step_id not in flow.steps:
            continue
        seen.add(step_id)
        order.append(step_id)
        queue.extend(_next_steps(flow.steps[step_id]))
    order.extend(step_id for step_id in flow.steps if step_id not in seen)
    return order


def help_targets(flow: Flow) -> dict[str, str]:
    """Step id -> the step its "it didn't work" button leads to."""
    return {step_id: step.help.go for step_id, step in flow.steps.items() if step.help is not None}


def step_label(step: Step | None) -> dict[str, str]:
    """The start of what the step says, per language, without template code (for leaders)."""
    if step is None or step.say is None:
        return {}
    labels: dict[str, str] = {}
    for lang in LANGUAGES:
        text = " ".join(_TEMPLATE.sub("…", step.say.get(lang)).split())
        if len(text) > _LABEL_LENGTH:
            text = text[: _LABEL_LENGTH - 1].rstrip() + "…"
        labels[lang] = text
    return labels


def build_funnel(
    flow: Flow | None,
    paths: Sequence[Sequence[str]],
    left_paths: Iterable[Sequence[str]],
) -> tuple[tuple[FunnelStep, ...], int, str | None]:
    """The funnel of ``flow`` over every run's path, given the paths of the runs that were left.

    Returns the steps in flow order, how many runs were left before their first step (during the
    welcome flow, say), and the step to improve first (most leaves plus help presses; the earlier
    one on a tie), or None when nobody left or pressed for help anywhere.
    A run that visits a step twice (after Back) reaches it once; every press of the help button
    counts, since each one is a resident stuck again.
    """
    order = step_order(flow) if flow is not None else []
    helps = help_targets(flow) if flow is not None else {}
    reached: Counter[str] = Counter()
    presses: Counter[str] = Counter()
    for path in paths:
        reached.update(set(path))
        for here, there in pairwise(path):
            if helps.get(here) == there:
                presses[here] += 1
    left: Counter[str] = Counter()
    left_before_start = 0
    for path in left_paths:
        if path:
            left[path[-1]] += 1
        else:
            left_before_start += 1
    # Steps a run took that the flow no longer has (an older version) still show, at the end.
    known = set(order)
    for path in paths:
        for step_id in path:
            if step_id not in known:
                known.add(step_id)
                order.append(step_id)
    steps = tuple(
        FunnelStep(
            step_id=step_id,
            label=step_label(flow.steps.get(step_id) if flow is not None else None),
            reached=reached[step_id],
            left=left[step_id],
            help_presses=presses[step_id],
            has_help=step_id in helps,
        )
        for step_id in order
    )
    worst = max(steps, key=lambda s: s.trouble, default=None)
    return steps, left_before_start, worst.step_id if worst is not None and worst.trouble else None
