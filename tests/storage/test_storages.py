"""One suite for every storage backend, plus what only the SQLite file must guarantee."""

from __future__ import annotations

import sqlite3
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.core.errors import StorageError
from bot.core.session import FinishedRun, Frame, Session
from bot.core.types import SessionKey
from bot.storage.base import AlreadyProcessed, Storage, TurnRecord
from bot.storage.memory import MemoryStorage
from bot.storage.sqlite import SCHEMA_VERSION, SqliteStorage

KEY = SessionKey("test", "an")


def sample_session() -> Session:
    return Session(
        lang="en",
        profile={"xung_ho": "bác"},
        screen="flow",
        stack=[
            Frame(
                flow_id="demo",
                version=2,
                step="ask_age",
                started_at=10.0,
                history=["pick_phone"],
                path=["pick_phone", "ask_age"],
                vars={"phone": "iphone"},
            )
        ],
        updated_at=20.0,
        turn=3,
    )


def sample_run(outcome: str = "completed") -> FinishedRun:
    return FinishedRun(
        flow_id="demo",
        flow_version=2,
        lang="vi",
        started_at=1.0,
        ended_at=9.5,
        outcome=outcome,
        path=("a", "b"),
        parent_flow="",
    )


@pytest.fixture(params=["memory", "sqlite"])
async def storage(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Storage]:
    store: Storage = (
        MemoryStorage() if request.param == "memory" else SqliteStorage(tmp_path / "t.db")
    )
    await store.open()
    yield store
    await store.close()


async def test_new_resident_has_no_session(storage: Storage) -> None:
    assert await storage.load(KEY) is None


async def test_session_round_trip(storage: Storage) -> None:
    session = sample_session()
    await storage.save(TurnRecord(key=KEY, session=session, finished=[]))
    loaded = await storage.load(KEY)
    assert loaded == session
    assert loaded is not session


async def test_later_changes_do_not_leak_into_the_stored_copy(storage: Storage) -> None:
    session = sample_session()
    await storage.save(TurnRecord(key=KEY, session=session, finished=[]))
    session.stack[0].vars["phone"] = "changed"
    loaded = await storage.load(KEY)
    assert loaded is not None and loaded.stack[0].vars["phone"] == "iphone"


async def test_runs_are_logged_pseudonymously(storage: Storage) -> None:
    await storage.save(
        TurnRecord(
            key=KEY, session=sample_session(), finished=[sample_run(), sample_run("referred")]
        )
    )
    await storage.save(
        TurnRecord(
            key=SessionKey("test", "ba"), session=sample_session(), finished=[sample_run("gave_up")]
        )
    )
    runs = await storage.runs()
    assert [r.run.outcome for r in runs] == ["completed", "referred", "gave_up"]
    assert runs[0].run == sample_run()
    assert runs[0].user == runs[1].user != runs[2].user
    assert "an" not in runs[0].user


async def test_users_are_separate(storage: Storage) -> None:
    await storage.save(TurnRecord(key=KEY, session=sample_session(), finished=[]))
    assert await storage.load(SessionKey("test", "someone else")) is None
    assert await storage.load(SessionKey("other-channel", "an")) is None


# --- SQLite only -------------------------------------------------------------------------------


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


# --- delivery: redelivered updates, the outbox, blocked residents, file ids --------------------


async def test_a_redelivered_update_is_refused_and_changes_nothing(storage: Storage) -> None:
    first = sample_session()
    await storage.save(TurnRecord(key=KEY, session=first, update_key="tg:1:100"))
    second = sample_session()
    second.stack[0].step = "elsewhere"
    with pytest.raises(AlreadyProcessed):
        await storage.save(
            TurnRecord(key=KEY, session=second, finished=[sample_run()], update_key="tg:1:100")
        )
    loaded = await storage.load(KEY)
    assert loaded is not None and loaded.stack[0].step == "ask_age"
    assert await storage.runs() == []
    assert await storage.is_processed("tg:1:100")
    assert not await storage.is_processed("tg:1:101")


async def test_old_update_keys_are_pruned(storage: Storage) -> None:
    session = sample_session()  # updated_at = 20
    await storage.save(TurnRecord(key=KEY, session=session, update_key="old"))
    assert await storage.prune_processed(before=21.0) == 1
    assert not await storage.is_processed("old")


async def test_outbox_keeps_replies_in_order_until_sent(storage: Storage) -> None:
    from bot.core.types import Button, OutgoingMessage

    replies = [
        OutgoingMessage(text="một", image="/x.png"),
        OutgoingMessage(
            text="hai",
            buttons=((Button(label="A", payload="c:1:0"), Button(label="W", url="https://a.vn")),),
            awaits_text=True,
        ),
    ]
    await storage.save(TurnRecord(key=KEY, session=sample_session(), outbox=replies))
    other = SessionKey("test", "other")
    await storage.save(
        TurnRecord(key=other, session=sample_session(), outbox=[OutgoingMessage(text="ba")])
    )
    pending = await storage.pending_outbox(KEY)
    assert [p.message for p in pending] == replies
    assert len(await storage.pending_outbox()) == 3
    await storage.mark_sent([pending[0].id], at=30.0)
    assert [p.message.text for p in await storage.pending_outbox(KEY)] == ["hai"]


async def test_blocked_resident_is_unreachable_until_they_write_again(storage: Storage) -> None:
    assert await storage.is_reachable(KEY)
    await storage.set_reachable(KEY, False, at=1.0)
    assert not await storage.is_reachable(KEY)
    assert await storage.is_reachable(SessionKey("test", "someone"))
    await storage.set_reachable(KEY, True, at=2.0)
    assert await storage.is_reachable(KEY)


async def test_file_ids_are_cached(storage: Storage) -> None:
    assert await storage.cached_file("img:abc") is None
    await storage.cache_file("img:abc", "AgAD123")
    assert await storage.cached_file("img:abc") == "AgAD123"


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
