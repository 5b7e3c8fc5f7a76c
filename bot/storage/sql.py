"""What the SQL backends (SQLite, PostgreSQL) share: statements as plain values, a transaction as
a generator of statements, and the base class of their role mixins.

Every table, query and transaction is written once, in the ``sql_*`` modules, in SQL both
databases understand (``?`` placeholders, ``INSERT … ON CONFLICT``, ``TRUE``). A backend only
says how to run one statement (:meth:`SqlTables._run`) and one transaction
(:meth:`SqlTables._atomic`), and gives the few queries whose dialects differ (those that read the
session's JSON). A transaction is a generator: it yields each statement and receives its result,
so the same Python logic runs inside SQLite's group commit (synchronously, on the connection's
thread) and on a PostgreSQL connection (asynchronously). No database driver is imported here.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Generator, Sequence
from dataclasses import dataclass
from typing import Any, Generic, Literal, TypeVar

from bot.core.errors import StorageError
from bot.core.types import SessionKey

__all__ = [
    "SqlTables",
    "Statement",
    "Steps",
    "count",
    "drive",
    "drive_async",
    "insert",
    "many",
    "migrate",
    "one",
    "rows",
    "window",
]

T = TypeVar("T")

# one: the first row or None; all: every row; count: how many rows it changed; many: the same
# statement for each parameter row (changed rows added up); insert: the id of the new row.
Kind = Literal["one", "all", "count", "many", "insert"]


@dataclass(frozen=True, slots=True)
class Statement:
    """One SQL statement with ``?`` placeholders, and what its caller wants back."""

    kind: Kind
    sql: str
    params: Sequence[Any] = ()


def one(sql: str, params: Sequence[Any] = ()) -> Statement:
    """A query whose first row (a tuple) or None is wanted."""
    return Statement("one", sql, params)


def rows(sql: str, params: Sequence[Any] = ()) -> Statement:
    """A query whose rows (tuples) are wanted."""
    return Statement("all", sql, params)


def count(sql: str, params: Sequence[Any] = ()) -> Statement:
    """A change whose number of changed rows is wanted."""
    return Statement("count", sql, params)


def many(sql: str, params: Sequence[Sequence[Any]]) -> Statement:
    """One change run for each row of ``params``; the changed rows are added up."""
    return Statement("many", sql, params)


def insert(sql: str, params: Sequence[Any]) -> Statement:
    """An ``INSERT`` into a table with an ``id`` column, whose new id is wanted."""
    return Statement("insert", sql, params)


# A transaction: yields statements, is sent each one's result, returns its own result.
Steps = Generator[Statement, Any, T]


@dataclass(frozen=True, slots=True)
class _Done(Generic[T]):
    value: T


def _advance(steps: Steps[T], result: Any) -> Statement | _Done[T]:
    try:
        return steps.send(result)
    except StopIteration as done:
        return _Done(done.value)


def drive(steps: Steps[T], execute: Callable[[Statement], Any]) -> T:
    """Run a transaction's statements with a synchronous ``execute`` (SQLite's thread)."""
    step = _advance(steps, None)
    while not isinstance(step, _Done):
        step = _advance(steps, execute(step))
    return step.value


async def drive_async(steps: Steps[T], execute: Callable[[Statement], Awaitable[Any]]) -> T:
    """Run a transaction's statements with an asynchronous ``execute`` (PostgreSQL)."""
    step = _advance(steps, None)
    while not isinstance(step, _Done):
        step = _advance(steps, await execute(step))
    return step.value


def window(column: str, start: float | None, end: float | None) -> tuple[str, list[float]]:
    """A WHERE fragment for ``start <= column < end`` (always true when unbounded), and its
    parameters."""
    parts: list[str] = []
    params: list[float] = []
    if start is not None:
        parts.append(f"{column} >= ?")
        params.append(start)
    if end is not None:
        parts.append(f"{column} < ?")
        params.append(end)
    return (" AND ".join(parts) or "TRUE"), params


def migrate(
    migrations: Sequence[Sequence[str]], too_new: Callable[[int], StorageError]
) -> Steps[int]:
    """Bring the schema up to date inside one transaction; returns the version found.

    ``migrations[n]`` are the statements that move a database from version n to n + 1, as the
    one-row ``schema_version`` table records. A database from a newer bot is refused with
    ``too_new(its version)``: an older bot must never write a schema it does not know.
    """
    yield count("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)")
    row = yield one("SELECT version FROM schema_version")
    current = int(row[0]) if row else 0
    if current > len(migrations):
        raise too_new(current)
    for version in range(current, len(migrations)):
        for statement in migrations[version]:
            yield count(statement)
    if current < len(migrations):
        yield count("DELETE FROM schema_version")
        yield count("INSERT INTO schema_version (version) VALUES (?)", (len(migrations),))
    return current


class SqlTables:
    """The base of every part of a SQL backend: how it runs statements and transactions.

    The parts (sessions, delivery, staff, reports, purges) are mixins of this class that speak
    only through :meth:`_run` and :meth:`_atomic`; the backend class implements those two.
    """

    async def _run(self, statement: Statement) -> Any:
        """Run one statement on its own (committed at once) and return what it asks for."""
        raise NotImplementedError  # each backend's own

    async def _atomic(self, steps: Steps[T]) -> T:
        """Run a transaction: all of its statements are kept, or (on any error) none."""
        raise NotImplementedError  # each backend's own

    def forget_cached(self, key: SessionKey | None = None) -> None:
        """Drop one resident's cached session (or all): a backend without a cache has none."""

    async def _scrub(self) -> None:
        """Called after personal records were deleted (a /forget, a purge): a backend whose
        file still holds copies of the deleted pages overwrites them here."""

    async def _one(self, sql: str, params: Sequence[Any] = ()) -> Any:
        return await self._run(one(sql, params))

    async def _all(self, sql: str, params: Sequence[Any] = ()) -> list[Any]:
        return list(await self._run(rows(sql, params)))

    async def _count(self, sql: str, params: Sequence[Any] = ()) -> int:
        return int(await self._run(count(sql, params)))
