"""Fixtures for the channel tests: a fake Bot API and a bot started against it (Telegram), a
fake Zalo OA API and its clock (Zalo)."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.channels.tg_harness import TelegramRig
from tests.channels.zalo_fake import FakeZaloOA
from tests.harness import Clock
from tests.support.fake_bot_api import FakeBotAPI

COMBINATIONS = [
    ("aiogram", "polling"),
    ("aiogram", "webhook"),
    ("ptb", "polling"),
    ("ptb", "webhook"),
]


@pytest.fixture
async def fake_api() -> AsyncIterator[FakeBotAPI]:
    async with FakeBotAPI() as api:
        yield api


@pytest.fixture(params=COMBINATIONS, ids=[f"{f}-{m}" for f, m in COMBINATIONS])
async def rig(
    request: pytest.FixtureRequest, fake_api: FakeBotAPI, tmp_path: Path
) -> AsyncIterator[TelegramRig]:
    framework, mode = request.param
    rig = TelegramRig(fake_api, framework, mode, tmp_path / "bot.sqlite3")
    await rig.start()
    yield rig
    await rig.stop()


@pytest.fixture
def zalo_clock() -> Clock:
    """The Zalo bot's and fake OA's time, moved by hand (starting now: events are signed now)."""
    return Clock(time.time())


@pytest.fixture
async def oa(zalo_clock: Clock) -> AsyncIterator[FakeZaloOA]:
    """The fake Zalo OA API, serving on 127.0.0.1."""
    fake = await FakeZaloOA(zalo_clock).start()
    yield fake
    await fake.stop()
