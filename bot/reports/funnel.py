"""Where residents go in a flow: how many reach each step, where they leave, where they get stuck.

Pure functions over a flow's steps and the paths its runs took (a path lists the steps entered,
in order, as the engine recorded them). Steps are listed the way a leader reads a guide: first
the **main path** — from the start, at each step the way most residents went on (of the ways that
can still complete the guide; with no runs yet, the shortest) — then every other step (the
"it didn't work" branches and the dead ends), apart. ``when`` steps, which only decide and say
nothing, are left out.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict, deque
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from itertools import pairwise

from bot.flows.schema import LANGUAGES, Flow, Step
from bot.reports.model import FunnelStep
from bot.reports.wording import word

__all__ = ["Inside", "build_funnel", "help_targets", "main_path", "step_label", "step_order"]

_TEMPLATE = re.compile(r"\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}", re.DOTALL)
_LABEL_LENGTH = 48


@dataclass(frozen=True, slots=True)
class Inside:
    """The runs of a guide that one step of its caller ran: their paths, and those left."""

    flow: Flow | None
    paths: Sequence[Sequence[str]]
    left_paths: Sequence[Sequence[str]]


def _forward(step: Step) -> list[str]:
    """Where a step leads other than its "it didn't work" branch, in file order."""
    targets = [choice.go for choice in step.choices or []]
    targets.extend(condition.go for condition in step.when or [])
    if step.go is not None:
        targets.append(step.go)
    return targets


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


def _distance_to_end(flow: Flow) -> dict[str, int]:
    """Steps from each step to the nearest ``end: completed`` (any end when none completes)."""
    ends = [s for s, step in flow.steps.items() if step.end == "completed"]
    ends = ends or [s for s, step in flow.steps.items() if step.end is not None]
    into: dict[str, list[str]] = defaultdict(list)
    for step_id, step in flow.steps.items():
        for target in _forward(step):
            into[target].append(step_id)
    distance = dict.fromkeys(ends, 0)
    queue = deque(ends)
    while queue:
        here = queue.popleft()
        for before in into[here]:
            if before not in distance:
                distance[before] = distance[here] + 1
                queue.append(before)
    return distance


def main_path(flow: Flow, moves: Mapping[tuple[str, str], int]) -> list[str]:
    """The main path of ``flow``: from the start, at each step the way most runs went on
    (``moves`` counts each step-to-step move), among the ways that can still reach the end
    that completes the flow; the shorter way, then the one written first, on a tie."""
    distance = _distance_to_end(flow)
    if flow.start not in flow.steps:
        return []
    path = [flow.start]
    here = flow.start
    while flow.steps[here].end is None:
        ways = [t for t in dict.fromkeys(_forward(flow.steps[here])) if t in distance]
        ways = [t for t in ways if t not in path]
        if not ways:
            break
        # max() keeps the first of equals: the file's order breaks the last tie.
        here = max(ways, key=lambda t: (moves.get((here, t), 0), -distance[t]))
        path.append(here)
    return path


def help_targets(flow: Flow) -> dict[str, str]:
    """Step id -> the step its "it didn't work" button leads to."""
    return {step_id: step.help.go for step_id, step in flow.steps.items() if step.help is not None}


def _clipped(text: str) -> str:
    text = " ".join(_TEMPLATE.sub("…", text).split())
    return text if len(text) <= _LABEL_LENGTH else text[: _LABEL_LENGTH - 1].rstrip() + "…"


def step_label(
    step: Step | None, guide_title: Callable[[str, str], str] | None = None
) -> dict[str, str]:
    """What a leader reads for a step, per language: the start of what it says (without template
    code), or the guide it runs; empty when it says nothing readable."""
    if step is None:
        return {}
    labels: dict[str, str] = {}
    for lang in LANGUAGES:
        if step.say is not None:
            text = _clipped(step.say.get(lang))
        elif step.flow is not None:
            title = guide_title(step.flow, lang) if guide_title else step.flow
            text = word("guide_step", lang, title=title)
        else:
            text = ""
        if text.strip(" …"):
            labels[lang] = text
    return labels


def _numbered(label: dict[str, str], number: int) -> dict[str, str]:
    """A step that says nothing readable is called by its place: "Bước 3"."""
    return label or {lang: word("step_number", lang, number=number) for lang in LANGUAGES}


def _shown_order(flow: Flow | None, moves: Counter[tuple[str, str]]) -> tuple[list[str], set[str]]:
    """Main path first, then the other steps breadth-first; ``when`` steps left out."""
    if flow is None:
        return [], set()
    main = main_path(flow, moves)
    rest = [s for s in step_order(flow) if s not in main]
    order = [s for s in [*main, *rest] if flow.steps[s].kind != "when"]
    return order, set(main)


def build_funnel(
    flow: Flow | None,
    paths: Sequence[Sequence[str]],
    left_paths: Iterable[Sequence[str]],
    *,
    inside: Mapping[str, Inside] | None = None,
    guide_title: Callable[[str, str], str] | None = None,
) -> tuple[tuple[FunnelStep, ...], int, str | None]:
    """The funnel of ``flow`` over every run's path, given the paths of the runs that were left.

    Returns the steps (main path first, see the module docstring), how many runs were left
    before their first step (during the welcome flow, say), and the step to improve first (most
    leaves plus help presses; the earlier one on a tie), or None when nobody left or pressed for
    help anywhere. A run that visits a step twice (after Back) reaches it once; every press of
    the help button counts, since each one is a resident stuck again. ``inside`` gives, for a
    step that runs another guide, that guide's runs from this step: their funnel is the step's.
    """
    helps = help_targets(flow) if flow is not None else {}
    reached: Counter[str] = Counter()
    presses: Counter[str] = Counter()
    moves: Counter[tuple[str, str]] = Counter()
    for path in paths:
        reached.update(set(path))
        for here, there in pairwise(path):
            moves[(here, there)] += 1
            if helps.get(here) == there:
                presses[here] += 1
    left: Counter[str] = Counter()
    left_before_start = 0
    for path in left_paths:
        if path:
            left[path[-1]] += 1
        else:
            left_before_start += 1
    order, main = _shown_order(flow, moves)
    # Steps a run took that the flow no longer has (an older version) still show, at the end.
    known = set(flow.steps) if flow is not None else set()
    for path in paths:
        for step_id in path:
            if step_id not in known:
                known.add(step_id)
                order.append(step_id)
    nested = inside or {}
    steps = []
    for number, step_id in enumerate(order, start=1):
        step = flow.steps.get(step_id) if flow is not None else None
        inner = nested.get(step_id)
        steps.append(
            FunnelStep(
                step_id=step_id,
                label=_numbered(step_label(step, guide_title), number),
                reached=reached[step_id],
                left=left[step_id],
                help_presses=presses[step_id],
                has_help=step_id in helps,
                main=step_id in main or flow is None,
                inside=(
                    build_funnel(inner.flow, inner.paths, inner.left_paths)[0] if inner else ()
                ),
            )
        )
    worst = max(steps, key=lambda s: s.trouble, default=None)
    return (
        tuple(steps),
        left_before_start,
        worst.step_id if worst is not None and worst.trouble else None,
    )
