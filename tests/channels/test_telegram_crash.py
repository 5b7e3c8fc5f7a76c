"""``trolyso run`` as a real process: killed mid-update, restarted, nothing lost or done twice."""

from __future__ import annotations

import asyncio
import os
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from tests.harness import FIXTURE_FLOWS, ROOT
from tests.support.fake_bot_api import DEFAULT_TOKEN
from tests.support.fake_bot_process import FakeBotAPIProcess
from tests.support.telegram_updates import callback_update, message_update

CHAT = 3131


def write_config(tmp_path: Path, api_base: str, framework: str) -> Path:
    config = tmp_path / "config.yaml"
    config.write_text(
        f"""
flows_dir: {FIXTURE_FLOWS}
locales_dir: {ROOT / "locales"}
database: {tmp_path / "bot.sqlite3"}
welcome_flow: ""
log_level: WARNING
telegram:
  framework: {framework}
  mode: polling
  api_base: {api_base}
  poll_timeout: 1
  chat_messages_per_second: 100
  chat_burst: 100
""",
        encoding="utf-8",
    )
    return config


def start_bot(config: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "bot", "--config", str(config), "run"],
        cwd=ROOT,
        env={**os.environ, "TROLYSO_BOT_TOKEN": DEFAULT_TOKEN},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )


async def texts_to(fake: FakeBotAPIProcess) -> list[str]:
    return await fake.sent_texts(CHAT)


async def wait_text(fake: FakeBotAPIProcess, text: str, count: int = 1, timeout: float = 20) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while (await texts_to(fake)).count(text) < count:
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"{text!r} x{count} never sent; sent: {await texts_to(fake)}")
        await asyncio.sleep(0.05)


@pytest.mark.parametrize("framework", ["aiogram", "ptb"])
async def test_kill_9_mid_update_then_restart_continues_exactly_once(
    framework: str, fake_bot_api_process: FakeBotAPIProcess, tmp_path: Path
) -> None:
    fake = fake_bot_api_process
    config = write_config(tmp_path, fake.url, framework)
    bot = start_bot(config)
    try:
        await fake.push_update(message_update(CHAT, "/start other"))
        await wait_text(fake, "Bước một.")
        keyboard_call = (await fake.calls("sendMessage", CHAT))[-1]
        data = keyboard_call["params"]["reply_markup"]["inline_keyboard"][0][0]["callback_data"]
        message_id = keyboard_call["result"]["message_id"]

        # The reply to this press will hang in Telegram's hands: the turn is committed, the reply
        # not yet delivered, the update not yet confirmed. That is when the process dies.
        await fake.delay("sendMessage", 30, chat_id=CHAT)
        await fake.push_update(callback_update(CHAT, data, message_id=message_id))
        deadline = asyncio.get_running_loop().time() + 20
        while not [c for c in await fake.calls("sendMessage", CHAT) if not c["done"]]:
            assert asyncio.get_running_loop().time() < deadline, "the reply was never attempted"
            await asyncio.sleep(0.05)
        bot.kill()
        bot.wait(timeout=10)

        # While the bot is down the resident types the next answer.
        await fake.push_update(message_update(CHAT, "Xong"))
        bot = start_bot(config)
        await wait_text(fake, "Hết.")
        await asyncio.sleep(0.5)  # anything processed twice would show up now
        texts = await texts_to(fake)
        assert texts.count("Bước hai.") == 1  # the committed reply was delivered once, after restart
        assert texts.count("Hết.") == 1

        db = sqlite3.connect(tmp_path / "bot.sqlite3")
        runs = db.execute("SELECT flow_id, outcome, path FROM runs").fetchall()
        db.close()
        assert runs == [("other", "completed", '["first", "second", "finish"]')]

        bot.send_signal(signal.SIGTERM)  # graceful shutdown
        out, err = bot.communicate(timeout=20)
        assert bot.returncode == 0, err.decode()
        assert b"Traceback" not in err
        assert DEFAULT_TOKEN.encode() not in out + err
    finally:
        if bot.poll() is None:
            bot.kill()
            bot.wait()
