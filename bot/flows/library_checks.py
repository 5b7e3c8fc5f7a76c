"""Checks across the library: unique ids, sub-flows that exist and use what they are given, no
circles, shared triggers."""

from __future__ import annotations

import difflib

from bot.core.located_yaml import Document, Location
from bot.core.matching import fold
from bot.core.problems import Problem
from bot.flows.given_checks import check_given_to
from bot.flows.schema import Flow

__all__ = ["check_library"]


def check_library(flows: list[tuple[Flow, Document]]) -> list[Problem]:
    """Checks across flows: unique ids, sub-flows that exist, no circles of flows calling flows."""
    problems: list[Problem] = []
    first: dict[str, Document] = {}
    for flow, doc in flows:
        if flow.id in first:
            other = first[flow.id].path
            problems.append(doc.problem(("id",), "flow.duplicate_id", id=flow.id, other=other))
        else:
            first[flow.id] = doc
    by_id = {flow.id: flow for flow, _ in flows}
    calls: dict[str, set[str]] = {flow.id: set() for flow, _ in flows}
    for flow, doc in flows:
        for step_id, step in flow.steps.items():
            if step.flow is None:
                continue
            if step.flow not in by_id:
                close = difflib.get_close_matches(step.flow, list(by_id), n=1)
                problems.append(
                    doc.problem(
                        ("steps", step_id, "flow"),
                        "flow.unknown_flow",
                        step=step_id,
                        target=step.flow,
                        suggestion=close[0] if close else "",
                    )
                )
            else:
                calls[flow.id].add(step.flow)
    library = {flow.id: (flow, doc) for flow, doc in reversed(flows)}  # the first of an id wins
    for flow, doc in flows:
        problems.extend(check_given_to(flow, doc, library))
    for flow, doc in flows:
        cycle = _call_cycle(flow.id, calls)
        if cycle:
            problems.append(doc.problem(("id",), "flow.subflow_cycle", cycle=" → ".join(cycle)))
    problems.extend(_shared_triggers(flows))
    return problems


def _shared_triggers(flows: list[tuple[Flow, Document]]) -> list[Problem]:
    """Trigger phrases two flows share, compared the way residents' words are matched."""
    problems: list[Problem] = []
    first: dict[str, tuple[str, str]] = {}
    ids: set[str] = set()
    for flow, doc in flows:
        # Only menu flows are found by typed words; a second copy of an id is reported already.
        if not flow.menu or flow.id in ids:
            continue
        ids.add(flow.id)
        mine: set[str] = set()
        for lang, phrases in flow.triggers.items():
            for index, phrase in enumerate(phrases):
                folded = fold(str(phrase))
                if not folded or folded in mine:
                    continue
                mine.add(folded)
                loc: Location = ("triggers", lang, index)
                if folded not in first:
                    first[folded] = (flow.id, f"{doc.path}:{doc.where(loc)[0]}")
                    continue
                other, where = first[folded]
                problems.append(
                    doc.problem(
                        loc,
                        "flow.shared_trigger",
                        warning=True,
                        phrase=str(phrase),
                        other=other,
                        where=where,
                    )
                )
    return problems


def _call_cycle(origin: str, calls: dict[str, set[str]]) -> list[str]:
    """A chain of sub-flow calls from ``origin`` back to itself, if there is one."""
    todo: list[list[str]] = [[origin]]
    seen: set[str] = set()
    while todo:
        chain = todo.pop()
        for callee in sorted(calls.get(chain[-1], ())):
            if callee == origin:
                return [*chain, origin]
            if callee not in seen:
                seen.add(callee)
                todo.append([*chain, callee])
    return []
