"""Reading files admins write by hand: every bad file gets a sentence with its line, never a crash."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.core.problems import Problem
from bot.flows.loader import load_flows


def problems_for(tmp_path: Path, content: str | bytes, name: str = "flow.yaml") -> list[Problem]:
    path = tmp_path / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return load_flows([path]).problems


def only(problems: list[Problem]) -> Problem:
    assert len(problems) == 1, [str(p) for p in problems]
    return problems[0]


def test_tab_character(tmp_path: Path) -> None:
    problem = only(problems_for(tmp_path, "id: x\nsteps:\n\tfirst:\n"))
    assert (problem.line, problem.code) == (3, "yaml.tab")
    assert "replace the tab with spaces" in problem.render("en")
    assert "thay tab bằng dấu cách" in problem.render("vi")


@pytest.mark.parametrize("content", ["", "   \n\n", "# only a comment\n"])
def test_empty_file(tmp_path: Path, content: str) -> None:
    assert only(problems_for(tmp_path, content)).code == "file.empty"


def test_alias_bomb_is_refused_before_it_expands(tmp_path: Path) -> None:
    lines = ['a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for i in range(1, 10):
        refs = ",".join([f"*a{i - 1}"] * 9)
        lines.append(f"a{i}: &a{i} [{refs}]")
    problem = only(problems_for(tmp_path, "\n".join(lines) + "\n"))
    assert (problem.line, problem.code) == (2, "yaml.alias")


@pytest.mark.parametrize(
    "content",
    [
        "id: !!python/object/apply:os.system ['echo hacked > /tmp/hacked']\n",
        "id: !!python/name:os.system\n",
        "id: !custom thing\n",
    ],
)
def test_python_and_custom_tags_are_refused(tmp_path: Path, content: str) -> None:
    problem = only(problems_for(tmp_path, content))
    assert problem.code == "yaml.tag"
    assert problem.line == 1
    assert not Path("/tmp/hacked").exists()


def test_non_utf8_bytes(tmp_path: Path) -> None:
    problem = only(problems_for(tmp_path, "id: x\ntitle: C\xf3\n".encode("latin-1")))
    assert (problem.line, problem.code) == (2, "file.not_utf8")
    assert "0xF3" in problem.render("en")


def test_five_megabyte_file(tmp_path: Path) -> None:
    problem = only(problems_for(tmp_path, "id: x\n" + "# padding\n" * 500_000))
    assert problem.code == "file.too_big"
    assert "5000 KB" in problem.render("en")


def test_deep_nesting(tmp_path: Path) -> None:
    problem = only(problems_for(tmp_path, "a: " + "[" * 5000 + "]" * 5000 + "\n"))
    assert problem.code == "yaml.too_deep"


def test_duplicate_key_names_both_lines(tmp_path: Path) -> None:
    content = "id: x\nsteps:\n  a:\n    end: completed\n  a:\n    end: gave_up\n"
    problem = only(problems_for(tmp_path, content))
    assert (problem.line, problem.code) == (5, "yaml.duplicate_key")
    assert "first on line 3" in problem.render("en")


def test_colon_inside_unquoted_text(tmp_path: Path) -> None:
    problem = only(problems_for(tmp_path, "id: x\ntitle: Bước 1: mở ứng dụng: ngay\n"))
    assert (problem.line, problem.code) == (2, "yaml.colon_in_text")


def test_question_mark_inside_braces(tmp_path: Path) -> None:
    problem = only(problems_for(tmp_path, "id: x\ntitle: { vi: Có không?, en: Yes? }\n"))
    assert (problem.line, problem.code) == (2, "yaml.flow_mapping")


def test_unclosed_quote(tmp_path: Path) -> None:
    problem = only(problems_for(tmp_path, 'id: x\ntitle: "Mở ứng dụng\n'))
    assert problem.code == "yaml.unclosed_quote"


def test_two_documents(tmp_path: Path) -> None:
    assert only(problems_for(tmp_path, "id: a\n---\nid: b\n")).code == "yaml.two_documents"


def test_impossible_date_says_impossible(tmp_path: Path) -> None:
    problem = only(problems_for(tmp_path, "id: x\nchecked: 2026-02-30\n"))
    assert (problem.line, problem.column, problem.code) == (2, 10, "yaml.impossible_date")
    assert "2026-02-30 is impossible: month 02 has 28 days" in problem.render("en")
    assert "ngày 2026-02-30 không có thật: tháng 02 chỉ có 28 ngày" in problem.render("vi")
    # Not "put it in quotes": a quoted impossible date is still impossible.
    assert "quote" not in problem.render("en") and "ngoặc" not in problem.render("vi")


def test_impossible_month_says_there_is_no_such_month(tmp_path: Path) -> None:
    problem = only(problems_for(tmp_path, "id: x\nchecked: 2026-13-01\n"))
    assert problem.code == "yaml.impossible_month"
    assert "there is no month 13" in problem.render("en")
    assert "không có tháng 13" in problem.render("vi")


@pytest.mark.parametrize(
    ("content", "line", "column"),
    [
        ("id: x\nsay:\n  vi: {{ xung_ho }}\n", 3, 7),  # read as a group of fields
        ("id: x\nsay:\n  vi: {{ xung_ho | capitalize }} ơi, mời bấm\n", 3, 7),
        ("id: x\nsay: {{ xung_ho }}, xin chào\n", 2, 6),
        ("id: x\nsay: {{ xung_ho }}: xin chào\n", 2, 6),
        ("id: x\nlist:\n  - {{ xung_ho }} ơi\n", 3, 5),
    ],
)
def test_an_unquoted_template_at_the_start_of_a_text_says_to_quote_it(
    tmp_path: Path, content: str, line: int, column: int
) -> None:
    problem = only(problems_for(tmp_path, content))
    assert (problem.line, problem.column, problem.code) == (line, column, "yaml.template_unquoted")
    assert "must be in double quotes" in problem.render("en")
    assert "phải đặt trong ngoặc kép" in problem.render("vi")


@pytest.mark.parametrize(
    ("content", "code"),
    [
        ("id: x\nsay:\n  vi: a\n en: b\n", "yaml.bad_indent"),  # "expected <block end>"
        ("id: x\nsay:\n  vi: a\n  - b\n", "yaml.bad_indent"),
        ('id: x\nsay: "Bấm nút" Tiếp\n', "yaml.text_after_closing"),
        ("id: x\nsay: 'it's'\n", "yaml.text_after_closing"),
        ("id: x\nsay: a: b\n", "yaml.colon_in_text"),  # "mapping values are not allowed here"
        ("id: x\nsay: @admin\n", "yaml.bad_start"),
        ("id: x\nsay: `code`\n", "yaml.bad_start"),
        ('id: x\npattern: "\\d+"\n', "yaml.bad_escape"),
        ("id: x\nsay: |x\n  a\n", "yaml.block_indicator"),
    ],
)
def test_common_yaml_mistakes_say_what_to_do_not_the_parser_text(
    tmp_path: Path, content: str, code: str
) -> None:
    problem = only(problems_for(tmp_path, content))
    assert problem.code == code
    for lang in ("vi", "en"):
        text = problem.render(lang)
        for parser_words in ("expected", "block end", "scalar", "not allowed here", "token"):
            assert parser_words not in text, text
    assert "hãy" in problem.render("vi").lower()  # and what to do


def test_unknown_yaml_mistakes_in_vietnamese_have_no_english_parser_text(tmp_path: Path) -> None:
    from bot.core.messages import describe

    text = describe("yaml.syntax", {"detail": "while parsing something odd"}, "vi")
    assert "while parsing" not in text and "Hãy kiểm tra" in text


def test_a_missing_file_is_explained_in_the_admins_language(tmp_path: Path) -> None:
    problem = only(load_flows([tmp_path / "nope.yaml"]).problems)
    assert problem.code == "file.not_found"
    assert "không có tệp hay thư mục này" in problem.render("vi")
    assert "no such file" not in problem.render("vi")


def test_paths_under_the_current_folder_are_shown_relative_to_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "drafts").mkdir()
    path = tmp_path / "drafts" / "flow.yaml"
    path.write_text("id: x\n\tsteps:\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    problem = only(load_flows([path]).problems)  # given as an absolute path
    assert problem.render("en").startswith("drafts/flow.yaml:2:1: error:")
    monkeypatch.chdir(tmp_path / "drafts")
    assert only(load_flows([Path("flow.yaml")]).problems).render("en").startswith("flow.yaml:2:1")
    (tmp_path / "elsewhere").mkdir()
    monkeypatch.chdir(tmp_path / "elsewhere")
    # Outside the current folder: absolute, not a chain of ../
    for given in (path, Path("../drafts/flow.yaml")):
        rendered = only(load_flows([given]).problems).render("en")
        assert rendered.startswith(f"{path}:2:1: error:"), rendered


def test_top_level_list(tmp_path: Path) -> None:
    assert only(problems_for(tmp_path, "- a\n- b\n")).code == "schema.not_mapping"


def test_control_characters(tmp_path: Path) -> None:
    problem = only(problems_for(tmp_path, "id: x\ntitle: a\x07b\n"))
    assert (problem.line, problem.column, problem.code) == (2, 9, "yaml.control_char")
    assert "U+0007" in problem.render("en")


def test_binary_garbage_never_crashes(tmp_path: Path) -> None:
    import random

    rng = random.Random(7)
    for index in range(200):
        blob = bytes(rng.randrange(256) for _ in range(rng.randrange(1, 300)))
        problems = problems_for(tmp_path, blob, name=f"g{index}.yaml")
        assert problems and all(p.is_error for p in problems)
        for problem in problems:
            problem.render("vi")
            problem.render("en")


def test_every_message_renders_in_both_languages() -> None:
    from bot.core.messages import MESSAGES, describe

    for code in MESSAGES:
        for lang in ("vi", "en"):
            text = describe(code, {}, lang)
            assert text and "Traceback" not in text
            assert lang in MESSAGES[code], f"{code} has no {lang} text"


def test_the_fast_reader_reads_every_shipped_file_exactly_like_the_careful_one() -> None:
    """libyaml is used for ordinary files only for speed: it must never change what they mean
    or where problems are reported."""
    from bot.core import located_yaml as yaml_source
    from tests.harness import ROOT

    files = [*sorted((ROOT / "flows").glob("*.yaml")), *sorted((ROOT / "flows" / "tests").glob("*.yaml")),
             *sorted((ROOT / "tests" / "fixtures" / "flows").glob("*.yaml")), ROOT / "locales" / "vi.yaml",
             ROOT / "locales" / "en.yaml", ROOT / "config.example.yaml"]
    fast_used = 0
    for path in files:
        text = path.read_text(encoding="utf-8")
        fast = yaml_source._read_plain(text, str(path))
        if fast is None:
            continue
        fast_used += 1
        loader = yaml_source._Loader(text)
        try:
            careful = yaml_source._Builder(loader, str(path))
            data = careful.build(loader.get_single_node(), ())
        finally:
            loader.dispose()
        assert fast.data == data, path
        assert fast.marks == careful.marks and fast.key_marks == careful.key_marks, path
    assert fast_used >= len(files) // 2  # the fast path is really used for ordinary files
