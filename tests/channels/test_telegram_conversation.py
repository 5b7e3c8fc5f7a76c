"""The same conversation on aiogram and python-telegram-bot, by polling and by webhook."""

from __future__ import annotations

from tests.channels.tg_harness import Resident, TelegramRig, wait_until


async def test_transcript_start_choose_back_free_text_finish(rig: TelegramRig) -> None:
    an = Resident(rig, 4242)
    await an.send("/start")
    assert "Xin chào!" in an.text
    assert an.buttons[:2] == ["Thử nghiệm", "Việc khác"]

    await an.press("Thử nghiệm")
    [photo] = an.replies()
    assert photo.method == "sendPhoto" and photo.params["caption"] == "Bạn dùng điện thoại gì?"
    assert photo.params["photo"]["filename"] == "card.png"  # uploaded the first time
    assert an.buttons == [
        "Android",
        "iPhone",
        "Không có",
        "❓ Không làm được",
        "⬅️ Quay lại",
        "🏠 Menu chính",
    ]
    assert all(
        len(b["callback_data"].encode()) <= 64
        for row in an.keyboard()
        for b in row
        if "callback_data" in b
    )

    await an.press("Android")
    assert an.text == "Bạn bao nhiêu tuổi?"
    await an.send("/back")
    [photo] = an.replies()
    assert isinstance(photo.params["photo"], str)  # the cached file_id, not a new upload

    await an.press("iPhone")
    await an.send("70")
    assert an.texts == ["Dạ, 70 tuổi. Mình đi chậm nhé.", "Tên gọi của bạn là gì?"]
    await an.send("Bà <Tư> & co")
    assert an.texts == ["Tên: Bà &lt;Tư&gt; &amp; co. Đúng không?"]
    assert an.keyboard()[0] == [
        {"text": "Mở Cổng dịch vụ công", "url": "https://dichvucong.gov.vn"}
    ]

    await an.press("Đúng")
    await an.press("Không")
    assert an.text == "Dừng ở đây nhé."
    assert an.buttons == ["🔄 Làm lại hướng dẫn này", "🏠 Menu chính"]

    answered = rig.api.calls_to("answerCallbackQuery")
    presses = [c for c in rig.api.calls if c.method == "answerCallbackQuery"]
    assert len(answered) == len(presses) == 5 and all(c.ok for c in answered)
    runs = await rig.storage.runs()
    assert [(r.run.flow_id, r.run.outcome) for r in runs] == [
        ("demo_sub", "gave_up"),
        ("demo", "gave_up"),
    ]
    assert all(r.channel == "telegram" for r in runs)


async def test_commands_are_registered_in_both_languages(rig: TelegramRig) -> None:
    calls = rig.api.calls_to("setMyCommands")
    by_language = {c.params.get("language_code"): c.params["commands"] for c in calls}
    assert set(by_language) == {None, "vi", "en"}
    assert [c["command"] for c in by_language["en"]] == [
        "start",
        "menu",
        "back",
        "restart",
        "lang",
        "help",
    ]
    assert by_language["en"][0]["description"] == "Start and see the guides"
    assert by_language["vi"][1]["description"] == "Về menu chính"


async def test_deep_link_opens_a_flow_directly(rig: TelegramRig) -> None:
    ba = Resident(rig, 777)
    await ba.send("/start other")
    assert ba.texts == ["Bước một."]


async def test_english_phone_gets_english(rig: TelegramRig) -> None:
    tom = Resident(rig, 888, language="en")
    await tom.send("/start")
    assert "Hello!" in tom.text and "Demo" in tom.buttons


async def test_a_visit_request_reaches_the_admin_chats_once(fake_api, tmp_path) -> None:  # type: ignore[no-untyped-def]
    rig = TelegramRig(fake_api, "aiogram", "polling", tmp_path / "db.sqlite3", extra={"admin_chat_ids": [9001, 9002]})
    await rig.start()
    try:
        resident = Resident(rig, 555)
        await resident.send("/start visit")
        await resident.press("Buổi sáng")
        assert "Đã gửi yêu cầu" in resident.text
        # Issue 20: the request is a ticket; with no village and no officer, the staff chats
        # are told, once (the watch runs after the turn and again every few seconds).
        await wait_until(lambda: all(fake_api.sent_texts(a) for a in (9001, 9002)))
        assert await rig.service.app.tickets.tick(rig.assistant.engine) == 0
        for admin in (9001, 9002):
            [text] = fake_api.sent_texts(admin)
            assert "Người dân cần giúp tận nhà, buổi sáng" in text and "#1" in text
    finally:
        await rig.stop()
