"""The logic checks of flows: references, reachability, endings, templates and translations.

Schema validation (``schema.py``) says a file has the right shape; these checks say the flow can
actually be walked by a resident from its start to an end.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from jinja2.environment import TemplateExpression

from bot.core.located_yaml import Document, Location
from bot.core.problems import Problem, shown_path
from bot.core.sandbox import (
    Renderable,
    TemplateSyntaxError,
    compile_condition,
    names_used,
    prepare,
    template_reason,
)
from bot.flows.compiled import GLOBAL_NAMES, GivenValue
from bot.flows.given_checks import check_given_templates, check_skips
from bot.flows.graph import known_before, path_without
from bot.flows.library_checks import check_library
from bot.flows.phone_checks import check_telegram_limits, text_location
from bot.flows.schema import LANGUAGES, Flow, valid_id
from bot.flows.walk import references, successors, texts

__all__ = ["FlowCheck", "check_flow", "check_library", "successors"]


@dataclass(slots=True)
class FlowCheck:
    """What checking one flow found, and what it compiled on the way (reused to run it)."""

    problems: list[Problem] = field(default_factory=list)
    texts: dict[tuple[str, str, str], Renderable] = field(default_factory=dict)
    conditions: dict[tuple[str, int], TemplateExpression] = field(default_factory=dict)
    variables: frozenset[str] = frozenset()
    given: dict[str, dict[str, GivenValue]] = field(default_factory=dict)
    images: dict[str, str] = field(default_factory=dict)

    def add(
        self,
        doc: Document,
        loc: Location,
        code: str,
        *,
        step: str = "",
        key: bool = False,
        warning: bool = False,
        line_offset: int = 0,
        **params: Any,
    ) -> None:
        self.problems.append(
            doc.problem(
                loc, code, on_key=key, step=step, warning=warning, line_offset=line_offset, **params
            )
        )


def check_flow(flow: Flow, doc: Document, *, base: Path) -> FlowCheck:
    """Check one flow on its own, compiling its templates and conditions as it goes."""
    result = FlowCheck()
    steps = flow.steps
    ids = list(steps)

    for step_id in ids:
        if not valid_id(step_id):
            result.add(
                doc,
                ("steps", step_id),
                "schema.bad_id",
                key=True,
                value=step_id,
                what_code="id_kind.step",
            )
    meant: dict[str, str] = {}  # each unknown target -> the step it most likely means, or ""

    def unknown(loc: Location, target: str, step: str) -> None:
        close = difflib.get_close_matches(target, ids, n=1)
        meant[target] = guess = close[0] if close else ""
        result.add(doc, loc, "flow.unknown_step", step=step, target=target, suggestion=guess)

    if flow.start not in steps:
        unknown(("start",), flow.start, "")
    for step_id, step in steps.items():
        for loc, target in references(step):
            if target not in steps:
                unknown(("steps", step_id, *loc), target, step_id)

    _check_checked_date(flow, doc, result)
    _check_graph(flow, doc, result, meant)
    _check_variables_and_templates(flow, doc, result)
    _check_translations(flow, doc, result)
    _check_ask_and_images(flow, doc, base, result)
    check_skips(flow, doc, result)
    check_telegram_limits(flow, doc, result)
    _check_set_before_use(flow, doc, result)
    return result


def _latest_today() -> dt.date:
    """The latest date anywhere on Earth right now (UTC+14): no later date has come yet."""
    return dt.datetime.now(dt.timezone(dt.timedelta(hours=14))).date()


def _check_checked_date(flow: Flow, doc: Document, result: FlowCheck) -> None:
    # Compared with the latest date on Earth, so that today in Vietnam is never "the future"
    # while it is still yesterday in UTC (or on the server's clock).
    if flow.checked > _latest_today():
        result.add(
            doc, ("checked",), "flow.checked_in_future", warning=True, checked=str(flow.checked)
        )


def _check_graph(flow: Flow, doc: Document, result: FlowCheck, meant: dict[str, str]) -> None:
    """Unreachable steps, dead ends and loops that never wait for the resident.

    A mistyped 'go:' (or 'start:') is already one error (flow.unknown_step). So that it is the
    only one, the flow is walked as if the reference named the step it most likely means; when
    no step looks like it, the reference might lead anywhere: no step is then called
    unreachable, and the step holding it is not called a dead end.
    """
    steps = flow.steps
    real = {sid: [t for t in successors(step) if t in steps] for sid, step in steps.items()}
    edges = {
        sid: [t if t in steps else meant.get(t, "") for t in successors(step)]
        for sid, step in steps.items()
    }
    open_ended = {sid for sid, targets in edges.items() if "" in targets}
    edges = {sid: [t for t in targets if t] for sid, targets in edges.items()}
    start = flow.start if flow.start in steps else meant.get(flow.start, "")
    reachable: set[str] = set()
    if start:
        todo = [start]
        while todo:
            current = todo.pop()
            if current not in reachable:
                reachable.add(current)
                todo.extend(edges[current])
    for step_id in steps:
        if step_id not in reachable and start and not open_ended:
            result.add(
                doc, ("steps", step_id), "flow.unreachable", key=True, step=step_id, warning=True
            )

    # Steps from which an end can be reached, found backwards from the ends.
    incoming: dict[str, list[str]] = {sid: [] for sid in steps}
    for source, targets in edges.items():
        for target in targets:
            incoming[target].append(source)
    finishing = {sid for sid, step in steps.items() if step.end} | open_ended
    todo = list(finishing)
    while todo:
        for source in incoming[todo.pop()]:
            if source not in finishing:
                finishing.add(source)
                todo.append(source)
    for step_id in steps:
        if step_id in reachable and step_id not in finishing:
            result.add(doc, ("steps", step_id), "flow.dead_end", key=True, step=step_id)

    # Steps that lead on without waiting must not go round in a circle.
    moving = {sid for sid, step in steps.items() if not step.waits and not step.end}
    state: dict[str, int] = {}
    reported: set[frozenset[str]] = set()

    def visit(node: str, trail: list[str]) -> None:
        state[node] = 1
        trail.append(node)
        for target in real[node]:  # the loops really written, not guessed ones
            if target not in moving:
                continue
            if state.get(target) == 1:
                cycle = trail[trail.index(target) :]
                key = frozenset(cycle)
                if key not in reported:
                    reported.add(key)
                    result.add(
                        doc,
                        ("steps", target),
                        "flow.loop_without_wait",
                        key=True,
                        step=target,
                        cycle=" → ".join([*cycle, target]),
                    )
            elif target not in state:
                visit(target, trail)
        trail.pop()
        state[node] = 2

    for step_id in sorted(moving):
        if step_id not in state:
            visit(step_id, [])


def _check_variables_and_templates(flow: Flow, doc: Document, result: FlowCheck) -> None:
    saved: set[str] = set()
    sensitive: set[str] = set()
    for step in flow.steps.values():
        for choice in step.choices or []:
            saved.update(choice.set)
            saved.update(choice.remember)
        if step.ask:
            (sensitive if step.ask.sensitive else saved).add(step.ask.save_as)
    known = GLOBAL_NAMES | saved
    result.variables = frozenset(saved)

    def check_names(loc: Location, step_id: str, names: set[str]) -> None:
        for name in sorted(names - known):
            if name in sensitive:
                result.add(doc, loc, "flow.sensitive_in_template", step=step_id, name=name)
            else:
                result.add(
                    doc,
                    loc,
                    "flow.unknown_variable",
                    step=step_id,
                    name=name,
                    known=", ".join(sorted(known)),
                )

    for loc, step_id, text, part in texts(flow):
        for lang, source in text.texts.items():
            text_loc = (*loc, lang) if (*loc, lang) in doc.marks else loc
            try:
                names = names_used(source)
            except TemplateSyntaxError as exc:
                result.add(
                    doc,
                    text_loc,
                    "flow.template_syntax",
                    step=step_id,
                    line_offset=max((exc.lineno or 1) - 1, 0),
                    **template_reason(exc),
                )
                continue
            check_names(text_loc, step_id, names)
            if part in ("say", "retry", "notify"):
                result.texts[(step_id, part, lang)] = prepare(source)

    for step_id, step in flow.steps.items():
        for index, condition in enumerate(step.when or []):
            loc = ("steps", step_id, "when", index, "if")
            try:
                result.conditions[(step_id, index)] = compile_condition(condition.if_)
                names = names_used(condition.if_, expression=True)
            except TemplateSyntaxError as exc:
                result.add(
                    doc,
                    loc,
                    "flow.condition_syntax",
                    step=step_id,
                    expr=condition.if_,
                    **template_reason(exc),
                )
                continue
            check_names(loc, step_id, names)
    check_given_templates(flow, doc, result, check_names)


def _check_translations(flow: Flow, doc: Document, result: FlowCheck) -> None:
    for loc, step_id, text, _part in texts(flow):
        for lang in LANGUAGES:
            if lang not in text.texts:
                result.add(
                    doc, loc, "flow.missing_translation", step=step_id, warning=True, lang=lang
                )
    for lang in LANGUAGES:
        if not flow.triggers.get(lang):
            result.add(doc, ("triggers",), "flow.missing_translation", warning=True, lang=lang)


def _check_ask_and_images(flow: Flow, doc: Document, base: Path, result: FlowCheck) -> None:
    for step_id, step in flow.steps.items():
        if step.ask and step.ask.pattern:
            try:
                re.compile(step.ask.pattern)
            except re.error as exc:
                result.add(
                    doc,
                    ("steps", step_id, "ask", "pattern"),
                    "flow.bad_pattern",
                    step=step_id,
                    pattern=step.ask.pattern,
                    detail=str(exc),
                )
        if step.image:
            if re.match(r"^https?://", step.image):
                if not step.image.startswith("https://"):
                    result.add(
                        doc,
                        ("steps", step_id, "image"),
                        "flow.image_not_https",
                        step=step_id,
                        image=step.image,
                    )
                result.images[step_id] = step.image
                continue
            image = (base / step.image).resolve()
            if image.is_file():
                result.images[step_id] = str(image)
            else:
                result.add(
                    doc,
                    ("steps", step_id, "image"),
                    "flow.image_missing",
                    step=step_id,
                    image=step.image,
                    where=shown_path(base),
                )


def _check_set_before_use(flow: Flow, doc: Document, result: FlowCheck) -> None:
    """Warn where a saved name is shown or tested before every path to it could have saved it.

    The engine shows such a name as empty (and a condition on it is false), which is rarely what
    the admin meant. Names no step saves at all are errors reported elsewhere.
    """
    known = known_before(flow, GLOBAL_NAMES)
    reported: set[tuple[str, str, Location]] = set()

    def check(loc: Location, where: Location, step_id: str, names: set[str]) -> None:
        if step_id not in known:  # unreachable steps are reported on their own
            return
        for name in sorted((names & result.variables) - known[step_id]):
            if (step_id, name, where) in reported:
                continue  # once per text, not once per language
            reported.add((step_id, name, where))
            path = " → ".join(path_without(flow, name, step_id))
            result.add(
                doc, loc, "flow.maybe_unset", step=step_id, warning=True, name=name, path=path
            )

    for loc, step_id, text, _part in texts(flow):
        for lang, source in text.texts.items():
            try:
                names = names_used(source)
            except TemplateSyntaxError:
                continue
            check(text_location(doc, loc, lang), loc, step_id, names)
    for step_id, step in flow.steps.items():
        for index, condition in enumerate(step.when or []):
            loc = ("steps", step_id, "when", index, "if")
            try:
                names = names_used(condition.if_, expression=True)
            except TemplateSyntaxError:
                continue
            check(loc, ("steps", step_id, "when"), step_id, names)  # once per 'when'
