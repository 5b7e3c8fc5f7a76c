"""What an SQLite file leaves on disk: the database and its write-ahead log, as raw bytes."""

from __future__ import annotations

from pathlib import Path

__all__ = ["on_disk"]


def on_disk(db: Path) -> bytes:
    """The bytes of ``db`` and of its ``-wal`` file (when there is one), to search for a secret."""
    wal = db.with_name(db.name + "-wal")
    return db.read_bytes() + (wal.read_bytes() if wal.exists() else b"")
