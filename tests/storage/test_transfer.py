"""A commune moves from its SQLite file to PostgreSQL (``trolyso migrate``): every table comes
along, residents carry on at their step, reports give the same numbers, and nothing comes twice.
"""

from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path

import psycopg
import pytest

from bot.core.errors import StorageError
from bot.core.staff import AdminAction
from bot.core.types import OutgoingMessage, SessionKey
from bot.reports import build_report
from bot.storage.base import FlowVersion, TurnRecord
from bot.storage.postgres import PostgresStorage
from bot.storage.sql import many
from bot.storage.sqlite import SqliteStorage
from bot.storage.sqlite_source import SqliteSource
from bot.storage.transfer import TargetHasData, transfer
from tests.harness import Chat, Clock, make_engine
from tests.reports import seed as seeding
from tests.storage.samples import sample_session

NOW = seeding.at(3, 1)
# The tables the commune below fills: all that the file had when `trolyso migrate` was written.
FILLED = {
    "admin_actions", "file_cache", "flow_versions", "followups", "households", "invites", "meta",
    "morning_lists", "outbox", "processed_updates", "runs", "sessions", "staff_alerts",
    "unreachable", "visit_outcomes", "visits", "volunteers",
}


async def _commune(path: Path) -> None:
    """The report tests' commune, with a resident mid-flow, reminders, and a row in every table
    the file has (so that a table the copy forgot shows up as a count that differs)."""
    await seeding.seed(path)
    store = SqliteStorage(path)
    await store.open()
    try:
        engine = make_engine()
        clock = Clock()
        resident = Chat(engine, storage=store, user="mid", channel="telegram", clock=clock)
        await resident.send("thu nghiem")
        await resident.press("Android")  # now at ask_age, waiting for a number
        for user in ("w1", "w2"):  # two reminders scheduled (follow-up ids 1 and 2)...
            await Chat(engine, storage=store, user=user, channel="telegram", clock=clock).send(
                "cho phe duyet"
            )
        second = SessionKey("telegram", "w2")
        # ... and the second one's removed: an id SQLite will never give again ("fu:2").
        await store.drop_followups(second)
        await store.save(
            TurnRecord(
                key=SessionKey("telegram", "outbox"),
                session=sample_session(),
                outbox=[OutgoingMessage(text="chưa gửi")],
                update_key="tg:41",
            )
        )
        await store.create_invite(
            "hash", village=seeding.EAST, commune="Xã Thử", created_by="cli:x", at=NOW,
            expires_at=NOW + 86400,
        )
        await store.record_admin_action(
            AdminAction(actor="cli:x", action="volunteers list", detail="", allowed=True, at=NOW)
        )
        await store.record_flow_versions([FlowVersion(flow_id="demo", version=1, digest="abc", loaded_at=NOW)])
        await store.cache_file("images/card.png", "FILE-ID")
        await store.set_reachable(SessionKey("telegram", "gone"), False, at=NOW)
        await store.claim_morning_list(1, "2026-03-01", at=NOW)
        await store.morning_list_sent(1, "2026-03-01")
        await store._run(
            many(
                "INSERT INTO staff_alerts (channel, user_id, flow_id, step, text, at) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                [("telegram", "mid", "demo", "ask_age", "cần giúp", NOW)],
            )
        )
    finally:
        await store.close()


@pytest.fixture
async def commune(tmp_path: Path) -> Path:
    path = tmp_path / "trolyso.sqlite3"
    await _commune(path)
    return path


async def test_a_commune_moves_to_postgresql_and_carries_on(
    commune: Path, postgres_url: str, tmp_path: Path
) -> None:
    report = await transfer(commune, postgres_url)
    assert report.copied and not report.replaced
    assert all(t.source == t.target for t in report.tables)
    empty = FILLED & {t.table for t in report.tables if not t.source}
    assert not empty, f"the test commune should have a row in each of these tables: {empty}"
    with closing(sqlite3.connect(commune)) as db, db:
        file_tables = {
            name
            for (name,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
            if name != "schema_version" and not name.startswith("sqlite")
        }
    assert {t.table for t in report.tables} == file_tables

    sqlite, postgres = SqliteStorage(commune), PostgresStorage(postgres_url)
    await sqlite.open()
    await postgres.open()
    try:
        key = SessionKey("telegram", "mid")
        assert await postgres.read(key) == await sqlite.read(key)  # the revision too
        assert postgres.user_ref(key) == sqlite.user_ref(key)  # the pseudonym key came along
        assert await postgres.runs() == await sqlite.runs()
        assert await postgres.pending_outbox() == await sqlite.pending_outbox()
        assert await postgres.unreachable() == await sqlite.unreachable()
        assert await postgres.is_processed("tg:41")
        assert await postgres.cached_file("images/card.png") == "FILE-ID"
        assert not await postgres.claim_morning_list(1, "2026-03-01", at=NOW)  # sent already
        flows = seeding.write_flows(tmp_path / "flows")
        settings = seeding.settings(tmp_path)
        assert await build_report(postgres, flows, settings, now=NOW) == await build_report(
            sqlite, flows, settings, now=NOW
        )

        # The resident carries on where they were, on PostgreSQL now.
        engine = make_engine()
        clock = Clock(now=Clock().now + 100)
        moved = Chat(engine, storage=postgres, user="mid", channel="telegram", clock=clock)
        await moved.send("70")
        assert "70 tuổi" in moved.text
        # A new reminder gets an id after the copied ones, the removed one's too.
        await Chat(engine, storage=postgres, user="w3", channel="telegram", clock=clock).send(
            "cho phe duyet"
        )
        [new] = await postgres.pending_followups(SessionKey("telegram", "w3"))
        assert new.id == 3
    finally:
        await sqlite.close()
        await postgres.close()


async def test_a_second_migration_copies_nothing_and_other_records_are_refused(
    commune: Path, postgres_url: str
) -> None:
    first = await transfer(commune, postgres_url)
    again = await transfer(commune, postgres_url)
    assert first.copied and not again.copied
    assert again.tables == first.tables

    # The bot then ran on PostgreSQL: its records are no longer the file's.
    postgres = PostgresStorage(postgres_url)
    await postgres.open()
    await postgres.cache_file("new.png", "NEW")
    await postgres.close()
    with pytest.raises(TargetHasData) as refused:
        await transfer(commune, postgres_url)
    assert refused.value.code == "migrate.target_has_data"
    [cache] = [t for t in refused.value.tables if t.table == "file_cache"]
    assert (cache.source, cache.target) == (1, 2)

    forced = await transfer(commune, postgres_url, force=True)
    assert forced.copied and forced.replaced
    assert not (await transfer(commune, postgres_url)).copied


async def test_a_running_bot_keeps_its_file(commune: Path, postgres_url: str) -> None:
    bot = SqliteStorage(commune)
    await bot.open()  # as `trolyso run` keeps it, for as long as it runs
    try:
        with pytest.raises(StorageError) as locked:
            await transfer(commune, postgres_url)
        assert locked.value.code == "migrate.source_locked"
    finally:
        await bot.close()
    assert (await transfer(commune, postgres_url)).copied


async def test_a_missing_file_is_not_created(tmp_path: Path, postgres_url: str) -> None:
    with pytest.raises(StorageError) as missing:
        await transfer(tmp_path / "nope.sqlite3", postgres_url)
    assert missing.value.code == "migrate.no_source"
    assert not (tmp_path / "nope.sqlite3").exists()


async def test_a_failed_copy_keeps_nothing(commune: Path, postgres_url: str) -> None:
    with closing(sqlite3.connect(commune)) as db, db:  # a text PostgreSQL cannot hold
        db.execute("UPDATE file_cache SET file_id = 'a' || char(0) || 'b'")
    with pytest.raises(StorageError) as refused:
        await transfer(commune, postgres_url)
    assert refused.value.code == "migrate.write_failed"
    assert refused.value.params["table"] == "file_cache"
    with psycopg.connect(postgres_url) as conn:
        assert conn.execute("SELECT COUNT(*) FROM sessions").fetchone() == (0,)


async def test_both_schemas_have_the_same_tables_and_columns(
    tmp_path: Path, postgres_url: str
) -> None:
    """What the copy relies on: a table or column one migration history forgot fails here."""
    path = tmp_path / "empty.sqlite3"
    store = SqliteStorage(path)
    await store.open()
    await store.close()
    source = SqliteSource(path)
    source.open()
    try:
        in_file = {shape.name: set(shape.columns) for shape in source.tables()}
    finally:
        source.close()
    postgres = PostgresStorage(postgres_url)
    await postgres.open()
    await postgres.close()
    with psycopg.connect(postgres_url) as conn:
        found = conn.execute(
            "SELECT table_name, column_name FROM information_schema.columns "
            "WHERE table_schema = 'public' AND table_name != 'schema_version'"
        ).fetchall()
    in_server: dict[str, set[str]] = {}
    for table, column in found:
        in_server.setdefault(table, set()).add(column)
    assert in_server == in_file
