"""Dates a volunteer sees are the commune's, whatever clock the server keeps.

A bot hosted on a UTC machine once showed "từ 28/11" for an outcome recorded at 06:33 on
29 November in Vietnam (23:33 on the 28th in UTC): the date came from the server's time zone.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from tests.channels.tg_harness import Resident, TelegramRig
from tests.support.fake_bot_api import FakeBotAPI
from tests.support.telegram_updates import DEFAULT_BOT_USERNAME

ADMIN = 9101
VIETNAM = dt.timezone(dt.timedelta(hours=7))
# 06:33 on 29 November 2026 in Vietnam: still the 28th in UTC.
MORNING = dt.datetime(2026, 11, 29, 6, 33, tzinfo=VIETNAM).timestamp()


@pytest.fixture
def utc_server(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The process runs on UTC, as many servers do."""
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    assert dt.datetime.fromtimestamp(MORNING).day == 28  # the server's own idea of the day
    yield
    monkeypatch.undo()
    time.tzset()


async def _rig(api: FakeBotAPI, db: Path, **extra: object) -> TelegramRig:
    rig = TelegramRig(api, "aiogram", "webhook", db, extra={"admin_ids": [ADMIN], **extra})
    await rig.start()
    return rig


@pytest.fixture
async def rig(fake_bot_api: FakeBotAPI, tmp_path: Path) -> AsyncIterator[TelegramRig]:
    rig = await _rig(fake_bot_api, tmp_path / "db.sqlite3")
    yield rig
    await rig.stop()


async def _volunteer(rig: TelegramRig, user_id: int) -> Resident:
    admin = Resident(rig, ADMIN)
    await admin.send("/invite Thôn 3")
    match = re.search(r": ([A-Z2-9]{8}) \(", admin.text)
    assert match, admin.text
    volunteer = Resident(rig, user_id)
    await volunteer.send(f"/join {match.group(1)}")
    return volunteer


async def test_a_revisit_date_on_a_utc_server_is_the_communes_day(
    utc_server: None, rig: TelegramRig
) -> None:
    lan = await _volunteer(rig, 7201)
    rig.assistant.clock = lambda: MORNING
    await lan.send("/visit")
    await lan.press("Thôn 3")
    await lan.send("Hộ 9, ông Tám")
    await lan.press("Việc khác")
    await lan.press("Tiếp")
    await lan.press("Xong")
    await lan.press("🔁 Quay lại sau")
    await lan.press("Bỏ qua")
    await lan.send("/endvisit")
    rig.assistant.clock = lambda: MORNING + 3 * 86400
    await lan.send("/visit")
    [revisit] = [b for b in lan.buttons if b.startswith("🔁")]
    assert "từ 29/11" in revisit, revisit


async def test_telegrams_username_wins_over_a_wrong_setting_and_the_error_names_both(
    fake_bot_api: FakeBotAPI, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.ERROR)
    rig = await _rig(fake_bot_api, tmp_path / "db.sqlite3", username="old_name_bot")
    try:
        errors = [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]
        assert any("old_name_bot" in e and DEFAULT_BOT_USERNAME in e for e in errors), errors
        # Invite links (and so posters made from the running bot) use Telegram's username.
        assert rig.desk.profile.username == DEFAULT_BOT_USERNAME
        admin = Resident(rig, ADMIN)
        await admin.send("/invite Thôn 3")
        assert f"https://t.me/{DEFAULT_BOT_USERNAME}?start=join_" in admin.text
    finally:
        await rig.stop()


async def test_a_matching_username_is_not_an_error(
    fake_bot_api: FakeBotAPI, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.ERROR)
    rig = await _rig(fake_bot_api, tmp_path / "db.sqlite3", username=DEFAULT_BOT_USERNAME.upper())
    await rig.stop()
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
