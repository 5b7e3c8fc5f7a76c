"""Conversation tests (``trolyso test``): the file format, running it, and what it prints."""

from __future__ import annotations

import asyncio
import unicodedata
from pathlib import Path
from textwrap import dedent

import pytest

from bot.app.compose import load_engine
from bot.convtest.coverage import Coverage
from bot.convtest.files import ConversationFile, find_test_files, read_test_file
from bot.convtest.report import report
from bot.convtest.run import ConversationResult, normalise, run_tests
from bot.core.problems import shown_path
from bot.engine.runner import Engine
from bot.flows.schema import LANGUAGES
from tests.cli_process import trolyso
from tests.harness import FIXTURE_FLOWS, ROOT, make_settings

CONVTESTS = FIXTURE_FLOWS.parent / "convtests"


@pytest.fixture(scope="module")
def engine() -> Engine:
    """The fixture flows, built the way the bot builds them (with their welcome flow)."""
    built, _warnings = load_engine(make_settings(FIXTURE_FLOWS))
    return built


def run(
    engine: Engine, *paths: Path
) -> tuple[list[ConversationFile], list[ConversationResult], Coverage]:
    files = [read_test_file(path, flows=engine.flows) for path in paths]
    results, coverage = asyncio.run(run_tests(engine, [t for f in files for t in f.tests]))
    return files, results, coverage


def write(tmp_path: Path, body: str, name: str = "t.test.yaml") -> Path:
    path = tmp_path / name
    path.write_text(dedent(body), encoding="utf-8")
    return path


def test_the_demo_conversations_pass_and_count_what_they_reached(engine: Engine) -> None:
    files, results, coverage = run(engine, CONVTESTS / "demo.test.yaml")
    assert files[0].problems == ()
    assert [(r.test.name, r.passed) for r in results] == [
        ("Android, elderly, goes through the sub-flow to the end", True),
        ("No phone, in English", True),
        ("Help, back, then typing the button's words", True),
        ("A new resident meets the welcome flow first", True),
    ]
    demo = engine.flows["demo"]
    assert coverage.missing_steps(demo) == ["young", "stopped"]
    assert coverage.missing_steps(demo, "en") == [
        s for s in demo.flow.steps if s not in ("pick_phone", "no_phone")
    ]
    # Typing "khong co" took the third choice just like pressing it.
    assert ("pick_phone", 2) in coverage.pressed("demo", "vi")
    assert coverage.missing_choices(demo) == [
        ("pick_phone", 1),
        ("phone_help", 0),
        ("confirm_name", 1),
    ]
    assert coverage.reached("welcome") == {"ask_address", "thanks"}


def test_failures_name_the_line_what_was_expected_and_what_the_bot_did(engine: Engine) -> None:
    files, results, coverage = run(engine, CONVTESTS / "failing.test.yaml")
    lines = report(files, results, coverage, engine.flows, lang="en")
    path = shown_path(CONVTESTS / "failing.test.yaml")  # relative to the current folder
    assert lines[:3] == [
        f"✗ {path}:4: Says something else (vi)",
        f'    {path}:7:9: [conversation line 2, expect] the bot did not say "Bạn dùng máy tính gì?".',
        "      the bot said: «Bạn dùng điện thoại gì?»",
    ]
    assert lines[3] == (
        "      buttons: [Android] [iPhone] [Không có] [❓ Không làm được] [⬅️ Quay lại] [🏠 Menu chính]"
    )
    assert (
        f'    {path}:12:9: [conversation line 2, press] there is no button "Windows Phone" to press. Write the label exactly as shown below.'
        in lines
    )
    assert (
        f"    {path}:17:14: [outcome] the flow demo ended as 'referred', not 'completed'." in lines
    )
    assert lines[-1] == "3 tests: 0 passed, 3 failed."
    vi = report(files, results, coverage, engine.flows, lang="vi")
    assert (
        f'    {path}:7:9: [dòng hội thoại 2, expect] bot không nói "Bạn dùng máy tính gì?".' in vi
    )
    assert (
        f"    {path}:17:14: [kết quả] luồng demo kết thúc là 'referred', không phải 'completed'."
        in vi
    )
    assert vi[-1] == "3 bài kiểm tra: 0 đạt, 3 không đạt."


def test_problems_in_a_test_file_are_reported_with_lines_like_lint(engine: Engine) -> None:
    path = CONVTESTS / "broken.test.yaml"
    file = read_test_file(path, flows=engine.flows)
    path = Path(shown_path(path))  # as problems show it: relative to the current folder
    assert file.tests == ()
    assert [(p.line, p.column, p.code) for p in file.problems] == [
        (4, 11, "convtest.choice_value"),
        (6, 9, "convtest.expect_first"),
        (7, 9, "convtest.unknown_field"),
        (8, 16, "flow.unknown_flow"),
        (11, 9, "convtest.two_actions"),
        (13, 23, "convtest.unknown_step"),
    ]
    rendered = [p.render("en") for p in file.problems]
    assert rendered[2] == (
        f"{path}:7:9: error: 'prss' is not part of a conversation test. Did you mean 'press'? "
        "Allowed here: start, open, press, send, command, wait, expect."
    )
    assert file.problems[2].render("vi") == (
        f"{path}:7:9: lỗi: 'prss' không phải là mục của bài kiểm tra hội thoại. Có phải ý bạn là "
        "'press'? Được dùng ở đây: start, open, press, send, command, wait, expect."
    )


def test_bad_yaml_in_a_test_file_is_a_located_problem(tmp_path: Path) -> None:
    path = write(
        tmp_path, "flow: demo\ntests:\n  - name: x\n    steps:\n      - expect: { says: A: b }\n"
    )
    file = read_test_file(path)
    assert [(p.line, p.code) for p in file.problems] == [(5, "yaml.flow_mapping")]
    assert (
        write(tmp_path, "- just\n- a list\n", "list.yaml")
        and read_test_file(tmp_path / "list.yaml").problems[0].code == "convtest.not_mapping"
    )


def test_missing_fields_and_wrong_values(tmp_path: Path, engine: Engine) -> None:
    path = write(
        tmp_path,
        """\
        flow: dmeo
        tests:
          - lang: en
            welcome: maybe
            outcome: finished
            steps:
              - press:
              - expect: { says: [a, {x: 1}] }
              - 42
          - name: no steps
        """,
    )
    file = read_test_file(path, flows=engine.flows)
    assert [
        (p.line, p.code, p.params.get("field", p.params.get("suggestion"))) for p in file.problems
    ] == [
        (1, "flow.unknown_flow", "demo"),
        (3, "convtest.missing", "name"),
        (4, "convtest.choice_value", "welcome"),
        (5, "convtest.choice_value", "outcome"),
        (7, "convtest.empty", "press"),
        (8, "convtest.wrong_type", "says"),
        (9, "convtest.bad_step", None),
        (10, "convtest.missing", "steps"),
    ]


def test_press_by_words_link_buttons_and_commands(tmp_path: Path, engine: Engine) -> None:
    path = write(
        tmp_path,
        """\
        flow: demo
        tests:
          - name: typed-like press, back to the first step, language switch
            steps:
              - start
              - press: Android
              - press: quay lai
              - expect: { at: pick_phone }
              - command: lang
              - press: English
              - expect: { says: Switched to English, not_says: "Bạn dùng" }
              - press: "❓ It didn't work"
              - expect: { says: Look at the back of the phone., at: phone_help }
              - expect: { says: Something the bot does not say }
          - name: a link button cannot be pressed
            steps:
              - start
              - press: Android
              - send: "70"
              - send: Ba
              - press: Mở Cổng dịch vụ công
          - name: nothing to be at once the flow ended
            steps:
              - start
              - press: Không có
              - expect: { at: no_phone }
        """,
    )
    _files, results, _coverage = run(engine, path)
    first = results[0].failure
    assert first is not None and (first.code, first.index) == ("convtest.fail.says", 10)
    assert first.said == ("Look at the back of the phone.",)
    assert [r.failure.code if r.failure else "" for r in results[1:]] == [
        "convtest.fail.link_button",
        "convtest.fail.not_in_flow",
    ]


def test_language_switch_and_back_work_inside_a_test(tmp_path: Path, engine: Engine) -> None:
    said = engine.catalog.text("language.changed", "en")
    path = write(
        tmp_path,
        f"""\
        flow: demo
        tests:
          - name: switch
            steps:
              - start
              - press: iPhone
              - command: /lang
              - press: English
              - expect: {{ says: "{said}", buttons: [] }}
              - command: back
              - expect: {{ says: Which phone, at: pick_phone }}
              - command: menu
              - expect: {{ buttons_include: ["▶️ Continue: Demo"] }}
        """,
    )
    files, results, _coverage = run(engine, path)
    assert files[0].problems == ()
    assert [r.failure for r in results] == [None]


def test_a_template_that_breaks_at_run_time_fails_the_test_in_one_sentence(tmp_path: Path) -> None:
    flows = tmp_path / "flows"
    flows.mkdir()
    (flows / "broken_math.yaml").write_text(
        dedent(
            """\
            id: broken_math
            version: 1
            title: { vi: Tính, en: Sums }
            description: { vi: Tính., en: Sums. }
            triggers: { vi: [tinh], en: [sums] }
            sources: ["x"]
            checked: 2026-11-23
            start: first
            steps:
              first:
                say: { vi: "Tuổi?", en: "Age?" }
                ask: { save_as: age, type: text }
                go: show
              show:
                say: { vi: "Năm sau: {{ age + 1 }}", en: "Next year: {{ age + 1 }}" }
                end: completed
            """
        ),
        encoding="utf-8",
    )
    built, _warnings = load_engine(make_settings(flows))
    path = write(
        tmp_path,
        "flow: broken_math\ntests:\n  - name: adds one\n    steps:\n      - start\n      - send: '7'\n",
    )
    _files, results, _coverage = run(built, path)
    failure = results[0].failure
    assert failure is not None and failure.code == "convtest.fail.internal"
    assert "TypeError" in failure.params["detail"]


def test_whitespace_and_unicode_forms_do_not_matter_but_diacritics_do() -> None:
    decomposed = unicodedata.normalize("NFD", "Bạn  dùng\n điện thoại")
    assert normalise(decomposed) == "Bạn dùng điện thoại"
    assert normalise("Ban dung") not in normalise("Bạn dùng điện thoại")


def test_cli_runs_a_folder_and_exits_by_result() -> None:
    ok = trolyso("test", "--flows", str(FIXTURE_FLOWS), str(CONVTESTS / "demo.test.yaml"))
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert "4 bài kiểm tra: 4 đạt, 0 không đạt." in ok.stdout
    assert "demo: 11/13 bước, 3/6 lựa chọn" in ok.stdout
    failed = trolyso("test", "--lang", "en", "--flows", str(FIXTURE_FLOWS), str(CONVTESTS))
    assert failed.returncode == 1
    assert "7 tests: 4 passed, 3 failed. 6 problems in the test files" in failed.stdout
    assert "Traceback" not in failed.stdout + failed.stderr


def test_cli_explains_missing_paths_empty_folders_and_broken_flows(tmp_path: Path) -> None:
    missing = trolyso("test", "--flows", str(FIXTURE_FLOWS), str(tmp_path / "nope"))
    assert missing.returncode == 2
    assert f"{tmp_path / 'nope'} không tồn tại" in missing.stderr
    empty = trolyso("test", "--lang", "en", "--flows", str(FIXTURE_FLOWS), str(tmp_path))
    assert empty.returncode == 2 and "there are no conversation test files" in empty.stderr
    (tmp_path / "bad.yaml").write_text("id: x\n", encoding="utf-8")
    broken = trolyso("test", "--lang", "en", "--flows", str(tmp_path))
    assert broken.returncode == 2
    assert "have errors, so nothing can run" in broken.stderr and "bad.yaml:1:1" in broken.stderr
    assert "Traceback" not in missing.stderr + empty.stderr + broken.stderr


def test_the_shipped_conversation_tests_pass_and_reach_every_step_and_choice() -> None:
    """flows/tests/ against flows/: an admin who changes a text sees which test to update."""
    built, _warnings = load_engine(make_settings(ROOT / "flows"))
    paths, _missing = find_test_files([ROOT / "flows" / "tests"])
    files = [read_test_file(path, flows=built.flows) for path in paths]
    assert [p.render("en") for f in files for p in f.problems] == []
    results, coverage = asyncio.run(run_tests(built, [t for f in files for t in f.tests]))
    lines = report(files, results, coverage, built.flows, lang="en")
    assert all(r.passed for r in results), "\n".join(lines)
    # Every menu flow and the welcome flow has a test file, and the tests reach every step and
    # take every choice in every language.
    shipped = [f for f in built.flows.values() if f.flow.menu or f.id == built.welcome_flow]
    assert built.welcome_flow and len(shipped) > 1
    untested = [f.id for f in shipped if f.id not in {file.flow for file in files}]
    assert untested == [], f"no conversation tests in flows/tests/ for: {', '.join(untested)}"
    gaps = []
    for flow in shipped:
        for lang in LANGUAGES:
            steps = coverage.missing_steps(flow, lang)
            if steps:
                gaps.append(f"{flow.id} ({lang}): no test reaches the steps {', '.join(steps)}")
            for step_id, index in coverage.missing_choices(flow, lang):
                label = (flow.flow.steps[step_id].choices or [])[index].label.get(lang)
                gaps.append(f'{flow.id} ({lang}): no test presses "{label}" at the step {step_id}')
    assert gaps == [], "\n".join(gaps)


def test_a_conversation_test_waits_for_a_follow_up_and_covers_the_reminder_step(
    tmp_path: Path, engine: Engine
) -> None:
    path = write(
        tmp_path,
        """\
        flow: waiting
        tests:
          - name: not yet after 23 hours; the next day the bot asks again
            steps:
              - start
              - wait: 23 hours
              - expect: { at: sent, says: "Đã gửi hồ sơ." }
              - wait: 1h
              - expect: { at: ask_approved, says: "Bạn đã nhận được tin nhắn phê duyệt chưa?", buttons: [Đã nhận, Chưa] }
              - press: Đã nhận
            outcome: completed
          - name: sent late in the evening, the reminder waits for the morning
            lang: en
            steps:
              - wait: 7h                  # 15:00 -> 22:00, quiet hours
              - start
              - wait: 1d
              - expect: { at: sent }
              - wait: 9 giờ               # 07:00: quiet hours are over
              - expect: { at: ask_approved, says: "Have you received the approval SMS?" }
          - name: silent for days, the flow expires and is offered again
            steps:
              - start
              - wait: 4 ngày
              - send: xin chào
              - expect: { says: "Chờ phê duyệt" }
            outcome: abandoned
          - name: expects the reminder too early
            steps:
              - start
              - wait: 2 hours
              - expect: { at: ask_approved }
        """,
    )
    files, results, coverage = run(engine, path)
    assert files[0].problems == ()
    assert [r.failure for r in results[:3]] == [None, None, None]
    waiting = engine.flows["waiting"]
    # ask_approved is reached by the reminder only, and counts; so does its button.
    assert coverage.missing_steps(waiting) == []
    assert ("ask_approved", 0) in coverage.pressed("waiting")
    # A reminder that has not come yet fails the test at the line expecting it.
    failure = results[3].failure
    assert failure is not None and failure.code == "convtest.fail.at" and failure.line == 32


def test_an_unreadable_wait_is_a_problem_of_the_test_file_in_both_languages(
    tmp_path: Path, engine: Engine
) -> None:
    path = write(
        tmp_path,
        "flow: waiting\ntests:\n  - name: x\n    steps:\n      - start\n      - wait: 3 tuần\n"
        "      - wait: 2\n",
    )
    file = read_test_file(path, flows=engine.flows)
    assert file.tests == ()
    assert [(p.line, p.column, p.code) for p in file.problems] == [
        (6, 15, "wait.bad_duration"),
        (7, 15, "wait.bad_duration"),
    ]
    assert "'3 tuần' is not a length of time" in file.problems[0].render("en")
    assert "'3 tuần' không phải là một khoảng thời gian" in file.problems[0].render("vi")
    assert "1d, 2h, 30m" in file.problems[1].render("en")
