"""The real ``trolyso`` command, run as a subprocess the way a newcomer or an admin runs it."""

from __future__ import annotations

import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.cli_process import ChatProcess, trolyso
from tests.harness import FIXTURE_FLOWS, ROOT


def test_chat_piped_in_walks_a_flow_and_exits_cleanly_at_end_of_input(tmp_path: Path) -> None:
    result = trolyso(
        "chat", "--user", "an", "--db", str(tmp_path / "db.sqlite3"), input="2\n3\n1\n"
    )  # the install guide, "Bác" (the third form of address), "Android"
    assert result.returncode == 0, result.stderr
    assert "Xin chào!" in result.stdout
    assert "nên xưng hô thế nào" in result.stdout  # the welcome flow, once, before the first guide
    assert "Bác dùng điện thoại loại nào?" in result.stdout
    assert "Tạm biệt!" in result.stdout
    assert result.stderr == ""


def test_chat_in_english_by_words(tmp_path: Path) -> None:
    result = trolyso(
        "chat",
        "--lang",
        "en",
        "--user",
        "bo",
        "--db",
        str(tmp_path / "db.sqlite3"),
        input="Check health insurance (BHYT)\n",
    )
    assert result.returncode == 0, result.stderr
    assert "Hello!" in result.stdout
    assert "Goodbye!" in result.stdout


def test_chat_with_a_draft_folder_of_flows(tmp_path: Path) -> None:
    result = trolyso(
        "chat",
        "--flows",
        str(FIXTURE_FLOWS),
        "--db",
        str(tmp_path / "d.sqlite3"),
        input="/start other\n1\n1\n1\n",
    )
    assert "Mình nên gọi bạn là gì?" in result.stdout  # the draft folder's welcome flow runs first
    assert "Bước một." in result.stdout and "Hết." in result.stdout
    assert "Cài VNeID" in result.stdout  # the live flows are still there, beside the drafts


def test_unknown_button_number_and_blank_lines_are_handled(tmp_path: Path) -> None:
    result = trolyso("chat", "--db", str(tmp_path / "db.sqlite3"), input="\n\n99\n")
    assert "Không có nút số 99" in result.stdout
    assert result.returncode == 0


def test_kill_9_mid_flow_resumes_at_the_same_step_with_the_answers(tmp_path: Path) -> None:
    db = tmp_path / "db.sqlite3"
    args = ("--flows", str(FIXTURE_FLOWS), "--user", "ba", "--db", str(db))
    first = ChatProcess(*args)
    first.read_until("Việc khác")
    first.send("1")  # Thử nghiệm
    first.read_until("Mình nên gọi bạn là gì?")
    first.send("1")  # Bác
    first.read_until("Bác dùng điện thoại gì?")
    first.send("2")  # iPhone
    first.read_until("bao nhiêu tuổi?")
    first.send("72")
    first.read_until("Tên gọi của bác là gì?")
    first.kill()

    second = ChatProcess(*args)
    second.read_until("Tên gọi của bác là gì?")
    assert "quay lại" in second.output
    second.send("Bà Tư")
    second.read_until("Tên: Bà Tư. Đúng không?")
    second.send("Đúng")
    second.read_until("Làm tiếp không?")
    second.send("Không")
    second.read_until("Dừng ở đây")
    code, _output, err = second.finish()
    assert code == 0 and err == ""

    db_rows = (
        sqlite3.connect(db)
        .execute("SELECT flow_id, outcome, path FROM runs ORDER BY id")
        .fetchall()
    )
    assert [(flow, outcome) for flow, outcome, _ in db_rows] == [
        ("welcome", "completed"),
        ("demo_sub", "gave_up"),
        ("demo", "gave_up"),
    ]
    assert '"elderly"' in db_rows[2][2]  # the answer given before the kill (72) still counted


def test_ctrl_c_exits_cleanly_without_a_traceback(tmp_path: Path) -> None:
    chat = ChatProcess("--db", str(tmp_path / "db.sqlite3"))
    chat.read_until("Mời chọn một mục")
    time.sleep(0.2)
    chat.proc.send_signal(signal.SIGINT)
    code, output, err = chat.finish()
    assert code == 0
    assert "Tạm biệt!" in output
    assert "Traceback" not in err


def test_lint_passes_on_the_shipped_flows() -> None:
    result = trolyso("lint")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 lỗi, 0 cảnh báo" in result.stdout


def test_lint_reports_problems_with_lines_in_vietnamese_and_english(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("id: x\nsteps:\n\tfirst: 1\n", encoding="utf-8")
    vi = trolyso("lint", str(bad))
    assert vi.returncode == 1
    assert f"{bad}:3:1: lỗi: có ký tự tab" in vi.stdout
    en = trolyso("lint", "--lang", "en", str(bad))
    assert f"{bad}:3:1: error: there is a tab character" in en.stdout
    assert "Traceback" not in vi.stderr + en.stderr


def test_bot_refuses_to_start_on_broken_flows_and_names_the_problem(tmp_path: Path) -> None:
    (tmp_path / "broken.yaml").write_text("id: x\nversion: 1\n", encoding="utf-8")
    result = trolyso("chat", "--flows", str(tmp_path), "--db", str(tmp_path / "d.sqlite3"))
    assert result.returncode == 2
    assert "khởi động được" in result.stderr and "broken.yaml:1:1" in result.stderr
    assert "Traceback" not in result.stderr


def test_startup_refusal_is_in_vietnamese_by_default(tmp_path: Path) -> None:
    (tmp_path / "broken.yaml").write_text("id: x\nversion: 1\n", encoding="utf-8")
    result = trolyso("chat", "--flows", str(tmp_path), "--db", str(tmp_path / "d.sqlite3"))
    assert result.returncode == 2
    lines = result.stderr.splitlines()
    assert lines[0] == "Bot chưa khởi động được vì các luồng có lỗi:"
    assert f"  {tmp_path / 'broken.yaml'}:1:1: lỗi: thiếu mục 'title' ở đây." in result.stderr
    assert lines[-1] == "Hãy sửa các lỗi này (chạy 'trolyso lint' để kiểm tra) rồi khởi động lại."
    for english in ("cannot start", "error:", "is missing", "Fix them"):
        assert english not in result.stderr


def test_startup_refusal_follows_the_configured_language(tmp_path: Path) -> None:
    (tmp_path / "broken.yaml").write_text("id: x\nversion: 1\n", encoding="utf-8")
    config = tmp_path / "config.yaml"
    config.write_text(f"language: en\nlocales_dir: {ROOT / 'locales'}\n", encoding="utf-8")
    args = ("chat", "--flows", str(tmp_path), "--db", str(tmp_path / "d.sqlite3"))
    result = trolyso("--config", str(config), *args)
    assert result.returncode == 2
    assert result.stderr.startswith("The bot cannot start because the flows have problems:\n")
    assert f"{tmp_path / 'broken.yaml'}:1:1: error: 'title' is missing here." in result.stderr
    assert result.stderr.endswith("Fix them (run 'trolyso lint' to check) and start again.\n")
    assert "lỗi" not in result.stderr


def test_test_command_into_a_closed_pipe_is_quiet() -> None:
    """``trolyso test | head``: when the reader stops reading, the command stops quietly."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "bot", "test"],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert proc.stdout is not None and proc.stderr is not None
    proc.stdout.close()  # like head after its lines: every write now meets a closed pipe
    err = proc.stderr.read().decode()
    assert proc.wait(timeout=60) == 141  # as a Unix tool stopped by the closed pipe
    assert err == ""  # not "unexpected problem: BrokenPipeError", nor "Exception ignored"


def test_lint_summary_counts_in_good_english(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("id: x\nversion: 1\n", encoding="utf-8")
    result = trolyso("lint", "--lang", "en", str(bad))
    assert result.stdout.splitlines()[-1] == "0 flows OK (0 steps); 1 error, 0 warnings."
    shipped = trolyso("lint", "--lang", "en", str(ROOT / "flows" / "welcome.yaml"))
    assert shipped.stdout.splitlines()[-1].startswith("1 flow OK (")


def test_lint_shows_paths_relative_to_the_current_folder(tmp_path: Path) -> None:
    (tmp_path / "drafts").mkdir()
    bad = tmp_path / "drafts" / "bad.yaml"
    bad.write_text("id: x\nsteps:\n\tfirst: 1\n", encoding="utf-8")
    inside = trolyso("lint", str(bad), cwd=tmp_path)  # given absolute, shown relative
    assert inside.stdout.startswith("drafts/bad.yaml:3:1: lỗi: có ký tự tab"), inside.stdout
    roundabout = trolyso("lint", "../drafts/bad.yaml", cwd=tmp_path / "drafts")
    assert roundabout.stdout.startswith("bad.yaml:3:1:"), roundabout.stdout
    (tmp_path / "other").mkdir()
    away = trolyso("lint", "../drafts/bad.yaml", cwd=tmp_path / "other")
    assert away.stdout.startswith(f"{bad}:3:1:"), away.stdout  # outside it: absolute


def test_help_in_the_chat_lists_start_with_a_flow(tmp_path: Path) -> None:
    db = str(tmp_path / "db.sqlite3")
    vi = trolyso("chat", "--db", db, "--user", "h1", input="/help\n")
    assert "/start <mã hướng dẫn> – mở thẳng một hướng dẫn" in vi.stdout
    en = trolyso("chat", "--lang", "en", "--db", db, "--user", "h2", input="/help\n")
    assert "/start <guide id> – open a guide directly" in en.stdout


def test_bad_config_names_the_setting(tmp_path: Path) -> None:
    config = tmp_path / "config.yaml"
    config.write_text("telegram:\n  framework: discord\n", encoding="utf-8")
    result = trolyso("--config", str(config), "lint")
    assert result.returncode == 2
    assert "telegram.framework" in result.stderr and "aiogram" in result.stderr
    config.write_text("databse: x.db\n", encoding="utf-8")
    result = trolyso("--config", str(config), "lint")
    assert "thiết lập 'databse': không phải thiết lập bot biết" in result.stderr  # Vietnamese first
    result = trolyso("--config", str(config), "lint", "--lang", "en")
    assert "setting 'databse': is not a known setting" in result.stderr
    config.write_text("language: [vi\n", encoding="utf-8")
    result = trolyso("--config", str(config), "lint")
    assert result.returncode == 2 and "thiết lập 'dòng 2'" in result.stderr
    assert "Traceback" not in result.stderr


def test_missing_config_file_is_explained(tmp_path: Path) -> None:
    result = trolyso("--config", str(tmp_path / "nope.yaml"), "chat")
    assert result.returncode == 2 and "không có tệp" in result.stderr


def test_unwritable_database_is_explained(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    result = trolyso("chat", "--db", str(blocker / "sub" / "db.sqlite3"), input="")
    assert result.returncode == 2
    assert "không dùng được tệp cơ sở dữ liệu" in result.stderr
    assert "Traceback" not in result.stderr


# --- Admins trying drafts beside the live flows, and reminders in the terminal -------------------

NEW_GUIDE = """\
id: new_guide
version: 1
title: { vi: Hướng dẫn mới, en: New guide }
description: { vi: Thử một hướng dẫn mới., en: Try a new guide. }
triggers: { vi: [huong dan moi], en: [new guide] }
sources: ["A draft"]
checked: 2026-11-23
start: intro
steps:
  intro:
    say: { vi: Trước hết mình cài VNeID nhé., en: First let's install VNeID. }
    choices:
      - label: { vi: Bắt đầu, en: Start }
        go: install
  install:
    flow: vneid_install
    go: done
  done:
    say: { vi: Xong rồi., en: All done. }
    end: completed
"""

NEW_GUIDE_TEST = """\
flow: new_guide
tests:
  - name: into the live install guide and back
    steps:
      - start
      - expect: { at: intro, buttons: [Bắt đầu] }
      - press: Bắt đầu
      - expect: { at: phone_type, says: "Bạn dùng điện thoại loại nào?" }
      - press: Không có máy cảm ứng
      - expect: { says: "Xong rồi." }
    outcome: completed
"""


def drafts_folder(tmp_path: Path) -> Path:
    """A draft folder with one new flow that calls the live vneid_install, and its test."""
    drafts = tmp_path / "drafts"
    (drafts / "tests").mkdir(parents=True)
    (drafts / "new_guide.yaml").write_text(NEW_GUIDE, encoding="utf-8")
    (drafts / "tests" / "new_guide.test.yaml").write_text(NEW_GUIDE_TEST, encoding="utf-8")
    return drafts


@pytest.mark.parametrize("flow", sorted((ROOT / "flows").glob("*.yaml")), ids=lambda p: p.stem)
def test_single_file_lint_of_every_shipped_flow_passes(flow: Path) -> None:
    result = trolyso("lint", str(flow.relative_to(ROOT)))
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.startswith("1 luồng hợp lệ") and "0 lỗi, 0 cảnh báo" in result.stdout


def test_lint_a_draft_against_the_live_library(tmp_path: Path) -> None:
    drafts = drafts_folder(tmp_path)
    # The live library has a problem of its own: not the draft's fault, so not shown.
    live = tmp_path / "live"
    shutil.copytree(ROOT / "flows", live, ignore=shutil.ignore_patterns("tests"))
    (live / "unfinished.yaml").write_text("id: unfinished\n", encoding="utf-8")
    config = tmp_path / "config.yaml"
    config.write_text(f"flows_dir: {live}\nlocales_dir: {ROOT / 'locales'}\n", encoding="utf-8")
    ok = trolyso("--config", str(config), "lint", str(drafts / "new_guide.yaml"))
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert ok.stdout == "1 luồng hợp lệ (3 bước); 0 lỗi, 0 cảnh báo.\n"
    # A draft with a live flow's id replaces it (no "duplicate id"); a broken draft says why.
    talk = (ROOT / "flows" / "talk_to_person.yaml").read_text(encoding="utf-8")
    (drafts / "talk_again.yaml").write_text(talk.replace("version: 1", "version: 2"), "utf-8")
    (drafts / "broken.yaml").write_text(
        NEW_GUIDE.replace("id: new_guide", "id: broken").replace("go: done", "go: dnoe"), "utf-8"
    )
    mixed = trolyso("--config", str(config), "lint", "--lang", "en", str(drafts))
    assert mixed.returncode == 1
    assert "unfinished.yaml" not in mixed.stdout and "duplicate" not in mixed.stdout
    assert "broken.yaml:" in mixed.stdout and "'dnoe'" in mixed.stdout
    assert mixed.stdout.splitlines()[-1].startswith("2 flows OK (")


def test_chat_with_drafts_reaches_into_a_live_sub_flow(tmp_path: Path) -> None:
    drafts = drafts_folder(tmp_path)
    args = ("--flows", str(drafts), "--db", str(tmp_path / "db.sqlite3"))
    result = trolyso("chat", *args, input="/start new_guide\nEm hoặc bạn\nBạn\nBắt đầu\n")
    assert result.returncode == 0, result.stderr
    assert f"Đang thử bản nháp trong {drafts}" in result.stdout and "new_guide." in result.stdout
    assert "Trước hết mình cài VNeID nhé." in result.stdout
    assert "Bạn dùng điện thoại loại nào?" in result.stdout  # the live vneid_install, as a sub-flow
    assert "--flows DRAFTS" in trolyso("chat", "--help").stdout


def test_test_with_drafts_runs_their_tests_and_prints_their_coverage_only(tmp_path: Path) -> None:
    drafts = drafts_folder(tmp_path)
    result = trolyso("test", "--flows", str(drafts))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "✓" in result.stdout and "into the live install guide and back" in result.stdout
    assert "  new_guide: 3/3 bước, 1/1 lựa chọn" in result.stdout
    assert "vneid_install" not in result.stdout  # the live flows are tested on their own
    assert result.stdout.splitlines()[-1] == "1 bài kiểm tra: 1 đạt, 0 không đạt."


def test_a_draft_replaces_the_live_flow_with_its_id_for_that_run_only(tmp_path: Path) -> None:
    drafts = tmp_path / "drafts"
    drafts.mkdir()
    talk = (ROOT / "flows" / "talk_to_person.yaml").read_text(encoding="utf-8")
    assert "muốn nhờ ai giúp{{ a }}?" in talk
    changed = talk.replace("muốn nhờ ai giúp{{ a }}?", "cần ai giúp (bản nháp)?")
    (drafts / "nhap.yaml").write_text(changed, encoding="utf-8")
    db = str(tmp_path / "db.sqlite3")
    args = ("chat", "--user", "an", "--db", db)
    draft = trolyso(*args, "--flows", str(drafts), input="/start talk_to_person\nEm hoặc bạn\nBạn\n")
    assert draft.returncode == 0, draft.stderr
    assert "cần ai giúp (bản nháp)?" in draft.stdout and "muốn nhờ ai giúp?" not in draft.stdout
    live = trolyso(*args, input="/restart\n")
    assert "muốn nhờ ai giúp?" in live.stdout and "(bản nháp)" not in live.stdout


def test_graph_draws_a_flow_of_a_draft_folder(tmp_path: Path) -> None:
    drafts = drafts_folder(tmp_path)
    result = trolyso("graph", "--flows", str(drafts), "new_guide")
    assert result.returncode == 0, result.stderr
    assert '    install[["install<br/>↪ vneid_install"]]' in result.stdout
    live = trolyso("graph", "--flows", str(drafts), "vneid_install")  # the live ones are there too
    assert live.returncode == 0 and "ask_approved" in live.stdout


WAITING_FOR_APPROVAL = "/start vneid_activate\nBác\nKích hoạt lần đầu\nChưa có tin nhắn\n"


def test_wait_in_a_trying_chat_shows_the_reminder(tmp_path: Path) -> None:
    morning = {"TROLYSO_FAKE_NOW": "2026-11-24T09:00:00+07:00"}
    db = str(tmp_path / "db.sqlite3")
    result = trolyso(
        "chat", "--try", "--db", db, input=WAITING_FOR_APPROVAL + "/wait 1d\n", env=morning
    )
    assert result.returncode == 0, result.stderr
    assert "/wait 1d cho một ngày trôi qua" in result.stdout  # said when the chat starts
    out = result.stdout.split("/wait 1d\n", 1)[1]
    assert "⏩ Sau 1d: bây giờ là 09:00 25/11/2026" in out
    assert "⏰ Lúc 09:00 25/11/2026 bot gửi nhắc nhở:" in out
    assert "Bác nhận được tin nhắn đó chưa?" in out
    # Due in quiet hours, a reminder is held back until the morning, and the chat says so.
    evening = {"TROLYSO_FAKE_NOW": "2026-11-24T22:00:00+07:00"}
    input = WAITING_FOR_APPROVAL + "/wait 1d\n/wait 9h\n"
    quiet = trolyso("chat", "--try", "--db", db, "--user", "ba", input=input, env=evening)
    first, second = quiet.stdout.split("/wait 1d\n", 1)[1].split("/wait 9h\n")
    assert "giờ yên lặng (21:00–07:00): nó sẽ được gửi lúc 07:00 26/11/2026" in first
    assert "Gõ /wait 9h để xem." in first and "Bác nhận được tin nhắn đó chưa?" not in first
    assert "Bác nhận được tin nhắn đó chưa?" in second


def test_wait_is_refused_as_an_unknown_command_without_try_or_drafts(tmp_path: Path) -> None:
    db = str(tmp_path / "db.sqlite3")
    result = trolyso("chat", "--db", db, input=WAITING_FOR_APPROVAL + "/wait 1d\n")
    assert result.returncode == 0, result.stderr
    assert "Cháu không biết lệnh /wait. Bác gõ /help để xem các lệnh." in result.stdout
    assert "⏩" not in result.stdout and "Chế độ thử" not in result.stdout


def test_a_read_only_database_says_permissions_not_delete_it(tmp_path: Path) -> None:
    """As root every file is writable: run the chat as the user 'nobody' to see a read-only one."""
    folder = tmp_path / "ro"
    folder.mkdir()
    first = trolyso("chat", "--db", str(folder / "d.sqlite3"), input="")
    assert first.returncode == 0, first.stderr
    (folder / "d.sqlite3").chmod(0o444)
    folder.chmod(0o555)
    tmp_path.chmod(0o755)
    drop = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"] if os.getuid() == 0 else []
    result = subprocess.run(
        [*drop, sys.executable, "-m", "bot", "chat", "--db", str(folder / "d.sqlite3")],
        input="",
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=60,
    )
    assert result.returncode == 2, result.stderr
    assert "không ghi được tệp cơ sở dữ liệu" in result.stderr and "chmod" in result.stderr
    assert "xóa tệp để bắt đầu lại" not in result.stderr and "Traceback" not in result.stderr
