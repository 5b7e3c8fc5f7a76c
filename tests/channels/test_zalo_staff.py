"""Staff on Zalo as on Telegram: a volunteer joins with an invite code and runs a household visit
in the OA's chat, an admin in ``zalo.admin_ids`` invites and asks for /report (the summary, and
the saved file named, since Zalo takes no HTML file), and staff notices (a refused flow edit, a
volunteer's morning list) reach Zalo staff within the window."""

from __future__ import annotations

import datetime as dt
import re
import shutil
import sqlite3
from collections.abc import AsyncIterator
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.app.reload import FlowReloader
from bot.app.scheduler import Scheduler
from bot.config import ReminderSettings
from tests.channels.zalo_fake import FakeZaloOA
from tests.channels.zalo_rig import Resident, ZaloRig, zalo_rig
from tests.harness import FIXTURE_FLOWS, Clock, make_settings

ADMIN = "84001"
TARGETS = {"targets": {"Thôn 3": {"other": 10}}}


@pytest.fixture
async def rig(oa: FakeZaloOA, zalo_clock: Clock, tmp_path: Path) -> AsyncIterator[ZaloRig]:
    flows = tmp_path / "flows"
    shutil.copytree(FIXTURE_FLOWS, flows)
    async with zalo_rig(
        oa, tmp_path / "db.sqlite3", zalo_clock, flows=flows, config=TARGETS, admin_ids=[ADMIN]
    ) as rig:
        yield rig


async def join(rig: ZaloRig, user_id: str) -> Resident:
    admin = Resident(rig, ADMIN)
    await admin.send("/invite Thôn 3")
    match = re.search(r": ([A-Z2-9]{8}) \(", admin.texts[0])
    assert match, admin.texts
    volunteer = Resident(rig, user_id)
    await volunteer.send(f"/join {match.group(1)}")
    welcome = volunteer.texts[0]
    # Zalo's events carry no name: the volunteer is asked to give one.
    assert welcome.startswith("Chào mừng tham gia đội tình nguyện viên Thôn 3!")
    assert "/name Lan" in welcome
    return volunteer


async def test_a_volunteer_joins_and_runs_a_visit_over_zalo(rig: ZaloRig) -> None:
    lan = await join(rig, "7101")
    await lan.send("/name Lan")
    await lan.send("/visit")
    assert lan.texts == ["Thăm hộ ở thôn nào?"] and lan.buttons == ["Thôn 3", "Thôn khác"]
    await lan.press("Thôn 3")
    await lan.send("Hộ 12, ông Ba 0912345678")  # the phone number is masked before it is kept
    assert "Bắt đầu thăm Hộ 12, ông Ba [PHONE] (Thôn 3)" in "\n".join(lan.texts)
    assert "🏁 Kết thúc lần thăm" in lan.buttons
    await lan.press("Việc khác")
    await lan.press("Tiếp")
    await lan.press("Xong")
    assert 'Kết quả của người 1 với "Việc khác"?' in "\n".join(lan.texts)
    await lan.press("✅ Đã xong")
    await lan.send("Đã hướng dẫn, gọi lại 0987654321")
    assert "Đã ghi: ✅ Đã xong – Việc khác." in "\n".join(lan.texts)
    await lan.press("🏁 Kết thúc lần thăm")
    assert "Đã ghi 1 kết quả" in "\n".join(lan.texts)

    [volunteer] = await rig.storage.volunteers()
    assert (volunteer.key.channel, volunteer.key.user_id, volunteer.name) == ("zalo", "7101", "Lan")
    with sqlite3.connect(rig.service.app.settings.database) as conn:
        [run] = conn.execute("SELECT flow_id, outcome, mode, village, volunteer_id FROM runs").fetchall()
        [outcome] = conn.execute("SELECT flow_id, outcome, note FROM visit_outcomes").fetchall()
    assert run == ("other", "completed", "assisted", "Thôn 3", volunteer.id)
    assert outcome == ("other", "done", "Đã hướng dẫn, gọi lại [PHONE]")
    assert "0912345678" not in str(rig.oa.sent) and rig.oa.problems == []


async def test_the_invite_code_works_typed_as_a_posters_words(rig: ZaloRig) -> None:
    admin = Resident(rig, ADMIN)
    await admin.send("/invite Thôn 5")
    match = re.search(r": ([A-Z2-9]{8}) \(", admin.texts[0])
    assert match, admin.texts
    mai = Resident(rig, "7104")
    await mai.send(f"batdau join_{match.group(1)}")  # any case, as Zalo users type it
    assert mai.texts[0].startswith("Chào mừng tham gia đội tình nguyện viên Thôn 5!")


async def test_an_admin_on_zalo_gets_the_report_summary_and_where_the_file_is(
    rig: ZaloRig, tmp_path: Path
) -> None:
    lan = await join(rig, "7102")
    await lan.send("/visit")
    await lan.press("Thôn 3")
    await lan.send("Hộ 2")
    await lan.press("Việc khác")
    await lan.press("Tiếp")
    await lan.press("Xong")
    await lan.press("✅ Đã xong")
    await lan.press("Bỏ qua")
    admin = Resident(rig, ADMIN)
    await admin.send("/report")
    summary = "\n".join(admin.texts)
    [saved] = list((tmp_path / "reports").glob("bao-cao-*.html"))
    assert "Thôn 3" in summary and "10" in summary
    assert f"Báo cáo đầy đủ đã lưu trên máy chủ: {saved.name}" in summary
    assert all(len(s.text) <= 2000 for s in admin.replies())
    stranger = Resident(rig, "7199")
    await stranger.send("/report")
    assert "chỉ dành cho cán bộ" in stranger.texts[0]


async def test_staff_notices_reach_zalo_staff_within_the_window(
    rig: ZaloRig, zalo_clock: Clock, tmp_path: Path
) -> None:
    admin = Resident(rig, ADMIN)
    await admin.send("/volunteers")  # the admin wrote: the OA may write to them
    flows = tmp_path / "flows"
    reloader = FlowReloader(
        make_settings(flows, welcome_flow=""),
        rig.service.app.assistant,
        rig.storage,
        on_problems=rig.service.app.notices.tell_admins,
    )
    other = flows / "other.yaml"
    text = other.read_text(encoding="utf-8")
    other.write_text(text.replace("say: { vi: Hết., en: The end. }",
                                  "say: { vi: Hết., en: The end. }\n    go: nowhere"),
                     encoding="utf-8")  # fmt: skip
    result = await reloader.check()
    assert result is not None and not result.applied
    await rig.settle()
    [notice] = [s.text for s in rig.oa.to(ADMIN) if "chưa được áp dụng" in s.text]
    assert "other.yaml:" in notice

    # A volunteer on Zalo gets their morning list there, the next morning.
    lan = await join(rig, "7103")
    await lan.send("/visit")
    await lan.press("Thôn 3")
    await lan.send("Hộ 8, chú Năm")
    await lan.press("Việc khác")
    await lan.press("Tiếp")
    await lan.press("Xong")
    await lan.press("🔁 Quay lại sau")
    await lan.press("Bỏ qua")
    zone = ZoneInfo("Asia/Ho_Chi_Minh")
    tomorrow = dt.datetime.fromtimestamp(zalo_clock(), zone).date() + dt.timedelta(days=1)
    zalo_clock.now = dt.datetime.combine(tomorrow, dt.time(7, 45), zone).timestamp()
    scheduler = Scheduler(rig.service.app.assistant, rig.storage, ReminderSettings(),
                          clock=zalo_clock, send_to=rig.service.app.notices.send_to)  # fmt: skip
    assert (await scheduler.tick()).morning_lists == 1
    await rig.settle()
    [morning] = [s.text for s in rig.oa.to("7103") if "Chào buổi sáng" in s.text]
    assert "🔁 Quay lại sau:\n• Hộ 8, chú Năm (Thôn 3): Việc khác" in morning

    # Outside the window the admin is not written to (Zalo would refuse): counted instead.
    zalo_clock.advance(49 * 3600)
    before, skipped = len(rig.oa.to(ADMIN)), rig.service.zalo.window.skipped
    other.write_text(text.replace("go: second", "go: elsewhere"), encoding="utf-8")
    result = await reloader.check()
    assert result is not None and not result.applied
    await rig.settle()
    assert len(rig.oa.to(ADMIN)) == before and rig.service.zalo.window.skipped == skipped + 1


async def test_a_resident_on_zalo_takes_a_guide_over_by_sending_the_words_shown(
    rig: ZaloRig,
) -> None:
    """Zalo's links carry no start payload: the hand-over shows the words to send, and a code
    typed by hand (lower case, a space) opens it all the same."""
    lan = await join(rig, "7101")
    await lan.send("/name Lan")
    await lan.send("/visit")
    await lan.press("Thôn 3")
    await lan.send("Hộ 4")
    await lan.press("Chờ phê duyệt")
    assert "Đã gửi hồ sơ" in "\n".join(lan.texts)
    await lan.send("/handover")
    shown = "\n".join(lan.texts)
    words = re.search(r"Trên Zalo: mở https://zalo\.me/\d+ rồi gửi đúng chữ: (BATDAU (ho-\w+))",
                      shown)
    assert words, shown
    code = words.group(2)
    assert re.fullmatch(r"ho-[2-9A-HJ-NP-Z]{14}", code)

    tu = Resident(rig, "7202")
    await tu.send(f"batdau ho-{code[3:10].lower()} {code[10:]}")
    assert tu.texts[0].startswith("Dạ, chào bạn! Từ giờ bạn làm tiếp trên điện thoại của mình")
    assert "Đã gửi hồ sơ" in tu.texts[-1] and "Đã nhận" in tu.buttons
    assert any(t.startswith("📲 Hộ 4") for t in lan.texts) or any(
        s.text.startswith("📲 Hộ 4") for s in rig.oa.to("7101")
    )
    # Used once: another Zalo user sending the same words gets the kind word, not the guide.
    other = Resident(rig, "7303")
    await other.send(words.group(1))
    assert "Đã gửi hồ sơ" not in "\n".join(other.texts)
