"""``trolyso run`` as a real process, killed with SIGKILL in the middle of a ticket's relay: after
the restart every message of the conversation reaches the other side, and none is stored twice.
"""

from __future__ import annotations

import asyncio
import re
import signal
import sqlite3
from pathlib import Path

import pytest

from tests.channels.test_telegram_crash import start_bot
from tests.harness import ROOT
from tests.support.fake_bot_process import FakeBotAPIProcess
from tests.support.telegram_updates import callback_update, message_update

ADMIN = 9101
LAN = 9201
RESIDENT = 9301


def write_config(tmp_path: Path, api_base: str) -> Path:
    config = tmp_path / "config.yaml"
    config.write_text(
        f"""
flows_dir: {ROOT / "flows"}
locales_dir: {ROOT / "locales"}
database: {tmp_path / "bot.sqlite3"}
welcome_flow: ""
log_level: WARNING
tickets:
  check_seconds: 0.5
telegram:
  framework: aiogram
  mode: polling
  api_base: {api_base}
  poll_timeout: 1
  chat_messages_per_second: 100
  chat_burst: 100
  admin_ids: [{ADMIN}]
""",
        encoding="utf-8",
    )
    return config


async def wait_for_text(
    fake: FakeBotAPIProcess, chat: int, part: str, count: int = 1, timeout: float = 30
) -> list[str]:
    """Until ``chat`` was sent ``count`` texts containing ``part``; returns them all."""
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        texts = await fake.sent_texts(chat)
        if sum(part in t for t in texts) >= count:
            return texts
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"{part!r} x{count} never sent to {chat}; sent: {texts}")
        await asyncio.sleep(0.05)


async def press(fake: FakeBotAPIProcess, chat: int, label: str) -> None:
    """Press the button ``label`` of the last message that has it."""
    for call in reversed(await fake.calls("sendMessage", chat)):
        markup = call["params"].get("reply_markup") or {}
        for row in markup.get("inline_keyboard", []):
            for button in row:
                if button["text"] == label:
                    update = callback_update(
                        chat, button["callback_data"], message_id=call["result"]["message_id"]
                    )
                    await fake.push_update(update)
                    return
    raise AssertionError(f"no button {label!r} sent to {chat}")


async def test_kill_9_mid_relay_loses_nothing_and_stores_nothing_twice(
    fake_bot_api_process: FakeBotAPIProcess, tmp_path: Path
) -> None:
    fake = fake_bot_api_process
    config = write_config(tmp_path, fake.url)
    bot = start_bot(config)
    try:
        await fake.push_update(message_update(ADMIN, "/invite Thôn 3"))
        texts = await wait_for_text(fake, ADMIN, "Thôn 3")
        match = re.search(r": ([A-Z2-9]{8}) \(", "\n".join(texts))
        assert match, texts
        await fake.push_update(message_update(LAN, f"/join {match.group(1)}"))
        await fake.push_update(message_update(LAN, "/name Lan"))
        await wait_for_text(fake, LAN, "Lan")

        await fake.push_update(message_update(RESIDENT, "/start talk_to_person"))
        await wait_for_text(fake, RESIDENT, "muốn nhờ ai giúp")
        await press(fake, RESIDENT, "Nhắn với người thật ở đây")
        await wait_for_text(fake, RESIDENT, "thôn, tổ dân phố nào")
        await fake.push_update(message_update(RESIDENT, "Thôn 3"))
        await wait_for_text(fake, LAN, "Yêu cầu gặp người: #1 · Thôn 3")
        await fake.push_update(message_update(LAN, "/take 1"))
        await wait_for_text(fake, RESIDENT, "Lan, tình nguyện viên Thôn 3 đã nhận")

        # Both sides write at once; Telegram holds the first relayed message to the resident
        # (committed, not yet delivered), and the bot dies right then, among their messages.
        await fake.delay("sendMessage", 30, chat_id=RESIDENT)
        for n in range(1, 4):
            await fake.push_update(message_update(LAN, f"Tin của Lan {n}"))
            await fake.push_update(message_update(RESIDENT, f"Tin của bác {n}"))
        deadline = asyncio.get_running_loop().time() + 20
        while not [c for c in await fake.calls("sendMessage", RESIDENT) if not c["done"]]:
            assert asyncio.get_running_loop().time() < deadline, "the relay was never attempted"
            await asyncio.sleep(0.02)
        bot.kill()
        bot.wait(timeout=10)
        bot = start_bot(config)

        for n in range(1, 4):
            await wait_for_text(fake, RESIDENT, f"Lan, tình nguyện viên Thôn 3:\nTin của Lan {n}")
            await wait_for_text(fake, LAN, f"👤 #1: Tin của bác {n}")
        with sqlite3.connect(tmp_path / "bot.sqlite3") as db:
            notes = [row[0] for row in db.execute(
                "SELECT text FROM ticket_notes WHERE text LIKE 'Tin của %' ORDER BY id")]
        # Each message was processed exactly once, in each side's order.
        assert sorted(notes) == sorted(
            [f"Tin của Lan {n}" for n in range(1, 4)] + [f"Tin của bác {n}" for n in range(1, 4)]
        )
        assert [n for n in notes if "Lan" in n] == [f"Tin của Lan {n}" for n in range(1, 4)]
        assert [n for n in notes if "bác" in n] == [f"Tin của bác {n}" for n in range(1, 4)]

        await asyncio.sleep(0.5)  # anything sent twice would show up now
        texts = await fake.sent_texts(RESIDENT)
        for n in range(1, 4):
            assert texts.count(f"💬 Lan, tình nguyện viên Thôn 3:\nTin của Lan {n}") == 1
        bot.send_signal(signal.SIGTERM)
        _out, err = bot.communicate(timeout=20)
        assert bot.returncode == 0, err.decode()
        assert b"Traceback" not in err
    finally:
        if bot.poll() is None:
            bot.kill()
            bot.wait()


@pytest.fixture(autouse=True)
def _no_leftover_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TROLYSO_CONFIG", raising=False)
