"""Flow diagrams (``trolyso graph``) and the step graph they are drawn from."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bot.flows.compiled import GLOBAL_NAMES
from bot.flows.graph import edges, known_before, path_without, to_dot, to_mermaid
from bot.flows.loader import load_flows
from bot.flows.schema import Flow
from tests.cli_process import trolyso
from tests.harness import FIXTURE_FLOWS, FIXTURE_LIBRARY


@pytest.fixture(scope="module")
def demo() -> Flow:
    return load_flows([FIXTURE_FLOWS]).flows["demo"].flow


def expected_edges(flow: Flow) -> list[tuple[str, str, str, bool]]:
    """(from, to, label, dashed) for every way between steps, read straight from the flow."""
    found: list[tuple[str, str, str, bool]] = []
    for step_id, step in flow.steps.items():
        found += [(step_id, c.go, c.label.get("vi"), False) for c in step.choices or []]
        found += [(step_id, c.go, c.if_, False) for c in step.when or []]
        if step.help:
            label = step.help.label.get("vi") if step.help.label else "❓ Không làm được"
            found.append((step_id, step.help.go, label, True))
        if step.go:
            found.append((step_id, step.go, "", False))
    return found


def mermaid_label(text: str) -> str:
    return text.replace("#", "#35;").replace('"', "#34;").replace(">", "#62;").replace("<", "#60;")


def test_mermaid_has_every_step_and_every_edge(demo: Flow) -> None:
    text = to_mermaid(demo, help_label="❓ Không làm được")
    assert text.startswith("flowchart TD\n")
    assert '    START(("▶")) --> pick_phone' in text
    for step_id in demo.steps:
        assert re.search(rf"^    {step_id}[\[\{{\(]", text, re.M), step_id
    lines = text.splitlines()
    for source, target, label, dashed in expected_edges(demo):
        arrow = "-.->" if dashed else "-->"
        if label:
            wanted = f'    {source} {arrow}|"{mermaid_label(label)}"| {target}'
            assert wanted in lines, wanted
        else:  # a plain 'go', an ask's answer or a sub-flow's return
            assert any(
                line.startswith(f"    {source} {arrow}") and line.endswith(f" {target}")
                for line in lines
            ), (source, target)
    drawn = [
        line
        for line in lines
        if " --> " in line or " -.-> " in line or "-->|" in line or "-.->|" in line
    ]
    assert len([line for line in drawn if "START" not in line]) == len(expected_edges(demo))


def test_mermaid_shapes_say_what_a_step_does(demo: Flow) -> None:
    text = to_mermaid(demo)
    assert '    route_age{"route_age"}' in text  # a decision: diamond
    assert '    run_sub[["run_sub<br/>↪ demo_sub"]]' in text  # a sub-flow: subroutine
    assert '    done(["done<br/>Xong rồi, {name}! ({phone})<br/>✔ completed"])' in text
    assert '    pick_phone["pick_phone<br/>{xung_ho} dùng điện thoại gì?"]' in text
    assert '    route_age -->|"age #62;= 60"| elderly' in text
    assert '    route_age -->|"ngược lại"| young' in text
    assert '    ask_age -->|"✎ age"| route_age' in text
    assert "    class done completed" in text and "    class no_phone referred" in text
    assert "    class stopped gave_up" in text


def test_dot_has_every_step_and_every_edge(demo: Flow) -> None:
    text = to_dot(demo, help_label="❓ Không làm được")
    assert text.startswith('digraph "demo" {\n') and text.endswith("}\n")
    for step_id in demo.steps:
        assert re.search(rf'^  "{step_id}" \[label=', text, re.M), step_id
    lines = text.splitlines()
    for source, target, label, dashed in expected_edges(demo):
        head = f'  "{source}" -> "{target}"'
        matching = [line for line in lines if line.startswith(head)]
        assert matching, head
        if label:
            quoted = label.replace('"', '\\"')
            assert any(f'label="{quoted}"' in line for line in matching), (head, label)
        assert any(("style=dashed" in line) == dashed for line in matching), head
    assert '"route_age" [label="route_age", shape=diamond' in text
    assert '"run_sub" [label="run_sub\\n↪ demo_sub", peripheries=2]' in text
    assert 'fillcolor="#d9f2d9"' in text  # completed


def test_quotes_and_special_characters_are_escaped_for_each_format() -> None:
    flow = Flow.model_validate(
        {
            "id": "tricky",
            "version": 1,
            "title": "T",
            "description": "D",
            "triggers": {"vi": ["t"]},
            "sources": ["s"],
            "checked": "2026-11-23",
            "start": "end",
            "steps": {
                "end": {
                    "say": '"OK" #1 <b> a|b `x` & \\ {{ xung_ho | capitalize }}',
                    "notify": "Báo",
                    "choices": [{"label": 'Nút "A" | <x>', "go": "class"}],
                },
                "class": {"say": "Hết", "end": "gave_up"},
            },
        }
    )
    mermaid = to_mermaid(flow)
    # Mermaid's own words are drawn under another id; a quote is a character code.
    assert (
        '    END["🔔 end<br/>#34;OK#34; #35;1 #60;b#62; a#124;b #96;x#96; #38; \\ {xung_ho}"]'
        in mermaid
    )
    assert '    END -->|"Nút #34;A#34; #124; #60;x#62;"| CLASS' in mermaid
    assert "    class END notify" in mermaid
    dot = to_dot(flow)
    assert '"end" [label="🔔 end\\n\\"OK\\" #1 <b> a|b `x` & \\\\ {xung_ho}"' in dot
    assert '"end" -> "class" [label="Nút \\"A\\" | <x>"];' in dot


def test_what_is_known_before_each_step(demo: Flow) -> None:
    known = known_before(demo, GLOBAL_NAMES)
    assert "age" not in known["ask_age"] and "age" in known["route_age"]
    # "Không có" does not set 'phone' but leads only to no_phone, which does not use it.
    assert "phone" in known["ask_age"] and "phone" not in known["no_phone"]
    assert "name" in known["done"] and "last_outcome" in known["after_sub"]
    assert path_without(demo, "phone", "no_phone") == ["pick_phone", "no_phone"]
    assert {edge.kind for edge in edges(demo)} == {
        "choice",
        "help",
        "condition",
        "otherwise",
        "next",
        "answer",
        "return",
    }


def test_cli_prints_mermaid_by_default_and_dot_on_request() -> None:
    mermaid = trolyso("graph", "demo", "--flows", str(FIXTURE_FLOWS))
    assert mermaid.returncode == 0, mermaid.stderr
    assert mermaid.stdout.startswith("flowchart TD\n")
    assert '    pick_phone -.->|"❓ Không làm được"| phone_help' in mermaid.stdout
    dot = trolyso("graph", "demo", "--format", "dot", "--flows", str(FIXTURE_FLOWS))
    assert dot.returncode == 0 and dot.stdout.startswith('digraph "demo" {')


def test_cli_unknown_flow_is_a_sentence_and_exit_code_2(tmp_path: Path) -> None:
    result = trolyso("--config", str(FIXTURE_LIBRARY), "graph", "dmeo")
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr.strip() == (
        f"không có luồng 'dmeo' trong {FIXTURE_FLOWS}. Có phải ý bạn là 'demo'? Các luồng ở đó: "
        "demo, demo_sub, other, visit, waiting, welcome. Nếu tệp của nó có lỗi, hãy chạy 'trolyso lint'."
    )
    english = trolyso(
        "--config", str(FIXTURE_LIBRARY), "graph", "nope", "--lang", "en", "--flows", str(tmp_path)
    )
    assert english.returncode == 2
    assert f"there is no flow 'nope' in {tmp_path}, {FIXTURE_FLOWS}. Flows there: demo," in (
        english.stderr
    )
    assert "Traceback" not in result.stderr + english.stderr


def test_a_box_shows_the_first_branch_of_a_template_and_names_for_values(demo: Flow) -> None:
    step = demo.steps["elderly"].model_copy(
        update={
            "say": demo.steps["elderly"].say.model_validate(  # type: ignore[union-attr]
                '{% if phone == "iphone" %}Áp thẻ cạnh trên{% else %}Áp lưng máy{% endif %}, {{ age }} tuổi.'
            )
        }
    )
    flow = demo.model_copy(update={"steps": {**demo.steps, "elderly": step}})
    assert '    elderly["elderly<br/>Áp thẻ cạnh trên , {age} tuổi."]' in to_mermaid(flow)
