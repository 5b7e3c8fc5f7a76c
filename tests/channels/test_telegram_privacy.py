"""Issue 14, item 6: a real ``trolyso run`` leaves no typed number on disk, even killed with -9."""

from __future__ import annotations

import asyncio
import signal
from pathlib import Path

from tests.channels.test_telegram_crash import CHAT, start_bot, texts_to, write_config
from tests.support.fake_bot_process import FakeBotAPIProcess
from tests.support.on_disk import on_disk
from tests.support.telegram_updates import message_update

TYPED = (b"0912345678", b"912345678", b"482913", b"0987654321")
# A reply's own words: once they are gone from the file and its log, so is the outbox row.
ECHO = "Mình không tìm thấy hướng dẫn"


async def _sent(fake: FakeBotAPIProcess, part: str, count: int = 1, timeout: float = 20) -> str:
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        found = [text for text in await texts_to(fake) if part in text]
        if len(found) >= count:
            return found[-1]
        assert asyncio.get_running_loop().time() < deadline, await texts_to(fake)
        await asyncio.sleep(0.05)


async def test_numbers_stored_in_clear_item6_nothing_typed_is_on_disk_after_kill_9(
    fake_bot_api_process: FakeBotAPIProcess, tmp_path: Path
) -> None:
    fake = fake_bot_api_process
    db = tmp_path / "bot.sqlite3"
    bot = start_bot(write_config(tmp_path, fake.url, "aiogram"))
    try:
        await fake.push_update(message_update(CHAT, "/start 0912345678"))
        assert f'{ECHO} "[PHONE]"' in await _sent(fake, ECHO)
        await fake.push_update(message_update(CHAT, "OTP482913"))
        await _sent(fake, "mình chưa hiểu ý bạn")
        await fake.push_update(message_update(CHAT, "/start other"))
        await _sent(fake, "Bước một.")
        # Delivered replies are deleted at once; the log forgets them a moment later.
        deadline = asyncio.get_running_loop().time() + 10
        while ECHO.encode() in on_disk(db) or "Bước một.".encode() in on_disk(db):
            assert asyncio.get_running_loop().time() < deadline, "the log was never emptied"
            await asyncio.sleep(0.05)
        bot.kill()  # SIGKILL: no clean close
        bot.wait(timeout=10)
        raw = on_disk(db)
        assert db.with_name(db.name + "-wal").exists()  # a crash leaves the log behind...
        assert ECHO.encode() not in raw and "Bước một.".encode() not in raw
        for typed in TYPED:  # ... and nothing typed in it or in the file
            assert typed not in raw
        assert b"CREATE TABLE outbox" in raw  # what was searched is the real file

        # Started again, and stopped cleanly this time right after a reply.
        bot = start_bot(write_config(tmp_path, fake.url, "aiogram"))
        await fake.push_update(message_update(CHAT, "/start 0987654321"))
        assert f'{ECHO} "[PHONE]"' in await _sent(fake, "[PHONE]", count=2)
        bot.send_signal(signal.SIGTERM)
        _out, err = bot.communicate(timeout=20)
        assert bot.returncode == 0 and b"Traceback" not in err, err.decode()
        raw = on_disk(db)
        assert b"0987654321" not in raw and ECHO.encode() not in raw
    finally:
        if bot.poll() is None:
            bot.kill()
            bot.wait()
    texts = "\n".join(await texts_to(fake))
    assert all(typed.decode() not in texts for typed in TYPED)
