"""The real ``trolyso`` command, run as a subprocess the way a newcomer or an admin runs it."""

from __future__ import annotations

import signal
import sqlite3
import time
from pathlib import Path

from tests.cli_process import ChatProcess, trolyso
from tests.harness import FIXTURE_FLOWS


def test_chat_piped_in_walks_a_flow_and_exits_cleanly_at_end_of_input(tmp_path: Path) -> None:
    result = trolyso(
        "chat", "--user", "an", "--db", str(tmp_path / "db.sqlite3"), input="2\n1\n1\n"
    )
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
    assert "Cài VNeID" not in result.stdout


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
    assert "cannot start" in result.stderr and "broken.yaml:1:1" in result.stderr
    assert "Traceback" not in result.stderr


def test_bad_config_names_the_setting(tmp_path: Path) -> None:
    config = tmp_path / "config.yaml"
    config.write_text("telegram:\n  framework: discord\n", encoding="utf-8")
    result = trolyso("--config", str(config), "lint")
    assert result.returncode == 2
    assert "telegram.framework" in result.stderr and "aiogram" in result.stderr
    config.write_text("databse: x.db\n", encoding="utf-8")
    result = trolyso("--config", str(config), "lint")
    assert "'databse'" in result.stderr and "not a known setting" in result.stderr
    config.write_text("language: [vi\n", encoding="utf-8")
    result = trolyso("--config", str(config), "lint")
    assert result.returncode == 2 and "line" in result.stderr
    assert "Traceback" not in result.stderr


def test_missing_config_file_is_explained(tmp_path: Path) -> None:
    result = trolyso("--config", str(tmp_path / "nope.yaml"), "chat")
    assert result.returncode == 2 and "does not exist" in result.stderr


def test_unwritable_database_is_explained(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    result = trolyso("chat", "--db", str(blocker / "sub" / "db.sqlite3"), input="")
    assert result.returncode == 2
    assert "cannot use the database file" in result.stderr
    assert "Traceback" not in result.stderr
