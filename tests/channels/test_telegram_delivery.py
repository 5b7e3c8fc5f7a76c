"""Telegram's errors and limits: 429, 403, 5xx, long texts, captions, and the sending rate."""

from __future__ import annotations

import time

from bot.channels.telegram.limits import RateLimiter
from bot.channels.telegram.render import CAPTION_LIMIT, TEXT_LIMIT, render_message, split_text
from bot.core.types import Button, OutgoingMessage, SessionKey
from tests.channels.tg_harness import Resident, TelegramRig
from tests.harness import FIXTURE_FLOWS


async def test_429_waits_retry_after_then_delivers_once(rig: TelegramRig) -> None:
    an = Resident(rig, 201)
    rig.api.fail("sendMessage", status=429, retry_after=1, chat_id=201)
    started = time.monotonic()
    await an.send("/start other")
    assert time.monotonic() - started >= 1.0
    assert an.texts == ["Bước một."]  # one successful send
    failed = [c for c in rig.api.calls_to("sendMessage", 201) if c.failed_status == 429]
    assert len(failed) == 1


async def test_5xx_is_retried_with_backoff(rig: TelegramRig) -> None:
    an = Resident(rig, 202)
    rig.api.fail("sendMessage", status=502, times=2, chat_id=202)
    await an.send("/start other")
    assert an.texts == ["Bước một."]
    assert [c.failed_status for c in rig.api.calls_to("sendMessage", 202)] == [502, 502, None]


async def test_403_blocked_user_stops_sending_without_affecting_others(rig: TelegramRig) -> None:
    blocked = Resident(rig, 203)
    other = Resident(rig, 204)
    await blocked.send("/start other")
    rig.api.block_user(203)
    await blocked.send("Tiếp")  # committed, but cannot be delivered
    assert not await rig.storage.is_reachable(blocked.key)
    assert await rig.storage.pending_outbox(blocked.key) == []  # dropped, not retried forever
    session = await rig.storage.load(blocked.key)
    assert session is not None and session.stack[0].step == "second"
    failures = len(rig.api.calls_to("sendMessage", 203))
    await other.send("/start other")
    assert other.texts == ["Bước một."]
    assert len(rig.api.calls_to("sendMessage", 203)) == failures  # nothing more tried
    # Unblocking and writing again makes them reachable.
    rig.api.unblock_user(203)
    await blocked.send("Xong")
    assert await rig.storage.is_reachable(blocked.key)
    assert "Hết." in blocked.text


async def test_blocking_the_bot_is_recorded_from_my_chat_member(rig: TelegramRig) -> None:
    kicked = {
        "my_chat_member": {
            "chat": {"id": 205, "type": "private", "first_name": "An"},
            "from": {"id": 205, "is_bot": False, "first_name": "An"},
            "date": 1790000000,
            "old_chat_member": {"status": "member", "user": {"id": 1000, "is_bot": True, "first_name": "Bot"}},
            "new_chat_member": {"status": "kicked", "until_date": 0, "user": {"id": 1000, "is_bot": True, "first_name": "Bot"}},
        }
    }
    await rig.deliver(kicked)
    from bot.core.types import SessionKey

    assert not await rig.storage.is_reachable(SessionKey("telegram", "205"))


async def test_message_over_4096_characters_is_split(rig: TelegramRig) -> None:
    text = ("Đoạn <một> & hai. " * 300).strip()  # 5,400 characters; about 8,400 once escaped
    message = OutgoingMessage(text=text, buttons=((Button(label="OK", payload="menu"),),))
    await rig.bot.delivery.send(SessionKey("telegram", "206"), message)
    calls = [c for c in rig.api.calls_to("sendMessage", 206) if c.ok]
    assert len(calls) == 3
    assert all(len(c.params["text"]) <= TEXT_LIMIT for c in calls)
    assert "reply_markup" not in calls[0].params and calls[-1].params["reply_markup"]
    joined = " ".join(c.params["text"] for c in calls)
    assert joined.count("&lt;một&gt;") == 300 and "&amp;" in joined


def test_split_never_cuts_an_escaped_entity_and_prefers_line_breaks() -> None:
    text = "&" * 5000
    parts = split_text(text)
    assert sum(len(p) for p in parts) == 5000
    assert all(len(p) * 5 <= TEXT_LIMIT for p in parts)
    lines = "\n".join(["dòng " + str(i) for i in range(1500)])
    parts = split_text(lines)
    assert all(not p.startswith("\n") and len(p) <= TEXT_LIMIT for p in parts)
    assert parts[0].endswith(tuple("0123456789"))  # cut at a line break, not inside a word


def test_long_caption_goes_as_photo_then_text() -> None:
    image = str(FIXTURE_FLOWS / "images" / "card.png")
    message = OutgoingMessage(text="x" * (CAPTION_LIMIT + 1), image=image,
                              buttons=((Button(label="OK", payload="menu"),),))
    calls = render_message(1, message)
    assert [c.method for c in calls] == ["sendPhoto", "sendMessage"]
    assert "caption" not in calls[0].params and calls[0].upload == image
    assert calls[1].params["reply_markup"] == {"inline_keyboard": [[{"text": "OK", "callback_data": "menu"}]]}
    short = render_message(1, OutgoingMessage(text="Chú ý <b>", image=image), photo="FILEID")
    assert short[0].params == {"chat_id": 1, "caption": "Chú ý &lt;b&gt;", "parse_mode": "HTML", "photo": "FILEID"}


async def test_rate_limiter_allows_a_burst_then_one_per_second_per_chat() -> None:
    now = [0.0]
    slept: list[float] = []

    async def sleep(seconds: float) -> None:
        slept.append(seconds)
        now[0] += seconds

    limiter = RateLimiter(per_second=30, per_chat_per_second=1, chat_burst=3, clock=lambda: now[0], sleep=sleep)
    for _ in range(3):
        await limiter.acquire(1)
    assert slept == []  # a step's few messages go out at once
    await limiter.acquire(1)
    assert slept and abs(sum(slept) - 1.0) < 1e-6
    await limiter.acquire(2)  # another chat is not held up by the first
    assert abs(sum(slept) - 1.0) < 1e-6
    slept.clear()
    for chat in range(100, 160):
        await limiter.acquire(chat)
    assert 1.0 <= sum(slept) <= 2.1  # about 30 messages a second overall


async def test_a_timeout_is_retried_and_the_reply_still_arrives(fake_api, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from tests.channels.tg_harness import TelegramRig

    for framework in ("aiogram", "ptb"):
        rig = TelegramRig(fake_api, framework, "webhook", tmp_path / f"{framework}.sqlite3",
                          extra={"request_timeout": 1.0})
        await rig.start()
        try:
            chat = 207 if framework == "aiogram" else 208
            fake_api.delay("sendMessage", 3, chat_id=chat)
            resident = Resident(rig, chat)
            await resident.send("/start other")
            statuses = [c.failed_status for c in rig.api.calls_to("sendMessage", chat)]
            assert statuses[0] == 499 and statuses[-1] is None  # gave up waiting, then sent again
            assert "Bước một." in resident.texts
        finally:
            await rig.stop()
