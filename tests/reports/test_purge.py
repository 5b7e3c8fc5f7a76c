"""Purging records older than the retention period: exactly the old rows go, in every table."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import pytest

from bot.cli.main import main
from bot.storage.sql_purge import PURGE_RULES
from bot.storage.sqlite import SqliteStorage
from tests.support.on_disk import on_disk

DAY = 86400.0
NOW = time.time()
OLD = NOW - 400 * DAY  # beyond the default 365 days
RECENT = NOW - 10 * DAY


async def seed(path: Path) -> None:
    storage = SqliteStorage(path)
    await storage.open()
    db = storage.db
    try:
        for name, when in (("old", OLD), ("new", RECENT)):
            await db.execute(
                "INSERT INTO runs (user_ref, channel, flow_id, flow_version, lang, started_at,"
                " ended_at, outcome, path) VALUES (?, 'tg', 'f', 1, 'vi', ?, ?, 'completed', '[]')",
                (name, when - 60, when),
            )
            await db.execute(
                "INSERT INTO visit_outcomes (visit_id, household_id, volunteer_id, village,"
                " flow_id, outcome, note, at) VALUES (1, 1, 1, 'A', 'f', 'later', ?, ?)",
                (f"note {name}", when),
            )
            await db.execute(
                "INSERT INTO staff_alerts (channel, user_id, flow_id, step, text, at)"
                " VALUES ('tg', ?, 'f', 's', 'help', ?)",
                (name, when),
            )
            await db.execute(
                "INSERT INTO processed_updates (update_key, at) VALUES (?, ?)", (name, when)
            )
            await db.execute(
                "INSERT INTO admin_actions (actor, action, detail, allowed, at)"
                " VALUES (?, 'join', 'wrong', 0, ?)",
                (f"telegram:{name}", when),
            )
            await db.execute(
                "INSERT INTO sessions (channel, user_id, state, updated_at) VALUES ('tg', ?, '{}', ?)",
                (name, when),
            )
            # A household of its own, visited once, one person named: its name goes with it.
            home = 10 if name == "old" else 11
            await db.execute(
                "INSERT INTO households (id, volunteer_id, village, label, label_key, created_at)"
                " VALUES (?, 1, 'A', ?, ?, ?)",
                (home, f"Hộ {name}", f"ho {name}", when),
            )
            await db.execute(
                "INSERT INTO visits (id, volunteer_id, household_id, village, started_at, ended_at)"
                " VALUES (?, 1, ?, 'A', ?, ?)",
                (home, home, when - 60, when),
            )
            await db.execute(
                "INSERT INTO household_members (household_id, number, label, label_key, created_at)"
                " VALUES (?, 1, ?, ?, ?)",
                (home, f"Bác {name}", f"bac {name}", when),
            )
            # A hand-over link used then (only its hash is kept): old by when it was used.
            await db.execute(
                "INSERT INTO handovers (token_hash, household_id, member, visit_id, volunteer_id,"
                " created_at, expires_at, used_at) VALUES (?, ?, 1, ?, 1, ?, ?, ?)",
                (f"hash-{name}", home, home, when - 60, when + DAY, when),
            )
            # Issue 20: a closed ticket and what was said in it; an open one is never old.
            ticket = 20 if name == "old" else 21
            await db.execute(
                "INSERT INTO tickets (id, channel, user_id, status, opened_at, closed_at)"
                " VALUES (?, 'tg', ?, 'closed', ?, ?)",
                (ticket, name, when - 60, when),
            )
            await db.execute(
                "INSERT INTO ticket_notes (ticket_id, author, text, at) VALUES (?, 'resident', ?, ?)",
                (ticket, f"note {name}", when - 30),
            )
            await db.execute(
                "INSERT INTO tickets (id, channel, user_id, status, opened_at)"
                " VALUES (?, 'tg', ?, 'open', ?)",
                (ticket + 10, f"{name}-open", when),
            )
            for kind, sent, dropped in (("sent", when, 0), ("dropped", when, 1), ("waiting", None, 0)):
                await db.execute(
                    "INSERT INTO outbox (channel, user_id, message, created_at, sent_at, dropped)"
                    " VALUES ('tg', ?, '{}', ?, ?, ?)",
                    (f"{name}-{kind}", when, sent, dropped),
                )
    finally:
        await storage.close()


async def remaining(path: Path) -> dict[str, set[str]]:
    storage = SqliteStorage(path)
    await storage.open()
    queries = {
        "runs": "SELECT user_ref FROM runs",
        "visit_outcomes": "SELECT note FROM visit_outcomes",
        "visits": "SELECT CAST(id AS TEXT) FROM visits",
        "household_members": "SELECT label FROM household_members",
        "households": "SELECT label FROM households",
        "staff_alerts": "SELECT user_id FROM staff_alerts",
        "outbox": "SELECT user_id FROM outbox",
        "processed_updates": "SELECT update_key FROM processed_updates",
        "sessions": "SELECT user_id FROM sessions",
        "admin_actions": "SELECT actor FROM admin_actions",
        "handovers": "SELECT token_hash FROM handovers",
        "ticket_notes": "SELECT text FROM ticket_notes",
        "tickets": "SELECT user_id FROM tickets",
    }
    found: dict[str, set[str]] = {}
    try:
        for table, query in queries.items():
            async with storage.db.execute(query) as cursor:
                found[table] = {row[0] for row in await cursor.fetchall()}
    finally:
        await storage.close()
    return found


EXPECTED_LEFT = {
    "runs": {"new"},
    "visit_outcomes": {"note new"},
    "visits": {"11"},
    # Issue 17: the names of households and their people, once nothing about them is recent.
    "household_members": {"Bác new"},
    "households": {"Hộ new"},
    "staff_alerts": {"new"},
    # A reply never sent is kept however old: deleting it would lose a message.
    "outbox": {"new-sent", "new-dropped", "new-waiting", "old-waiting"},
    "processed_updates": {"new"},
    "sessions": {"new"},
    # Issue 14, item 8: refused commands and wrong invite codes name a chat account.
    "admin_actions": {"telegram:new"},
    "handovers": {"hash-new"},
    # Issue 20: the conversation relayed in a ticket, and closed tickets; an open one stays.
    "ticket_notes": {"note new"},
    "tickets": {"new", "new-open", "old-open"},
}


async def test_purge_deletes_exactly_the_old_rows(tmp_path: Path) -> None:
    path = tmp_path / "p.sqlite3"
    await seed(path)
    storage = SqliteStorage(path)
    await storage.open()
    try:
        cutoff = NOW - 365 * DAY
        expected = {table: 1 for table, _ in PURGE_RULES} | {"outbox": 2}
        assert await storage.count_old(cutoff) == expected
        assert await storage.purge_old(cutoff) == expected
        assert await storage.count_old(cutoff) == dict.fromkeys(expected, 0)
    finally:
        await storage.close()
    assert await remaining(path) == EXPECTED_LEFT


def write_config(tmp_path: Path, extra: str = "") -> Path:
    config = tmp_path / "config.yaml"
    config.write_text(f"database: p.sqlite3\n{extra}", encoding="utf-8")
    return config


def test_purge_command_dry_run_then_for_real(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    asyncio.run(seed(tmp_path / "p.sqlite3"))  # the command runs its own event loop
    config = write_config(tmp_path)
    assert main(["--config", str(config), "purge", "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert "Chạy thử — chưa xoá gì. Sẽ xoá các bản ghi cũ hơn 365 ngày" in out
    assert "outbox" in out and "Tổng cộng: 14 bản ghi." in out
    assert asyncio.run(remaining(tmp_path / "p.sqlite3"))["runs"] == {"old", "new"}

    # The QR pictures of hand-over links: those that no longer work go with the purge.
    pictures = tmp_path / "handovers"
    pictures.mkdir()
    expired = pictures / f"handover-{int(NOW - DAY)}-0123456789abcdef.png"
    valid = pictures / f"handover-{int(NOW + DAY)}-fedcba9876543210.png"
    for picture in (expired, valid):
        picture.write_bytes(b"png")
    assert main(["--config", str(config), "purge", "--lang", "en"]) == 0
    out = capsys.readouterr().out
    assert "Deleted the records older than 365 days" in out and "Total: 14 records." in out
    assert asyncio.run(remaining(tmp_path / "p.sqlite3")) == EXPECTED_LEFT
    assert not expired.exists() and valid.exists()


def test_purge_days_from_settings_and_option(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    asyncio.run(seed(tmp_path / "p.sqlite3"))
    # Keep 5 days only: the 10-day-old rows go too.
    config = write_config(tmp_path, "privacy:\n  retention_days: 5\n")
    assert main(["--config", str(config), "purge", "--dry-run"]) == 0
    assert "Tổng cộng: 28 bản ghi." in capsys.readouterr().out
    assert main(["--config", str(config), "purge", "--days", "500", "--dry-run"]) == 0
    assert "Tổng cộng: 0 bản ghi." in capsys.readouterr().out
    assert main(["--config", str(config), "purge", "--days", "0"]) == 2
    assert "phải từ 1 trở lên" in capsys.readouterr().err


def test_purge_without_a_database_says_so(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--config", str(write_config(tmp_path)), "purge"]) == 2
    err = capsys.readouterr().err
    assert "Chưa có cơ sở dữ liệu" in err and "Traceback" not in err
    assert not (tmp_path / "p.sqlite3").exists()  # never created by asking


def test_purge_item8_the_admin_log_past_retention_goes_and_leaves_no_trace(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "p.sqlite3"
    asyncio.run(seed(db))
    assert b"telegram:old" in on_disk(db)
    assert main(["--config", str(write_config(tmp_path)), "purge"]) == 0
    assert "dòng nhật ký quản trị" in capsys.readouterr().out
    assert asyncio.run(remaining(db))["admin_actions"] == {"telegram:new"}
    assert b"telegram:old" not in on_disk(db)  # overwritten, and not left in the log either
