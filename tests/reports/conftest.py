"""A seeded database and the flows it was made with, shared by the report tests.

The database is a SQLite file; test_build.py asks for each backend (its ``backend`` fixture), so
the report queries run on SQLite and on a throwaway PostgreSQL database alike.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.config import Settings
from bot.flows.compiled import CompiledFlow
from bot.storage.postgres import PostgresStorage
from bot.storage.sqlite import SqliteStorage
from tests.reports import seed as seeding
from tests.storage.postgres_server import postgres_database, postgres_url

__all__ = ["postgres_database", "postgres_url"]


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return seeding.settings(tmp_path)


@pytest.fixture
def flows(tmp_path: Path) -> dict[str, CompiledFlow]:
    return seeding.write_flows(tmp_path / "flows")


@pytest.fixture
def backend() -> str:
    """Where the seeded records are: SQLite, unless a test module asks for each backend."""
    return "sqlite"


@pytest.fixture
async def storage(
    settings: Settings, backend: str, request: pytest.FixtureRequest
) -> AsyncIterator[SqliteStorage | PostgresStorage]:
    store: SqliteStorage | PostgresStorage
    if backend == "postgresql":
        store = PostgresStorage(request.getfixturevalue("postgres_url"))
        await store.open()
        await seeding.fill(store)
    else:
        assert isinstance(settings.database, Path)
        await seeding.seed(settings.database)
        store = SqliteStorage(settings.database)
        await store.open()
    yield store
    await store.close()
