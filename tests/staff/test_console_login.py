"""``/login`` on Telegram: a one-time link to the web console for an admin (officer) or a
volunteer, only in a private chat, written to the admin log; the link opens the console once."""

from __future__ import annotations

import re
import time
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.app.access import redeem_link
from tests.channels.tg_harness import Resident, TelegramRig
from tests.staff.test_volunteers import ADMIN, join
from tests.support.fake_bot_api import FakeBotAPI
from tests.support.telegram_updates import message_update

LINK = re.compile(r"https://xa\.example\.vn/admin/login\?t=([A-Za-z0-9_-]+)")


@pytest.fixture
async def rig(fake_bot_api: FakeBotAPI, tmp_path: Path) -> AsyncIterator[TelegramRig]:
    rig = TelegramRig(
        fake_bot_api,
        "aiogram",
        "webhook",
        tmp_path / "db.sqlite3",
        extra={"admin_ids": [ADMIN]},
        config={"web": {"port": 0, "public_url": "https://xa.example.vn"}},
    )
    await rig.start()
    yield rig
    await rig.stop()


async def test_an_admin_gets_an_officer_link_that_works_once(rig: TelegramRig) -> None:
    admin = Resident(rig, ADMIN)
    await admin.send("/login")
    match = LINK.search(admin.text)
    assert match, admin.text
    assert "một lần" in admin.text and "10 phút" in admin.text
    grant = await redeem_link(rig.storage, match.group(1), now=time.time())
    assert grant is not None and grant.role == "officer" and grant.actor == f"telegram:{ADMIN}"
    assert await redeem_link(rig.storage, match.group(1), now=time.time()) is None
    # Only a hash of the token is kept (the reply that showed it is deleted once delivered).
    await rig.storage.compact()
    raw = rig.db.read_bytes() + (rig.db.parent / (rig.db.name + "-wal")).read_bytes()
    assert match.group(1).encode() not in raw


async def test_a_volunteer_gets_a_link_to_their_households(rig: TelegramRig) -> None:
    lan = await join(rig, 720)
    await lan.send("/login")
    match = LINK.search(lan.text)
    assert match, lan.text
    grant = await redeem_link(rig.storage, match.group(1), now=time.time())
    [volunteer] = await rig.storage.volunteers()
    assert grant is not None and grant.role == "volunteer" and grant.volunteer_id == volunteer.id


async def test_a_stranger_or_a_group_gets_no_link(rig: TelegramRig) -> None:
    stranger = Resident(rig, 730)
    await stranger.send("/login")
    assert not LINK.search(stranger.text) and "chỉ dành cho cán bộ" in stranger.text
    await rig.deliver(message_update(ADMIN, "/login", chat_id=-100777))
    sent = [c for c in rig.api.calls if c.method == "sendMessage"]
    assert not any(LINK.search(str(c.params)) for c in sent if c.chat_id == -100777)
    logged = [(a.action, a.allowed) for a in await rig.storage.admin_actions()]
    assert ("login", False) in logged and ("login", True) not in logged


async def test_a_link_expires_after_ten_minutes(rig: TelegramRig) -> None:
    admin = Resident(rig, ADMIN)
    await admin.send("/login")
    match = LINK.search(admin.text)
    assert match, admin.text
    assert await redeem_link(rig.storage, match.group(1), now=time.time() + 601) is None
