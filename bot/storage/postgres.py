"""The storage for several bot processes: one PostgreSQL database (psycopg, with its connection
pool; the other ``postgres_*`` modules are its parts: schema, locks, one-statement turns, words
for errors, the copy from SQLite).

Every table, query and transaction is the SQLite backend's too (the ``sql_*`` modules); this
module only connects, migrates, and runs statements on pooled connections. A turn is one
transaction, durable when it commits (``synchronous_commit`` as the server has it, on by
default). Several processes may share the database (:mod:`bot.storage.postgres_locks`): a
redelivered update inserts nothing (its key is unique), a resident's session is saved only at
the revision its turn read (a clash: the turn runs again under the resident's advisory lock, in
one transaction), replies are claimed before they are sent (``FOR UPDATE SKIP LOCKED``), and
one process at a time leads what must run once.

Most turns take no transaction at all: reads of the sessions several turns wait for share one
``SELECT``, the turns saved at the same moment share one statement
(:mod:`bot.storage.postgres_turn`), and the marks of delivered replies share one ``DELETE``
(:mod:`bot.storage.grouped`): on a machine whose cores the bot shares with the server, each
statement saved is a round trip's work saved for both.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from functools import lru_cache, partial
from typing import Any, TypeVar

import psycopg
from psycopg_pool import AsyncConnectionPool

from bot.core.errors import LockNeeded, StorageError, StorageUnavailable
from bot.core.types import SessionKey
from bot.storage import postgres_json, shown_url
from bot.storage.grouped import Grouped
from bot.storage.postgres_errors import cannot_connect
from bot.storage.postgres_errors import detail as _detail
from bot.storage.postgres_errors import error as _error
from bot.storage.postgres_locks import Leaderships, TurnScope
from bot.storage.postgres_schema import MIGRATIONS, SCHEMA_VERSION
from bot.storage.postgres_turn import (
    STATEMENT,
    Pending,
    one_statement,
    outcomes,
    statements,
    turns_params,
)
from bot.storage.records import SavedReplies, StoredSession, TurnRecord
from bot.storage.sql import Statement, Steps, drive_async, migrate
from bot.storage.sql_channel_state import ChannelStateTables
from bot.storage.sql_delivery import DeliveryTables
from bot.storage.sql_processes import OUTBOX_LEASE, ProcessTables
from bot.storage.sql_purge import PurgeTables
from bot.storage.sql_reports import ReportTables
from bot.storage.sql_staff import StaffTables
from bot.storage.sql_tickets import TicketTables
from bot.storage.sql_turns import SessionTables, stored_session

__all__ = ["SCHEMA_VERSION", "PostgresStorage"]

T = TypeVar("T")
Connection = psycopg.AsyncConnection[Any]
Cursor = psycopg.AsyncCursor[Any]

# Seconds to wait for the server when opening, and for a free connection of the pool.
CONNECT_TIMEOUT = 10
POOL_WAIT = 10.0
# Connections one process keeps: a statement or a transaction holds one while it runs.
POOL_SIZE = 10
# Turns saved in one statement at most (each adds a value to each of its arrays).
GROUP = 50
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
        # Marks of sent replies: on a connection that does not wait for the disk at commit, and
        # the marks of several chats in one statement.
        self._marks: AsyncConnectionPool[Connection] | None = None
        self._mark: Grouped[int, None] = Grouped(self._delete_sent)
        self._read: Grouped[SessionKey, StoredSession] = Grouped(self._read_sessions)
        # Two statements of turns at a time: the bot computes the next while one is saved.
        self._save: Grouped[Pending, SavedReplies | Exception]
        self._save = Grouped(self._save_now, most=GROUP, lanes=2)
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
            self._pool = self._new_pool(self._pool_size)
            await self._pool.open(wait=True, timeout=CONNECT_TIMEOUT)
            self._marks = self._new_pool(1, configure=_without_waiting)
            await self._marks.open(wait=True, timeout=CONNECT_TIMEOUT)
            await self._open_secret()
        except StorageError:
            await self.close()
            raise
        except psycopg.Error as exc:
            await self.close()
            raise _error("storage.pg_cannot_use", url=self.shown, detail=_detail(exc)) from None

    def _new_pool(
        self, size: int, configure: Callable[[Connection], Awaitable[None]] | None = None
    ) -> AsyncConnectionPool[Connection]:
        return AsyncConnectionPool(
            self.url,
            min_size=1,
            max_size=size,
            kwargs={"autocommit": True, "connect_timeout": CONNECT_TIMEOUT},
            configure=configure,
            timeout=POOL_WAIT,
            open=False,
        )

    def _too_new(self, schema: int) -> StorageError:
        return _error("storage.pg_newer", url=self.shown, schema=schema, known=SCHEMA_VERSION)

    def _cannot_connect(self, exc: psycopg.Error) -> StorageError:
        return cannot_connect(self.url, self.shown, exc)

    async def _query(
        self, sql: str, params: Any, pool: AsyncConnectionPool[Connection] | None = None
    ) -> Cursor:
        """One statement on the turn's connection, else on one of ``pool`` (the main one by
        default); its cursor holds the results."""
        async with self._connection(pool) as conn:
            return await conn.execute(sql, params)

    @contextlib.asynccontextmanager
    async def _connection(
        self, pool: AsyncConnectionPool[Connection] | None = None
    ) -> AsyncIterator[Connection]:
        """The connection of the turn in hand, else one of ``pool`` (the main one by default);
        the server gone (or every connection busy too long) is StorageUnavailable: nothing was
        saved, the update stays unconfirmed."""
        try:
            turn = self._scope.connection()
            if turn is not None:
                yield turn
                return
            async with (pool or self.pool).connection() as conn:
                yield conn
        except psycopg.OperationalError as exc:  # PoolTimeout, a lost connection, a deadlock
            raise StorageUnavailable(
                f"could not use the PostgreSQL database {self.shown}: {_detail(exc)}"
            ) from exc

    @contextlib.asynccontextmanager
    async def turn_scope(self, key: SessionKey, *, locked: bool = True) -> AsyncIterator[None]:
        """The resident's turn in one transaction, under its advisory lock; not ``locked``,
        without either (see :mod:`bot.storage.postgres_locks`): three round trips fewer for the
        turns that only read until their save, which most residents' are."""
        if self._scope.inside():
            yield
            return
        if not locked:
            async with self._scope.unlocked():
                yield
            return
        async with self._connection() as conn, self._scope.hold(conn, f"turn:{key}"):
            yield

    def _writing(self, what: str) -> None:
        """A write is about to run: not allowed before the save of a turn without the lock."""
        if self._scope.unlocked_turn():
            raise LockNeeded(f"the turn writes before its save ({what}): it needs the lock")

    async def read(self, key: SessionKey) -> StoredSession:
        """The stored session of ``key`` and its revision; outside a locked turn, read with the
        sessions of every turn that asked meanwhile, in one statement."""
        if self._scope.connection() is not None:  # after the lock, on the turn's connection
            return await super().read(key)
        [stored] = await self._read([key])
        return stored

    async def _read_sessions(self, keys: list[SessionKey]) -> list[StoredSession]:
        cursor = await self._query(
            "SELECT s.channel, s.user_id, s.state, s.revision FROM sessions s "
            "JOIN unnest(%b::text[], %b::text[]) AS k(channel, user_id) "
            "ON s.channel = k.channel AND s.user_id = k.user_id",
            ([k.channel for k in keys], [k.user_id for k in keys]),
        )
        found = {SessionKey(r[0], r[1]): (r[2], int(r[3])) for r in await cursor.fetchall()}
        return [stored_session(found.get(key)) for key in keys]

    async def save(self, turn: TurnRecord) -> list[int]:
        """Write the whole turn atomically: most turns as one statement shared with the turns
        of other residents saved meanwhile (:mod:`bot.storage.postgres_turn`), the others as
        the generic transaction."""
        if not one_statement(turn):
            return await super().save(turn)
        user = self.user_ref(turn.key) if turn.finished else ""
        claim = (self._holder(), turn.session.updated_at + self.outbox_lease)
        pending = Pending(turn, user, turn.session.to_json(), claim)
        if self._scope.connection() is not None:  # part of the locked turn's transaction
            [saved] = await self._save_now([pending])
        else:
            [saved] = await self._save([pending])
        if isinstance(saved, Exception):
            raise saved
        return saved

    async def _save_now(self, turns: list[Pending]) -> list[SavedReplies | Exception]:
        """Save ``turns``, at most ``GROUP`` to a statement. A statement the server refuses
        for a reason of its own (a value one turn got wrong) is tried again a turn at a time,
        so that only that turn fails; the server gone fails them all (StorageUnavailable)."""
        found: list[SavedReplies | Exception] = []
        for chunk in statements(turns, GROUP):
            try:
                row = await (await self._query(STATEMENT, turns_params(chunk))).fetchone()
            except psycopg.Error as exc:
                if len(chunk) == 1:
                    found.append(exc)
                    continue
                for each in chunk:
                    found.extend(await self._save_now([each]))
                continue
            assert row is not None  # a SELECT without FROM has its one row
            found.extend(outcomes(row, chunk))
        return found

    async def mark_sent(self, ids: Sequence[int], *, at: float, dropped: bool = False) -> None:
        """Forget delivered replies, without waiting for the disk: a mark lost in a crash of the
        server (not of the bot) only sends that reply once more, as a kill of the bot can."""
        if ids:
            await self._mark(list(ids))

    async def _delete_sent(self, ids: list[int]) -> list[None]:
        """One DELETE for the marks of every chat that came meanwhile (see ``_mark``)."""
        await self._query("DELETE FROM outbox WHERE id = ANY(%b::bigint[])", (ids,), self._marks)
        return [None] * len(ids)

    async def try_lead(self, name: str) -> bool:
        """True while this process holds the leadership ``name`` (an advisory lock)."""
        return await self._leading.try_lead(name)

    async def stop_leading(self, name: str) -> None:
        """Release the leadership ``name``."""
        await self._leading.stop_leading(name)

    async def _run(self, statement: Statement) -> Any:
        """One statement, committed at once (the pool's connections are in autocommit)."""
        if statement.kind not in ("one", "all") or not _is_query(statement.sql):
            self._writing(statement.sql[:40])
        async with self._connection() as conn:
            return await _execute(conn, statement)

    async def _atomic(self, steps: Steps[T]) -> T:
        """A transaction of several statements on one connection (inside a turn: part of the
        turn's transaction, which a failure undoes whole, so no savepoint of its own)."""
        self._writing("a transaction")
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
        pools, self._pool, self._marks = (self._pool, self._marks), None, None
        for pool in pools:
            if pool is not None:
                await pool.close()


async def _without_waiting(conn: Connection) -> None:
    """A connection whose commits return before the disk has them (marks of sent replies: one
    lost in a crash of the server, not of the bot, only sends that reply once more)."""
    await conn.execute("SET synchronous_commit TO OFF")


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
def _is_query(sql: str) -> bool:
    """True for a statement that only reads (a SELECT)."""
    return sql.lstrip()[:6].upper() == "SELECT"


@lru_cache(maxsize=512)
def _placeholders(sql: str) -> str:
    """The shared SQL's ``?`` placeholders as psycopg's ``%s`` (and a literal % as %%)."""
    return sql.replace("%", "%%").replace("?", "%s")
