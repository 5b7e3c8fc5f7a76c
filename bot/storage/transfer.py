"""Moving a commune from its SQLite file into PostgreSQL (``trolyso migrate``).

Every table the file has is copied row for row, ids and revisions kept, in one PostgreSQL
transaction that first locks the target's tables: a copy is kept whole, checked, or not at all.
The check reads the copy back and compares each table's count and digest (an order-free hash of
its rows) with the file's, so a value PostgreSQL stored differently stops the copy too. The
pseudonym key is a row of ``meta`` and comes along: the residents' user refs stay the same.

Never twice: a target that already holds this file's records (the same digests) is left alone
and said to be so; one that holds other records is refused, unless ``force`` replaces them.

This module imports no database driver: the file is read through :mod:`bot.storage.sqlite_source`
and the target written by :mod:`bot.storage.postgres_transfer`, which gives its own few
statements (:class:`Dialect`); the rest is SQL both databases understand.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from bot.core.errors import DependencyMissing, StorageError
from bot.core.messages import describe
from bot.storage.sql import Statement, Steps, count, many, one, rows

__all__ = [
    "Dialect",
    "Progress",
    "TableCount",
    "TableShape",
    "TargetHasData",
    "Transfer",
    "TransferReport",
    "transfer",
]

PAGE = 1000  # rows read and written at a time: memory stays flat however large the file
_HASH_MOD = 2**128


@dataclass(frozen=True, slots=True)
class TableShape:
    """A table as the file has it: its columns, in their order, and its primary key."""

    name: str
    columns: tuple[str, ...]
    key: tuple[str, ...]

    def key_of(self, row: Sequence[Any]) -> tuple[Any, ...]:
        """The primary key of one of this table's rows (read with all its columns)."""
        return tuple(row[self.columns.index(column)] for column in self.key)


@dataclass(frozen=True, slots=True)
class TableCount:
    """How many rows a table has in the file (source) and in PostgreSQL (target)."""

    table: str
    source: int
    target: int


@dataclass(frozen=True, slots=True)
class TransferReport:
    """What a migration did: the counts per table, once checked."""

    tables: tuple[TableCount, ...]
    copied: bool  # False: the target already held exactly this file's records
    replaced: bool = False  # True: ``force`` replaced other records the target held


class TargetHasData(StorageError):
    """The target holds records that are not this file's: refused without ``force``."""

    def __init__(self, tables: tuple[TableCount, ...], **params: object) -> None:
        code = "migrate.target_has_data"
        super().__init__(describe(code, params, "en"), code=code, params=params)
        self.tables = tables


class Progress(Protocol):
    """Told how far the work is: ``stage`` is "check", "copy" or "verify"."""

    def __call__(self, stage: str, table: str, done: int, total: int) -> None: ...


class Source(Protocol):
    """The file being copied (:class:`bot.storage.sqlite_source.SqliteSource`)."""

    def tables(self) -> list[TableShape]: ...
    def last_ids(self) -> dict[str, int]: ...
    def run(self, statement: Statement) -> Any: ...


@dataclass(frozen=True, slots=True)
class Dialect:
    """The target's own statements: those that start the copy (locks, time limits), and the one
    that makes its next id for ``table`` come after ``last``."""

    begin: Callable[[Sequence[str]], Sequence[Statement]]
    next_id: Callable[[str, int], Statement]


def page(shape: TableShape, after: tuple[Any, ...] | None) -> Statement:
    """The next :data:`PAGE` rows of a table after the key ``after``, in key order (the same
    SQL on both databases; each orders by its own rules, which is all a page needs)."""
    keys = ", ".join(shape.key)
    where, params = "", ()
    if after is not None:
        where = f" WHERE ({keys}) > ({', '.join('?' for _ in shape.key)})"
        params = after
    return rows(
        f"SELECT {', '.join(shape.columns)} FROM {shape.name}{where} ORDER BY {keys} LIMIT ?",
        (*params, PAGE),
    )


@dataclass(slots=True)
class Digest:
    """An order-free digest of a table's rows: their count and the sum of their hashes."""

    rows: int = 0
    total: int = 0

    def add(self, found: Sequence[Sequence[Any]]) -> None:
        """Count these rows in."""
        for row in found:
            text = repr(tuple(_plain(value) for value in row)).encode("utf-8", "surrogatepass")
            value = int.from_bytes(hashlib.blake2b(text, digest_size=16).digest(), "big")
            self.rows += 1
            self.total = (self.total + value) % _HASH_MOD


def _plain(value: Any) -> Any:
    """One value as both databases give it back: SQLite may hand a whole REAL back as an int."""
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**53:
        return int(value)
    return value


@dataclass
class Transfer:
    """One copy of ``source`` into a target, as a transaction of statements (:meth:`steps`)."""

    source: Source
    path: Path  # what messages call the source
    shown: str  # ... and the target: its URL without the password
    progress: Progress
    table: str = ""  # the table being worked on (for a message when the target refuses a row)
    _shapes: list[TableShape] = field(default_factory=list)

    def steps(self, dialect: Dialect, *, force: bool) -> Steps[TransferReport]:
        """Lock the target, decide (empty, the same, or other records), copy, check."""
        self._shapes = self.source.tables()
        names = [shape.name for shape in self._shapes]
        # Not ``yield from``: each statement's result is sent back in, which a list cannot take.
        for statement in dialect.begin(names):  # noqa: UP028
            yield statement
        ours = {shape.name: self._source_count(shape) for shape in self._shapes}
        theirs: dict[str, int] = {}
        for shape in self._shapes:
            self.table = shape.name
            row = yield one(f"SELECT COUNT(*) FROM {shape.name}")
            theirs[shape.name] = int(row[0])
        counts = tuple(TableCount(name, ours[name], theirs[name]) for name in names)
        # ``meta`` does not count: opening the target made its own pseudonym key.
        replaced = any(theirs[name] for name in names if name != "meta")
        if replaced:
            if (yield from self._same(ours)):
                return TransferReport(counts, copied=False)
            if not force:
                raise TargetHasData(counts, path=self.path, url=self.shown)
        for shape in self._shapes:  # meta too: the file's key replaces the target's own
            yield count(f"DELETE FROM {shape.name}")
        copied: dict[str, Digest] = {}
        for shape in self._shapes:
            copied[shape.name] = yield from self._copy(shape, ours[shape.name], dialect)
        found: dict[str, Digest] = {}
        for shape in self._shapes:
            found[shape.name] = yield from self._target_digest(shape, "verify", ours[shape.name])
            if found[shape.name] != copied[shape.name]:
                raise _error(
                    "migrate.verify_failed",
                    table=shape.name,
                    source=copied[shape.name].rows,
                    target=found[shape.name].rows,
                    url=self.shown,
                )
        checked = tuple(TableCount(n, copied[n].rows, found[n].rows) for n in names)
        return TransferReport(checked, copied=True, replaced=replaced)

    def _source_count(self, shape: TableShape) -> int:
        row = self.source.run(one(f"SELECT COUNT(*) FROM {shape.name}"))
        return int(row[0])

    def _source_pages(self, shape: TableShape) -> Iterator[list[Any]]:
        after: tuple[Any, ...] | None = None
        while True:
            found = list(self.source.run(page(shape, after)))
            if found:
                yield found
            if len(found) < PAGE:
                return
            after = shape.key_of(found[-1])

    def _same(self, ours: dict[str, int]) -> Steps[bool]:
        """True when the target holds exactly the file's rows, table by table."""
        for shape in self._shapes:
            mine = Digest()
            for found in self._source_pages(shape):
                mine.add(found)
                self.progress("check", shape.name, mine.rows, ours[shape.name])
            theirs = yield from self._target_digest(shape, "check", ours[shape.name])
            if theirs != mine:
                return False
        return True

    def _copy(self, shape: TableShape, total: int, dialect: Dialect) -> Steps[Digest]:
        self.table = shape.name
        digest = Digest()
        last = 0
        insert = (
            f"INSERT INTO {shape.name} ({', '.join(shape.columns)}) "
            f"VALUES ({', '.join('?' for _ in shape.columns)})"
        )
        self.progress("copy", shape.name, 0, total)
        for found in self._source_pages(shape):
            yield many(insert, found)
            digest.add(found)
            if shape.key == ("id",):
                last = max(last, max(int(row[shape.columns.index("id")]) for row in found))
            self.progress("copy", shape.name, digest.rows, total)
        if shape.key == ("id",):
            # An AUTOINCREMENT id is never given twice, even once its row is gone ("fu:<id>").
            last = max(last, self.source.last_ids().get(shape.name, 0))
            yield dialect.next_id(shape.name, last)
        return digest

    def _target_digest(self, shape: TableShape, stage: str, total: int) -> Steps[Digest]:
        self.table = shape.name
        digest = Digest()
        after: tuple[Any, ...] | None = None
        while True:
            found = list((yield page(shape, after)))
            digest.add(found)
            self.progress(stage, shape.name, digest.rows, total)
            if len(found) < PAGE:
                return digest
            after = shape.key_of(found[-1])


def _quiet(stage: str, table: str, done: int, total: int) -> None:
    """No progress shown."""


async def transfer(
    path: Path, url: str, *, force: bool = False, progress: Progress = _quiet
) -> TransferReport:
    """Copy the SQLite file ``path`` into the PostgreSQL database ``url`` (see the module's
    docstring); a StorageError says, in the catalog's words, why it could not."""
    try:
        from bot.storage.postgres_transfer import copy_into
    except ImportError as exc:
        if exc.name not in ("psycopg", "psycopg_pool"):
            raise
        raise DependencyMissing("A PostgreSQL database", "postgresql") from exc
    from bot.storage import shown_url
    from bot.storage.sqlite_source import SqliteSource

    source = SqliteSource(path)
    source.open()
    try:
        work = Transfer(source, path=path, shown=shown_url(url), progress=progress)
        return await copy_into(url, work, force=force)
    finally:
        source.close()


def _error(code: str, **params: Any) -> StorageError:
    """A StorageError whose English text is the catalog's (bot/core/migrate_messages.py)."""
    return StorageError(describe(code, params, "en"), code=code, params=params)
