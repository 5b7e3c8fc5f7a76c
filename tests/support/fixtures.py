"""Pytest fixtures for the fake Telegram Bot API.

Use them from a conftest.py with ``pytest_plugins = ["tests.support.fixtures"]`` (top-level
conftest only) or ``from tests.support.fixtures import fake_bot_api  # noqa: F401``.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from tests.support.fake_bot_api import FakeBotAPI
from tests.support.fake_bot_process import FakeBotAPIProcess


@pytest.fixture
async def fake_bot_api() -> AsyncIterator[FakeBotAPI]:
    """A started in-process fake Bot API (same event loop as the test), stopped afterwards."""
    async with FakeBotAPI() as api:
        yield api


@pytest.fixture
async def fake_bot_api_process() -> AsyncIterator[FakeBotAPIProcess]:
    """The fake Bot API in a child process, for tests that run the bot as a subprocess."""
    async with FakeBotAPIProcess() as fake:
        yield fake
