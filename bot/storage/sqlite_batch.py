"""Running statements on the raw ``sqlite3`` connection, on its own thread: one statement, or a
batch of write operations in one transaction (group commit)."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from typing import Any

from bot.storage.sql import Statement

__all__ = ["execute", "run_batch"]


def execute(conn: sqlite3.Connection, statement: Statement) -> Any:
    """Run one statement and return what its kind asks for (see :class:`Statement`)."""
    if statement.kind == "many":
        return conn.executemany(statement.sql, statement.params).rowcount
    cursor = conn.execute(statement.sql, statement.params)
    if statement.kind == "one":
        return cursor.fetchone()
    if statement.kind == "all":
        return cursor.fetchall()
    if statement.kind == "insert":
        # lastrowid rather than RETURNING, which needs SQLite 3.35 (older systems still ship 3.31)
        return cursor.lastrowid
    return cursor.rowcount


def run_batch(
    conn: sqlite3.Connection, batch: list[tuple[Callable[[sqlite3.Connection], Any], Any]]
) -> list[tuple[bool, Any]]:
    """One transaction for a batch of write operations, each in its own savepoint."""
    outcomes: list[tuple[bool, Any]] = []
    conn.execute("BEGIN IMMEDIATE")
    try:
        for operation, _future in batch:
            conn.execute("SAVEPOINT operation")
            try:
                outcomes.append((True, operation(conn)))
            except Exception as exc:
                conn.execute("ROLLBACK TO operation")
                outcomes.append((False, exc))
            conn.execute("RELEASE operation")
        conn.execute("COMMIT")
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise
    return outcomes
