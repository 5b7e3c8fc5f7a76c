"""The people of a household on Telegram: each person named (or numbered), each one's outcome
kept and shown back (issue 17, item 1)."""

from __future__ import annotations

import sqlite3
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.channels.tg_harness import Resident, TelegramRig
from tests.staff.test_volunteers import ADMIN, join
from tests.support.fake_bot_api import FakeBotAPI


@pytest.fixture
async def rig(fake_bot_api: FakeBotAPI, tmp_path: Path) -> AsyncIterator[TelegramRig]:
    rig = TelegramRig(fake_bot_api, "aiogram", "webhook", tmp_path / "db.sqlite3",
                      extra={"admin_ids": [ADMIN]})
    await rig.start()
    yield rig
    await rig.stop()


async def open_visit(volunteer: Resident, household: str) -> None:
    """/visit, the volunteer's own village, and a household typed."""
    await volunteer.send("/visit")
    await volunteer.press("Thôn 3")
    await volunteer.send(household)


async def guide(volunteer: Resident, outcome: str, note: str = "") -> None:
    """Run the fixture flow "Việc khác" to its end and record ``outcome`` (and a note)."""
    await volunteer.press("Việc khác")
    await volunteer.press("Tiếp")
    await volunteer.press("Xong")
    await volunteer.press(outcome)
    if note:
        await volunteer.send(note)
    else:
        await volunteer.press("Bỏ qua")


async def test_a_household_of_four_keeps_four_outcomes(rig: TelegramRig) -> None:
    lan = await join(rig, 801)
    await open_visit(lan, "Hộ 12")
    assert "🏠 Đang thăm: Hộ 12 (Thôn 3) · 👤 người 1" in lan.text
    # The first person is named: "người 1" until then.
    await lan.press("👥 Người khác")
    assert lan.buttons == ["👤 người 1", "➕ Thêm người"]
    await lan.press("➕ Thêm người")
    assert "Không ghi số căn cước" in lan.text
    await lan.send("Bác Tư")
    assert "👤 Đang giúp: Bác Tư" in lan.text and "· 👤 Bác Tư" in lan.text
    await guide(lan, "✅ Đã xong")
    # Someone else: a name typed after "add a person", or /person with the name.
    await lan.press("👥 Người khác")
    await lan.press("➕ Thêm người")
    await lan.send("người 2")
    assert "· 👤 người 2" in lan.text
    assert 'Kết quả của người 2 với "Việc khác"?' not in lan.text
    await guide(lan, "👮 Cần công an xã", "hẹn thứ hai 0912345678")
    assert any('Kết quả của người 2 với "Việc khác"?' in t for t in lan.rig.api.sent_texts(801))
    await lan.send("/person Cô Năm")
    await guide(lan, "📵 Không có smartphone")
    await lan.send("/person Út")
    await guide(lan, "🔁 Quay lại sau")
    await lan.send("/households")
    assert lan.text.splitlines() == [
        "Các hộ của bạn:",
        "• Hộ 12 (Thôn 3):",
        "– Bác Tư: ✅ Đã xong Việc khác",
        "– người 2: 👮 Cần công an xã Việc khác (ghi chú: hẹn thứ hai [PHONE])",
        "– Cô Năm: 📵 Không có smartphone Việc khác",
        "– Út: 🔁 Quay lại sau Việc khác",
    ]
    with sqlite3.connect(rig.db) as conn:
        assert conn.execute(
            "SELECT member, outcome FROM visit_outcomes ORDER BY id"
        ).fetchall() == [(1, "done"), (2, "police"), (3, "no_smartphone"), (4, "later")]
        assert conn.execute(
            "SELECT number, label FROM household_members ORDER BY number"
        ).fetchall() == [(1, "Bác Tư"), (2, "người 2"), (3, "Cô Năm"), (4, "Út")]
    # The report queries count four people, each with their own outcome.
    rows = await rig.storage.person_outcomes(None, None)
    assert [(r.member, r.outcome) for r in rows] == [
        (1, "done"), (2, "police"), (3, "no_smartphone"), (4, "later")
    ]
    # Going back: the household is on the list, and the volunteer picks whom to help.
    await lan.send("/endvisit")
    assert "Đã ghi 4 kết quả" in lan.text
    await lan.send("/visit")
    [revisit] = [b for b in lan.buttons if b.startswith("🔁")]
    await lan.press(revisit)
    assert "Đang giúp ai trong Hộ 12?" in lan.text
    assert lan.buttons == ["👤 Bác Tư", "👤 người 2", "👤 Cô Năm", "👤 Út", "➕ Thêm người"]
    await lan.press("👤 Út")
    assert "· 👤 Út" in lan.text
    # The same name again is the same person, not a fifth one.
    await lan.send("/person bac tu")
    assert "· 👤 Bác Tư" in lan.text
    with sqlite3.connect(rig.db) as conn:
        assert conn.execute("SELECT COUNT(*) FROM household_members").fetchone() == (4,)


async def test_a_name_that_is_not_one_is_asked_again(rig: TelegramRig) -> None:
    lan = await join(rig, 802)
    await open_visit(lan, "Hộ 3")
    await lan.send("/person !!!")
    assert "chưa đọc được tên này" in lan.text
    await lan.send("Bà Sáu")
    assert "· 👤 Bà Sáu" in lan.text
    await lan.send("/endvisit")
    await lan.send("/person Ai đó")
    assert "Chưa có lần thăm nào đang mở" in lan.text
