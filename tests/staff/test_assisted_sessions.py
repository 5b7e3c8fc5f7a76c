"""Assisted guides belong to the household member, not to the volunteer's chat (issue 17, item
2): each person has their own session (address, answers, reminders, log) credited to the
volunteer, and a person's reminder reaches the volunteer naming the household and the person."""

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
from tests.staff.test_people import open_visit
from tests.staff.test_volunteers import ADMIN, join
from tests.support.fake_bot_api import FakeBotAPI

# 10:00 in Vietnam on a weekday: outside the quiet hours, whatever the server's zone.
MORNING = dt.datetime(2026, 12, 1, 10, 0, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh")).timestamp()


class Clock:
    def __init__(self) -> None:
        self.now = MORNING

    def __call__(self) -> float:
        return self.now


@pytest.fixture
async def clock() -> Clock:
    return Clock()


@pytest.fixture
async def rig(fake_bot_api: FakeBotAPI, tmp_path: Path, clock: Clock) -> AsyncIterator[TelegramRig]:
    rig = TelegramRig(fake_bot_api, "aiogram", "webhook", tmp_path / "db.sqlite3",
                      extra={"admin_ids": [ADMIN]}, config={"welcome_flow": "welcome"})
    await rig.start()
    rig.assistant.clock = clock
    yield rig
    await rig.stop()


async def test_each_person_has_their_own_address_and_the_volunteer_none(rig: TelegramRig) -> None:
    lan = await join(rig, 901)
    await open_visit(lan, "Hộ 7")
    await lan.send("/person Bác Tư")
    await lan.press("Việc khác")
    assert "Mình nên gọi bạn là gì?" in lan.text  # the welcome, for Bác Tư
    await lan.press("Bác")
    assert "Dạ, chào bác!" in lan.text and "Bước một." in lan.text
    for button in ("Tiếp", "Xong", "✅ Đã xong", "Bỏ qua"):
        await lan.press(button)
    # Someone else in the household is asked again: the first one's "Bác" is not theirs.
    await lan.send("/person Em Na")
    await lan.press("Việc khác")
    assert "Mình nên gọi bạn là gì?" in lan.text
    await lan.press("Bạn")
    assert "Dạ, chào bạn!" in lan.text
    [home] = [s.household for s in await rig.storage.households_of(1)]
    tu = await rig.storage.load(member_key(home.id, 1))
    na = await rig.storage.load(member_key(home.id, 2))
    assert tu is not None and tu.profile["xung_ho"] == "bác"
    assert na is not None and na.profile["xung_ho"] == "bạn" and na.stack[0].flow_id == "other"
    volunteer = await rig.storage.load(lan.key)
    assert volunteer is not None and "xung_ho" not in volunteer.profile and not volunteer.stack
    # The runs are the person's (their own pseudonym), credited to the volunteer's visit.
    runs = [r for r in await rig.storage.runs() if r.run.flow_id == "other"]
    assert [r.user for r in runs] == [rig.storage.user_ref(member_key(home.id, 1))]
    assert (runs[0].run.mode, runs[0].run.volunteer_id, runs[0].run.village) == (
        "assisted", 1, "Thôn 3"
    )
    assert runs[0].run.visit_id is not None


async def test_a_persons_reminder_reaches_the_volunteer_naming_the_household(
    fake_bot_api: FakeBotAPI, tmp_path: Path, clock: Clock
) -> None:
    rig = TelegramRig(fake_bot_api, "aiogram", "webhook", tmp_path / "db.sqlite3",
                      extra={"admin_ids": [ADMIN]})
    await rig.start()
    rig.assistant.clock = clock
    try:
        lan = await join(rig, 902)
        await open_visit(lan, "Hộ 12")
        await lan.send("/person Bác Tư")
        await lan.press("Chờ phê duyệt")
        assert "Khi có tin nhắn phê duyệt" in lan.text
        [pending] = await rig.storage.due_followups(clock.now + 2 * 86400)
        assert pending.key.channel == "visit"  # Bác Tư's, not the volunteer's chat
        # Ending the visit half-way: said, and kept as "come back later" once confirmed.
        await lan.send("/endvisit")
        assert "Còn hướng dẫn đang làm dở: Bác Tư – Chờ phê duyệt." in lan.text
        await lan.press("🏁 Kết thúc, ghi Quay lại sau")
        assert "Đã ghi 1 kết quả" in lan.text
        scheduler = Scheduler(
            rig.assistant, rig.storage, ReminderSettings(), clock=clock,
            after_turn=rig.notices.flush, send_to=rig.notices.send_to,
        )
        clock.now += 86400 + 60
        assert (await scheduler.tick()).fired == 1
        lan.mark = 0
        [reminder] = [t for t in rig.api.sent_texts(902) if t.startswith("🔔")]
        assert reminder == "🔔 Hộ 12 · Bác Tư:\nBạn đã nhận được tin nhắn phê duyệt chưa?"
        # The volunteer answers on the reminder: Bác Tư's guide goes on, in a visit to Hộ 12.
        lan.mark = len(rig.api.calls)
        await lan.press("Đã nhận")
        assert "🏠 Đang thăm: Hộ 12 (Thôn 3) · 👤 Bác Tư" in lan.text
        assert "Tốt lắm!" in lan.text and 'Kết quả của Bác Tư với "Chờ phê duyệt"?' in lan.text
        await lan.press("📩 Chờ tin nhắn phê duyệt")
        await lan.press("Bỏ qua")
        [status] = await rig.storage.households_of(1)
        assert [(s.member, s.outcome) for s in status.services] == [(1, "waiting_sms")]
        # Nothing was left for the volunteer's own chat to be reminded of.
        assert await rig.storage.pending_followups(lan.key) == []
    finally:
        await rig.stop()


async def in_a_guide(rig: TelegramRig, user_id: int, household: str) -> Resident:
    """A volunteer visiting ``household``, its first person at the first step of a guide."""
    lan = await join(rig, user_id)
    await open_visit(lan, household)
    await lan.press("Việc khác")
    await lan.press("Bác")
    return lan


async def test_a_persons_button_during_another_households_visit_is_kindly_refused(
    rig: TelegramRig,
) -> None:
    lan = await in_a_guide(rig, 903, "Hộ 1")
    old = lan.button_data("Tiếp")
    await lan.send("/visit")  # another household: Hộ 1's guide is left for later
    await lan.press("➕ Hộ mới")
    await lan.press("Thôn 3")
    await lan.send("Hộ 2")
    await lan.press_data(old)
    assert "đang thăm Hộ 2" in lan.text
    # Someone else's person, or a forged one: an old button, nothing more.
    await lan.press_data(old.replace("m:1-1", "m:99-1"))
    assert "tin nhắn cũ" in lan.text


async def test_endvisit_half_way_warns_and_the_household_is_to_go_back_to(
    rig: TelegramRig,
) -> None:
    lan = await in_a_guide(rig, 904, "Hộ 4")
    await lan.press("Tiếp")
    await lan.send("/endvisit")
    assert "Còn hướng dẫn đang làm dở: người 1 – Việc khác." in lan.text
    assert lan.buttons == ["🏁 Kết thúc, ghi Quay lại sau", "↩️ Làm tiếp"]
    await lan.press("↩️ Làm tiếp")
    assert "Bước hai." in lan.text  # where the guide was, and the visit still open
    await lan.send("/endvisit")
    await lan.press("🏁 Kết thúc, ghi Quay lại sau")
    assert "Đã kết thúc lần thăm Hộ 4. Đã ghi 1 kết quả." in lan.text
    await lan.send("/households")
    assert "Hộ 4 (Thôn 3): 🔁 Quay lại sau Việc khác (ghi chú: dừng giữa chừng)" in lan.text
    # Back another day: the guide goes on from where it stopped.
    await lan.send("/visit")
    [revisit] = [b for b in lan.buttons if b.startswith("🔁")]
    await lan.press(revisit)
    assert "▶️" in " ".join(lan.buttons) or any("Tiếp tục" in b for b in lan.buttons)
    # Only looked at, not helped this time: nothing more is recorded.
    await lan.send("/endvisit")
    assert lan.text.startswith("Đã kết thúc lần thăm Hộ 4. Đã ghi 0 kết quả.")
