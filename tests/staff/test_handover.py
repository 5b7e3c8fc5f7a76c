"""A volunteer's hand-over (issue 17, item 2): the person helped scans a QR code with their own
phone and goes on with the same guide in their own chat, in the same form of address; from then
on that guide's reminders reach them, not the volunteer, who is told once. A used, expired or
forged link gets a kind word and the usual welcome; only a volunteer on a visit makes one."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from io import BytesIO
from pathlib import Path
from typing import Any

import pytest
import zxingcpp
from PIL import Image

from bot.app.scheduler import Scheduler
from bot.config import ReminderSettings
from bot.core.errors import StaleSession
from bot.core.staff import member_key
from tests.channels.tg_harness import Resident, TelegramRig, outbox_emptied, wait_until
from tests.staff.test_assisted_sessions import MORNING, Clock
from tests.staff.test_people import open_visit
from tests.staff.test_volunteers import ADMIN, join
from tests.support.fake_bot_api import FakeBotAPI
from tests.support.telegram_updates import DEFAULT_BOT_USERNAME

_LINK = re.compile(r"https://t\.me/(\w+)\?start=(ho-[A-Za-z0-9_-]+)")


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


def scheduler(rig: TelegramRig, clock: Clock) -> Scheduler:
    return Scheduler(
        rig.assistant, rig.storage, ReminderSettings(), clock=clock,
        after_turn=rig.notices.flush, send_to=rig.notices.send_to,
    )


def shown_link(volunteer: Resident) -> tuple[str, str]:
    """The hand-over just shown to ``volunteer``: the link in the caption and the link the QR
    code in the picture decodes to (read by zxing-cpp, a real QR reader)."""
    [photo] = [c for c in volunteer.replies() if c.method == "sendPhoto"]
    match = _LINK.search(str(photo.params["caption"]))
    assert match is not None, photo.params["caption"]
    picture = Image.open(BytesIO(photo.params["photo"].content))
    [decoded] = [result.text for result in zxingcpp.read_barcodes(picture)]
    return match.group(0), decoded


async def test_the_resident_goes_on_on_their_own_phone_and_gets_the_reminders(
    rig: TelegramRig, clock: Clock
) -> None:
    lan = await join(rig, 911)
    await open_visit(lan, "Hộ 12")
    await lan.send("/person Bác Tư")
    await lan.press("Việc khác")
    await lan.press("Bác")  # the welcome asks how to address Bác Tư
    for button in ("Tiếp", "Xong", "✅ Đã xong"):
        await lan.press(button)
    await lan.send("nhà có cháu biết dùng")  # the volunteer's note: never shown to the resident
    await lan.press("Chờ phê duyệt")
    assert "Đã gửi hồ sơ" in lan.text
    await lan.send("/handover")
    link, decoded = shown_link(lan)
    assert decoded == link
    username, token = _LINK.fullmatch(link).groups()  # type: ignore[union-attr]
    assert username == DEFAULT_BOT_USERNAME and len(token) <= 64
    assert "Bác Tư" in lan.text and "24 giờ" in lan.text
    [home] = [s.household for s in await rig.storage.households_of(1)]
    # Only the token's hash is stored: the database files never hold the link itself.
    for stored in rig.db.parent.glob(rig.db.name + "*"):
        assert token.encode() not in stored.read_bytes()

    tu = Resident(rig, 921)
    await tu.send(f"/start {token}")
    # Greeted in the address chosen with the volunteer, told what was done, and at the step.
    assert tu.texts[0].startswith("Dạ, chào bác! Từ giờ bác làm tiếp trên điện thoại của mình")
    assert tu.texts[0].endswith(
        'Đã làm cùng tình nguyện viên: ✅ Đã xong Việc khác; đang làm dở "Chờ phê duyệt".'
    )
    assert "nhà có cháu" not in tu.text
    assert "Đã gửi hồ sơ" in tu.texts[-1] and tu.buttons[0] == "Đã nhận"
    assert not any("🏠 Đang thăm" in t or "Kết quả của" in t for t in tu.texts)
    # The volunteer is told once, by household and person; neither sees the other's chat id.
    await outbox_emptied(rig.storage, lan.key)
    await wait_until(lambda: any("📲 Hộ 12" in t for t in rig.api.sent_texts(911)))
    told = [t for t in rig.api.sent_texts(911) if t.startswith("📲 Hộ 12")]
    assert told == [
        "📲 Hộ 12 · Bác Tư đã mở mã trên điện thoại của mình và tự làm tiếp. "
        "Lời nhắc từ giờ gửi thẳng cho họ."
    ]
    # Tapping the link again on the same phone: greeted again, the volunteer not told twice.
    await tu.send(f"/start {token}")
    assert tu.texts[0].startswith("Dạ, chào bác!") and "Đã gửi hồ sơ" in tu.texts[-1]
    assert len([t for t in rig.api.sent_texts(911) if t.startswith("📲 Hộ 12")]) == 1
    assert all("921" not in t for t in rig.api.sent_texts(911))
    assert all("911" not in t and "Lan" not in t for t in rig.api.sent_texts(921))
    person = await rig.storage.load(member_key(home.id, 1))
    assert person is not None and person.owner == "telegram:921" and person.stack
    # The volunteer, still on the visit, sees it on the person's screen.
    await lan.send("/person")
    await lan.press("👤 Bác Tư")
    assert "📲 Bác Tư đang tự làm tiếp trên điện thoại của mình" in lan.text
    assert (await rig.storage.load(tu.key)).person == str(member_key(home.id, 1))  # type: ignore[union-attr]

    # A day later the reminder of that guide reaches Bác Tư's own chat, not the volunteer's.
    clock.now = MORNING + 86400 + 60
    before = len(rig.api.sent_texts(911))
    assert (await scheduler(rig, clock).tick()).fired == 1
    await wait_until(lambda: "Bác đã nhận được tin nhắn phê duyệt chưa?" in rig.api.sent_texts(921))
    assert len(rig.api.sent_texts(911)) == before
    tu.mark = len(rig.api.calls)
    await tu.press("Đã nhận")
    assert "Tốt lắm!" in tu.text
    # Finished alone: "done" for Bác Tư in the volunteer's visit, off the list to go back to.
    [status] = await rig.storage.households_of(1)
    assert [(s.member, s.outcome, s.note) for s in status.services if s.flow_id == "waiting"] == [
        (1, "done", "tự làm xong trên điện thoại của mình")
    ]
    # The run is the person's, still credited to the volunteer's visit.
    [run] = [r for r in await rig.storage.runs() if r.run.flow_id == "waiting"]
    assert run.user == rig.storage.user_ref(member_key(home.id, 1))
    assert (run.run.mode, run.run.volunteer_id) == ("assisted", 1) and run.run.visit_id
    actions = [(a.action, a.allowed) for a in await rig.storage.admin_actions()]
    assert ("handover", True) in actions and ("handover_open", True) in actions

    # The same link a second time: a kind word and the usual welcome, nothing taken over.
    other = Resident(rig, 922)
    await other.send(f"/start {token}")
    assert other.texts[0].startswith("Mã này đã được dùng rồi")
    assert "Bạn cần giúp việc gì?" in other.text
    assert (await rig.storage.load(other.key)).person == ""  # type: ignore[union-attr]


async def test_expired_forged_and_own_links_are_kindly_refused(
    rig: TelegramRig, clock: Clock
) -> None:
    lan = await join(rig, 912)
    await open_visit(lan, "Hộ 3")
    await lan.press("Việc khác")
    await lan.press("Bác")
    await lan.send("/handover")
    link, _decoded = shown_link(lan)
    token = link.rsplit("=", 1)[1]
    # The volunteer opening their own link (to try it) does not use it up.
    await lan.send(f"/start {token}")
    assert "không dùng trên tài khoản tình nguyện viên" in lan.text
    clock.now += 24 * 3600 + 1
    late = Resident(rig, 931)
    await late.send(f"/start {token}")
    assert late.texts[0].startswith("Mã này đã hết hạn.")
    assert "Bạn cần giúp việc gì?" in late.text
    forged = Resident(rig, 932)
    await forged.send("/start ho-" + "A" * 43)
    assert forged.texts[0].startswith("Mã này không đúng hoặc không còn dùng được.")
    assert "Bạn cần giúp việc gì?" in forged.text
    await forged.press("Việc khác")  # and the bot goes on as for anyone
    assert "Mình nên gọi bạn là gì?" in forged.text
    refused = [a.detail for a in await rig.storage.admin_actions() if not a.allowed]
    assert refused == ["expired", "wrong"]


async def test_only_a_volunteer_on_a_visit_makes_a_handover(rig: TelegramRig) -> None:
    stranger = Resident(rig, 941)
    await stranger.send("/handover")
    assert stranger.texts == [
        "Lệnh này dành cho tình nguyện viên. Nếu bạn là tình nguyện viên, hãy gõ /join và "
        "mã mời cán bộ xã đưa."
    ]
    assert not [c for c in stranger.replies() if c.method == "sendPhoto"]
    lan = await join(rig, 913)
    await lan.send("/handover")
    assert lan.text == "Chưa có lần thăm nào đang mở. Gõ /visit để bắt đầu."
    assert [a.action for a in await rig.storage.admin_actions()].count("handover") == 0


@pytest.mark.parametrize(("framework", "mode"), [("aiogram", "webhook"), ("ptb", "polling")])
async def test_a_conversation_in_english(
    fake_bot_api: FakeBotAPI, tmp_path: Path, framework: str, mode: str
) -> None:
    rig = TelegramRig(fake_bot_api, framework, mode, tmp_path / "db.sqlite3",
                      extra={"admin_ids": [ADMIN]}, config={"welcome_flow": "welcome"})
    await rig.start()
    try:
        code = await _invite(rig)
        sam = Resident(rig, 951, language="en")
        await sam.send(f"/join {code}")
        await sam.send("/visit")
        await said(sam, "Which village")
        await sam.press("Thôn 3")
        await sam.send("House 5")
        await said(sam, "🏠 Visiting: House 5")
        # The person's screen offers the hand-over.
        assert "📲 Let them carry on on their own phone" in sam.buttons
        await sam.press("Something else")
        await said(sam, "How should I address you?")
        await sam.press("Uncle/Aunt")
        await said(sam, "Step one.")
        await sam.send("/menu")
        await said(sam, "🏠 Visiting: House 5")
        await sam.press("📲 Let them carry on on their own phone")
        await said(sam, "Ask person 1 to open the camera on their own phone and scan this code.")
        link, decoded = shown_link(sam)
        assert decoded == link
        ba = Resident(rig, 961, language="en")
        await ba.send("/start " + link.rsplit("=", 1)[1])
        await said(ba, "Step one.")
        assert ba.texts[0] == (
            "Hello! From now on you carry on on your own phone, and I will write to you "
            'directly. Done with the volunteer: "Something else" half-way.'
        )
        await ba.press("Next")
        await said(ba, "Step two.")
        await wait_until(
            lambda: any(t.startswith("📲 House 5 · person 1 opened the code")
                        for t in rig.api.sent_texts(951))
        )
        again = Resident(rig, 962, language="en")
        await again.send("/start " + link.rsplit("=", 1)[1])
        await said(again, "What can I help you with? Please choose:")
        assert again.texts[0] == (
            "This code has been used already: each code works only once. If you need one, "
            "ask the volunteer for a new code."
        )
    finally:
        await rig.stop()


async def said(resident: Resident, words: str) -> None:
    """Until the bot said ``words`` to ``resident`` since their last action (polling may move
    past an update a moment before its replies go out)."""
    await wait_until(lambda: words in resident.text)


async def _invite(rig: TelegramRig) -> str:
    admin = Resident(rig, ADMIN)
    await admin.send("/invite Thôn 3")
    found = re.search(r"/join ([A-Z0-9]{8})", admin.text)
    assert found is not None
    return found.group(1)


def test_a_token_is_long_random_and_names_nobody() -> None:
    from bot.app.staff.handover import hash_token, new_token

    tokens = {new_token() for _ in range(200)}
    assert len(tokens) == 200
    for token in tokens:
        assert re.fullmatch(r"ho-[2-9A-HJ-NP-Z]{14}", token) and len(token) <= 64
        assert hash_token(token) != token and token not in hash_token(token)


async def test_the_residents_forget_deletes_the_guide_they_took_over(
    rig: TelegramRig, clock: Clock
) -> None:
    lan = await join(rig, 914)
    await open_visit(lan, "Hộ 4")
    await lan.press("Chờ phê duyệt")
    await lan.press("Bác")
    await lan.send("/handover")
    token = shown_link(lan)[0].rsplit("=", 1)[1]
    tu = Resident(rig, 924)
    await tu.send(f"/start {token}")
    [home] = [s.household for s in await rig.storage.households_of(1)]
    person = member_key(home.id, 1)
    assert await rig.storage.pending_followups(person)
    await tu.send("/forget")
    await tu.press("🗑 Xóa hết")
    assert "Đã xóa toàn bộ dữ liệu về bác" in tu.text
    # The guide they took over (place, answers, address, reminders) went with them; the
    # volunteer's household stays on their list.
    assert await rig.storage.load(person) is None
    assert await rig.storage.pending_followups(person) == []
    assert await rig.storage.load(tu.key) is None
    assert [s.household.label for s in await rig.storage.households_of(1)] == ["Hộ 4"]
    assert not [a for a in await rig.storage.admin_actions() if a.actor == str(tu.key)]


async def test_a_resident_without_telegram_opens_the_web_chats_link(
    fake_bot_api: FakeBotAPI, tmp_path: Path, clock: Clock
) -> None:
    from bot.config import WebSettings
    from tests.channels.tg_harness import free_port
    from tests.channels.web_harness import Page, WebRig, browser

    port = free_port()
    web = WebSettings(port=port, public_url=f"http://127.0.0.1:{port}")
    rig = TelegramRig(fake_bot_api, "aiogram", "webhook", tmp_path / "db.sqlite3",
                      extra={"admin_ids": [ADMIN]}, config={"welcome_flow": "welcome", "web": web})
    await rig.start()
    rig.assistant.clock = clock
    try:
        lan = await join(rig, 915)
        await open_visit(lan, "Hộ 9")
        await lan.press("Chờ phê duyệt")
        await lan.press("Bác")
        await lan.send("/handover")
        [photo] = [c for c in lan.replies() if c.method == "sendPhoto"]
        caption = str(photo.params["caption"])
        found = re.search(rf"Không dùng Telegram thì mở: (http://127\.0\.0\.1:{port}/\?start=ho-\S+)",
                          caption)
        assert found is not None, caption
        async with browser() as chrome:
            tab = await chrome.new_page(viewport={"width": 360, "height": 740}, locale="vi-VN")
            await tab.goto(found.group(1))
            resident = Page(tab, WebRig(rig.service))
            await resident.wait_for_text("Đã gửi hồ sơ")
            await resident.settled()
            texts = await resident.bot_texts()
            assert any(t.startswith("Dạ, chào bác! Từ giờ bác làm tiếp") for t in texts)
            await wait_until(lambda: any(t.startswith("📲 Hộ 9 · người 1 đã mở mã")
                                         for t in rig.api.sent_texts(915)))
            # The guide's reminder reaches the web chat, through the web channel.
            before = len(rig.api.sent_texts(915))
            clock.now = MORNING + 86400 + 60
            assert (await scheduler(rig, clock).tick()).fired == 1
            await resident.wait_for_text("Bác đã nhận được tin nhắn phê duyệt chưa?")
            assert len(rig.api.sent_texts(915)) == before
            await resident.press("Đã nhận")
            await resident.wait_for_text("Tốt lắm!")
    finally:
        await rig.stop()


async def test_a_handover_computed_again_after_a_clash_still_takes_the_guide_over(
    rig: TelegramRig, clock: Clock
) -> None:
    lan = await join(rig, 916)
    await open_visit(lan, "Hộ 6")
    await lan.press("Việc khác")
    await lan.press("Bác")
    await lan.send("/handover")
    token = shown_link(lan)[0].rsplit("=", 1)[1]
    # Another bot process saves the person's session just as the resident's turn is saved: the
    # turn is computed again, and the link it already took is still this chat's.
    real, clashed = rig.storage.save, []

    async def clash_once(turn: Any) -> list[int]:
        if turn.companion is not None and turn.companion.session.owner and not clashed:
            clashed.append(turn)
            raise StaleSession("saved meanwhile by another process")
        return await real(turn)

    rig.storage.save = clash_once
    tu = Resident(rig, 926)
    await tu.send(f"/start {token}")
    assert clashed
    assert tu.texts[0].startswith("Dạ, chào bác! Từ giờ bác làm tiếp") and "Bước một." in tu.text
    [home] = [s.household for s in await rig.storage.households_of(1)]
    person = await rig.storage.load(member_key(home.id, 1))
    assert person is not None and person.owner == "telegram:926"
    await wait_until(lambda: any(t.startswith("📲 Hộ 6") for t in rig.api.sent_texts(916)))
