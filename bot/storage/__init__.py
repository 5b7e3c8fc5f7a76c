"""Where sessions and everything else the bot keeps are stored, behind one contract.

:func:`open_storage` is the one place a backend is chosen, from the ``database`` setting: a file
path (SQLite, as always) or a URL, ``sqlite:///data/trolyso.sqlite3`` (relative to the config
file's folder) or ``sqlite:////abs/path``. A backend that does not exist yet is a ConfigError.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING

from bot.core.errors import ConfigError
from bot.storage.base import RunRecord, Storage

if TYPE_CHECKING:
    from bot.config import Settings

__all__ = ["SCHEMES", "RunRecord", "Storage", "database_file", "open_storage"]

SCHEMES = ("sqlite",)  # the backends a URL may name; a bare path is SQLite
_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*):(.*)$", re.DOTALL)


def _split(database: str | Path) -> tuple[str, str]:
    """``(scheme, rest)``; a plain path is ``("", path)``.

    The config reader turns the setting into a path resolved against the config file's folder,
    which folds ``sqlite:///x`` into ``<folder>/sqlite:/x``: the scheme is found again in it.
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


def database_file(database: Settings | str | Path) -> Path:
    """The SQLite file the ``database`` setting names (a path, or a ``sqlite://`` URL)."""
    value = database if isinstance(database, str | Path) else database.database
    scheme, rest = _split(value)
    if scheme not in ("", *SCHEMES):
        raise ConfigError(
            "database",
            f"'{scheme}://' is not a storage this bot has (it knows: a file path, "
            f"{', '.join(s + '://' for s in SCHEMES)})",
            code="config.database_scheme",
            params={"scheme": scheme, "known": ", ".join(s + "://" for s in SCHEMES)},
            source="config" if isinstance(database, str | Path) else database.source,
        )
    if scheme and isinstance(value, str):
        # sqlite:///relative/file, sqlite:////absolute/file (as SQLAlchemy writes them)
        rest = rest[2:] if rest.startswith("//") else rest
        rest = rest[1:] if rest.startswith("/") else rest
    return Path(rest).expanduser()


def open_storage(
    database: Settings | str | Path,
    *,
    cache_size: int | None = None,
    busy_timeout: float | None = None,
) -> Storage:
    """The backend the ``database`` setting names (not opened yet: call ``open()``).

    ``cache_size``: sessions kept in memory (default: the ``session_cache`` setting, else
    10 000). ``busy_timeout``: seconds a write waits for another program's lock (default 10).
    """
    path = database_file(database)
    if cache_size is None:
        cache_size = 10_000 if isinstance(database, str | Path) else database.session_cache
    from bot.storage.sqlite import SqliteStorage

    if busy_timeout is None:
        return SqliteStorage(path, cache_size=cache_size)
    return SqliteStorage(path, cache_size=cache_size, busy_timeout=busy_timeout)
