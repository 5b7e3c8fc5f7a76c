"""Volunteers' daily tools on Telegram (issue 17, item 3): names from the profile and /name, the
morning list grouped by why to go back with each person and note, and the leaders' /police."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.app.scheduler import Scheduler
from bot.config import ReminderSettings
from bot.core.staff import member_key
from tests.channels.tg_harness import Resident, TelegramRig
from tests.staff.test_assisted_sessions import MORNING, Clock
from tests.staff.test_people import guide, open_visit
from tests.staff.test_volunteers import ADMIN, invite, join
from tests.support.fake_bot_api import FakeBotAPI
from tests.support.on_disk import on_disk
from tests.support.telegram_updates import message_update

ZONE = ZoneInfo("Asia/Ho_Chi_Minh")


async def outcomes(volunteer: Resident, *people: tuple[str, str, str]) -> None:
    """For each (person, outcome, note): that person helped through "Việc khác"."""
    for person, outcome, note in people:
        await volunteer.send(f"/person {person}")
        await guide(volunteer, outcome, note)


@pytest.fixture
async def rig(fake_bot_api: FakeBotAPI, tmp_path: Path) -> AsyncIterator[TelegramRig]:
    rig = TelegramRig(fake_bot_api, "aiogram", "webhook", tmp_path / "db.sqlite3",
                      extra={"admin_ids": [ADMIN]})
    await rig.start()
    rig.assistant.clock = Clock()
    yield rig
    await rig.stop()


async def test_a_volunteer_is_named_after_their_profile_and_renames_themselves(
    rig: TelegramRig,
) -> None:
    code = await invite(rig)
    await rig.deliver(message_update(1001, f"/join {code}", first_name="Minh"))
    minh = Resident(rig, 1001)
    assert any("Chào mừng Minh" in t for t in rig.api.sent_texts(1001))
    await minh.send("/name")
    assert minh.text == "Tên của bạn trong đội: Minh. Muốn đổi, gõ: /name Tên mới"
    await minh.send("/name  Nguyễn Văn  Minh ")
    assert minh.text == "Đã lưu tên: Nguyễn Văn Minh."
    admin = Resident(rig, ADMIN)
    await admin.send("/volunteers")
    assert "Nguyễn Văn Minh – Thôn 3" in admin.text
    stranger = Resident(rig, 1002)
    await stranger.send("/name Ai đó")
    assert "dành cho tình nguyện viên" in stranger.text


async def test_the_morning_list_is_grouped_by_why_with_people_and_notes(rig: TelegramRig) -> None:
    lan = await join(rig, 1010)
    await open_visit(lan, "Hộ 12")
    await outcomes(
        lan, ("Bác Tư", "👮 Cần công an xã", "mang CCCD"), ("người 2", "📩 Chờ tin nhắn phê duyệt", "")
    )
    await lan.send("/visit")
    await lan.press("➕ Hộ mới")  # Hộ 12 is on the list to go back to
    await lan.press("Thôn 3")
    await lan.send("Hộ 8")
    await guide(lan, "🔁 Quay lại sau")
    await lan.send("/endvisit")
    clock = [dt.datetime(2026, 12, 4, 7, 45, tzinfo=ZONE).timestamp()]  # police: 3 days on
    scheduler = Scheduler(rig.assistant, rig.storage, ReminderSettings(),
                          clock=lambda: clock[0], send_to=rig.notices.send_to)
    assert (await scheduler.tick()).morning_lists == 1
    [morning] = [t for t in rig.api.sent_texts(1010) if "Chào buổi sáng" in t]
    assert morning.splitlines() == [
        "☀️ Chào buổi sáng! Hôm nay có 2 hộ cần quay lại:",
        "👮 Cần công an xã:",
        "• Hộ 12 (Thôn 3) · Bác Tư: Việc khác (ghi chú: mang CCCD)",
        "📩 Chờ tin nhắn phê duyệt:",
        "• Hộ 12 (Thôn 3) · người 2: Việc khác",
        "🔁 Quay lại sau:",
        "• Hộ 8 (Thôn 3): Việc khác",
    ]
    # And the same notes where the volunteer looks them up.
    await lan.send("/households")
    assert "– Bác Tư: 👮 Cần công an xã Việc khác (ghi chú: mang CCCD)" in lan.text


async def test_a_leader_lists_whom_to_hand_over_to_the_commune_police(rig: TelegramRig) -> None:
    lan = await join(rig, 1020)
    await lan.send("/name Lan")
    await open_visit(lan, "Hộ 12")
    await outcomes(
        lan, ("Bác Tư", "👮 Cần công an xã", "chưa có ảnh chân dung"), ("Cô Năm", "✅ Đã xong", "")
    )
    await lan.send("/endvisit")
    minh = await join(rig, 1021, "Thôn Tây")
    await minh.send("/visit")
    await minh.press("Thôn Tây")
    await minh.send("Hộ 1")
    await guide(minh, "👮 Cần công an xã")
    admin = Resident(rig, ADMIN)
    await admin.send("/police")
    day = dt.datetime.fromtimestamp(MORNING, ZONE).strftime("%d/%m")
    assert admin.text.splitlines() == [
        "👮 Cần công an xã: 2 người",
        f"• Hộ 12 (Thôn 3) · Bác Tư: Việc khác, từ {day}, TNV Lan (ghi chú: chưa có ảnh chân dung)",
        f"• Hộ 1 (Thôn Tây) · người 1: Việc khác, từ {day}, TNV An",
    ]
    await admin.send("/police thon tay")  # typed without accents
    assert admin.text.splitlines()[0] == "👮 Cần công an xã: 1 người" and "Hộ 1" in admin.text
    await admin.send("/police Thôn 9")
    assert admin.text == "Hiện không có ai cần công an xã ở Thôn 9."
    await lan.send("/police")
    assert "chỉ dành cho cán bộ" in lan.text


async def test_a_volunteers_forget_says_what_goes_and_keeps_the_outcomes(rig: TelegramRig) -> None:
    lan = await join(rig, 1030)
    await open_visit(lan, "Hộ Mười Hai")
    await outcomes(lan, ("Bác Tư Sáng", "✅ Đã xong", "gọi lại chiều thứ Ba"))
    await lan.send("/person Cô Năm")
    await lan.press("Việc khác")  # Cô Năm's guide, left half-way
    [home] = [s.household for s in await rig.storage.households_of(1)]
    runs_before = [r.user for r in await rig.storage.runs()]
    assert runs_before == [rig.storage.user_ref(member_key(home.id, 1))]
    await lan.send("/forget")
    assert "là tình nguyện viên" in lan.text and "Quyền tình nguyện viên" in lan.text
    assert "giữ lại kết quả các lần thăm, không kèm tên" in lan.text
    await lan.press("🗑 Xóa hết")
    assert "ngừng quyền tình nguyện viên" in lan.text
    # Their access stopped; the household's guide history and outcomes stay, without names.
    await lan.send("/visit")
    assert "dành cho tình nguyện viên" in lan.text
    assert [r.user for r in await rig.storage.runs()] == runs_before
    assert [(p.member, p.outcome) for p in await rig.storage.person_outcomes(None, None)] == [
        (1, "done")
    ]
    assert await rig.storage.load(member_key(home.id, 2)) is None  # the guide half-way
    assert (await rig.storage.household_by_id(home.id)).label == ""  # type: ignore[union-attr]
    await rig.storage.compact()
    raw = on_disk(rig.db)
    for name in ("Hộ Mười Hai", "Bác Tư Sáng", "gọi lại chiều thứ Ba"):
        assert name.encode() not in raw, name
