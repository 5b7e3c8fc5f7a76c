"""A follow-up scheduled before ``kill -9`` is sent exactly once after the restart."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
from pathlib import Path

from tests.channels.test_telegram_crash import wait_text
from tests.harness import FIXTURE_FLOWS, ROOT
from tests.support.fake_bot_api import DEFAULT_TOKEN
from tests.support.fake_bot_process import FakeBotAPIProcess
from tests.support.telegram_updates import message_update

CHAT = 3131
REMINDER = "Bạn đã nhận được tin nhắn phê duyệt chưa?"


def start(config: Path, now: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "bot", "--config", str(config), "run"],
        cwd=ROOT,
        env={**os.environ, "TROLYSO_BOT_TOKEN": DEFAULT_TOKEN, "TROLYSO_FAKE_NOW": now},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )


async def test_follow_up_survives_kill_9_and_fires_once(
    fake_bot_api_process: FakeBotAPIProcess, tmp_path: Path
) -> None:
    fake = fake_bot_api_process
    config = tmp_path / "config.yaml"
    config.write_text(
        f"""
flows_dir: {FIXTURE_FLOWS}
locales_dir: {ROOT / "locales"}
database: {tmp_path / "bot.sqlite3"}
welcome_flow: ""
log_level: WARNING
telegram:
  api_base: {fake.url}
  poll_timeout: 1
reminders:
  tick_seconds: 0.2
""",
        encoding="utf-8",
    )
    bot = start(config, "2026-11-24T09:00:00+07:00")
    try:
        await fake.push_update(message_update(CHAT, "/start waiting"))
        await wait_text(fake, 'Đã gửi hồ sơ. Khi có tin nhắn phê duyệt, bấm "Đã nhận".')
        bot.kill()  # the follow-up was committed with the turn; nothing else happens
        bot.wait(timeout=10)

        bot = start(config, "2026-11-25T09:30:00+07:00")  # a day later
        await wait_text(fake, REMINDER)
        bot.send_signal(signal.SIGTERM)
        assert bot.wait(timeout=20) == 0

        bot = start(config, "2026-11-25T10:00:00+07:00")  # and again: nothing more to send
        await fake.wait_for("deleteWebhook", count=3, timeout=20)  # the third run is up
        await asyncio.sleep(1.5)  # several scheduler passes
        assert (await fake.sent_texts(CHAT)).count(REMINDER) == 1
        bot.send_signal(signal.SIGTERM)
        _out, err = bot.communicate(timeout=20)
        assert bot.returncode == 0 and b"Traceback" not in err
    finally:
        if bot.poll() is None:
            bot.kill()
            bot.wait()
