"""Replies leave in the order their turns committed, and none stays stuck in the outbox.

Regression tests for issue "Nothing lost under faults", items 4 and 5: a press followed quickly by
a typed message used to get the typed message's reply first (delivery waited for
answerCallbackQuery before taking the chat's lock); after a storm of 502s a reply waited in the
outbox until the resident wrote again, and an HTML 502 page under aiogram left a traceback and a
reply pending forever.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from tests.channels.tg_harness import Resident, TelegramRig, outbox_emptied, wait_until
from tests.support.fake_bot_api import FakeBotAPI
from tests.support.telegram_updates import callback_update, message_update

FRAMEWORKS = ["aiogram", "ptb"]
HELP = "Các lệnh bạn có thể dùng"


@pytest.mark.parametrize("framework", FRAMEWORKS)
async def test_press_then_type_replies_leave_in_commit_order(
    framework: str, fake_bot_api: FakeBotAPI, tmp_path: Path
) -> None:
    rig = TelegramRig(fake_bot_api, framework, "polling", tmp_path / "db.sqlite3")
    await rig.start()
    try:
        residents = [Resident(rig, 7100 + n) for n in range(10)]
        for resident in residents:
            await resident.send("/start other")
        # Telegram is slow to answer the button presses: the replies must still come in order.
        fake_bot_api.delay("answerCallbackQuery", 0.4, times=None)
        for resident in residents:
            data = resident.button_data("Tiếp")
            message_id = resident.last_message_id()
            resident._begin()
            fake_bot_api.push_update(
                callback_update(resident.user_id, data, message_id=message_id)
            )
            fake_bot_api.push_update(message_update(resident.user_id, "/help"))
        for resident in residents:
            await wait_until(lambda r=resident: any(HELP in t for t in r.texts))
        for resident in residents:
            texts = resident.texts
            first_help = next(i for i, t in enumerate(texts) if HELP in t)
            assert texts.index("Bước hai.") < first_help, texts
    finally:
        await rig.stop()


@pytest.mark.parametrize("framework", FRAMEWORKS)
async def test_replies_stuck_after_a_502_storm_are_sent_in_the_background(
    framework: str, fake_bot_api: FakeBotAPI, tmp_path: Path
) -> None:
    rig = TelegramRig(fake_bot_api, framework, "polling", tmp_path / "db.sqlite3")
    await rig.start()
    try:
        an = Resident(rig, 7201)
        # More failures than one send retries (5): the reply is left waiting in the outbox.
        fake_bot_api.fail("sendMessage", status=502, times=7, chat_id=an.user_id)
        await an.send("/start other")
        assert await rig.storage.pending_outbox(an.key)  # still waiting, nobody wrote again
        await wait_until(lambda: "Bước một." in an.texts, timeout=20)
        assert an.texts == ["Bước một."]
        await outbox_emptied(rig.storage, an.key)
        await an.press("Tiếp")
        assert an.texts == ["Bước hai."]
    finally:
        await rig.stop()


async def test_an_html_502_page_on_send_is_retried_in_order_without_a_traceback(
    fake_bot_api: FakeBotAPI, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    rig = TelegramRig(fake_bot_api, "aiogram", "polling", tmp_path / "db.sqlite3")
    await rig.start()
    try:
        an = Resident(rig, 7301)
        page = "<html><body><h1>502 Bad Gateway</h1><hr>nginx</body></html>"
        fake_bot_api.fail("sendMessage", status=502, raw=page, times=6, chat_id=an.user_id)
        await an.send("/start other")
        fake_bot_api.push_update(message_update(an.user_id, "/help"))
        await wait_until(lambda: any(HELP in t for t in an.texts), timeout=25)
        texts = an.texts
        assert texts[0] == "Bước một." and HELP in texts[-1], texts  # the older reply first
        await outbox_emptied(rig.storage, an.key)
        tracebacks = [(r.name, r.getMessage()) for r in caplog.records if r.exc_info]
        assert not tracebacks, tracebacks
    finally:
        await rig.stop()


async def test_stopping_while_a_chat_waits_out_a_long_retry_after_is_bounded(
    fake_bot_api: FakeBotAPI, tmp_path: Path
) -> None:
    rig = TelegramRig(fake_bot_api, "ptb", "polling", tmp_path / "db.sqlite3")
    await rig.start()
    stopped = False
    try:
        an = Resident(rig, 7401)
        fake_bot_api.fail("sendMessage", status=429, retry_after=600, chat_id=an.user_id)
        await an.send("/start other", wait=False)
        await wait_until(lambda: any(c.failed_status == 429 for c in fake_bot_api.calls))
        began = time.monotonic()
        await rig.stop()
        stopped = True
        took = time.monotonic() - began
        print(f"\nstopped in {took:.1f} s while a chat waited out retry_after=600")
        assert took < 20
        reopened = type(rig.storage)(rig.db)
        await reopened.open()
        try:
            assert [r.message.text for r in await reopened.pending_outbox(an.key)] == ["Bước một."]
        finally:
            await reopened.close()
    finally:
        if not stopped:
            await rig.stop()
