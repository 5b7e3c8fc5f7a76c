"""What only the SQLite file must guarantee (the contract itself: test_conformance.py)."""

from __future__ import annotations

import sqlite3
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.core.errors import StorageError
from bot.core.types import SessionKey
from bot.storage.base import AlreadyProcessed, TurnRecord
from bot.storage.sqlite import SCHEMA_VERSION, SqliteStorage
from tests.storage.samples import KEY, sample_run, sample_session


async def test_sqlite_survives_reopening(tmp_path: Path) -> None:
    path = tmp_path / "data" / "bot.sqlite3"  # the folder is created
    store = SqliteStorage(path)
    await store.open()
    await store.save(TurnRecord(key=KEY, session=sample_session(), finished=[sample_run()]))
    before = await store.runs()
    await store.close()
    again = SqliteStorage(path)
    await again.open()
    assert await again.load(KEY) == sample_session()
    assert await again.runs() == before  # same pseudonym: the key is kept in the file
    await again.close()


async def test_sqlite_uses_wal_and_records_its_schema_version(tmp_path: Path) -> None:
    store = SqliteStorage(tmp_path / "t.db")
    await store.open()
    await store.close()
    db = sqlite3.connect(tmp_path / "t.db")
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert db.execute("SELECT version FROM schema_version").fetchall() == [(SCHEMA_VERSION,)]
    db.close()


async def test_sqlite_refuses_a_file_from_a_newer_version(tmp_path: Path) -> None:
    store = SqliteStorage(tmp_path / "t.db")
    await store.open()
    await store.close()
    db = sqlite3.connect(tmp_path / "t.db")
    db.execute("UPDATE schema_version SET version = 99")
    db.commit()
    db.close()
    with pytest.raises(StorageError, match="newer Trợ lý số"):
        await SqliteStorage(tmp_path / "t.db").open()


async def test_sqlite_explains_a_file_that_is_not_a_database(tmp_path: Path) -> None:
    path = tmp_path / "t.db"
    path.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(StorageError, match="'database'"):
        await SqliteStorage(path).open()


async def test_sqlite_save_is_atomic(tmp_path: Path) -> None:
    store = SqliteStorage(tmp_path / "t.db")
    await store.open()
    await store.save(TurnRecord(key=KEY, session=sample_session(), finished=[]))
    broken = sample_run()
    object.__setattr__(
        broken, "path", (object(),)
    )  # cannot be written: the whole turn must roll back
    changed = sample_session()
    changed.stack[0].step = "somewhere_else"
    with pytest.raises(TypeError):
        await store.save(TurnRecord(key=KEY, session=changed, finished=[broken]))
    loaded = await store.load(KEY)
    assert loaded is not None and loaded.stack[0].step == "ask_age"
    assert await store.runs() == []
    await store.close()


async def test_sqlite_concurrent_turns_of_many_residents_never_interleave_transactions(tmp_path: Path) -> None:
    """Regression: saves awaited in parallel once broke with "cannot start a transaction
    within a transaction". Now they are grouped into shared commits; one redelivery in the
    same group fails alone."""
    import asyncio

    store = SqliteStorage(tmp_path / "t.db")
    await store.open()
    keys = [SessionKey("test", f"u{i}") for i in range(300)]
    await store.save(TurnRecord(key=keys[0], session=sample_session(), update_key="dup"))

    async def turn(key: SessionKey, update_key: str) -> str:
        try:
            ids = await store.save(TurnRecord(key=key, session=sample_session(), finished=[sample_run()],
                                              outbox=[OutgoingMessage(text=str(key))], update_key=update_key))
            await store.mark_sent(ids, at=1.0)
            return "ok"
        except AlreadyProcessed:
            return "duplicate"

    from bot.core.types import OutgoingMessage

    results = await asyncio.gather(
        *(turn(key, f"k{i}") for i, key in enumerate(keys)), turn(keys[1], "dup"),
        *(store.set_reachable(key, False, at=1.0) for key in keys[:10]),
    )
    assert results[:300] == ["ok"] * 300 and results[300] == "duplicate"
    assert len(await store.runs()) == 300
    assert await store.pending_outbox() == []
    await store.close()
    again = SqliteStorage(tmp_path / "t.db")
    await again.open()
    assert all([await again.load(key) is not None for key in keys])
    assert not await again.is_reachable(keys[0])
    await again.close()


async def _until_gone(secret: bytes, db: Path, timeout: float = 10.0) -> None:
    import asyncio

    from tests.support.on_disk import on_disk

    deadline = asyncio.get_running_loop().time() + timeout
    while secret in on_disk(db):
        assert asyncio.get_running_loop().time() < deadline, "still on disk"
        await asyncio.sleep(0.02)


async def _delivered(store: SqliteStorage, text: str) -> None:
    """A turn whose one reply is saved, then delivered (deleted from the outbox)."""
    from bot.core.types import OutgoingMessage

    ids = await store.save(
        TurnRecord(key=KEY, session=sample_session(), outbox=[OutgoingMessage(text=text)])
    )
    await store.mark_sent(ids, at=1.0)


@pytest.fixture
async def quick(tmp_path: Path) -> AsyncIterator[SqliteStorage]:
    """A SQLite store whose log is emptied 0.05 s after a delivery (not a second)."""
    store = SqliteStorage(tmp_path / "t.db")
    await store.open()
    store.compact_after = 0.05
    yield store
    await store.close()


async def test_numbers_stored_in_clear_item6_a_delivered_reply_leaves_the_file_and_its_log(
    quick: SqliteStorage,
) -> None:
    from tests.support.on_disk import on_disk

    store, db = quick, quick.path
    await _delivered(store, "Dạ, SECRET-1")
    assert b"SECRET-1" in on_disk(db)  # deleted, but the log still holds the page as it was
    await _until_gone(b"SECRET-1", db)  # the checkpoint a moment after the delivery
    await _delivered(store, "SECRET-2")  # writing goes on as usual after the checkpoint
    store.compact_after = 3600.0  # no checkpoint before the close: the close does it
    await _delivered(store, "SECRET-3")
    await store.close()
    raw = on_disk(db)
    assert b"SECRET-2" not in raw and b"SECRET-3" not in raw


async def test_numbers_stored_in_clear_item6_a_reader_in_another_program_never_stalls_turns(
    quick: SqliteStorage,
) -> None:
    import time

    store, db = quick, quick.path
    await store.save(TurnRecord(key=KEY, session=sample_session()))
    reader = sqlite3.connect(db)  # `trolyso report` reading while the bot delivers
    reader.execute("BEGIN")
    reader.execute("SELECT COUNT(*) FROM sessions").fetchone()
    await _delivered(store, "SECRET-4")
    started = time.monotonic()
    assert await store.compact(wait=0.05) is False  # held by the reader: said, not waited for
    assert time.monotonic() - started < 2
    await store.save(TurnRecord(key=KEY, session=sample_session()))  # turns go on meanwhile
    reader.execute("COMMIT")
    reader.close()
    await _until_gone(b"SECRET-4", db)  # the checkpoint tried again and got through


async def test_forget_item8_the_next_turn_is_saved_after_a_forget(tmp_path: Path) -> None:
    store = SqliteStorage(tmp_path / "t.db")
    await store.open()
    await store.save(TurnRecord(key=KEY, session=sample_session()))
    await store.forget(KEY, store.user_ref(KEY))
    other = SessionKey("test", "other")
    # The checkpoint after a /forget once stayed "in progress" and failed the next write.
    await store.save(TurnRecord(key=other, session=sample_session()))
    assert await store.load(other) is not None and await store.load(KEY) is None
    await store.close()


async def test_sqlite_two_processes_on_one_file_never_overwrite_a_newer_session(
    tmp_path: Path,
) -> None:
    """Each process caches sessions; a turn computed from a stale copy fails, and the next read
    of that process comes from the file."""
    from bot.core.errors import StaleSession

    first, second = SqliteStorage(tmp_path / "t.db"), SqliteStorage(tmp_path / "t.db")
    await first.open()
    await second.open()
    await first.save(TurnRecord(key=KEY, session=sample_session()))
    assert (await first.read(KEY)).revision == 1  # now in the first one's cache
    newer = sample_session()
    newer.stack[0].step = "newer"
    await second.save(TurnRecord(key=KEY, session=newer, revision=1))
    with pytest.raises(StaleSession):
        await first.save(TurnRecord(key=KEY, session=sample_session(), revision=1))
    again = await first.read(KEY)
    assert again.revision == 2 and again.session is not None
    assert again.session.stack[0].step == "newer"
    await first.close()
    await second.close()
