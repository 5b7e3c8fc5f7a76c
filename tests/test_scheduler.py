"""Follow-ups, quiet hours, expiry: a real SQLite file, the real engine, and a clock we move."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.app.assistant import Assistant
from bot.app.scheduler import Scheduler
from bot.config import ReminderSettings
from bot.core.types import Command, OutgoingMessage, Press, SessionKey
from bot.storage.sqlite import SqliteStorage
from tests.harness import make_engine

VN = ZoneInfo("Asia/Ho_Chi_Minh")
KEY = SessionKey("telegram", "42")


def at(day: int, hour: int, minute: int = 0) -> float:
    """A moment in November 2026, Vietnam time."""
    return dt.datetime(2026, 11, day, hour, minute, tzinfo=VN).timestamp()


class Clock:
    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


class World:
    """A resident, the bot's storage and its scheduler, sharing one clock."""

    def __init__(self, storage: SqliteStorage, clock: Clock) -> None:
        self.storage = storage
        self.clock = clock
        self.assistant = Assistant(make_engine(), storage, clock=clock)
        self.flushed: list[SessionKey] = []
        self.seen: list[OutgoingMessage] = []

        async def flushed(key: SessionKey) -> None:
            self.flushed.append(key)

        self.scheduler = Scheduler(self.assistant, storage, ReminderSettings(), clock=clock,
                                   after_turn=flushed)

    async def say(self, event: object, key: SessionKey = KEY) -> None:
        await self.assistant.handle(key, event, outbox=True)  # type: ignore[arg-type]

    async def press(self, label: str, key: SessionKey = KEY) -> None:
        """Press a button of the last messages the resident received."""
        await self.texts(key)
        for message in reversed(self.seen):
            for button in message.all_buttons():
                if button.label == label:
                    await self.say(Press(button.payload), key)
                    return
        raise AssertionError(f"no button {label!r}")

    async def texts(self, key: SessionKey = KEY) -> list[str]:
        """What was waiting to be delivered (now delivered)."""
        pending = await self.storage.pending_outbox(key)
        await self.storage.mark_sent([p.id for p in pending], at=self.clock())
        if pending:
            self.seen = [p.message for p in pending]
        return [p.message.text for p in pending]


@pytest.fixture
async def world(tmp_path: Path) -> AsyncIterator[World]:
    storage = SqliteStorage(tmp_path / "db.sqlite3")
    await storage.open()
    yield World(storage, Clock(at(24, 9)))
    await storage.close()


async def start_waiting(world: World) -> None:
    await world.say(Command("start", "waiting"))
    assert "Đã gửi hồ sơ" in (await world.texts())[-1]


async def test_follow_up_fires_once_at_the_right_time_then_repeats_up_to_its_limit(world: World) -> None:
    await start_waiting(world)
    world.clock.now = at(25, 8, 59)
    assert (await world.scheduler.tick()).fired == 0
    world.clock.now = at(25, 9, 1)
    assert (await world.scheduler.tick()).fired == 1
    assert await world.texts() == ["Bạn đã nhận được tin nhắn phê duyệt chưa?"]
    assert world.flushed == [KEY]
    assert (await world.scheduler.tick()).fired == 0  # once
    world.clock.now = at(26, 9, 2)  # no answer: the reminder comes once more (repeat: 2)
    assert (await world.scheduler.tick()).fired == 1
    assert await world.texts() == ["Bạn đã nhận được tin nhắn phê duyệt chưa?"]
    world.clock.now = at(27, 8, 0)  # (3 days after the resident's last message it would expire)
    assert (await world.scheduler.tick()).fired == 0  # and never a third time
    assert await world.storage.pending_followups(KEY) == []
    session = await world.storage.load(KEY)
    assert session is not None and session.stack[0].step == "ask_approved"
    await world.press("Đã nhận")
    assert await world.texts() == ["Tốt lắm!"]


async def test_nothing_is_sent_in_quiet_hours_it_waits_for_the_morning(world: World) -> None:
    world.clock.now = at(24, 21, 30)  # the resident writes late in the evening
    await start_waiting(world)
    world.clock.now = at(25, 21, 45)  # due at 21:30: quiet hours
    assert (await world.scheduler.tick()).fired == 0
    world.clock.now = at(26, 6, 59)
    assert (await world.scheduler.tick()).fired == 0
    world.clock.now = at(26, 7, 1)
    assert (await world.scheduler.tick()).fired == 1


async def test_replying_cancels_the_follow_up(world: World) -> None:
    await start_waiting(world)
    world.clock.now = at(24, 15)
    await world.say(Command("help"))  # anything the resident does
    assert await world.storage.pending_followups(KEY) == []
    world.clock.now = at(25, 10)
    assert (await world.scheduler.tick()).fired == 0


async def test_blocked_resident_gets_no_follow_up(world: World) -> None:
    await start_waiting(world)
    await world.storage.set_reachable(KEY, False, at=world.clock())
    world.clock.now = at(25, 10)
    tick = await world.scheduler.tick()
    assert (tick.fired, tick.dropped) == (0, 1)
    assert await world.texts() == []


async def test_stop_reminders_and_reminders_on(world: World) -> None:
    await world.say(Command("stop_reminders"))
    assert "Đã tắt nhắc nhở" in (await world.texts())[0]
    await start_waiting(world)
    assert await world.storage.pending_followups(KEY) == []
    await world.say(Command("reminders_on"))
    await world.texts()
    await world.say(Command("start", "waiting"))
    assert len(await world.storage.pending_followups(KEY)) == 1


async def test_missed_while_down_sent_if_still_relevant_dropped_if_too_late(world: World) -> None:
    other = SessionKey("telegram", "43")
    await start_waiting(world)
    await world.say(Command("start", "waiting"), other)
    world.clock.now = at(25, 13)  # 4 hours late: within the 6-hour grace
    await world.scheduler.tick()
    assert await world.texts() == ["Bạn đã nhận được tin nhắn phê duyệt chưa?"]
    world.clock.now = at(26, 20, 30)  # the second reminders were due at 13:00: 7.5 hours late
    tick = await world.scheduler.tick()
    assert tick.fired == 0 and tick.dropped >= 1


async def test_expiry_ends_an_idle_session_as_abandoned_at_its_step_and_offers_to_continue(world: World) -> None:
    await start_waiting(world)
    world.clock.now = at(25, 9, 1)
    await world.scheduler.tick()  # a reminder does not count as the resident's activity
    await world.texts()
    world.clock.now = at(27, 9, 1)  # 3 days after the resident's last message
    tick = await world.scheduler.tick()
    assert tick.expired == 1
    runs = await world.storage.runs()
    assert [(r.run.flow_id, r.run.outcome, r.run.path[-1], r.run.ended_at) for r in runs] == [
        ("waiting", "abandoned", "ask_approved", at(24, 9))
    ]
    assert await world.texts() == []  # expiry says nothing
    assert (await world.scheduler.tick()).expired == 0  # once
    world.clock.now = at(30, 10)
    await world.say(Press("x"))  # whatever they do first
    [offer] = await world.texts()
    assert 'đang làm dở "Chờ phê duyệt"' in offer
    await world.press("▶️ Làm tiếp")
    assert await world.texts() == ["Bạn đã nhận được tin nhắn phê duyệt chưa?"]
    await world.press("Đã nhận")
    runs = await world.storage.runs()
    assert [(r.run.outcome, r.run.path) for r in runs][-1] == ("completed", ("ask_approved", "done"))


async def test_expired_resident_can_start_again(world: World) -> None:
    await start_waiting(world)
    world.clock.now = at(28, 9)
    await world.scheduler.tick()
    await world.say(Press("anything"))
    await world.texts()
    await world.press("🔄 Bắt đầu lại")
    assert "Đã gửi hồ sơ" in (await world.texts())[-1]


async def test_two_schedulers_sharing_a_database_send_each_follow_up_once(world: World, tmp_path: Path) -> None:
    await start_waiting(world)
    second_storage = SqliteStorage(tmp_path / "db.sqlite3")
    await second_storage.open()
    try:
        second = Scheduler(Assistant(make_engine(), second_storage, clock=world.clock),
                           second_storage, ReminderSettings(), clock=world.clock)
        world.clock.now = at(25, 10)
        import asyncio

        ticks = await asyncio.gather(world.scheduler.tick(), second.tick())
        assert sum(t.fired for t in ticks) == 1
        assert await world.texts() == ["Bạn đã nhận được tin nhắn phê duyệt chưa?"]
    finally:
        await second_storage.close()


async def test_an_expired_session_counts_in_the_report_funnel_at_its_step(world: World) -> None:
    from bot.reports import build_report
    from tests.harness import FIXTURE_FLOWS, make_settings

    await start_waiting(world)
    world.clock.now = at(27, 10)
    assert (await world.scheduler.tick()).expired == 1
    engine = world.assistant.engine
    report = await build_report(world.storage, engine.flows, make_settings(FIXTURE_FLOWS),
                                now=world.clock())
    [stats] = [flow for flow in report.flows if flow.flow_id == "waiting"]
    assert stats.finished.get("abandoned") == 1 and stats.in_progress == 0
    left = {step.step_id: step.left for step in stats.funnel}
    assert left["sent"] == 1 and left["ask_approved"] == 0
