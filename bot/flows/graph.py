"""The step graph of a flow: its edges, which answers are known along them, and its diagram.

Lint uses :func:`known_before` to warn about a name shown before it can have been saved;
``trolyso graph`` uses :func:`to_mermaid` and :func:`to_dot` to draw a flow for admins.
"""

from __future__ import annotations

import re
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

from bot.flows.schema import Flow, Step

__all__ = ["Edge", "edges", "known_before", "mermaid_node", "path_without", "to_dot", "to_mermaid"]

EdgeKind = Literal[
    "choice", "help", "condition", "otherwise", "next", "answer", "return", "follow_up"
]


@dataclass(frozen=True, slots=True)
class Edge:
    """A way from one step to another, and the names saved on the way."""

    source: str
    target: str
    kind: EdgeKind
    label: str = ""
    sets: frozenset[str] = frozenset()


def edges(flow: Flow, *, help_label: str = "") -> list[Edge]:
    """Every edge between steps of ``flow``, labelled in Vietnamese, in file order."""
    found: list[Edge] = []
    for step_id, step in flow.steps.items():
        for choice in step.choices or []:
            names = frozenset(choice.set) | frozenset(choice.remember)
            found.append(Edge(step_id, choice.go, "choice", choice.label.get("vi"), names))
        for condition in step.when or []:
            found.append(Edge(step_id, condition.go, "condition", condition.if_))
        if step.help is not None:
            label = step.help.label.get("vi") if step.help.label else help_label
            found.append(Edge(step_id, step.help.go, "help", label))
        if step.follow_up is not None:
            follow = step.follow_up
            label = f"⏰ {follow.after}" + (f" ×{follow.repeat}" if follow.repeat > 1 else "")
            found.append(Edge(step_id, follow.go, "follow_up", label))
        if step.go is not None:
            found.append(_go_edge(step_id, step))
    return [edge for edge in found if edge.target in flow.steps]


def _go_edge(step_id: str, step: Step) -> Edge:
    assert step.go is not None
    if step.ask is not None:
        saved = frozenset() if step.ask.sensitive else frozenset({step.ask.save_as})
        return Edge(step_id, step.go, "answer", "✎ " + step.ask.save_as, saved)
    if step.flow is not None:
        return Edge(step_id, step.go, "return", "", frozenset({"last_outcome"}))
    if step.when is not None:
        return Edge(step_id, step.go, "otherwise", "ngược lại")
    return Edge(step_id, step.go, "next")


# --- what is known where ------------------------------------------------------------------------


def known_before(flow: Flow, always: Iterable[str]) -> dict[str, frozenset[str]]:
    """For each step reachable from the start: the names saved on *every* path to it.

    A classic "must" data-flow analysis: a step knows what all the edges into it agree on. It
    starts from "everything" and only shrinks, so loops (a "Try again" button) settle quickly.
    """
    if flow.start not in flow.steps:
        return {}
    graph = edges(flow)
    incoming: dict[str, list[Edge]] = {step: [] for step in flow.steps}
    outgoing: dict[str, list[Edge]] = {step: [] for step in flow.steps}
    for edge in graph:
        incoming[edge.target].append(edge)
        outgoing[edge.source].append(edge)
    start = frozenset(always)
    everything = start.union(*(edge.sets for edge in graph))
    known: dict[str, frozenset[str]] = {}
    todo = deque([flow.start])
    while todo:
        step = todo.popleft()
        arriving = [known[e.source] | e.sets for e in incoming[step] if e.source in known]
        now = start if step == flow.start else everything.intersection(*arriving)
        if known.get(step) == now:
            continue
        known[step] = now
        todo.extend(edge.target for edge in outgoing[step])
    return known


def path_without(flow: Flow, name: str, target: str) -> list[str]:
    """The shortest path of steps from the start to ``target`` on which ``name`` is never saved."""
    before: dict[str, str] = {flow.start: ""}
    todo = deque([flow.start])
    graph = [edge for edge in edges(flow) if name not in edge.sets]
    while todo:
        step = todo.popleft()
        if step == target:
            path = [step]
            while before[path[-1]]:
                path.append(before[path[-1]])
            return path[::-1]
        for edge in graph:
            if edge.source == step and edge.target not in before:
                before[edge.target] = step
                todo.append(edge.target)
    return []


# --- drawing ------------------------------------------------------------------------------------

_OUTCOME_MARK = {"completed": "✔ completed", "referred": "➜ referred", "gave_up": "✖ gave_up"}
_OUTCOME_COLOURS = {
    "completed": ("#d9f2d9", "#2e7d32"),
    "referred": ("#dbe9f7", "#1f5f99"),
    "gave_up": ("#eeeeee", "#777777"),
}
_NOTIFY_COLOUR = "#d97706"
_JINJA_BLOCK = re.compile(r"\{%.*?%\}", re.DOTALL)
# From an {% else %} or {% elif %} to its {% endif %}: a diagram shows the first branch only.
_JINJA_OTHER_BRANCHES = re.compile(r"\{%-?\s*(?:elif|else)\b.*?(?=\{%-?\s*endif)", re.DOTALL)
_JINJA_VALUE = re.compile(r"\{\{\s*([A-Za-z_][\w.]*)?[^}]*\}\}")
# Words Mermaid reads as its own; step ids are lower case, so the upper-case form cannot clash.
_MERMAID_WORDS = {"end", "graph", "flowchart", "subgraph", "style", "class", "classdef", "click"}


def _first_words(text: str, words: int = 8, limit: int = 48) -> str:
    """The start of a text, templates shown as ``{name}``, cut at a word with "…"."""
    text = _JINJA_BLOCK.sub(" ", _JINJA_OTHER_BRANCHES.sub("", text))
    plain = _JINJA_VALUE.sub(lambda m: "{" + (m.group(1) or "…") + "}", text)
    parts = plain.split()
    short = " ".join(parts[:words])
    if len(short) > limit:
        short = short[:limit].rsplit(" ", 1)[0]
    return short + ("…" if short != " ".join(parts) else "")


def _lines(step_id: str, step: Step) -> list[str]:
    """What a step's box says: its id, its first words or the flow it runs, its outcome."""
    lines = [("🔔 " if step.notify is not None else "") + step_id]
    if step.say is not None:
        lines.append(_first_words(step.say.get("vi")))
    if step.flow is not None:
        lines.append("↪ " + step.flow)
    if step.end is not None:
        lines.append(_OUTCOME_MARK[step.end])
    return lines


def _mermaid_text(text: str) -> str:
    # Mermaid reads "#...;" as a character code: escape "#" first, then the rest with codes.
    text = text.replace("#", "#35;")
    for char, code in (('"', "#34;"), ("<", "#60;"), (">", "#62;"), ("|", "#124;"), ("`", "#96;")):
        text = text.replace(char, code)
    return text.replace("&", "#38;")


def mermaid_node(step_id: str) -> str:
    """The id of a step's node in :func:`to_mermaid`'s diagram (a page highlights it)."""
    return step_id.upper() if step_id in _MERMAID_WORDS else step_id


_mermaid_id = mermaid_node


def to_mermaid(flow: Flow, *, help_label: str = "help") -> str:
    """The flow as a Mermaid flowchart (GitHub shows it in a ```mermaid block)."""
    out = ["flowchart TD", f"    %% {flow.id}, version {flow.version}: trolyso graph {flow.id}"]
    out.append(f'    START(("▶")) --> {_mermaid_id(flow.start)}')
    for step_id, step in flow.steps.items():
        label = "<br/>".join(_mermaid_text(line) for line in _lines(step_id, step))
        node = _mermaid_id(step_id)
        if step.kind == "when":
            out.append(f'    {node}{{"{label}"}}')
        elif step.kind == "flow":
            out.append(f'    {node}[["{label}"]]')
        elif step.kind == "end":
            out.append(f'    {node}(["{label}"])')
        else:
            out.append(f'    {node}["{label}"]')
    for edge in edges(flow, help_label=help_label):
        arrow = "-.->" if edge.kind in ("help", "follow_up") else "-->"
        text = f'|"{_mermaid_text(edge.label)}"|' if edge.label else ""
        out.append(f"    {_mermaid_id(edge.source)} {arrow}{text} {_mermaid_id(edge.target)}")
    out += _mermaid_styles(flow)
    return "\n".join(out) + "\n"


def _mermaid_styles(flow: Flow) -> list[str]:
    out: list[str] = []
    used = {step.end for step in flow.steps.values() if step.end}
    for outcome, (fill, stroke) in _OUTCOME_COLOURS.items():
        if outcome in used:
            out.append(f"    classDef {outcome} fill:{fill},stroke:{stroke},color:#000")
    for outcome in _OUTCOME_COLOURS:
        nodes = [_mermaid_id(s) for s, step in flow.steps.items() if step.end == outcome]
        if nodes:
            out.append(f"    class {','.join(nodes)} {outcome}")
    notifying = [_mermaid_id(s) for s, step in flow.steps.items() if step.notify is not None]
    if notifying:
        out.append(f"    classDef notify stroke:{_NOTIFY_COLOUR},stroke-width:3px")
        out.append(f"    class {','.join(notifying)} notify")
    return out


def _quote(text: str) -> str:
    """A DOT string: in quotes, with backslashes, quotes and line breaks escaped."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return f'"{escaped}"'


def to_dot(flow: Flow, *, help_label: str = "help") -> str:
    """The flow as a Graphviz DOT digraph (``dot -Tsvg``)."""
    out = [
        f"digraph {_quote(flow.id)} {{",
        f"  // {flow.id}, version {flow.version}: trolyso graph {flow.id} --format dot",
        '  graph [rankdir=TB, fontname="Helvetica"];',
        '  node [shape=box, style=rounded, fontname="Helvetica"];',
        '  edge [fontname="Helvetica", fontsize=10];',
        '  "START" [shape=circle, label="▶", width=0.3];',
        f'  "START" -> {_quote(flow.start)};',
    ]
    for step_id, step in flow.steps.items():
        attrs = [f"label={_quote(chr(10).join(_lines(step_id, step)))}"]
        if step.kind == "when":
            attrs.append("shape=diamond, style=solid")
        elif step.kind == "flow":
            attrs.append("peripheries=2")
        elif step.end is not None:
            fill, stroke = _OUTCOME_COLOURS[step.end]
            attrs.append(f'style="rounded,filled", fillcolor="{fill}", color="{stroke}"')
        if step.notify is not None:
            attrs.append(f'color="{_NOTIFY_COLOUR}", penwidth=3')
        out.append(f"  {_quote(step_id)} [{', '.join(attrs)}];")
    for edge in edges(flow, help_label=help_label):
        attrs = [f"label={_quote(edge.label)}"] if edge.label else []
        if edge.kind == "help":
            attrs.append("style=dashed")
        elif edge.kind == "follow_up":
            attrs.append('style=dotted, color="#1565c0"')
        extra = f" [{', '.join(attrs)}]" if attrs else ""
        out.append(f"  {_quote(edge.source)} -> {_quote(edge.target)}{extra};")
    out.append("}")
    return "\n".join(out) + "\n"
