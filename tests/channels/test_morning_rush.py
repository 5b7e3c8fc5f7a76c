"""The morning rush (issue 18, item 4): 2,000 follow-ups fall due at 07:00, when the quiet hours
end, and 50 residents write while they go out. The real Telegram channel (aiogram, webhook)
against the fake Bot API, the real scheduler, on a clock set to the commune's 07:00.

What must hold: every resident who writes is answered before the reminders still waiting (at
most the one already on its way goes first), every reminder is sent once and none is lost, and
the bot's overall limit (telegram.messages_per_second) is kept throughout.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import time
from collections import Counter
from collections.abc import AsyncIterator
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.core.types import Command, SessionKey
from tests.channels.tg_harness import TelegramRig, wait_until
from tests.support.fake_bot_api import FakeBotAPI
from tests.support.telegram_updates import message_update

VN = ZoneInfo("Asia/Ho_Chi_Minh")
EVE = dt.datetime(2026, 12, 1, 7, 0, tzinfo=VN).timestamp()  # the reminders' guides began
MORNING = EVE + 86400  # ... and their follow-ups ("after 1 day") fall due now
REMINDED = [9_000_000 + n for n in range(2000)]
WRITERS = [9_500_000 + n for n in range(50)]
RATE = 200.0  # the bot's overall limit here, messages a second (Telegram's is about 30)
REMINDER = "Bạn đã nhận được tin nhắn phê duyệt chưa?"
ANSWER = "Bước một."


class Morning:
    """The commune's clock: set to a moment, then running as real time does."""

    def __init__(self, at: float) -> None:
        self.set(at)

    def set(self, at: float) -> None:
        self.base, self.started = at, time.monotonic()

    def __call__(self) -> float:
        return self.base + time.monotonic() - self.started


@pytest.fixture
async def rig(fake_api: FakeBotAPI, tmp_path: Path) -> AsyncIterator[TelegramRig]:
    rig = TelegramRig(
        fake_api,
        "aiogram",
        "webhook",
        tmp_path / "bot.sqlite3",
        extra={"messages_per_second": RATE},
        config={"reminders": {"tick_seconds": 0.2, "per_second": 1000.0}},
    )
    await rig.start()
    yield rig
    await rig.stop()


async def test_residents_writing_at_seven_are_answered_before_the_waiting_reminders(
    rig: TelegramRig, fake_api: FakeBotAPI
) -> None:
    clock = Morning(EVE)
    rig.assistant.clock = clock
    scheduler = rig.service.scheduler
    scheduler.clock = clock
    # Yesterday at 07:00, 2,000 residents sent their application (their follow-ups: today 07:00).
    await asyncio.gather(
        *(
            rig.assistant.handle(SessionKey("telegram", str(chat)), Command("start", "waiting"))
            for chat in REMINDED
        )
    )
    assert len(await rig.storage.due_followups(MORNING + 1, limit=5000)) == len(REMINDED)
    clock.set(MORNING)
    rush = asyncio.ensure_future(scheduler.run())

    def reminders_sent() -> int:
        return sum(c.params.get("text") == REMINDER for c in fake_api.calls_to("sendMessage"))

    try:
        await wait_until(lambda: reminders_sent() >= 300, timeout=60)
        wrote = time.time()
        deliveries = [
            fake_api.deliver_webhook(
                rig.webhook_url,
                message_update(chat, "/start other"),
                secret_token="s3cret-token_for-tests",
            )
            for chat in WRITERS
        ]
        assert set(await asyncio.gather(*deliveries)) == {200}
        await wait_until(lambda: reminders_sent() >= len(REMINDED), timeout=120)
        await asyncio.sleep(0.5)  # a reminder sent twice would show up now
    finally:
        rush.cancel()
    sends = [c for c in fake_api.calls_to("sendMessage") if c.at >= wrote - 60]
    reminders = [c for c in sends if c.params.get("text") == REMINDER]
    answers = {c.params["chat_id"]: c.at for c in sends if c.params.get("text") == ANSWER}
    # Every reminder once, none lost.
    assert Counter(c.params["chat_id"] for c in reminders) == Counter(REMINDED)
    # Every writer answered; before their answer, at most the reminder already under way.
    assert set(answers) == set(WRITERS)
    overtaken = sum(wrote <= c.at < max(answers.values()) for c in reminders)
    print(
        f"\n50 residents answered within {max(answers.values()) - wrote:.2f} s; "
        f"{overtaken} reminders went out meanwhile"
    )
    assert overtaken <= 3, overtaken
    # The bot's limit kept: from any send on, no more went out than the token bucket allows
    # (a second's worth at once, then RATE a second).
    times = sorted(c.at for c in sends)
    for i, start in enumerate(times[::50]):
        for j in (100, 400, 1000):
            if i * 50 + j < len(times):
                span = times[i * 50 + j] - start
                assert j + 1 <= RATE * span + RATE + 1, (j, span)
    used = len(times) / (times[-1] - times[0]) / RATE
    print(f"{len(times)} messages at {used:.0%} of the limit")


async def test_an_urgent_reply_takes_the_next_slot_before_waiting_reminders() -> None:
    from bot.app.limits import RateLimiter

    limiter = RateLimiter(per_second=100, per_chat_per_second=100, chat_burst=100)
    for chat in range(100):  # the second's worth of messages is used up
        await limiter.acquire(chat)
    sent: list[str] = []

    async def reminder(chat: int) -> None:
        await limiter.acquire(chat, urgent=False)
        sent.append("reminder")

    waiting = [asyncio.ensure_future(reminder(1000 + n)) for n in range(150)]
    await asyncio.sleep(0.3)  # reminders go out at the limit's pace meanwhile
    before = len(sent)
    await limiter.acquire("resident")
    overtaken = len(sent) - before
    await asyncio.gather(*waiting)
    assert before < 100  # reminders were still waiting when the resident wrote
    assert overtaken <= 1, overtaken  # the reply took the next slot
