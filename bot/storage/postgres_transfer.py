"""The PostgreSQL side of ``trolyso migrate`` (:mod:`bot.storage.transfer`): the database made
ready as the bot makes it, then the whole copy run as one transaction on it.
"""

from __future__ import annotations

from collections.abc import Sequence

import psycopg

from bot.core.errors import StorageUnavailable

# One backend: its messages are made the same way (the catalog's English, the URL shown).
from bot.storage.postgres import PostgresStorage
from bot.storage.postgres_errors import detail as _detail
from bot.storage.postgres_errors import error as _error
from bot.storage.sql import Statement, count, one
from bot.storage.transfer import Dialect, Transfer, TransferReport

__all__ = ["DIALECT", "copy_into"]

# How long the copy waits for a bot process's lock on a table before it gives up (a bot left
# running on this database would otherwise keep it waiting without a word).
LOCK_TIMEOUT = "10s"


def _begin(tables: Sequence[str]) -> list[Statement]:
    # EXCLUSIVE: others may still read, nobody writes until the copy commits or is undone, so
    # the check of what the target holds and the copy see the same rows.
    return [
        count(f"SET LOCAL lock_timeout = '{LOCK_TIMEOUT}'"),
        count(f"LOCK TABLE {', '.join(tables)} IN EXCLUSIVE MODE"),
    ]


def _next_id(table: str, last: int) -> Statement:
    # Rows copied with their ids leave the identity where it was: move it past them (with
    # is_called false for an empty table, so that its first id is 1).
    return one(
        "SELECT setval(pg_get_serial_sequence(?, 'id'), ?, ?)", (table, max(last, 1), last > 0)
    )


DIALECT = Dialect(begin=_begin, next_id=_next_id)


async def copy_into(url: str, work: Transfer, *, force: bool) -> TransferReport:
    """Open (create or migrate) the database at ``url`` and run ``work`` on it in one
    transaction; what the server refused is a StorageError naming the table."""
    storage = PostgresStorage(url)
    await storage.open()
    try:
        return await storage._atomic(work.steps(DIALECT, force=force))
    except StorageUnavailable as exc:
        raise _error(
            "migrate.write_failed", url=storage.shown, table=work.table, detail=_cause(exc)
        ) from None
    except psycopg.Error as exc:
        raise _error(
            "migrate.write_failed", url=storage.shown, table=work.table, detail=_detail(exc)
        ) from None
    finally:
        await storage.close()


def _cause(exc: StorageUnavailable) -> str:
    """The server's words behind a StorageUnavailable (its own text names the whole URL)."""
    cause = exc.__cause__
    return _detail(cause) if cause is not None else _detail(exc)
