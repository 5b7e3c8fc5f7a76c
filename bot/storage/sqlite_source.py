"""A SQLite file read whole, for ``trolyso migrate``: held alone while it is copied, brought up
to date first, then read table by table (the SQLite side of :mod:`bot.storage.transfer`).

Held alone, because a bot still writing to the file would write turns the copy never sees: the
connection asks for SQLite's exclusive locking mode, which no other connection may share, so a
running bot (or any program with the file open) is found at once and named in the refusal.
"""

from __future__ import annotations

import os
import sqlite3
from functools import partial
from pathlib import Path
from typing import Any

from bot.core.errors import StorageError
from bot.core.messages import describe
from bot.storage.sql import Statement, drive, migrate
from bot.storage.sql_turns import load_secret
from bot.storage.sqlite_batch import execute
from bot.storage.sqlite_schema import MIGRATIONS, SCHEMA_VERSION
from bot.storage.transfer import TableShape

__all__ = ["SqliteSource"]

# Seconds to wait for another program's lock: long enough for a passing `trolyso report`, short
# enough that a running bot (which keeps the file open for good) is reported without delay.
LOCK_WAIT = 1.0


class SqliteSource:
    """One SQLite file, open for reading by nobody else (see the module's docstring)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._conn: sqlite3.Connection | None = None

    def open(self) -> None:
        """Take the file for ourselves and bring its schema up to date (as the bot would at its
        start), with the pseudonym key made if it had none; a StorageError says why not."""
        if not self.path.is_file():
            raise _error("migrate.no_source", path=self.path)
        try:
            conn = sqlite3.connect(self.path, isolation_level=None, timeout=LOCK_WAIT)
        except sqlite3.Error as exc:
            raise self._cannot_use(exc) from None
        self._conn = conn
        try:
            conn.execute("PRAGMA locking_mode=EXCLUSIVE")
            conn.execute("BEGIN EXCLUSIVE")
        except sqlite3.OperationalError as exc:
            self.close()
            if "locked" in str(exc) or "busy" in str(exc):
                raise _error("migrate.source_locked", path=self.path) from None
            raise self._cannot_use(exc) from None
        try:
            scripts = [_statements(script) for script in MIGRATIONS]
            drive(migrate(scripts, self._too_new), partial(execute, conn))
            drive(load_secret(), partial(execute, conn))
            conn.execute("COMMIT")  # the exclusive lock stays until close (locking_mode)
        except StorageError:
            self.close()
            raise
        except (sqlite3.Error, OSError) as exc:
            self.close()
            raise self._cannot_use(exc) from None

    def _too_new(self, schema: int) -> StorageError:
        return _error("storage.newer", path=self.path, schema=schema, known=SCHEMA_VERSION)

    def _cannot_use(self, exc: BaseException) -> StorageError:
        detail = " ".join(str(exc).split()) or type(exc).__name__
        folder = self.path.parent
        if "readonly" in detail or not os.access(folder, os.W_OK):
            # Taking the file alone (and an old file's upgrade) writes beside it.
            return _error("storage.read_only", path=self.path, detail=detail)
        return _error("storage.cannot_use", path=self.path, detail=detail)

    @property
    def conn(self) -> sqlite3.Connection:
        """The open connection (``open()`` must have been called)."""
        if self._conn is None:
            raise StorageError("the database is not open yet", code="storage.not_open")
        return self._conn

    def tables(self) -> list[TableShape]:
        """Every table of the bot's schema in the file, with its columns and primary key (the
        schema's own bookkeeping left out: each backend keeps its own migration history)."""
        found = self.conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name != 'schema_version' "
            "AND name NOT LIKE 'sqlite%' ORDER BY name"
        ).fetchall()
        shapes: list[TableShape] = []
        for (name,) in found:
            info = self.conn.execute(f'PRAGMA table_info("{name}")').fetchall()
            # (cid, name, type, notnull, default, pk): pk is the column's place in the key.
            key = tuple(row[1] for row in sorted(info, key=lambda row: row[5]) if row[5])
            shapes.append(TableShape(name, tuple(row[1] for row in info), key))
        return shapes

    def last_ids(self) -> dict[str, int]:
        """The highest id each AUTOINCREMENT table ever gave (deleted rows too): such ids are
        never given again, because something else remembers them ("fu:<id>")."""
        known = self.conn.execute(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'sqlite_sequence'"
        ).fetchone()
        if known is None:
            return {}
        found = self.conn.execute("SELECT name, seq FROM sqlite_sequence").fetchall()
        return {str(name): int(seq) for name, seq in found}

    def run(self, statement: Statement) -> Any:
        """One statement on the file (reading: the copy never changes the source)."""
        try:
            return execute(self.conn, statement)
        except sqlite3.Error as exc:
            raise self._cannot_use(exc) from None

    def close(self) -> None:
        """Let the file go (safe to call twice)."""
        conn, self._conn = self._conn, None
        if conn is not None:
            conn.close()


def _statements(script: str) -> list[str]:
    """The statements of a migration script (they contain no semicolons inside strings)."""
    return [statement.strip() for statement in script.split(";") if statement.strip()]


def _error(code: str, **params: Any) -> StorageError:
    """A StorageError whose English text is the catalog's (bot/core/migrate_messages.py)."""
    return StorageError(describe(code, params, "en"), code=code, params=params)
