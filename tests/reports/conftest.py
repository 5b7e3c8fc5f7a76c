"""A seeded SQLite database and the flows it was made with, shared by the report tests."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.config import Settings
from bot.flows.compiled import CompiledFlow
from bot.storage.sqlite import SqliteStorage
from tests.reports import seed as seeding


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return seeding.settings(tmp_path)


@pytest.fixture
def flows(tmp_path: Path) -> dict[str, CompiledFlow]:
    return seeding.write_flows(tmp_path / "flows")


@pytest.fixture
async def storage(settings: Settings) -> AsyncIterator[SqliteStorage]:
    await seeding.seed(settings.database)
    store = SqliteStorage(settings.database)
    await store.open()
    yield store
    await store.close()
