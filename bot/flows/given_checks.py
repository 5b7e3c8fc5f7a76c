"""The checks of answers a flow gives its sub-flows (``with:``) and of questions that skip them.

A ``flow`` step may give the sub-flow answers it already collected, by the sub-flow's variable
names; a question of the sub-flow marked ``skip_if_known`` is then not asked (docs/flows.md,
"Another flow inside this one"). Within one flow: the templates of ``with:`` are checked and
compiled like every other template, and a skippable question with buttons must say, with
``set:``, which button each answer means. Across the library: a name the sub-flow never uses,
or a value none of its buttons gives, would silently change nothing, so both are errors.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Iterator, Mapping
from typing import TYPE_CHECKING

from bot.core.located_yaml import Document, Location
from bot.core.problems import Problem
from bot.core.sandbox import (
    TemplateSyntaxError,
    compile_condition,
    names_used,
    prepare,
    template_reason,
)
from bot.flows.compiled import GivenValue
from bot.flows.schema import Flow, Given
from bot.flows.walk import texts

if TYPE_CHECKING:
    from bot.flows.checks import FlowCheck

__all__ = ["check_given_templates", "check_given_to", "check_skips", "same_answer"]

# "{{ task }}" or "{{ age + 1 }}": one expression and nothing around it.
_ONE_EXPRESSION = re.compile(r"^\s*\{\{(?P<expr>(?:(?!\{\{|\}\}|\{%|%\}|\{#).)+)\}\}\s*$", re.S)


def _one_expression(value: str) -> str | None:
    """The expression of a value that is exactly one ``{{ ... }}``, else None."""
    match = _ONE_EXPRESSION.match(value)
    return match.group("expr").strip() if match else None


def check_given_templates(
    flow: Flow,
    doc: Document,
    result: FlowCheck,
    check_names: Callable[[Location, str, set[str]], None],
) -> None:
    """Check and compile the templates of every ``with:``; ``check_names`` reports unknown names.

    A value that is one ``{{ expression }}`` keeps what it names as it was saved (a number, a
    yes/no answer); any other template becomes a text. A name that may not be saved yet on the
    way to the step is no warning here: an answer not known is not given, and the sub-flow asks.
    """
    for step_id, step in flow.steps.items():
        compiled: dict[str, GivenValue] = {}
        for name, value in step.with_.items():
            loc: Location = ("steps", step_id, "with", name)
            if not isinstance(value, str) or "{" not in value:
                compiled[name] = value
                continue
            expression = _one_expression(value)
            try:
                if expression is not None:
                    names = names_used(expression, expression=True)
                    compiled[name] = compile_condition(expression)
                else:
                    names = names_used(value)
                    compiled[name] = prepare(value)
            except TemplateSyntaxError as exc:
                result.add(doc, loc, "flow.template_syntax", step=step_id, **template_reason(exc))
                continue
            check_names(loc, step_id, names)
        if compiled:
            result.given[step_id] = compiled


def check_skips(flow: Flow, doc: Document, result: FlowCheck) -> None:
    """A skippable question with buttons needs ``set:`` to know which button an answer means."""
    for step_id, step in flow.steps.items():
        if step.skip_if_known and step.choices and not any(c.set for c in step.choices):
            loc: Location = ("steps", step_id, "skip_if_known")
            result.add(doc, loc, "flow.skip_without_set", step=step_id, key=True)


def check_given_to(
    flow: Flow, doc: Document, library: Mapping[str, tuple[Flow, Document]]
) -> list[Problem]:
    """The ``with:`` of ``flow``'s sub-flow steps against the sub-flows (``library``, by id)."""
    problems: list[Problem] = []
    for step_id, step in flow.steps.items():
        if not step.with_ or step.flow is None or step.flow not in library:
            continue  # a sub-flow that does not exist is reported on its own
        callee, callee_doc = library[step.flow]
        used = _names_used_by(callee)
        for name, value in step.with_.items():
            loc: Location = ("steps", step_id, "with", name)
            if name not in used:
                problems.append(
                    doc.problem(
                        loc,
                        "flow.with_unused_name",
                        on_key=True,
                        step=step_id,
                        target=callee.id,
                        name=name,
                        known=", ".join(sorted(used)) or "—",
                        suggestion=next(iter(difflib.get_close_matches(name, used, n=1)), ""),
                    )
                )
            elif not (isinstance(value, str) and "{" in value):
                problems.extend(
                    _unknown_answer(doc, loc, step_id, (callee, callee_doc), name, value)
                )
    return problems


def _unknown_answer(
    doc: Document,
    loc: Location,
    step_id: str,
    called: tuple[Flow, Document],
    name: str,
    value: Given,
) -> Iterator[Problem]:
    """An error for each skippable question of the called flow none of whose buttons gives
    ``value`` for ``name``: the resident would be asked, though the admin meant to answer."""
    callee, callee_doc = called
    for question_id, question in callee.steps.items():
        if not question.skip_if_known or not question.choices:
            continue
        answers = [choice.set[name] for choice in question.choices if name in choice.set]
        if answers and not any(same_answer(value, answer) for answer in answers):
            yield doc.problem(
                loc,
                "flow.with_unknown_answer",
                step=step_id,
                value=str(value),
                question=question_id,
                target=callee.id,
                where=f"{callee_doc.path}:{callee_doc.where(('steps', question_id), key=True)[0]}",
                name=name,
                allowed=", ".join(str(answer) for answer in answers),
            )


def same_answer(given: object, answer: object) -> bool:
    """True when a given value means a button's ``set:`` value ("yes" and yes, 2 and "2")."""
    return given == answer or _as_text(given) == _as_text(answer)


def _as_text(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return "" if value is None else str(value).strip().casefold()


def _names_used_by(flow: Flow) -> set[str]:
    """Every name ``flow`` saves, shows, tests or gives on."""
    used: set[str] = set()
    for step in flow.steps.values():
        for choice in step.choices or []:
            used.update(choice.set, choice.remember)
        if step.ask is not None and not step.ask.sensitive:
            used.add(step.ask.save_as)
        for condition in step.when or []:
            used.update(_read(condition.if_, expression=True))
        for value in step.with_.values():
            if isinstance(value, str):
                used.update(_read(value))
    for _loc, _step_id, text, _part in texts(flow):
        for source in text.texts.values():
            used.update(_read(source))
    return used


def _read(source: str, *, expression: bool = False) -> set[str]:
    try:
        return names_used(source, expression=expression)
    except TemplateSyntaxError:  # reported where the flow itself is checked
        return set()
