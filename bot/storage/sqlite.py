"""The default storage: one SQLite file in WAL mode (the only module that imports aiosqlite).

Every turn's new session and the guidance sessions it finished are written in one transaction with
``synchronous=FULL``, so a reply is only sent for a state that is already on disk.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import secrets
import sqlite3
from collections import OrderedDict
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TypeVar

import aiosqlite

from bot.core.errors import StaleSession, StorageError, StorageUnavailable
from bot.core.privacy import pseudonym
from bot.core.session import Session
from bot.core.types import SessionKey
from bot.storage.records import StoredSession, TurnRecord
from bot.storage.sqlite_delivery import DeliveryTables
from bot.storage.sqlite_purge import PurgeTables
from bot.storage.sqlite_reports import ReportTables
from bot.storage.sqlite_schema import MIGRATIONS, SCHEMA_VERSION
from bot.storage.sqlite_staff import StaffTables
from bot.storage.sqlite_thread import on_connection_thread
from bot.storage.sqlite_turns import run_batch, save_turn

__all__ = ["SCHEMA_VERSION", "SqliteStorage"]

T = TypeVar("T")
log = logging.getLogger(__name__)
# Seconds from a delivery to the checkpoint that empties the write-ahead log of its words.
COMPACT_AFTER = 1.0


class SqliteStorage(StaffTables, DeliveryTables, ReportTables, PurgeTables):
    """The whole :class:`~bot.storage.base.Storage` contract on one SQLite file."""

    def __init__(self, path: Path, *, cache_size: int = 10_000, busy_timeout: float = 10.0) -> None:
        self.path = path
        # How long a write waits for another program's lock before the turn is given up (and
        # its update left unconfirmed, to be tried again).
        self._busy_ms = int(busy_timeout * 1000)
        self._db: aiosqlite.Connection | None = None
        self._secret = b""
        self._queue: list[tuple[Callable[[sqlite3.Connection], Any], asyncio.Future[Any]]] = []
        self._writer: asyncio.Future[None] | None = None
        # Recently used sessions, written through on every save: most turns then need no read.
        # Bounded, so memory stays flat however many residents there are. Only safe when this
        # process is the only writer of these sessions (several processes: cache_size 0).
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
            await self._migrate()
            self._secret = bytes.fromhex(await self._meta_secret())
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

    async def _migrate(self) -> None:
        db = self.db
        await db.execute("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)")
        async with db.execute("SELECT version FROM schema_version") as cursor:
            row = await cursor.fetchone()
        current = int(row[0]) if row else 0
        if current > SCHEMA_VERSION:
            raise StorageError(
                f"the database {self.path} was written by a newer Trợ lý số (schema {current}, "
                f"this version knows {SCHEMA_VERSION}). Upgrade the bot before using this file.",
                code="storage.newer",
                params={"path": self.path, "schema": current, "known": SCHEMA_VERSION},
            )
        for version in range(current, SCHEMA_VERSION):
            await db.execute("BEGIN IMMEDIATE")
            try:
                for statement in _split(MIGRATIONS[version]):
                    await db.execute(statement)
                await db.execute("DELETE FROM schema_version")
                await db.execute("INSERT INTO schema_version (version) VALUES (?)", (version + 1,))
                await db.execute("COMMIT")
            except BaseException:
                await db.execute("ROLLBACK")
                raise

    async def _meta_secret(self) -> str:
        db = self.db
        async with db.execute("SELECT value FROM meta WHERE key = 'pseudonym_secret'") as cursor:
            row = await cursor.fetchone()
        if row:
            return str(row[0])
        secret = secrets.token_hex(32)
        await db.execute(
            "INSERT OR IGNORE INTO meta (key, value) VALUES ('pseudonym_secret', ?)", (secret,)
        )
        async with db.execute("SELECT value FROM meta WHERE key = 'pseudonym_secret'") as cursor:
            row = await cursor.fetchone()
        assert row is not None
        return str(row[0])

    def user_ref(self, key: SessionKey) -> str:
        """The keyed pseudonym under which ``key``'s runs are logged."""
        return pseudonym(self._secret, str(key))

    async def load(self, key: SessionKey) -> Session | None:
        """The stored session of ``key``, or None for someone new."""
        return (await self.read(key)).session

    async def read(self, key: SessionKey) -> StoredSession:
        """The stored session of ``key`` and its revision (0 for someone new)."""
        cached = self._cache.get(key)
        if cached is not None:
            self._cache.move_to_end(key)
            return StoredSession(session=Session.from_json(cached[0]), revision=cached[1])
        try:
            async with self.db.execute(
                "SELECT state, revision FROM sessions WHERE channel = ? AND user_id = ?",
                (key.channel, key.user_id),
            ) as cursor:
                row = await cursor.fetchone()
        except (sqlite3.OperationalError, OSError) as exc:
            raise StorageUnavailable(f"could not read {self.path}: {exc}") from exc
        if row is None:
            return StoredSession(session=None, revision=0)
        self._cache_put_raw(key, row[0], row[1])
        return StoredSession(session=Session.from_json(row[0]), revision=int(row[1]))

    def _cache_put_raw(self, key: SessionKey, state: str, revision: int) -> None:
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

    async def save(self, turn: TurnRecord) -> list[int]:
        """Write the whole turn in one durable transaction (see :class:`TurnRecord`).

        Returns the outbox ids of its replies, in order.
        """
        user = pseudonym(self._secret, str(turn.key)) if turn.finished else ""
        state = turn.session.to_json()
        try:
            ids, revision = await self._write(lambda conn: save_turn(conn, turn, user, state))
        except StaleSession:
            self.forget_cached(turn.key)  # another process saved it: read it afresh next time
            raise
        self._cache_put_raw(turn.key, state, revision)
        return ids

    async def mark_sent(self, ids: Sequence[int], *, at: float, dropped: bool = False) -> None:
        """Forget replies once delivered (or given up): their words are not kept any longer."""
        if ids:
            rows = [(outbox_id,) for outbox_id in ids]
            await self._write(
                lambda conn: conn.executemany("DELETE FROM outbox WHERE id = ?", rows)
            )
            self._deleted = True
            if self._compacting is None or self._compacting.done():
                self._compacting = asyncio.ensure_future(self._compact_later())

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
