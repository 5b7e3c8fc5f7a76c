"""Where sessions and everything else the bot keeps are stored, behind one contract.

:func:`open_storage` is the one place a backend is chosen, from the ``database`` setting: a file
path (SQLite, as always), a URL ``sqlite:///data/trolyso.sqlite3`` (relative to the config
file's folder) or ``sqlite:////abs/path``, or a PostgreSQL server's
``postgresql://user:password@host:5432/dbname`` (``postgres://`` too, as libpq writes it).
A backend that does not exist is a ConfigError.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit, urlunsplit

from bot.core.errors import ConfigError, DependencyMissing
from bot.storage.base import RunRecord, Storage

if TYPE_CHECKING:
    from bot.config import Settings

__all__ = [
    "SCHEMES",
    "RunRecord",
    "Storage",
    "data_folder",
    "database_file",
    "database_url",
    "open_storage",
    "shown_url",
]

SERVERS = ("postgresql", "postgres")  # the schemes of a PostgreSQL server's URL
SCHEMES = ("sqlite", *SERVERS)  # the backends a URL may name; a bare path is SQLite
_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*):(.*)$", re.DOTALL)


def _split(database: str | Path) -> tuple[str, str]:
    """``(scheme, rest)``; a plain path is ``("", path)``.

    The config reader turns a file's setting into a path resolved against the config file's
    folder, which folds ``sqlite:///x`` into ``<folder>/sqlite:/x``: the scheme is found again
    in it. (A server's URL stays text.)
    """
    text = str(database)
    match = _SCHEME.match(text)
    if match and not re.fullmatch(r"[A-Za-z]", match.group(1)):  # C:\\... is a Windows path
        return match.group(1).lower(), match.group(2)
    if isinstance(database, Path):
        for i, part in enumerate(database.parts):
            found = _SCHEME.match(part)
            if found and not found.group(2) and i > 0:
                folder = Path(*database.parts[:i])
                rest = Path(*database.parts[i + 1 :]) if i + 1 < len(database.parts) else Path()
                return found.group(1).lower(), str(folder / rest)
    return "", text


def _setting(database: Settings | str | Path) -> tuple[str | Path, str]:
    """The setting's value, and where it came from (for a ConfigError)."""
    if isinstance(database, str | Path):
        return database, "config"
    return database.database, database.source


def _scheme(database: Settings | str | Path) -> tuple[str, str]:
    """``(scheme, rest)`` of the setting; a ConfigError for a backend this bot does not have."""
    value, source = _setting(database)
    scheme, rest = _split(value)
    if scheme not in ("", *SCHEMES):
        raise ConfigError(
            "database",
            f"'{scheme}://' is not a storage this bot has (it knows: a file path, "
            f"{', '.join(s + '://' for s in SCHEMES)})",
            code="config.database_scheme",
            params={"scheme": scheme, "known": ", ".join(s + "://" for s in SCHEMES)},
            source=source,
        )
    return scheme, rest


def database_url(database: Settings | str | Path) -> str | None:
    """The PostgreSQL URL the ``database`` setting names, or None when it names a file."""
    scheme, _rest = _scheme(database)
    return str(_setting(database)[0]) if scheme in SERVERS else None


def database_file(database: Settings | str | Path) -> Path:
    """The SQLite file the ``database`` setting names (a path, or a ``sqlite://`` URL).

    A ConfigError when the setting names a database server, which has no file.
    """
    scheme, rest = _scheme(database)
    value, source = _setting(database)
    if scheme in SERVERS:
        raise ConfigError(
            "database",
            "names a PostgreSQL server, not a file: this needs a SQLite file (a path)",
            code="config.database_not_file",
            params={},
            source=source,
        )
    if scheme and isinstance(value, str):
        # sqlite:///relative/file, sqlite:////absolute/file (as SQLAlchemy writes them)
        rest = rest[2:] if rest.startswith("//") else rest
        rest = rest[1:] if rest.startswith("/") else rest
    return Path(rest).expanduser()


def data_folder(database: Settings | str | Path) -> Path:
    """The folder for files the bot writes beside its database (reports): the SQLite file's
    folder, or for a database server ``data/`` beside the config file (else the working folder).
    """
    if database_url(database) is None:
        return database_file(database).parent
    source = None if isinstance(database, str | Path) else database.source
    config = Path(source) if source and not source.startswith("(") else None
    return (config.resolve().parent if config else Path.cwd()) / "data"


def open_storage(
    database: Settings | str | Path,
    *,
    cache_size: int | None = None,
    busy_timeout: float | None = None,
) -> Storage:
    """The backend the ``database`` setting names (not opened yet: call ``open()``).

    ``cache_size``: sessions kept in memory by SQLite (default: the ``session_cache`` setting,
    else 10 000). ``busy_timeout``: seconds a SQLite write waits for another program's lock
    (default 10). PostgreSQL takes neither: it keeps no sessions in memory (several processes
    share it, and none may work from a stale copy) and waits on row locks, not on the file.
    """
    url = database_url(database)
    if url is not None:
        try:
            from bot.storage.postgres import PostgresStorage
        except ImportError as exc:
            if exc.name not in ("psycopg", "psycopg_pool"):
                raise
            raise DependencyMissing("A PostgreSQL database", "postgresql") from exc
        if isinstance(database, str | Path):
            return PostgresStorage(url)
        return PostgresStorage(url, outbox_lease=database.processes.outbox_lease_seconds)
    path = database_file(database)
    if cache_size is None:
        cache_size = 10_000 if isinstance(database, str | Path) else database.session_cache
    from bot.storage.sqlite import SqliteStorage

    if busy_timeout is None:
        return SqliteStorage(path, cache_size=cache_size)
    return SqliteStorage(path, cache_size=cache_size, busy_timeout=busy_timeout)


def shown_url(url: str) -> str:
    """The URL as messages and logs may show it: without its password."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return "(the 'database' setting)"
    netloc = parts.netloc
    if parts.password is not None:
        netloc = f"{parts.username or ''}:***@{netloc.rsplit('@', 1)[1]}"
    query = "&".join(
        "password=***" if item.lower().startswith("password=") else item
        for item in parts.query.split("&")
        if item
    )
    return urlunsplit((parts.scheme, netloc, parts.path, query, parts.fragment))
