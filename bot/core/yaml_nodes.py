"""From composed YAML nodes to plain Python values, recording where each one was written.

Part of :mod:`bot.core.located_yaml` (the only place that reads YAML): the nodes PyYAML (or
libyaml) composed become dicts, lists and texts, and every value's line and column is kept for
the admin's messages. What must not be in a flow file (tags, merge keys, duplicate keys,
impossible dates) stops the reading at its place.
"""

from __future__ import annotations

import calendar
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

__all__ = ["STANDARD_TAGS", "Builder", "Location", "Stop"]

Location = tuple[str | int, ...]


class Stop(Exception):
    """Reading stops here: the line, column, message code and its params."""

    def __init__(self, line: int, column: int, code: str, params: dict[str, Any]) -> None:
        self.line, self.column, self.code, self.params = line, column, code, params
        super().__init__(code)


_STR = "tag:yaml.org,2002:str"
STANDARD_TAGS = {
    _STR,
    "tag:yaml.org,2002:int",
    "tag:yaml.org,2002:float",
    "tag:yaml.org,2002:bool",
    "tag:yaml.org,2002:null",
    "tag:yaml.org,2002:timestamp",
    "tag:yaml.org,2002:seq",
    "tag:yaml.org,2002:map",
}


def _impossible(value: str) -> tuple[str, dict[str, Any]]:
    """Why ``value`` (a date, by its looks) cannot be read: its month or its day."""
    try:
        year, month, _day = (int(part) for part in value.split("-"))
    except ValueError:
        return "yaml.bad_value", {"value": value[:40]}
    params: dict[str, Any] = {"value": value, "month": f"{month:02d}"}
    if not 1 <= month <= 12:
        return "yaml.impossible_month", params
    return "yaml.impossible_date", {**params, "days": calendar.monthrange(year, month)[1]}


class Builder:
    """Turns composed nodes into plain Python values, recording where each one was written."""

    def __init__(self, loader: Any, shown: str) -> None:
        self.loader = loader
        self.shown = shown
        self.data: Any = None
        self.marks: dict[Location, tuple[int, int]] = {}
        self.key_marks: dict[Location, tuple[int, int]] = {}

    def build(self, node: Node, location: Location) -> Any:
        mark = node.start_mark
        # A block text (| or >) starts on the line after its indicator: point at its first line.
        block = isinstance(node, ScalarNode) and node.style in ("|", ">")
        self.marks[location] = (mark.line + 2, 1) if block else (mark.line + 1, mark.column + 1)
        if node.tag not in STANDARD_TAGS:
            raise Stop(mark.line + 1, mark.column + 1, "yaml.tag", {"tag": node.tag})
        if isinstance(node, ScalarNode):
            if node.tag == _STR:
                return node.value  # most scalars: the text as written
            try:
                return self.loader.construct_object(node, deep=True)
            except (yaml.constructor.ConstructorError, ValueError):
                code, params = _impossible(node.value)
                raise Stop(mark.line + 1, mark.column + 1, code, params) from None
        if isinstance(node, SequenceNode):
            return [self.build(item, (*location, index)) for index, item in enumerate(node.value)]
        assert isinstance(node, MappingNode)
        result: dict[str, Any] = {}
        for key_node, value_node in node.value:
            key_mark = key_node.start_mark
            if not isinstance(key_node, ScalarNode) or key_node.tag == "tag:yaml.org,2002:merge":
                raise Stop(key_mark.line + 1, key_mark.column + 1, "yaml.complex_key", {})
            key = str(key_node.value)
            if key == "<<":
                raise Stop(key_mark.line + 1, key_mark.column + 1, "yaml.alias", {})
            if key in result:
                first = self.key_marks.get((*location, key), (0, 0))
                raise Stop(
                    key_mark.line + 1,
                    key_mark.column + 1,
                    "yaml.duplicate_key",
                    {"key": key, "first_line": first[0]},
                )
            self.key_marks[(*location, key)] = (key_mark.line + 1, key_mark.column + 1)
            result[key] = self.build(value_node, (*location, key))
        return result
