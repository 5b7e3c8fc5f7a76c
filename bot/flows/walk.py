"""Walking a flow: where each step leads, what it references, every text a resident sees."""

from __future__ import annotations

from collections.abc import Iterator

from bot.core.located_yaml import Location
from bot.flows.schema import Flow, LocalText, Step

__all__ = ["references", "successors", "texts"]


def successors(step: Step) -> list[str]:
    """Every step id this step can lead to (buttons, help, go, conditions)."""
    targets: list[str] = []
    if step.choices:
        targets.extend(choice.go for choice in step.choices)
    if step.when:
        targets.extend(condition.go for condition in step.when)
    if step.help:
        targets.append(step.help.go)
    if step.follow_up:
        targets.append(step.follow_up.go)
    if step.go:
        targets.append(step.go)
    return targets


def references(step: Step) -> Iterator[tuple[Location, str]]:
    """(location inside the step, target step id) for every reference, to report bad ones."""
    for index, choice in enumerate(step.choices or []):
        yield ("choices", index, "go"), choice.go
    for index, condition in enumerate(step.when or []):
        yield ("when", index, "go"), condition.go
    if step.help:
        yield ("help",), step.help.go
    if step.follow_up:
        yield ("follow_up", "go"), step.follow_up.go
    if step.go:
        yield ("go",), step.go


def texts(flow: Flow) -> Iterator[tuple[Location, str, LocalText, str]]:
    """(location, step id, text, part name) for every resident-facing text of a flow."""
    yield ("title",), "", flow.title, "title"
    yield ("description",), "", flow.description, "description"
    for step_id, step in flow.steps.items():
        base: Location = ("steps", step_id)
        if step.say:
            yield (*base, "say"), step_id, step.say, "say"
        if step.notify:
            yield (*base, "notify"), step_id, step.notify, "notify"
        for index, choice in enumerate(step.choices or []):
            yield (*base, "choices", index, "label"), step_id, choice.label, "label"
        if step.help and step.help.label:
            yield (*base, "help", "label"), step_id, step.help.label, "label"
        if step.link:
            yield (*base, "link", "label"), step_id, step.link.label, "label"
        if step.ask and step.ask.retry:
            yield (*base, "ask", "retry"), step_id, step.ask.retry, "retry"
