"""Reading flow files into validated, compiled flows, and every problem with its line.

The loader never raises for a bad file: it returns the problems, so ``trolyso lint`` can show them
all at once and the bot can refuse to start with the full list.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from bot.flows.checks import FlowCheck, check_flow, check_library
from bot.flows.compiled import CompiledFlow
from bot.flows.problems import Problem
from bot.flows.schema import Ask, Choice, Condition, Flow, Help, Link, Step
from bot.flows.yaml_source import Document, LocatedError, read_yaml

__all__ = ["LoadedFlows", "find_flow_files", "load_flows", "parse_flow"]


@dataclass(frozen=True, slots=True)
class LoadedFlows:
    """The flows that loaded cleanly, and every problem found on the way."""

    flows: dict[str, CompiledFlow]
    problems: list[Problem]

    @property
    def ok(self) -> bool:
        """True when there is no error (warnings allowed)."""
        return not any(problem.is_error for problem in self.problems)


def find_flow_files(paths: Iterable[Path]) -> tuple[list[Path], list[Problem]]:
    """Expand folders into their ``*.yaml`` files; report folders with none and missing paths."""
    files: list[Path] = []
    problems: list[Problem] = []
    for path in paths:
        if path.is_dir():
            found = sorted(
                p
                for p in path.iterdir()
                if p.suffix in (".yaml", ".yml")
                and p.is_file()
                and not p.name.startswith((".", "_"))
            )
            if not found:
                problems.append(_problem(str(path), "flow.no_flows", where=str(path)))
            files.extend(found)
        elif path.is_file():
            files.append(path)
        else:
            problems.append(_problem(str(path), "file.unreadable", detail="no such file or folder"))
    return files, problems


def load_flows(paths: Iterable[Path]) -> LoadedFlows:
    """Load, validate and compile every flow under ``paths`` (files or folders)."""
    files, problems = find_flow_files(paths)
    parsed: list[tuple[Flow, Document, FlowCheck]] = []
    for file in files:
        flow, doc, check = parse_flow(file)
        problems.extend(check.problems)
        if flow is not None and doc is not None and not any(p.is_error for p in check.problems):
            parsed.append((flow, doc, check))
    problems.extend(check_library([(flow, doc) for flow, doc, _ in parsed]))
    bad_files = {p.path for p in problems if p.is_error}
    flows: dict[str, CompiledFlow] = {}
    for flow, doc, check in parsed:
        if doc.path in bad_files or flow.id in flows:
            continue
        flows[flow.id] = CompiledFlow(
            flow=flow,
            path=doc.path,
            digest=doc.digest,
            texts=check.texts,
            conditions=check.conditions,
            variables=check.variables,
            images=check.images,
            lines={step_id: doc.where(("steps", step_id), key=True)[0] for step_id in flow.steps},
        )
    return LoadedFlows(flows=flows, problems=problems)


def parse_flow(file: Path) -> tuple[Flow | None, Document | None, FlowCheck]:
    """Read one flow file and check it on its own (not against the other flows)."""
    try:
        doc = read_yaml(file)
    except LocatedError as exc:
        return None, None, FlowCheck(problems=[exc.problem])
    if not isinstance(doc.data, dict):
        return None, doc, FlowCheck(problems=[_problem(doc.path, "schema.not_mapping")])
    try:
        flow = Flow.model_validate(doc.data)
    except ValidationError as exc:
        return None, doc, FlowCheck(problems=_schema_problems(doc, exc))
    return flow, doc, check_flow(flow, doc, base=file.parent)


def _problem(path: str, code: str, line: int = 1, column: int = 1, **params: Any) -> Problem:
    return Problem(path=path, line=line, column=column, code=code, params=params)


# --- turning pydantic's errors into an admin's words ---------------------------------------------

_TYPE_WORDS = {
    "string_type": "type.text",
    "string_sub_type": "type.text",
    "int_type": "type.number",
    "int_parsing": "type.number",
    "int_from_float": "type.number",
    "float_type": "type.number",
    "float_parsing": "type.number",
    "list_type": "type.list",
    "dict_type": "type.mapping",
    "model_type": "type.mapping",
    "model_attributes_type": "type.mapping",
    "bool_type": "type.yes_no",
    "bool_parsing": "type.yes_no",
    "date_type": "type.date",
    "date_parsing": "type.date",
    "date_from_datetime_parsing": "type.date",
    "date_from_datetime_inexact": "type.date",
}


def _model_at(loc: tuple[str | int, ...]) -> type[BaseModel] | None:
    """Which part of the format a location is in, to list the fields allowed there."""
    if len(loc) <= 1:
        return Flow
    if loc[0] != "steps" or len(loc) < 3:
        return None
    rest = loc[2:-1]
    if not rest:
        return Step
    table: dict[str, type[BaseModel]] = {
        "choices": Choice,
        "ask": Ask,
        "help": Help,
        "link": Link,
        "when": Condition,
    }
    return table.get(str(rest[0]))


def _data_path(data: Any, loc: tuple[str | int, ...]) -> tuple[str | int, ...]:
    """The part of pydantic's location that points into the file (drops union member names)."""
    kept: list[str | int] = []
    node = data
    for part in loc:
        if (isinstance(node, dict) and part in node) or (
            isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node)
        ):
            node = node[part]  # type: ignore[index]
        else:
            if isinstance(node, dict) and isinstance(part, str) and part not in ("texts",):
                kept.append(part)  # a missing or unknown field: keep its name
            break
        kept.append(part)
    return tuple(kept)


def _value_at(data: Any, loc: tuple[str | int, ...]) -> Any:
    node = data
    for part in loc:
        try:
            node = node[part]
        except (KeyError, IndexError, TypeError):
            return None
    return node


def _schema_problems(doc: Document, error: ValidationError) -> list[Problem]:
    problems: list[Problem] = []
    seen: set[tuple[int, int, str]] = set()
    for item in error.errors():
        kind = item["type"]
        loc = _data_path(doc.data, tuple(item["loc"]))
        ctx: dict[str, Any] = dict(item.get("ctx") or {})
        names = [part for part in loc if isinstance(part, str)]
        field_name = names[-1] if names else "?"
        step = str(loc[1]) if len(loc) > 1 and loc[0] == "steps" else ""
        if step and len(loc) == 2:
            field_name = step
        # Point at a group's name ("last:") rather than at its first field.
        on_group = isinstance(_value_at(doc.data, loc), dict)
        line, column = doc.where(loc, key=kind in ("missing", "extra_forbidden") or on_group)
        if kind == "missing":
            line, column = doc.where(loc[:-1], key=True) if len(loc) > 1 else (1, 1)
            code, params = "schema.missing", {"field": field_name}
        elif kind == "extra_forbidden":
            model = _model_at(loc)
            allowed = [f.alias or name for name, f in model.model_fields.items()] if model else []
            close = difflib.get_close_matches(field_name, allowed, n=1)
            code, params = (
                "schema.unknown_field",
                {
                    "field": field_name,
                    "allowed": ", ".join(allowed),
                    "suggestion": close[0] if close else "",
                },
            )
        elif kind in _TYPE_WORDS:
            code, params = (
                "schema.wrong_type",
                {"field": field_name, "expected_code": _TYPE_WORDS[kind]},
            )
        elif kind == "literal_error":
            code, params = (
                "schema.choice_value",
                {"field": field_name, "allowed": ctx.get("expected", "")},
            )
        elif kind in ("greater_than_equal", "greater_than"):
            code = "schema.too_small"
            params = {"field": field_name, "limit": ctx.get("ge", ctx.get("gt", ""))}
        elif kind in ("too_short", "string_too_short"):
            code, params = "schema.empty_list", {"field": field_name}
        elif kind.startswith("schema."):
            code, params = kind, ctx
        else:
            code, params = "schema.value", {"detail": item.get("msg", kind)}
        key = (line, column, code)
        if key in seen:
            continue
        seen.add(key)
        problems.append(
            Problem(path=doc.path, line=line, column=column, code=code, params=params, step=step)
        )
    return problems
