"""The Zalo OA channel end to end: the fake OA API, the signed webhook, the real engine and a
SQLite file; the same conversation as Telegram's and the web chat's."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.app.staff.desk import hash_invite
from bot.core.types import SessionKey
from tests.channels.zalo_fake import FakeZaloOA
from tests.channels.zalo_rig import Resident, ZaloRig, zalo_rig
from tests.harness import Clock

PHONES = ["Android", "iPhone", "Không có", "❓ Không làm được", "⬅️ Quay lại", "🏠 Menu chính"]


@pytest.fixture
async def rig(oa: FakeZaloOA, zalo_clock: Clock, tmp_path: Path) -> AsyncIterator[ZaloRig]:
    async with zalo_rig(oa, tmp_path / "zalo.sqlite3", zalo_clock) as rig:
        yield rig


async def test_transcript_start_choose_back_free_text_finish(rig: ZaloRig) -> None:
    an = Resident(rig, "246845883529197922")
    assert await an.post(rig.oa.follow_event(an.user_id)) == 200
    assert "Xin chào!" in an.texts[0]
    assert an.buttons[:2] == ["Thử nghiệm", "Việc khác"]

    await an.press("Thử nghiệm")
    assert an.texts[0] == "Bạn dùng điện thoại gì?"
    # The step's own picture (a local file) first, uploaded to Zalo: its attachment id.
    assert an.pictures == ["att-1"] and rig.oa.upload_count == 1
    # Six buttons: Zalo takes five a message, the sixth comes on a short one of its own.
    assert an.buttons == PHONES
    assert [len(s.buttons) for s in an.replies()] == [0, 5, 1]
    assert all(b["type"] == "oa.query.hide" for s in an.replies() for b in s.buttons)

    await an.press("Android")
    assert an.texts == ["Bạn bao nhiêu tuổi?"]
    await an.send("/back")
    assert an.texts == ["Bạn dùng điện thoại gì?"]

    await an.press("iPhone")
    await an.send("70")
    assert an.texts == ["Dạ, 70 tuổi. Mình đi chậm nhé.", "Tên gọi của bạn là gì?"]
    await an.send("Bà <Tư> & co 👵")
    assert an.texts == ["Tên: Bà <Tư> & co 👵. Đúng không?"]  # Zalo shows text as it is
    [link] = [b for s in an.replies() for b in s.buttons if b["type"] == "oa.open.url"]
    assert link == {
        "title": "Mở Cổng dịch vụ công",
        "type": "oa.open.url",
        "payload": {"url": "https://dichvucong.gov.vn"},
    }

    await an.press("Đúng")
    await an.press("Không")
    assert an.texts == ["Dừng ở đây nhé."]
    assert an.buttons == ["🔄 Làm lại hướng dẫn này", "🏠 Menu chính"]

    runs = await rig.storage.runs()
    assert [(r.run.flow_id, r.run.outcome) for r in runs] == [
        ("demo_sub", "gave_up"),
        ("demo", "gave_up"),
    ]
    assert all(r.channel == "zalo" for r in runs)
    assert rig.oa.renewals == 1  # the first refresh token, once


async def test_the_words_on_a_volunteers_poster_start_the_guide_credited_to_them(
    rig: ZaloRig,
) -> None:
    invite, where = hash_invite("INVITE42"), {"village": "Thôn 7", "commune": "Lộc Hà"}
    await rig.storage.create_invite(invite, **where, created_by="admin", at=0.0, expires_at=4e9)
    lan = SessionKey("telegram", "712")  # a volunteer who joined on Telegram
    _check, volunteer = await rig.storage.redeem_invite(invite, lan, name="Lan", at=1.0)
    assert volunteer is not None
    an = Resident(rig, "31")
    await an.send(f"batdau other-v{volunteer.code}")  # typed from the poster, any case
    assert an.texts == ["Bước một."]
    await an.press("Tiếp")
    await an.press("Xong")
    [run] = await rig.storage.runs()
    assert run.run.mode == "referred" and run.run.volunteer_id == volunteer.id
    assert run.run.village == "Thôn 7"
