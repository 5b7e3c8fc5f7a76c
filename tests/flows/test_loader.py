"""Schema and logic problems in flows, each reported at its line in words an admin can act on."""

from __future__ import annotations

from pathlib import Path
from textwrap import dedent, indent

from bot.core.problems import Problem
from bot.flows.loader import load_flows

HEAD = """\
id: {id}
version: 1
title: {{ vi: Tiêu đề, en: Title }}
description: {{ vi: Mô tả., en: Description. }}
triggers: {{ vi: [{id} vi], en: [{id} en] }}
sources: ["A source"]
checked: 2026-11-23
start: first
steps:
"""


def write(tmp_path: Path, steps: str, *, flow_id: str = "sample", name: str = "") -> Path:
    path = tmp_path / (name or f"{flow_id}.yaml")
    body = indent(dedent(steps), "  ")
    path.write_text(HEAD.format(id=flow_id) + body, encoding="utf-8")
    return path


def problems(*paths: Path) -> list[Problem]:
    return load_flows(list(paths)).problems


def codes(found: list[Problem]) -> list[tuple[int, str]]:
    return [(p.line, p.code) for p in found]


GOOD = """\
  first:
    say: { vi: Xin chào, en: Hello }
    choices:
      - label: { vi: Tiếp, en: Next }
        go: last
  last:
    say: { vi: Hết, en: The end }
    end: completed
"""


def test_a_good_flow_has_no_problems(tmp_path: Path) -> None:
    loaded = load_flows([write(tmp_path, GOOD)])
    assert loaded.problems == []
    assert list(loaded.flows) == ["sample"]


def test_missing_field_names_it_at_the_step(tmp_path: Path) -> None:
    found = problems(write(tmp_path, GOOD.replace("    end: completed\n", "")))
    # "last" now only says something: it needs a 'go'.
    assert codes(found) == [(15, "schema.go_required")]
    assert found[0].step == "last"
    assert "[step last]" in found[0].render("en") and "[bước last]" in found[0].render("vi")


def test_missing_top_level_field(tmp_path: Path) -> None:
    path = write(tmp_path, GOOD)
    path.write_text(path.read_text().replace("start: first\n", ""))
    found = problems(path)
    assert codes(found) == [(1, "schema.missing")]
    assert "'start' is missing" in found[0].render("en")


def test_unknown_field_suggests_the_right_one(tmp_path: Path) -> None:
    found = problems(write(tmp_path, GOOD.replace("    choices:", "    choises:")))
    assert codes(found)[0] == (12, "schema.unknown_field")
    text = found[0].render("en")
    assert "'choises'" in text and "Did you mean 'choices'?" in text


def test_wrong_type(tmp_path: Path) -> None:
    path = write(tmp_path, GOOD)
    path.write_text(path.read_text().replace("version: 1", "version: one"))
    found = problems(path)
    assert codes(found) == [(2, "schema.wrong_type")]
    assert "'version' should be a whole number" in found[0].render("en")
    assert "'version' phải là một số nguyên" in found[0].render("vi")


def test_bad_outcome(tmp_path: Path) -> None:
    found = problems(write(tmp_path, GOOD.replace("end: completed", "end: finished")))
    assert codes(found) == [(17, "schema.choice_value")]
    assert "completed" in found[0].render("en")


def test_step_doing_two_things(tmp_path: Path) -> None:
    found = problems(
        write(tmp_path, GOOD.replace("    end: completed", "    end: completed\n    go: first"))
    )
    assert codes(found) == [(15, "schema.go_not_allowed")]


def test_vietnamese_text_is_required(tmp_path: Path) -> None:
    found = problems(
        write(tmp_path, GOOD.replace("say: { vi: Hết, en: The end }", "say: { en: The end }"))
    )
    assert codes(found) == [(16, "schema.no_vietnamese")]


def test_unknown_language(tmp_path: Path) -> None:
    found = problems(
        write(tmp_path, GOOD.replace("say: { vi: Hết, en: The end }", "say: { vi: Hết, vn: Hết }"))
    )
    assert codes(found) == [(16, "schema.bad_language")]


def test_unknown_step_reference_with_suggestion(tmp_path: Path) -> None:
    found = problems(write(tmp_path, GOOD.replace("go: last", "go: lats")))
    # One error: not also "no path leads to last" and "first never ends" (see test_lint_checks).
    assert codes(found) == [(14, "flow.unknown_step")]
    assert "no step 'lats'" in found[0].render("en") and "Did you mean 'last'?" in found[0].render(
        "en"
    )


def test_dead_end_and_loop_without_waiting(tmp_path: Path) -> None:
    steps = GOOD + indent(
        dedent("""\
      spin_a:
        say: { vi: A, en: A }
        go: spin_b
      spin_b:
        say: { vi: B, en: B }
        go: spin_a
    """),
        "  ",
    )
    steps = steps.replace(
        "        go: last\n",
        "        go: last\n      - label: { vi: Vòng, en: Loop }\n        go: spin_a\n",
    )
    found = problems(write(tmp_path, steps))
    assert ("flow.dead_end", "spin_a") in [(p.code, p.step) for p in found]
    loops = [p for p in found if p.code == "flow.loop_without_wait"]
    assert len(loops) == 1 and "spin_a → spin_b → spin_a" in loops[0].render("en")


def test_template_syntax_error_points_at_the_line(tmp_path: Path) -> None:
    steps = GOOD.replace(
        "say: { vi: Xin chào, en: Hello }", 'say:\n      vi: "Xin chào {{ xung_ho"\n      en: Hello'
    )
    found = problems(write(tmp_path, steps))
    assert codes(found) == [(12, "flow.template_syntax")]


def test_multi_line_template_error_line_is_inside_the_text(tmp_path: Path) -> None:
    steps = GOOD.replace(
        "say: { vi: Xin chào, en: Hello }",
        "say:\n      vi: |\n        Dòng một\n        Dòng hai {% if %}\n      en: Hello",
    )
    found = problems(write(tmp_path, steps))
    assert [p.code for p in found] == ["flow.template_syntax"]
    assert found[0].line == 14  # the text starts on line 13; the broken tag is its second line


def test_unknown_variable(tmp_path: Path) -> None:
    found = problems(
        write(
            tmp_path,
            GOOD.replace(
                "say: { vi: Hết, en: The end }", 'say: { vi: "Hết {{ ten }}", en: The end }'
            ),
        )
    )
    assert codes(found) == [(16, "flow.unknown_variable")]
    assert "'ten'" in found[0].render("en") and "xung_ho" in found[0].render("en")


def test_condition_syntax_and_unknown_name(tmp_path: Path) -> None:
    steps = GOOD.replace("        go: last\n", "        go: decide\n", 1) + indent(
        dedent("""\
      decide:
        when:
          - if: "age >= "
            go: last
          - if: nobody_saved_this
            go: last
        go: last
    """),
        "  ",
    )
    found = problems(write(tmp_path, steps))
    assert [p.code for p in found] == ["flow.condition_syntax", "flow.unknown_variable"]


def test_sensitive_answer_cannot_be_shown(tmp_path: Path) -> None:
    steps = dedent("""\
      first:
        say: { vi: Gõ mã, en: Type the code }
        ask: { save_as: code, type: text, sensitive: true }
        go: last
      last:
        say: { vi: "Mã {{ code }}", en: "Code {{ code }}" }
        end: completed
    """)
    found = problems(write(tmp_path, steps))
    assert [p.code for p in found] == ["flow.sensitive_in_template"] * 2


def test_bad_regular_expression(tmp_path: Path) -> None:
    steps = dedent("""\
      first:
        say: { vi: Gõ, en: Type }
        ask: { save_as: code, type: pattern, pattern: "[0-9" }
        go: last
      last:
        end: completed
    """)
    found = problems(write(tmp_path, steps))
    assert codes(found) == [(12, "flow.bad_pattern")]


def test_missing_translation_is_a_warning(tmp_path: Path) -> None:
    loaded = load_flows(
        [write(tmp_path, GOOD.replace("say: { vi: Hết, en: The end }", "say: Hết"))]
    )
    assert [(p.line, p.code, p.is_error) for p in loaded.problems] == [
        (16, "flow.missing_translation", False)
    ]
    assert "sample" in loaded.flows  # warnings do not stop a flow


def test_missing_image(tmp_path: Path) -> None:
    found = problems(
        write(
            tmp_path,
            GOOD.replace(
                "    say: { vi: Hết, en: The end }",
                "    say: { vi: Hết, en: The end }\n    image: pics/none.png",
            ),
        )
    )
    assert codes(found) == [(17, "flow.image_missing")]


def test_duplicate_flow_ids_across_files(tmp_path: Path) -> None:
    first = write(tmp_path, GOOD, name="a.yaml")
    second = write(tmp_path, GOOD, name="b.yaml")
    found = problems(first, second)
    assert [(Path(p.path).name, p.line, p.code) for p in found] == [
        ("b.yaml", 1, "flow.duplicate_id")
    ]


def test_sub_flows_must_exist_and_not_call_each_other_in_circles(tmp_path: Path) -> None:
    calls = dedent("""\
      first:
        flow: {target}
        go: last
      last:
        end: completed
    """)
    one = write(tmp_path, calls.format(target="two"), flow_id="one")
    two = write(tmp_path, calls.format(target="one"), flow_id="two")
    three = write(tmp_path, calls.format(target="fuor"), flow_id="three")
    found = problems(one, two, three)
    assert sorted(p.code for p in found) == [
        "flow.subflow_cycle",
        "flow.subflow_cycle",
        "flow.unknown_flow",
    ]


def test_bad_step_id(tmp_path: Path) -> None:
    found = problems(
        write(
            tmp_path, GOOD.replace("  last:", "  Last Step:").replace("go: last", "go: Last Step")
        )
    )
    assert ("schema.bad_id", 15) in [(p.code, p.line) for p in found]


def test_yes_and_no_stay_text(tmp_path: Path) -> None:
    loaded = load_flows(
        [write(tmp_path, GOOD.replace("{ vi: Tiếp, en: Next }", "{ vi: Có, en: Yes }"))]
    )
    assert loaded.problems == []
    label = loaded.flows["sample"].flow.steps["first"].choices[0].label  # type: ignore[index]
    assert label.get("en") == "Yes"
