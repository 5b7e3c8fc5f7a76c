"""The one private aiosqlite call (bot/storage/sqlite_thread.py) still does what we rely on."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

import aiosqlite

from bot.storage.sqlite_thread import on_connection_thread


async def test_a_function_runs_on_the_connection_thread_with_the_raw_connection(
    tmp_path: Path,
) -> None:
    """If this fails, aiosqlite changed Connection._execute or ._conn: adapt sqlite_thread.py
    (and its version bound in pyproject.toml) before upgrading."""
    seen: dict[str, object] = {}

    def work(connection: sqlite3.Connection, value: int) -> int:
        seen["thread"] = threading.current_thread()
        seen["kind"] = type(connection)
        connection.execute("CREATE TABLE t (x)")
        connection.execute("INSERT INTO t VALUES (?)", (value,))
        return int(connection.execute("SELECT x FROM t").fetchone()[0])

    async with aiosqlite.connect(tmp_path / "t.sqlite3") as db:
        assert await on_connection_thread(db, work, 41) == 41
        assert seen["kind"] is sqlite3.Connection
        assert seen["thread"] is not threading.main_thread()
        async with db.execute("SELECT x FROM t") as cursor:
            assert await cursor.fetchone() == (41,)  # the same connection aiosqlite uses
