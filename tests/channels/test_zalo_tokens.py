"""The OA's tokens at rest: encrypted in the database with TROLYSO_ZALO_TOKEN_KEY, a pair kept in
clear by an older version encrypted at start, a missing or wrong key said to the admin (not a
traceback), a lost key recovered with a new refresh token, and no token in any log."""

from __future__ import annotations

import logging
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.fernet import Fernet

from bot.channels.zalo.sealed import TokenSeal
from bot.channels.zalo.tokens import TOKENS, Tokens
from tests.channels.zalo_fake import (
    APP_ID,
    APP_SECRET,
    FIRST_REFRESH,
    OA_ID,
    OA_SECRET,
    TOKEN_KEY,
    FakeZaloOA,
)
from tests.channels.zalo_rig import Resident, zalo_rig
from tests.harness import FIXTURE_FLOWS, ROOT, Clock


def kept(db: Path) -> str:
    """The token pair as the database file holds it."""
    with sqlite3.connect(db) as conn:
        [(value,)] = conn.execute(
            "SELECT value FROM channel_state WHERE channel = 'zalo' AND name = ?", (TOKENS,)
        ).fetchall()
    return str(value)


def raw(db: Path) -> bytes:
    wal = db.parent / (db.name + "-wal")
    return db.read_bytes() + (wal.read_bytes() if wal.exists() else b"")


async def test_the_kept_tokens_are_encrypted_and_no_log_holds_a_token(
    oa: FakeZaloOA, zalo_clock: Clock, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    db = tmp_path / "zalo.sqlite3"
    async with zalo_rig(oa, db, zalo_clock) as rig:
        await Resident(rig, "41").send("/start demo")
        oa.expire_all()  # renewed mid-run too: the second pair is kept the same way
        await Resident(rig, "42").send("/start demo")
        assert oa.renewals == 2
        await rig.storage.compact()
    value = kept(db)
    assert value.startswith("fernet:") and "access-2" not in value
    pair = Tokens.loads(TokenSeal(TOKEN_KEY).open(value))
    assert pair is not None and (pair.access, pair.refresh) == ("access-2", "refresh-2")
    for token in (b"access-1", b"access-2", b"refresh-1", b"refresh-2"):
        assert token not in raw(db)
    for secret in (TOKEN_KEY, APP_SECRET, OA_SECRET, FIRST_REFRESH, "access-", "refresh-1"):
        assert secret not in caplog.text


async def test_a_pair_kept_in_clear_is_encrypted_at_start_and_still_works(
    oa: FakeZaloOA, zalo_clock: Clock, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    db = tmp_path / "zalo.sqlite3"
    async with zalo_rig(oa, db, zalo_clock) as rig:
        await Resident(rig, "43").send("/start demo")
    clear = TokenSeal(TOKEN_KEY).open(kept(db))
    with sqlite3.connect(db) as conn:  # as the version before encryption kept it
        conn.execute("UPDATE channel_state SET value = ? WHERE name = ?", (clear, TOKENS))
    assert kept(db).startswith("{")
    caplog.set_level(logging.INFO)
    async with zalo_rig(oa, db, zalo_clock) as rig:
        assert kept(db).startswith("fernet:")  # at start, before any resident wrote
        an = Resident(rig, "44")
        await an.send("/start demo")
        assert an.texts == ["Bạn dùng điện thoại gì?"]
        assert oa.renewals == 1  # the migrated pair was read and used, not renewed again
    assert "now encrypted" in caplog.text and "access-1" not in caplog.text


async def test_a_lost_key_is_recovered_with_a_new_refresh_token(
    oa: FakeZaloOA, zalo_clock: Clock, tmp_path: Path
) -> None:
    db = tmp_path / "zalo.sqlite3"
    async with zalo_rig(oa, db, zalo_clock) as rig:
        await Resident(rig, "45").send("/start demo")
    # The admin lost the key: a new one, and a new refresh token from the Zalo app's page.
    fresh = Fernet.generate_key().decode()
    async with zalo_rig(oa, db, zalo_clock, token_key=fresh, refresh_token="refresh-1") as rig:
        an = Resident(rig, "46")
        await an.send("/start demo")
        assert an.texts == ["Bạn dùng điện thoại gì?"] and oa.renewals == 2
    assert Tokens.loads(TokenSeal(fresh).open(kept(db))) is not None


def _run(config: Path, key: str | None) -> subprocess.CompletedProcess[str]:
    secrets = {
        "TROLYSO_ZALO_APP_SECRET": APP_SECRET,
        "TROLYSO_ZALO_OA_SECRET": OA_SECRET,
        "TROLYSO_ZALO_REFRESH_TOKEN": FIRST_REFRESH,
    } | ({"TROLYSO_ZALO_TOKEN_KEY": key} if key is not None else {})
    drop = ("TROLYSO_BOT_TOKEN", "TROLYSO_ZALO_TOKEN_KEY")
    env = {k: v for k, v in os.environ.items() if k not in drop} | secrets
    command = [sys.executable, "-m", "bot", "--config", str(config), "run"]
    return subprocess.run(
        command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=60, check=False
    )


async def test_a_missing_malformed_or_wrong_key_is_said_at_start_without_a_traceback(
    oa: FakeZaloOA, zalo_clock: Clock, tmp_path: Path
) -> None:
    db = tmp_path / "bot.sqlite3"
    async with zalo_rig(oa, db, zalo_clock) as rig:  # tokens kept, with the tests' key
        await Resident(rig, "47").send("/start demo")
    config = tmp_path / "config.yaml"
    config.write_text(
        f"flows_dir: {FIXTURE_FLOWS}\nlocales_dir: {ROOT / 'locales'}\n"
        f"database: {db}\nwelcome_flow: ''\nlog_level: WARNING\n"
        f"zalo:\n  app_id: '{APP_ID}'\n  oa_id: '{OA_ID}'\n  port: 0\n"
        f"  api_base: {oa.base}\n  oauth_url: {oa.base}/v4/oa/access_token\n",
        encoding="utf-8",
    )
    said = {}
    for case, key in (
        ("missing", None),
        ("malformed", "not-a-key"),
        ("wrong", Fernet.generate_key().decode()),
    ):
        done = _run(config, key)
        assert done.returncode == 2, (case, done.stderr)
        assert "Traceback" not in done.stderr and "TROLYSO_ZALO_TOKEN_KEY" in done.stderr, case
        said[case] = done.stderr
    assert "trolyso zalo-key" in said["missing"]  # Vietnamese, the configured language
    assert "không phải khóa" in said["malformed"]
    assert "không mở được" in said["wrong"] and "TROLYSO_ZALO_REFRESH_TOKEN" in said["wrong"]
    assert oa.refused_refresh == 0  # refused before anything was asked of Zalo


def test_trolyso_zalo_key_prints_a_key_the_bot_takes() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "bot", "zalo-key", "--lang", "en"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    key = done.stdout.strip()
    seal = TokenSeal(key)  # a Fernet key: refused otherwise
    assert seal.open(seal.seal("x", seed="s")) == "x"
    assert "TROLYSO_ZALO_TOKEN_KEY" in done.stderr and key not in done.stderr


async def test_a_process_with_another_key_says_so_once_and_its_replies_wait(
    oa: FakeZaloOA, zalo_clock: Clock, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    db = tmp_path / "zalo.sqlite3"
    other = Fernet.generate_key().decode()
    # Both start before any pair is kept; the first keeps it with its key, the second has another.
    async with zalo_rig(oa, db, zalo_clock) as one, zalo_rig(oa, db, zalo_clock, token_key=other) as two:
        await Resident(one, "48").send("/start demo")
        two.service.zalo.delivery.backoff = 0.01
        ba = Resident(two, "49")
        assert await ba.send("/start demo") == 200  # committed: Zalo gets its answer
        await ba.send("/start other")
        assert ba.replies() == [] and oa.renewals == 1 and oa.refused_refresh == 0
        errors = [r.getMessage() for r in caplog.records if r.levelno == logging.ERROR]
        assert len(errors) == 1 and "không mở được" in errors[0] and "does not open" in errors[0]
        assert await two.storage.pending_outbox(ba.key)  # the replies wait for the right key
