"""Fixtures for the Telegram channel tests: a fake Bot API and a bot started against it."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.channels.tg_harness import TelegramRig
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
