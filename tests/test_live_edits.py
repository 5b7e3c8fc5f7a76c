"""An admin edits the flow a resident is in, through the real ``trolyso`` processes.

The bug these pin (issue "Admins edit live flows safely"): rename or remove the step a resident is
on, forget to raise ``version:``, and the resident got a traceback in the log and "Xin lỗi, bước
này đang bị trục trặc" on every message from then on. Now they are told the guide was updated and
offered the nearest step or a fresh start, with or without a version bump.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.cli_process import trolyso
from tests.harness import FIXTURE_FLOWS, ROOT
from tests.support.fake_bot_api import DEFAULT_TOKEN
from tests.support.fake_bot_process import FakeBotAPIProcess
from tests.support.telegram_updates import callback_update, message_update

UPDATED = "vừa được cập nhật"
PHONE_QUESTION = "Bác dùng điện thoại loại nào?"
CARD_QUESTION = "Trước hết, bác cần thẻ căn cước gắn chip"


def _replace(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new), encoding="utf-8")


def rename_step(flow: Path) -> None:
    _replace(flow, "need_card", "need_chip_card")


def remove_step(flow: Path) -> None:
    text = flow.read_text(encoding="utf-8")
    start, end = text.index("  need_card:\n"), text.index("  need_phone:\n")
    flow.write_text((text[:start] + text[end:]).replace("go: need_card", "go: need_phone"), "utf-8")


def change_kind(flow: Path) -> None:
    """need_card becomes a typed question instead of buttons."""
    text = flow.read_text(encoding="utf-8")
    start = text.index("    choices:\n", text.index("  need_card:\n"))
    end = text.index("  need_phone:\n")
    typed = "    ask: { type: text, save_as: card_note }\n    go: need_phone\n\n"
    flow.write_text(text[:start] + typed + text[end:], encoding="utf-8")


def bump_version(flow: Path) -> None:
    _replace(flow, "version: ", "version: 1")  # 3 -> 13, whatever it was: a new number


EDITS: dict[str, Callable[[Path], None]] = {
    "renamed": rename_step,
    "removed": remove_step,
    "changed_kind": change_kind,
}


@pytest.mark.parametrize("bump", [False, True], ids=["version_kept", "version_raised"])
@pytest.mark.parametrize("edit", list(EDITS))
def test_terminal_chat_after_the_step_was_edited_offers_the_nearest_step(
    tmp_path: Path, edit: str, bump: bool
) -> None:
    flows, db = tmp_path / "F", tmp_path / "D.sqlite3"
    shutil.copytree(ROOT / "flows", flows)
    chat = ("chat", "--flows", str(flows), "--user", "r", "--db", str(db))
    first = trolyso(*chat, input="2\n3\n1\n")  # the install guide, "Bác" (the third form), Android
    assert CARD_QUESTION in first.stdout, first.stdout + first.stderr

    EDITS[edit](flows / "vneid_install.yaml")
    if bump:
        bump_version(flows / "vneid_install.yaml")
    assert trolyso("lint", str(flows)).returncode == 0  # the edit itself is valid

    later = trolyso(*chat, input="1\n1\n")
    assert later.returncode == 0
    assert "Traceback" not in later.stderr and "KeyError" not in later.stderr, later.stderr
    assert "trục trặc" not in later.stdout
    offer, after = later.stdout.split("Bạn: 1", 1)
    assert UPDATED in offer and "Làm tiếp từ bước gần nhất" in offer and "Bắt đầu lại" in offer
    assert PHONE_QUESTION in after  # the last step of their history that still exists
    assert "Bạn: 1" in after and ("Tiếp theo, cần số điện thoại" in after or CARD_QUESTION in after)


def test_terminal_chat_after_the_flow_file_was_deleted_shows_the_menu(tmp_path: Path) -> None:
    flows, db = tmp_path / "F", tmp_path / "D.sqlite3"
    shutil.copytree(FIXTURE_FLOWS, flows)
    chat = ("chat", "--flows", str(flows), "--user", "r", "--db", str(db))
    first = trolyso(*chat, input="/start other\nBạn\nTiếp\n")
    assert "Bước hai." in first.stdout, first.stdout + first.stderr
    (flows / "other.yaml").unlink()
    later = trolyso(*chat, input="Xong\n")
    assert later.returncode == 0 and "Traceback" not in later.stderr, later.stderr
    assert "không còn nữa" in later.stdout and "Thử nghiệm" in later.stdout


def test_terminal_chat_tells_the_admin_once_about_a_template_failing_at_run_time(
    tmp_path: Path,
) -> None:
    flows, db = tmp_path / "F", tmp_path / "D.sqlite3"
    shutil.copytree(FIXTURE_FLOWS, flows)
    _replace(flows / "other.yaml", "say: { vi: Bước hai., en: Step two. }", 'say: "{{ (1 / 0) }}"')
    chat = ("chat", "--flows", str(flows), "--user", "r", "--db", str(db))
    run = trolyso(*chat, input="/start other\nBạn\nTiếp\nViệc khác\nTiếp\n")
    assert run.returncode == 0
    assert "Traceback" not in run.stderr, run.stderr
    assert run.stdout.count("đã báo người phụ trách") == 2  # each time: a kind word, the menu
    assert run.stderr.count("Một hướng dẫn bị lỗi khi người dân đang dùng") == 1  # told once
    assert "other.yaml:16:1" in run.stderr and "[bước second]" in run.stderr
    assert "ZeroDivisionError" in run.stderr


# --- a running Telegram bot that hot-reloads the edit ----------------------------------------------

CHAT = 4242


def _config(tmp_path: Path, flows: Path, api_base: str) -> Path:
    config = tmp_path / "config.yaml"
    config.write_text(
        f"""
flows_dir: {flows}
locales_dir: {ROOT / "locales"}
database: {tmp_path / "bot.sqlite3"}
welcome_flow: ""
log_level: WARNING
telegram:
  framework: aiogram
  mode: polling
  api_base: {api_base}
  poll_timeout: 1
  admin_chat_ids: [9001]
  chat_messages_per_second: 100
  chat_burst: 100
""",
        encoding="utf-8",
    )
    return config


async def _wait_text(fake: FakeBotAPIProcess, chat: int, needle: str, timeout: float = 20) -> str:
    deadline = time.monotonic() + timeout
    while True:
        found = [t for t in await fake.sent_texts(chat) if needle in t]
        if found:
            return found[-1]
        if time.monotonic() > deadline:
            raise AssertionError(f"{needle!r} never sent; sent: {await fake.sent_texts(chat)}")
        await asyncio.sleep(0.05)


async def _press(fake: FakeBotAPIProcess, label: str) -> None:
    call = (await fake.calls("sendMessage", CHAT))[-1]
    rows = call["params"]["reply_markup"]["inline_keyboard"]
    [data] = [b["callback_data"] for row in rows for b in row if label in b["text"]]
    await fake.push_update(
        callback_update(CHAT, data, message_id=call["result"]["message_id"])
    )


async def test_running_telegram_bot_hot_reloads_a_renamed_step_without_a_version_bump(
    fake_bot_api_process: FakeBotAPIProcess, tmp_path: Path
) -> None:
    fake = fake_bot_api_process
    flows = tmp_path / "flows"
    shutil.copytree(FIXTURE_FLOWS, flows)
    bot = subprocess.Popen(
        [sys.executable, "-m", "bot", "--config", str(_config(tmp_path, flows, fake.url)), "run"],
        cwd=ROOT,
        env={**os.environ, "TROLYSO_BOT_TOKEN": DEFAULT_TOKEN},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        await fake.push_update(message_update(CHAT, "/start other"))
        await _wait_text(fake, CHAT, "Bước một.")
        await _press(fake, "Tiếp")
        await _wait_text(fake, CHAT, "Bước hai.")

        _replace(flows / "other.yaml", "second", "second_renamed")  # version: stays 1
        later = time.time() + 2
        os.utime(flows / "other.yaml", (later, later))
        await asyncio.sleep(3)  # the bot looks for edits every 2 seconds

        await fake.push_update(message_update(CHAT, "Xong"))
        offer = await _wait_text(fake, CHAT, UPDATED)
        assert "bắt đầu lại" in offer
        await _press(fake, "Làm tiếp từ bước gần nhất")
        await asyncio.sleep(0.3)
        await _wait_text(fake, CHAT, "Bước một.")
        assert (await fake.sent_texts(CHAT)).count("Bước một.") == 2
        await _press(fake, "Tiếp")
        await asyncio.sleep(0.3)
        assert (await fake.sent_texts(CHAT))[-1] == "Bước hai."
        assert not await fake.sent_texts(9001)  # a valid edit: nothing for the admins
    finally:
        bot.send_signal(signal.SIGTERM)
        _out, err = bot.communicate(timeout=30)
    text = err.decode()
    assert bot.returncode == 0, text
    assert "Traceback" not in text and "KeyError" not in text, text
