"""Reading flow files into validated, compiled flows, and every problem with its line.

The loader never raises for a bad file: it returns the problems, so ``trolyso lint`` can show them
all at once and the bot can refuse to start with the full list.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from bot.core.located_yaml import Document, LocatedError, read_yaml
from bot.core.problems import Problem, shown_path
from bot.flows.checks import FlowCheck, check_flow, check_library
from bot.flows.compiled import CompiledFlow
from bot.flows.schema import Ask, Choice, Condition, Flow, Help, Link, Step

__all__ = ["LoadedFlows", "find_flow_files", "flows_from", "load_flows", "parse_flow"]


@dataclass(frozen=True, slots=True)
class LoadedFlows:
    """The flows that loaded cleanly, and every problem found on the way."""

    flows: dict[str, CompiledFlow]
    problems: list[Problem]

    @property
    def ok(self) -> bool:
        """True when there is no error (warnings allowed)."""
        return not any(problem.is_error for problem in self.problems)

    def only(self, paths: Iterable[Path]) -> LoadedFlows:
        """The flows read from ``paths`` (files or folders), and the problems found there."""
        paths = list(paths)
        named = {path.resolve() for path in paths} | _files(paths)
        return LoadedFlows(
            flows=flows_from(paths, self.flows),
            problems=[p for p in self.problems if Path(p.path).resolve() in named],
        )


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
                problems.append(_problem(str(path), "flow.no_flows", where=shown_path(path)))
            files.extend(found)
        elif path.is_file():
            files.append(path)
        else:
            problems.append(_problem(str(path), "file.not_found"))
    return files, problems


def load_flows(paths: Iterable[Path], *, overlay: Iterable[Path] = ()) -> LoadedFlows:
    """Load, validate and compile every flow under ``paths`` (files or folders).

    ``overlay`` holds drafts tried on top of them (files or folders): a draft replaces the flow
    of ``paths`` with the same id, or the same file, and may call any of them as a sub-flow. The
    problems of a replaced flow are left out; a draft that duplicates another draft's id is not.
    """
    files, problems = find_flow_files(paths)
    drafts, draft_problems = find_flow_files(overlay)
    problems.extend(draft_problems)
    if drafts:  # a draft may be a file of ``paths`` itself: it is read once, as the draft
        draft_files = {file.resolve() for file in drafts}
        files = [file for file in files if file.resolve() not in draft_files]
    parsed = _parse_all(files, problems)
    if drafts:
        on_top = _parse_all(drafts, problems)
        draft_ids = {flow.id for flow, _doc, _check in on_top}
        replaced = {doc.path for flow, doc, _check in parsed if flow.id in draft_ids}
        problems = [p for p in problems if p.path not in replaced]
        parsed = [item for item in parsed if item[1].path not in replaced] + on_top
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
            given=check.given,
            images=check.images,
            lines={step_id: doc.where(("steps", step_id), key=True)[0] for step_id in flow.steps},
        )
    return LoadedFlows(flows=flows, problems=problems)


def flows_from(paths: Iterable[Path], flows: Mapping[str, CompiledFlow]) -> dict[str, CompiledFlow]:
    """The flows among ``flows`` read from ``paths`` (files, or the files of folders)."""
    files = _files(paths)
    return {flow_id: flow for flow_id, flow in flows.items() if Path(flow.path).resolve() in files}


def _files(paths: Iterable[Path]) -> set[Path]:
    return {file.resolve() for file in find_flow_files(paths)[0]}


def _parse_all(
    files: Iterable[Path], problems: list[Problem]
) -> list[tuple[Flow, Document, FlowCheck]]:
    """The files that parse and check without an error on their own; problems go to ``problems``."""
    parsed: list[tuple[Flow, Document, FlowCheck]] = []
    for file in files:
        flow, doc, check = parse_flow(file)
        problems.extend(check.problems)
        if flow is not None and doc is not None and not any(p.is_error for p in check.problems):
            parsed.append((flow, doc, check))
    return parsed


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


def _missing(
    doc: Document, loc: tuple[str | int, ...], field: str
) -> tuple[int, int, str, dict[str, Any]]:
    """Where a missing field is reported: at the name of the group that lacks it, or at a list
    item's own line (a button without 'go:' is named by its label)."""
    parent = loc[:-1]
    if not parent:
        return 1, 1, "schema.missing", {"field": field}
    if not isinstance(parent[-1], int):
        return *doc.where(parent, key=True), "schema.missing", {"field": field}
    line, column = doc.where(parent)
    label = _value_at(doc.data, (*parent, "label"))
    if isinstance(label, dict):  # the words as written first, in Vietnamese
        label = label.get("vi") or next(iter(label.values()), "")
    if field == "go" and parent[-2:-1] == ("choices",) and label:
        return line, column, "schema.button_needs_go", {"label": str(label)}
    return line, column, "schema.missing", {"field": field}


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
            line, column, code, params = _missing(doc, loc, field_name)
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
