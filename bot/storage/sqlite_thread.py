"""Running a function on the SQLite connection's own thread: the one private aiosqlite call.

aiosqlite runs every statement on one thread per connection, but has no public way to run a
function of ours there. Group commit needs one (a whole transaction, BEGIN to COMMIT, in one
call, so nothing slips in between), and so does the checkpoint. ``Connection._execute`` is what
aiosqlite uses itself; ``tests/storage/test_sqlite_thread.py`` fails loudly if a new aiosqlite
changes it, and pyproject.toml bounds the version until someone has checked the next one.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from typing import Any, TypeVar

import aiosqlite

__all__ = ["on_connection_thread"]

T = TypeVar("T")


async def on_connection_thread(db: aiosqlite.Connection, work: Callable[..., T], *args: Any) -> T:
    """``work(connection, *args)`` on ``db``'s thread, with the raw ``sqlite3`` connection."""
    connection: sqlite3.Connection = db._conn
    result: T = await db._execute(work, connection, *args)  # type: ignore[no-untyped-call]
    return result
