"""What the PostgreSQL backend says when the server says no: which URL (its password never
shown), what the server said, and what the admin can run about it (the catalog's words:
bot/core/admin_messages.py)."""

from __future__ import annotations

from typing import Any

import psycopg
from psycopg.conninfo import conninfo_to_dict

from bot.core.errors import StorageError
from bot.core.messages import describe

__all__ = ["cannot_connect", "detail", "error"]


def cannot_connect(url: str, shown: str, exc: psycopg.Error) -> StorageError:
    """Why the server at ``url`` (``shown``: as messages print it) would not let us in, and
    what the admin can do about it."""
    said = detail(exc)
    try:
        info = conninfo_to_dict(url)
    except psycopg.Error:
        return error("storage.pg_unreachable", url=shown, detail=said)
    user = str(info.get("user") or "postgres")
    database = str(info.get("dbname") or user)
    # libpq says these only in words (no SQLSTATE before the connection is made).
    if "database" in said and "does not exist" in said:
        return error(
            "storage.pg_no_database", url=shown, database=database, user=user, detail=said
        )
    if "authentication" in said or "does not exist" in said or "pg_hba" in said:
        return error("storage.pg_refused", url=shown, user=user, detail=said)
    return error("storage.pg_unreachable", url=shown, detail=said)


def detail(exc: BaseException) -> str:
    """The server's words, on one line (libpq's spread over several)."""
    return " ".join(str(exc).split()) or type(exc).__name__


def error(code: str, **params: Any) -> StorageError:
    """A StorageError whose English text is the catalog's (bot/core/admin_messages.py)."""
    return StorageError(describe(code, params, "en"), code=code, params=params)
