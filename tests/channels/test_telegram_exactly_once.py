"""Redelivered updates change nothing; buttons cannot be forged; the webhook checks its secret."""

from __future__ import annotations

import asyncio
from pathlib import Path

import aiohttp
import pytest

from tests.channels.tg_harness import SECRET, Resident, TelegramRig
from tests.support.fake_bot_api import FakeBotAPI
from tests.support.telegram_updates import message_update


def sends_to(rig: TelegramRig, chat_id: int) -> int:
    return len([c for c in rig.api.calls if c.ok and c.method in ("sendMessage", "sendPhoto") and c.chat_id == chat_id])


async def test_duplicate_update_sequential_is_processed_once(rig: TelegramRig) -> None:
    an = Resident(rig, 101)
    await an.send("/start other")
    update = {**message_update(101, "Tiếp"), "update_id": 900_001}
    await rig.deliver(update)
    before = sends_to(rig, 101)
    session = await rig.storage.load(an.key)
    assert session is not None and session.stack[0].step == "second"
    if rig.mode == "webhook":
        status = await rig.api.deliver_webhook(rig.webhook_url, update, secret_token=SECRET)
        assert status == 200  # acknowledged, so Telegram stops retrying
    else:
        await rig.bot.poller.process_batch([rig.bot.adapter.parse(update)])  # type: ignore[union-attr]
    await rig.bot.delivery.drain()
    after = await rig.storage.load(an.key)
    assert after is not None and after.stack[0].step == "second" and after.turn == session.turn
    assert sends_to(rig, 101) == before


async def test_duplicate_update_arriving_at_the_same_moment(rig: TelegramRig) -> None:
    an = Resident(rig, 102)
    await an.send("/start other")
    update = {**message_update(102, "Tiếp"), "update_id": 900_002}
    if rig.mode == "webhook":
        statuses = await asyncio.gather(
            *(rig.api.deliver_webhook(rig.webhook_url, update, secret_token=SECRET) for _ in range(2))
        )
        assert statuses == [200, 200]
    else:
        parsed = rig.bot.adapter.parse(update)
        await rig.bot.poller.process_batch([parsed, rig.bot.adapter.parse(update)])  # type: ignore[union-attr]
    await rig.bot.delivery.drain()
    session = await rig.storage.load(an.key)
    assert session is not None and session.stack[0].step == "second"
    texts = [c.params["text"] for c in rig.api.calls if c.ok and c.method == "sendMessage" and c.chat_id == 102]
    assert texts.count("Bước hai.") == 1


async def test_stale_and_forged_buttons_show_the_current_step_and_change_nothing(rig: TelegramRig) -> None:
    an = Resident(rig, 103)
    await an.send("/start other")
    old = an.button_data("Tiếp")
    old_message = an.last_message_id()
    await an.press("Tiếp")
    assert an.text == "Bước hai."
    before = await rig.storage.load(an.key)
    for data in (old, "c:00000000:0", "f:other", "x" * 64, "💥"):
        await an.press_data(data, message_id=old_message)
        assert "Bước hai." in an.text and "tin nhắn cũ" in an.text
    after = await rig.storage.load(an.key)
    assert after is not None and before is not None
    assert after.stack[0].step == before.stack[0].step == "second"
    assert after.stack[0].history == before.stack[0].history
    assert all(c.ok for c in rig.api.calls_to("answerCallbackQuery"))
    assert len(rig.api.calls_to("answerCallbackQuery")) == 6


async def test_groups_and_messages_on_behalf_of_a_chat_are_ignored(rig: TelegramRig) -> None:
    from tests.support.telegram_updates import sender_chat_message_update

    await rig.deliver(message_update(104, "/start", chat_id=-100123))
    await rig.deliver(sender_chat_message_update(-100555, "/start"))
    assert not [c for c in rig.api.calls if c.method == "sendMessage"]


@pytest.mark.parametrize("framework", ["aiogram", "ptb"])
async def test_webhook_refuses_requests_without_the_right_secret(
    framework: str, fake_api: FakeBotAPI, tmp_path: Path
) -> None:
    rig = TelegramRig(fake_api, framework, "webhook", tmp_path / "db.sqlite3")
    await rig.start()
    try:
        assert fake_api.webhook_url == rig.webhook_url and fake_api.webhook_secret == SECRET
        update = {**message_update(105, "/start"), "update_id": 900_105}
        assert await fake_api.deliver_webhook(rig.webhook_url, update) == 401
        assert await fake_api.deliver_webhook(rig.webhook_url, update, secret_token="wrong") == 403
        assert await fake_api.deliver_webhook(rig.webhook_url, update, secret_token=SECRET[:-1]) == 403
        await rig.bot.delivery.drain()
        assert not await rig.storage.is_processed(rig.bot.core.update_key(900_105))
        assert not [c for c in fake_api.calls if c.method == "sendMessage"]
        async with aiohttp.ClientSession() as http:
            async with http.post(rig.webhook_url, data=b"not json", headers={"X-Telegram-Bot-Api-Secret-Token": SECRET}) as response:
                assert response.status == 400
            async with http.get(f"http://127.0.0.1:{rig.port}/healthz") as response:
                assert response.status == 200
                assert (await response.json())["status"] == "ok"
        # The right secret goes through.
        assert await fake_api.deliver_webhook(rig.webhook_url, update, secret_token=SECRET) == 200
        await rig.settle(900_105)
        assert "Xin chào!" in "".join(fake_api.sent_texts(105))
    finally:
        await rig.stop()
