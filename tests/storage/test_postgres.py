"""What only the PostgreSQL backend must guarantee (the contract itself: test_conformance.py):
its own migrations, clear words when the server says no, and several processes on one database.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import psycopg
import pytest

from bot.core.errors import StaleSession, StorageError
from bot.core.messages import explain_error
from bot.core.types import OutgoingMessage, SessionKey
from bot.storage.base import AlreadyProcessed, TurnRecord
from bot.storage.postgres import SCHEMA_VERSION, PostgresStorage, shown_url
from tests.storage.samples import KEY, sample_run, sample_session


@pytest.fixture
async def two(postgres_url: str) -> AsyncIterator[tuple[PostgresStorage, PostgresStorage]]:
    """Two bot processes' stores on one database, opened at the same moment."""
    first, second = PostgresStorage(postgres_url), PostgresStorage(postgres_url)
    await asyncio.gather(first.open(), second.open())  # they migrate one after the other
    yield first, second
    await first.close()
    await second.close()


def _sql(url: str, query: str) -> list[tuple[object, ...]]:
    with psycopg.connect(url, autocommit=True) as conn:
        cursor = conn.execute(query)
        return cursor.fetchall() if cursor.description else []


async def test_postgresql_survives_reopening_and_records_its_schema_version(
    postgres_url: str,
) -> None:
    store = PostgresStorage(postgres_url)
    await store.open()
    await store.save(TurnRecord(key=KEY, session=sample_session(), finished=[sample_run()]))
    before = await store.runs()
    await store.close()
    await store.close()  # safe twice
    again = PostgresStorage(postgres_url)
    await again.open()
    assert await again.load(KEY) == sample_session()
    assert await again.runs() == before  # same pseudonym: the key is kept in the database
    await again.close()
    assert _sql(postgres_url, "SELECT version FROM schema_version") == [(SCHEMA_VERSION,)]


async def test_postgresql_refuses_a_database_from_a_newer_version(postgres_url: str) -> None:
    store = PostgresStorage(postgres_url)
    await store.open()
    await store.close()
    _sql(postgres_url, "UPDATE schema_version SET version = 99")
    with pytest.raises(StorageError) as caught:
        await PostgresStorage(postgres_url).open()
    error = caught.value
    assert error.code == "storage.pg_newer" and error.params["schema"] == 99
    assert "newer Trợ lý số" in str(error) and "Upgrade the bot" in str(error)
    assert "phiên bản Trợ lý số mới hơn" in explain_error(error, "vi")
    assert _sql(postgres_url, "SELECT version FROM schema_version") == [(99,)]  # untouched


@pytest.mark.parametrize(
    ("change", "code", "words"),
    [
        ({"port": "5499"}, "storage.pg_unreachable", "sudo apt-get install postgresql"),
        ({"dbname": "trolyso_nowhere"}, "storage.pg_no_database", "createdb -O"),
        ({"user": "nobody_here"}, "storage.pg_refused", "createuser"),
    ],
)
async def test_postgresql_says_what_to_fix_when_the_server_says_no(
    postgres_url: str, change: dict[str, str], code: str, words: str
) -> None:
    info = psycopg.conninfo.conninfo_to_dict(postgres_url) | change
    url = psycopg.conninfo.make_conninfo(**info)
    with pytest.raises(StorageError) as caught:
        await PostgresStorage(url).open()
    error = caught.value
    assert error.code == code and words in str(error) and "'database'" in str(error)
    assert words in explain_error(error, "vi") and "Traceback" not in str(error)


def test_a_password_is_never_shown() -> None:
    shown = shown_url("postgresql://bot:s3cret@db.example:5433/trolyso?password=x&sslmode=require")
    assert shown == "postgresql://bot:***@db.example:5433/trolyso?password=***&sslmode=require"


async def test_no_session_is_cached_so_another_process_save_is_seen_at_once(
    two: tuple[PostgresStorage, PostgresStorage],
) -> None:
    first, second = two
    await first.save(TurnRecord(key=KEY, session=sample_session()))
    assert (await first.read(KEY)).revision == 1
    newer = sample_session()
    newer.stack[0].step = "newer"
    await second.save(TurnRecord(key=KEY, session=newer, revision=1))
    again = await first.read(KEY)  # no stale copy: the database's
    assert again.revision == 2 and again.session is not None
    assert again.session.stack[0].step == "newer"
    with pytest.raises(StaleSession):
        await first.save(TurnRecord(key=KEY, session=sample_session(), revision=1))


async def test_two_processes_saving_one_resident_at_once_never_both_win(
    two: tuple[PostgresStorage, PostgresStorage],
) -> None:
    """Both read revision 0 (a new resident) and save at the same moment: one turn is kept,
    the other is StaleSession and leaves nothing (it is computed again on the winner's)."""
    first, second = two

    async def turn(store: PostgresStorage, text: str) -> str:
        try:
            await store.save(
                TurnRecord(
                    key=KEY,
                    session=sample_session(),
                    revision=0,
                    outbox=[OutgoingMessage(text=text)],
                    finished=[sample_run()],
                )
            )
        except StaleSession:
            return "stale"
        return "saved"

    for _attempt in range(5):  # a race: run it a few times
        _sql(first.url, "DELETE FROM sessions; DELETE FROM outbox; DELETE FROM runs")
        results = sorted(await asyncio.gather(turn(first, "a"), turn(second, "b")))
        assert results == ["saved", "stale"]
        assert (await first.read(KEY)).revision == 1
        assert len(await first.pending_outbox()) == 1 and len(await first.runs()) == 1


async def test_an_update_delivered_to_two_processes_is_processed_once(
    two: tuple[PostgresStorage, PostgresStorage],
) -> None:
    first, second = two
    outcomes: list[str] = []

    async def turn(store: PostgresStorage, who: str) -> None:
        try:
            await store.save(
                TurnRecord(
                    key=SessionKey("test", who),
                    session=sample_session(),
                    update_key="tg:1:7",
                    outbox=[OutgoingMessage(text=who)],
                )
            )
            outcomes.append("saved")
        except AlreadyProcessed:
            outcomes.append("again")

    await asyncio.gather(turn(first, "a"), turn(second, "b"))
    assert sorted(outcomes) == ["again", "saved"]
    assert len(await first.pending_outbox()) == 1


async def test_many_turns_at_once_share_the_pool(postgres_url: str) -> None:
    store = PostgresStorage(postgres_url, pool_size=4)
    await store.open()
    keys = [SessionKey("test", f"u{i}") for i in range(60)]

    async def turn(i: int, key: SessionKey) -> None:
        ids = await store.save(
            TurnRecord(
                key=key,
                session=sample_session(),
                finished=[sample_run()],
                outbox=[OutgoingMessage(text=str(key))],
                update_key=f"k{i}",
            )
        )
        await store.mark_sent(ids, at=1.0)

    await asyncio.gather(*(turn(i, key) for i, key in enumerate(keys)))
    assert len(await store.runs()) == 60 and await store.pending_outbox() == []
    assert all([await store.load(key) is not None for key in keys])
    await store.close()


async def test_a_session_postgresql_cannot_read_as_json_stops_no_report(
    postgres_url: str,
) -> None:
    """jsonb refuses the escape \\u0000, which JSON allows: that session is left out of the
    reports and of expiry, and everything else is still counted."""
    store = PostgresStorage(postgres_url)
    await store.open()
    await store.save(TurnRecord(key=KEY, session=sample_session()))
    odd = sample_session()
    odd.stack[0].vars["typed"] = "a\x00b"  # a NUL a resident typed
    await store.save(TurnRecord(key=SessionKey("test", "odd"), session=odd))
    assert await store.load(SessionKey("test", "odd")) == odd  # stored and read back as it was
    assert [o.flow_id for o in await store.open_runs(None, None)] == ["demo"]
    assert await store.idle_sessions(1000.0) == [KEY]
    await store.close()


async def test_the_server_going_away_mid_run_is_storage_unavailable(postgres_url: str) -> None:
    from bot.core.errors import StorageUnavailable

    store = PostgresStorage(postgres_url, pool_size=1)
    await store.open()
    _sql(
        postgres_url,
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
        "WHERE datname = current_database() AND pid <> pg_backend_pid()",
    )
    with pytest.raises(StorageUnavailable):
        await store.save(TurnRecord(key=KEY, session=sample_session()))
    await store.save(TurnRecord(key=KEY, session=sample_session()))  # a new connection: fine
    assert await store.load(KEY) == sample_session()
    await store.close()


async def test_turns_saved_at_one_moment_share_statements_yet_each_has_its_own_outcome(
    postgres_url: str,
) -> None:
    """Residents' turns saved together go in a few statements (bot/storage/postgres_turn.py):
    each resident still gets exactly their own replies, in order, and their own run; a turn at
    a revision another turn took is StaleSession and a seen update AlreadyProcessed, and
    neither leaves anything behind."""
    store = PostgresStorage(postgres_url)
    await store.open()
    await store.save(TurnRecord(key=KEY, session=sample_session(), update_key="seen"))
    residents = [SessionKey("test", f"r{i}") for i in range(8)]
    turns = [
        TurnRecord(
            key=key,
            session=sample_session(),
            revision=0,
            update_key=f"u{i}",
            outbox=[OutgoingMessage(text=f"{key.user_id} one"), OutgoingMessage(text="two")],
            finished=[sample_run()] if i % 2 else [],
        )
        for i, key in enumerate(residents)
    ]
    turns += [
        TurnRecord(key=KEY, session=sample_session(), revision=1, outbox=[OutgoingMessage(text=t)])
        for t in ("first", "second")
    ]
    ghost = SessionKey("test", "ghost")
    turns.append(TurnRecord(key=ghost, session=sample_session(), revision=0, update_key="seen"))

    async def outcome(turn: TurnRecord) -> list[int] | str:
        try:
            return await store.save(turn)
        except StorageError as exc:
            return type(exc).__name__

    results = await asyncio.gather(*(outcome(t) for t in turns))
    waiting = {r.id: r for r in await store.pending_outbox()}
    for key, ids in zip(residents, results[:8], strict=True):
        assert isinstance(ids, list) and len(ids) == 2 and ids[0] < ids[1]
        texts = [waiting[i].message.text for i in ids]
        assert texts == [f"{key.user_id} one", "two"] and {waiting[i].key for i in ids} == {key}
        assert (await store.read(key)).revision == 1
    assert "StaleSession" in results[8:10] and any(isinstance(r, list) for r in results[8:10])
    assert (await store.read(KEY)).revision == 2
    assert results[10] == "AlreadyProcessed" and await store.load(ghost) is None
    assert len(await store.runs()) == 4 and len(waiting) == 8 * 2 + 1
    await store.close()
