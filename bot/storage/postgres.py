"""The storage for several bot processes: one PostgreSQL database (the only module that imports
psycopg, with its connection pool).

Every table, query and transaction is the SQLite backend's too (the ``sql_*`` modules); this
module only connects, migrates, and runs statements on pooled connections. A turn is one
transaction, durable when it commits (``synchronous_commit`` as the server has it, on by
default). Several processes may share the database (:mod:`bot.storage.postgres_locks`): a
redelivered update inserts nothing (its key is unique), one resident's turns run one at a time
under an advisory lock, in one transaction each, replies are claimed before they are sent
(``FOR UPDATE SKIP LOCKED``), and one process at a time leads what must run once.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Sequence
from functools import lru_cache, partial
from typing import Any, TypeVar

import psycopg
from psycopg.conninfo import conninfo_to_dict
from psycopg_pool import AsyncConnectionPool

from bot.core.errors import StorageError, StorageUnavailable
from bot.core.messages import describe
from bot.core.types import SessionKey
from bot.storage import postgres_json, shown_url
from bot.storage.postgres_locks import Leaderships, TurnScope
from bot.storage.postgres_schema import MIGRATIONS, SCHEMA_VERSION
from bot.storage.sql import Statement, Steps, drive_async, many, migrate
from bot.storage.sql_channel_state import ChannelStateTables
from bot.storage.sql_delivery import DeliveryTables
from bot.storage.sql_processes import OUTBOX_LEASE, ProcessTables
from bot.storage.sql_purge import PurgeTables
from bot.storage.sql_reports import ReportTables
from bot.storage.sql_staff import StaffTables
from bot.storage.sql_tickets import TicketTables
from bot.storage.sql_turns import SessionTables

__all__ = ["SCHEMA_VERSION", "PostgresStorage"]

T = TypeVar("T")
Connection = psycopg.AsyncConnection[Any]

# Seconds to wait for the server when opening, and for a free connection of the pool.
CONNECT_TIMEOUT = 10
POOL_WAIT = 10.0
# Connections one process keeps: a turn holds one for its transaction only.
POOL_SIZE = 10
# The advisory lock that makes processes starting together migrate one after the other.
MIGRATION_LOCK = 0x7472_6F6C_7973_6F  # "trolyso"


class PostgresStorage(
    SessionTables,
    StaffTables,
    DeliveryTables,
    ReportTables,
    PurgeTables,
    ChannelStateTables,
    TicketTables,
    ProcessTables,
):
    """The whole :class:`~bot.storage.base.Storage` contract on one PostgreSQL database.

    No session is kept in memory, whatever the ``session_cache`` setting says: this backend is
    there for several processes, and a cached copy would be stale as soon as another process
    saved that resident (the revision check would catch it, at the price of a turn computed
    twice). Every read asks the database; that is its by-design answer to a cross-process cache.
    """

    _IDLE_SESSIONS = postgres_json.IDLE_SESSIONS
    _OPEN_RUNS = postgres_json.OPEN_RUNS
    _OPEN_RUNS_STARTED = postgres_json.OPEN_RUNS_STARTED
    _CLAIM_LOCK = " FOR UPDATE SKIP LOCKED"
    shared = True

    def __init__(
        self, url: str, *, pool_size: int = POOL_SIZE, outbox_lease: float = OUTBOX_LEASE
    ) -> None:
        self.url = url
        self.shown = shown_url(url)  # what messages say: never the password
        self._pool_size = pool_size
        self._pool: AsyncConnectionPool[Connection] | None = None
        self.outbox_lease = outbox_lease
        self._scope = TurnScope()
        self._leading = Leaderships(
            lambda: Connection.connect(url, autocommit=True, connect_timeout=CONNECT_TIMEOUT)
        )

    @property
    def pool(self) -> AsyncConnectionPool[Connection]:
        """The open connection pool (``open()`` must have been called)."""
        if self._pool is None:
            raise StorageError("the database is not open yet", code="storage.not_open")
        return self._pool

    async def open(self) -> None:
        """Connect, bring the schema up to date (one process at a time), then open the pool."""
        try:
            conn = await Connection.connect(
                self.url, autocommit=True, connect_timeout=CONNECT_TIMEOUT
            )
        except psycopg.Error as exc:
            raise self._cannot_connect(exc) from None
        try:
            async with conn, conn.transaction():
                # Transactional DDL: a migration is kept whole or not at all, and a second
                # process starting meanwhile waits here, then finds the schema up to date.
                await conn.execute("SELECT pg_advisory_xact_lock(%s)", (MIGRATION_LOCK,))
                await drive_async(migrate(MIGRATIONS, self._too_new), partial(_execute, conn))
            # A connection the server dropped (a restart) fails its next statement, which is
            # StorageUnavailable (the update stays unconfirmed and comes again), and the pool
            # replaces it; checking every connection before use would cost a round trip each.
            self._pool = AsyncConnectionPool(
                self.url,
                min_size=1,
                max_size=self._pool_size,
                kwargs={"autocommit": True, "connect_timeout": CONNECT_TIMEOUT},
                timeout=POOL_WAIT,
                open=False,
            )
            await self._pool.open(wait=True, timeout=CONNECT_TIMEOUT)
            await self._open_secret()
        except StorageError:
            await self.close()
            raise
        except psycopg.Error as exc:
            await self.close()
            raise _error("storage.pg_cannot_use", url=self.shown, detail=_detail(exc)) from None

    def _too_new(self, schema: int) -> StorageError:
        return _error("storage.pg_newer", url=self.shown, schema=schema, known=SCHEMA_VERSION)

    def _cannot_connect(self, exc: psycopg.Error) -> StorageError:
        """Why the server would not let us in, and what the admin can do about it."""
        detail = _detail(exc)
        try:
            info = conninfo_to_dict(self.url)
        except psycopg.Error:
            return _error("storage.pg_unreachable", url=self.shown, detail=detail)
        user = str(info.get("user") or "postgres")
        database = str(info.get("dbname") or user)
        # libpq says these only in words (no SQLSTATE before the connection is made).
        if "database" in detail and "does not exist" in detail:
            return _error(
                "storage.pg_no_database",
                url=self.shown,
                database=database,
                user=user,
                detail=detail,
            )
        if "authentication" in detail or "does not exist" in detail or "pg_hba" in detail:
            return _error("storage.pg_refused", url=self.shown, user=user, detail=detail)
        return _error("storage.pg_unreachable", url=self.shown, detail=detail)

    @contextlib.asynccontextmanager
    async def _connection(self) -> AsyncIterator[Connection]:
        """The connection of the turn in hand, else a pooled one; the server gone (or every
        connection busy too long) is StorageUnavailable: nothing was saved, the update stays
        unconfirmed."""
        try:
            turn = self._scope.connection()
            if turn is not None:
                yield turn
                return
            async with self.pool.connection() as conn:
                yield conn
        except psycopg.OperationalError as exc:  # PoolTimeout, a lost connection, a deadlock
            raise StorageUnavailable(
                f"could not use the PostgreSQL database {self.shown}: {_detail(exc)}"
            ) from exc

    @contextlib.asynccontextmanager
    async def turn_scope(self, key: SessionKey) -> AsyncIterator[None]:
        """The resident's turn in one transaction, under its advisory lock (see
        :mod:`bot.storage.postgres_locks`)."""
        if self._scope.connection() is not None:
            yield
            return
        async with self._connection() as conn, self._scope.hold(conn, f"turn:{key}"):
            yield

    async def mark_sent(self, ids: Sequence[int], *, at: float, dropped: bool = False) -> None:
        """Forget delivered replies, without waiting for the disk: a mark lost in a crash of the
        server (not of the bot) only sends that reply once more, as a kill of the bot can."""
        if not ids:
            return
        async with self._connection() as conn, conn.transaction():
            await conn.execute("SET LOCAL synchronous_commit TO OFF")
            await _execute(conn, many("DELETE FROM outbox WHERE id = ?", [(i,) for i in ids]))

    async def try_lead(self, name: str) -> bool:
        """True while this process holds the leadership ``name`` (an advisory lock)."""
        return await self._leading.try_lead(name)

    async def stop_leading(self, name: str) -> None:
        """Release the leadership ``name``."""
        await self._leading.stop_leading(name)

    async def _run(self, statement: Statement) -> Any:
        """One statement, committed at once (the pool's connections are in autocommit)."""
        async with self._connection() as conn:
            return await _execute(conn, statement)

    async def _atomic(self, steps: Steps[T]) -> T:
        """A transaction of several statements on one connection (inside a turn: part of the
        turn's transaction, which a failure undoes whole, so no savepoint of its own)."""
        turn = self._scope.connection()
        if turn is not None:
            async with self._connection() as conn:
                return await drive_async(steps, partial(_execute, conn))
        async with self._connection() as conn, conn.transaction():
            return await drive_async(steps, partial(_execute, conn))

    async def _scrub(self) -> None:
        """Nothing more than the DELETE: rows deleted are gone for every reader at once, and
        the server's autovacuum reclaims their space (the deployer looks after its disks)."""

    async def close(self) -> None:
        """Release the leaderships, close the pool's connections (safe to call twice)."""
        await self._leading.close()
        pool, self._pool = self._pool, None
        if pool is not None:
            await pool.close()


async def _execute(conn: Connection, statement: Statement) -> Any:
    """Run one statement on ``conn`` and return what its kind asks for."""
    sql = _placeholders(statement.sql)
    if statement.kind == "many":
        async with conn.cursor() as cursor:
            await cursor.executemany(sql, statement.params)
            return cursor.rowcount
    if statement.kind == "insert":
        sql += " RETURNING id"
    cursor = await conn.execute(sql, statement.params)
    if statement.kind in ("one", "insert"):
        row = await cursor.fetchone()
        return row[0] if statement.kind == "insert" and row is not None else row
    if statement.kind == "all":
        return await cursor.fetchall()
    return cursor.rowcount


@lru_cache(maxsize=512)
def _placeholders(sql: str) -> str:
    """The shared SQL's ``?`` placeholders as psycopg's ``%s`` (and a literal % as %%)."""
    return sql.replace("%", "%%").replace("?", "%s")


def _detail(exc: BaseException) -> str:
    """The server's words, on one line (libpq's spread over several)."""
    return " ".join(str(exc).split()) or type(exc).__name__


def _error(code: str, **params: Any) -> StorageError:
    """A StorageError whose English text is the catalog's (bot/core/admin_messages.py)."""
    return StorageError(describe(code, params, "en"), code=code, params=params)
