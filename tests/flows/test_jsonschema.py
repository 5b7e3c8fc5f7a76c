"""The JSON Schema editors use for flow files: it accepts every real flow and rejects broken ones."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator, FormatChecker

from bot.core.located_yaml import read_yaml
from bot.flows.jsonschema import flow_schema, schema_text
from bot.flows.loader import load_flows
from tests.cli_process import trolyso
from tests.harness import FIXTURE_FLOWS, ROOT

SCHEMA_FILE = ROOT / "docs" / "flow.schema.json"
SHIPPED = sorted((ROOT / "flows").glob("*.yaml"))
VALID_FIXTURES = sorted(FIXTURE_FLOWS.glob("*.yaml"))


def as_editor_sees_it(value: Any) -> Any:
    """The YAML language server reads an unquoted 2026-11-23 as text, as JSON Schema expects."""
    if isinstance(value, dict):
        return {key: as_editor_sees_it(item) for key, item in value.items()}
    if isinstance(value, list):
        return [as_editor_sees_it(item) for item in value]
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


@pytest.fixture(scope="module")
def validator() -> Draft202012Validator:
    schema = flow_schema()
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema, format_checker=FormatChecker())


def errors(validator: Draft202012Validator, data: Any) -> list[str]:
    found = validator.iter_errors(as_editor_sees_it(data))
    return sorted("/".join(map(str, error.absolute_path)) for error in found)


@pytest.mark.parametrize("path", SHIPPED + VALID_FIXTURES, ids=lambda p: p.name)
def test_every_flow_that_loads_is_valid_against_the_schema(
    validator: Draft202012Validator, path: Path
) -> None:
    assert load_flows([path.parent]).flows  # the folder loads (sub-flows resolve)
    assert errors(validator, read_yaml(path).data) == []


def test_shipped_flows_name_the_schema_in_their_first_line() -> None:
    for path in SHIPPED:
        first = path.read_text(encoding="utf-8").splitlines()[0]
        assert first == "# yaml-language-server: $schema=../docs/flow.schema.json", path.name


def test_broken_flows_are_rejected_where_they_are_wrong(validator: Draft202012Validator) -> None:
    good = as_editor_sees_it(read_yaml(FIXTURE_FLOWS / "demo.yaml").data)
    typo = json.loads(json.dumps(good))
    typo["stpes"] = typo.pop("steps")
    # At the top: 'stpes' is not a field, and 'steps' is missing.
    assert errors(validator, typo) == ["", ""]

    broken = json.loads(json.dumps(good))
    broken["title"] = {"en": "Demo"}  # no Vietnamese text
    broken["id"] = "Demo Flow"
    step = broken["steps"]["pick_phone"]
    step["choices"][0].pop("go")  # a button that leads nowhere
    step["help"] = {"label": "Help"}  # help without where to go
    broken["steps"]["ask_age"]["ask"]["type"] = "age"
    broken["steps"]["route_age"]["when"][0]["iff"] = "age > 1"
    assert errors(validator, broken) == [
        "id",
        "steps/ask_age/ask/type",
        "steps/pick_phone/choices/0",
        "steps/pick_phone/help",
        "steps/route_age/when/0",
        "title",
    ]


def test_each_kind_of_mistake_is_caught(validator: Draft202012Validator) -> None:
    flow = as_editor_sees_it(read_yaml(FIXTURE_FLOWS / "other.yaml").data)

    def with_change(path: list[str | int], value: Any) -> dict[str, Any]:
        data = json.loads(json.dumps(flow))
        node = data
        for part in path[:-1]:
            node = node[part]
        node[path[-1]] = value
        return data

    assert errors(validator, with_change(["title"], {"en": "Only English"})) == ["title"]
    assert errors(validator, with_change(["steps", "first", "say"], {"vi": "x", "fr": "y"})) == [
        "steps/first/say"
    ]
    assert errors(validator, with_change(["steps", "first", "colour"], "red")) == ["steps/first"]
    assert errors(validator, with_change(["steps", "finish", "end"], "done")) == [
        "steps/finish/end"
    ]
    assert errors(validator, with_change(["checked"], "23/11/2026")) == ["checked"]
    assert errors(
        validator, with_change(["steps", "Bad Id"], {"say": "x", "end": "completed"})
    ) == ["steps"]
    assert errors(validator, with_change(["triggers"], {"en": ["x"]})) == ["triggers"]
    # What admins write in short forms is accepted.
    assert errors(validator, with_change(["steps", "first", "say"], "Chỉ tiếng Việt")) == []
    assert errors(validator, with_change(["steps", "first", "help"], "finish")) == []


def test_every_field_has_an_admin_facing_description() -> None:
    missing: list[str] = []

    def walk(node: Any, where: str) -> None:
        if isinstance(node, dict):
            for name, prop in (node.get("properties") or {}).items():
                if "description" not in prop:
                    missing.append(f"{where}.{name}")
            for key, value in node.items():
                walk(value, f"{where}.{key}")
        elif isinstance(node, list):
            for index, item in enumerate(node):
                walk(item, f"{where}[{index}]")

    schema = flow_schema()
    walk(schema, "")
    assert missing == []
    assert "texts" not in json.dumps(schema)  # the model's inner name never leaks to admins
    assert schema["$defs"]["Condition"]["required"] == ["if", "go"]


def test_docs_schema_is_up_to_date_with_trolyso_schema(tmp_path: Path) -> None:
    assert SCHEMA_FILE.read_text(encoding="utf-8") == schema_text(), (
        "docs/flow.schema.json is out of date: run 'trolyso schema' and commit the result"
    )
    out = tmp_path / "flow.schema.json"
    result = trolyso("schema", "--output", str(out), "--lang", "en")
    assert result.returncode == 0, result.stderr
    assert result.stdout == f"Wrote the flow format's JSON Schema to {out}.\n"
    assert out.read_text(encoding="utf-8") == SCHEMA_FILE.read_text(encoding="utf-8")


def test_schema_command_explains_a_folder_it_cannot_write(tmp_path: Path) -> None:
    result = trolyso("schema", "--output", str(tmp_path / "no" / "such" / "dir.json"))
    assert result.returncode == 2
    assert "không ghi được" in result.stderr and "Traceback" not in result.stderr
