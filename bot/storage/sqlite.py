"""The default storage: one SQLite file in WAL mode (the only module that imports aiosqlite).

Every turn's new session and the guidance sessions it finished are written in one transaction with
``synchronous=FULL``, so a reply is only sent for a state that is already on disk.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import sqlite3
from collections import OrderedDict
from collections.abc import Callable, Sequence
from functools import partial
from pathlib import Path
from typing import Any, TypeVar

import aiosqlite

from bot.core.errors import StorageError, StorageUnavailable
from bot.core.types import SessionKey
from bot.storage import sqlite_json
from bot.storage.sql import Statement, Steps, drive, migrate
from bot.storage.sql_channel_state import ChannelStateTables
from bot.storage.sql_delivery import DeliveryTables
from bot.storage.sql_processes import ProcessTables
from bot.storage.sql_purge import PurgeTables
from bot.storage.sql_reports import ReportTables
from bot.storage.sql_staff import StaffTables
from bot.storage.sql_tickets import TicketTables
from bot.storage.sql_turns import SessionTables
from bot.storage.sqlite_batch import execute, run_batch
from bot.storage.sqlite_schema import MIGRATIONS, SCHEMA_VERSION
from bot.storage.sqlite_thread import on_connection_thread

__all__ = ["SCHEMA_VERSION", "SqliteStorage"]

T = TypeVar("T")
log = logging.getLogger(__name__)
# Seconds from a delivery to the checkpoint that empties the write-ahead log of its words.
COMPACT_AFTER = 1.0


class SqliteStorage(
    SessionTables,
    StaffTables,
    DeliveryTables,
    ReportTables,
    PurgeTables,
    ChannelStateTables,
    TicketTables,
    ProcessTables,
):
    """The whole :class:`~bot.storage.base.Storage` contract on one SQLite file."""

    _IDLE_SESSIONS = sqlite_json.IDLE_SESSIONS
    _OPEN_RUNS = sqlite_json.OPEN_RUNS
    _OPEN_RUNS_STARTED = sqlite_json.OPEN_RUNS_STARTED

    def __init__(self, path: Path, *, cache_size: int = 10_000, busy_timeout: float = 10.0) -> None:
        self.path = path
        # How long a write waits for another program's lock before the turn is given up (and
        # its update left unconfirmed, to be tried again).
        self._busy_ms = int(busy_timeout * 1000)
        self._db: aiosqlite.Connection | None = None
        self._queue: list[tuple[Callable[[sqlite3.Connection], Any], asyncio.Future[Any]]] = []
        self._writer: asyncio.Future[None] | None = None
        # Recently used sessions, written through on every save: most turns then need no read.
        # Bounded, so memory stays flat however many residents there are. Another process
        # saving the same resident makes the next save here fail with StaleSession (the
        # revision check), which drops the cached copy: a stale copy is never saved over.
        self._cache: OrderedDict[SessionKey, tuple[str, int]] = OrderedDict()  # state, revision
        self._cache_size = cache_size
        # Delivered replies are deleted and overwritten (secure_delete), but the write-ahead log
        # keeps the pages as they were until a checkpoint empties it: one follows this long after
        # a delivery (one for all delivered meanwhile, never inside a turn), and one at close.
        self.compact_after = COMPACT_AFTER
        self._compacting: asyncio.Task[None] | None = None
        self._deleted = False  # replies deleted since the last checkpoint began

    @property
    def db(self) -> aiosqlite.Connection:
        """The open connection (``open()`` must have been called)."""
        if self._db is None:
            raise StorageError("the database is not open yet", code="storage.not_open")
        return self._db

    async def open(self) -> None:
        """Open the file (creating its folder), switch on WAL and bring the schema up to date."""
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._db = await aiosqlite.connect(self.path, isolation_level=None)
            await self._db.execute("PRAGMA journal_mode=WAL")
            await self._db.execute("PRAGMA synchronous=FULL")
            await self._db.execute(f"PRAGMA busy_timeout={self._busy_ms}")
            # Deleted records (a resident's /forget, purges) are overwritten, not just unlinked.
            await self._db.execute("PRAGMA secure_delete=ON")
            # Straight on the connection's thread (not the writer's queue), so that a file that is
            # not a database fails here with its own error.
            scripts = [_split(script) for script in MIGRATIONS]
            [(ok, found)] = await on_connection_thread(
                self.db, run_batch, [(partial(_steps, migrate(scripts, self._too_new)), None)]
            )
            if not ok:
                raise found
            await self._open_secret()
        except StorageError:
            await self.close()
            raise
        except (sqlite3.DatabaseError, OSError) as exc:
            await self.close()
            if _not_allowed(self.path, exc):
                raise StorageError(
                    f"cannot write the database file {self.path}: {exc}. The bot may read it but "
                    "not change it: let the user the bot runs as write the file and its folder "
                    "(chown or chmod). Do not delete it: it holds the residents' places.",
                    code="storage.read_only",
                    params={"path": self.path, "detail": exc},
                ) from exc
            raise StorageError(
                f"cannot use the database file {self.path}: {exc}. Check the path in the "
                "setting 'database', and that the file is a Trợ lý số database "
                "(or delete it to start afresh).",
                code="storage.cannot_use",
                params={"path": self.path, "detail": exc},
            ) from exc

    def _too_new(self, schema: int) -> StorageError:
        return StorageError(
            f"the database {self.path} was written by a newer Trợ lý số (schema {schema}, "
            f"this version knows {SCHEMA_VERSION}). Upgrade the bot before using this file.",
            code="storage.newer",
            params={"path": self.path, "schema": schema, "known": SCHEMA_VERSION},
        )

    def _cache_get(self, key: SessionKey) -> tuple[str, int] | None:
        cached = self._cache.get(key)
        if cached is not None:
            self._cache.move_to_end(key)
        return cached

    def _cache_put(self, key: SessionKey, state: str, revision: int) -> None:
        if not self._cache_size:
            return
        self._cache[key] = (state, revision)
        self._cache.move_to_end(key)
        while len(self._cache) > self._cache_size:
            self._cache.popitem(last=False)

    def forget_cached(self, key: SessionKey | None = None) -> None:
        """Drop one resident's cached session (or all): after a /forget or a purge."""
        if key is None:
            self._cache.clear()
        else:
            self._cache.pop(key, None)

    async def _run(self, statement: Statement) -> Any:
        """A query straight on the connection's thread; a change in the next group commit."""
        if statement.kind in ("one", "all"):
            try:
                return await on_connection_thread(self.db, execute, statement)
            except (sqlite3.OperationalError, OSError) as exc:
                raise StorageUnavailable(f"could not read {self.path}: {exc}") from exc
        return await self._write(partial(execute, statement=statement))

    async def _atomic(self, steps: Steps[T]) -> T:
        """A transaction of several statements, in the next group commit."""
        return await self._write(partial(_steps, steps))

    # --- writing: one writer, group commit -------------------------------------------------------

    async def _write(self, operation: Callable[[sqlite3.Connection], T]) -> T:
        """Run ``operation`` in the next write transaction and return its result once committed.

        Every write goes through here. Operations that arrive while a transaction is being
        written wait for the next one, which then carries all of them: one fsync for many turns
        (group commit). Each operation runs in its own savepoint, so one that fails (a
        redelivered update, say) is undone alone and raises in its caller only.
        """
        loop = asyncio.get_running_loop()
        future: asyncio.Future[Any] = loop.create_future()
        self._queue.append((operation, future))
        if self._writer is None or self._writer.done():
            self._writer = asyncio.ensure_future(self._write_batches())
        result: T = await future
        return result

    async def _write_batches(self) -> None:
        while self._queue:
            batch, self._queue = self._queue, []
            try:
                # The whole transaction runs in one call on the connection's thread, so nothing
                # else can slip between BEGIN and COMMIT.
                outcomes = await on_connection_thread(self.db, run_batch, batch)
            except Exception as exc:  # locked, or the COMMIT failed (disk full...): nobody saved
                failure = StorageUnavailable(f"could not write to {self.path}: {exc}")
                for _operation, future in batch:
                    if not future.done():
                        future.set_exception(failure)
                continue
            for (_operation, future), (ok, value) in zip(batch, outcomes, strict=True):
                if future.done():
                    continue
                if ok:
                    future.set_result(value)
                elif isinstance(value, sqlite3.OperationalError | OSError):
                    # One turn's statements failed (the disk filled up under it): not saved.
                    future.set_exception(
                        StorageUnavailable(f"could not write to {self.path}: {value}")
                    )
                else:
                    future.set_exception(value)

    async def mark_sent(self, ids: Sequence[int], *, at: float, dropped: bool = False) -> None:
        """Forget replies once delivered (or given up), and soon empty the log of their words."""
        await super().mark_sent(ids, at=at, dropped=dropped)
        if ids:
            self._deleted = True
            if self._compacting is None or self._compacting.done():
                self._compacting = asyncio.ensure_future(self._compact_later())

    async def _scrub(self) -> None:
        await self.compact()

    async def compact(self, *, wait: float | None = None) -> bool:
        """Fold the write-ahead log into the file and empty it; False if a reader held it.

        With ``secure_delete`` on, deleted rows are overwritten in the database file; the log
        still holds older copies of changed pages until this runs (after deliveries, /forget and
        purges). ``wait``: how long to wait for other programs' readers (default: busy_timeout).
        """
        busy_ms = self._busy_ms if wait is None else int(wait * 1000)
        busy: int = await on_connection_thread(self.db, _checkpoint, busy_ms, self._busy_ms)
        return not busy

    async def _compact_later(self) -> None:
        """Empty the log a moment after replies were deleted, until none was deleted since."""
        delay = self.compact_after
        while self._deleted:
            await asyncio.sleep(delay)
            self._deleted = False
            try:
                if await self.compact(wait=0.05):
                    delay = self.compact_after
                    continue
            except (sqlite3.Error, ValueError, StorageError) as exc:  # disk trouble: at close
                self._deleted = True
                log.warning("could not empty the database's write-ahead log (%s)", exc)
                return
            self._deleted = True
            delay = min(delay * 2, 60.0)  # another program is reading: try again later

    async def close(self) -> None:
        """Close the file (safe to call twice), leaving nothing deleted in its write-ahead log."""
        task, self._compacting = self._compacting, None
        if task is not None and not task.done():
            self._deleted = True  # its checkpoint may not have got through
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        if self._db is not None:
            if self._deleted:  # (a report or a purge that deleted nothing leaves the log alone)
                with contextlib.suppress(sqlite3.Error, ValueError):
                    await self.compact(wait=1.0)
            db, self._db = self._db, None
            await db.close()


def _steps(steps: Steps[T], conn: sqlite3.Connection) -> T:
    """Run a transaction's statements on the raw connection (inside the batch's transaction)."""
    return drive(steps, partial(execute, conn))


def _checkpoint(conn: sqlite3.Connection, busy_ms: int, usual_ms: int) -> int:
    """``wal_checkpoint(TRUNCATE)`` waiting at most ``busy_ms`` for readers; 1 when held."""
    conn.execute(f"PRAGMA busy_timeout={busy_ms}")
    try:
        row = conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
    finally:
        conn.execute(f"PRAGMA busy_timeout={usual_ms}")
    return int(row[0]) if row else 0


def _not_allowed(path: Path, exc: BaseException) -> bool:
    """True when the problem is permissions (a read-only file or folder), not a bad file."""
    if isinstance(exc, PermissionError) or "readonly" in str(exc):
        return True
    folder = path.parent if path.parent.exists() else None
    return (path.exists() and not os.access(path, os.W_OK)) or (
        folder is not None and not os.access(folder, os.W_OK)
    )


def _split(script: str) -> list[str]:
    """The statements of a migration script (they contain no semicolons inside strings)."""
    return [statement.strip() for statement in script.split(";") if statement.strip()]
