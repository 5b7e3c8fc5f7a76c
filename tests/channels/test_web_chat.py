"""The web chat in a real browser: the same guides, nothing lost or doubled, nothing injected."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from bot.app.staff.desk import hash_invite
from bot.core.types import SessionKey
from tests.channels.web_harness import Page, WebRig, browser, web_rig

PHONE = {"width": 360, "height": 740}
VI = "vi-VN"  # the phone's language: the bot answers in Vietnamese


async def opened(chrome: Any, rig: WebRig) -> tuple[Any, Any, Page]:
    """A Vietnamese phone's new browser (context), its tab on the chat, once the menu is shown."""
    context = await chrome.new_context(viewport=PHONE, locale=VI)
    tab = await context.new_page()
    await tab.goto(rig.url)
    page = Page(tab, rig)
    await page.wait_for_text("Xin chào!")
    await page.settled()
    return context, tab, page


async def test_transcript_start_choose_back_free_text_finish(tmp_path: Path) -> None:
    async with web_rig(tmp_path / "web.sqlite3") as rig, browser() as chrome:
        _context, tab, an = await opened(chrome, rig)
        assert (await an.buttons())[:2] == ["Thử nghiệm", "Việc khác"]

        await an.press("Thử nghiệm")
        assert "Bạn dùng điện thoại gì?" in (await an.bot_texts())[-1]
        assert await an.buttons() == [
            "Android",
            "iPhone",
            "Không có",
            "❓ Không làm được",
            "⬅️ Quay lại",
            "🏠 Menu chính",
        ]
        # The step's picture is served by the bot itself, and shown.
        image = tab.locator(".msg.bot img").last
        source = await image.get_attribute("src")
        assert source is not None and source.startswith("/media/")
        assert await image.evaluate("img => img.complete && img.naturalWidth > 0")
        await tab.screenshot(path=str(tmp_path / "first-step-360x740.png"))

        await an.press("Android")
        assert (await an.bot_texts())[-1] == "Bạn bao nhiêu tuổi?"
        await an.say("/back")
        assert "Bạn dùng điện thoại gì?" in (await an.bot_texts())[-1]
        await an.press("iPhone")
        await an.say("70")
        assert (await an.bot_texts())[-2:] == [
            "Dạ, 70 tuổi. Mình đi chậm nhé.",
            "Tên gọi của bạn là gì?",
        ]
        await an.say("Bà <Tư> & co")
        assert (await an.bot_texts())[-1] == "Tên: Bà <Tư> & co. Đúng không?"
        link = tab.locator(".msg.bot a", has_text="Mở Cổng dịch vụ công").last
        assert await link.get_attribute("href") == "https://dichvucong.gov.vn"
        await an.press("Đúng")
        await an.press("Không")
        assert (await an.bot_texts())[-1] == "Dừng ở đây nhé."
        assert await an.buttons() == ["🔄 Làm lại hướng dẫn này", "🏠 Menu chính"]

        runs = await rig.storage.runs()
        assert [(r.run.flow_id, r.run.outcome) for r in runs] == [
            ("demo_sub", "gave_up"),
            ("demo", "gave_up"),
        ]
        assert all(r.channel == "web" for r in runs)


async def test_a_reload_keeps_the_conversation_and_it_goes_on(tmp_path: Path) -> None:
    async with web_rig(tmp_path / "web.sqlite3") as rig, browser() as chrome:
        context, tab, an = await opened(chrome, rig)
        await an.press("Việc khác")
        assert (await an.bot_texts())[-1] == "Bước một."
        shown = await an.bot_texts()

        await tab.reload()
        await an.wait_for_text("Bước một.")
        await an.settled()
        assert await an.bot_texts() == shown  # the same transcript, nothing twice
        await an.press("Tiếp")
        assert (await an.bot_texts())[-1] == "Bước hai."

        # A new tab of the same browser is the same resident: the bot shows where they are.
        other = Page(await context.new_page())
        await other.page.goto(rig.url)
        await other.wait_for_text("Bước hai.")
        assert len(rig.service.web.mailbox.residents()) == 1


async def test_offline_and_back_nothing_lost_nothing_doubled(tmp_path: Path) -> None:
    async with web_rig(tmp_path / "web.sqlite3") as rig, browser() as chrome:
        context, tab, an = await opened(chrome, rig)
        await an.press("Việc khác")

        await context.set_offline(True)
        # The page notices (the phone went offline): input waits, with a visible note.
        await tab.evaluate("window.dispatchEvent(new Event('offline'))")
        await rig.service.web.server.stop_connections()
        await tab.wait_for_selector("#status:not([hidden])")
        assert await tab.is_disabled("#say")
        # A press made while offline is kept and sent when the connection is back.
        await tab.locator(".choices button", has_text="Tiếp").last.click()
        await asyncio.sleep(0.5)
        assert (await an.bot_texts())[-1] == "Bước một."

        await context.set_offline(False)
        await tab.evaluate("window.dispatchEvent(new Event('online'))")
        await an.wait_for_text("Bước hai.", timeout=20_000)
        await an.settled()
        await tab.wait_for_selector("#status[hidden]", state="attached")
        texts = await an.bot_texts()
        assert texts.count("Bước hai.") == 1 and texts.count("Bước một.") == 1
        session = await rig.storage.load(SessionKey("web", _resident_of(rig)))
        assert session is not None and session.frame is not None
        assert session.frame.step == "second"


def _resident_of(rig) -> str:  # type: ignore[no-untyped-def]
    [resident] = rig.service.web.mailbox.residents()
    return str(resident)


async def test_typed_markup_shows_as_text(tmp_path: Path) -> None:
    async with web_rig(tmp_path / "web.sqlite3") as rig, browser() as chrome:
        _context, tab, an = await opened(chrome, rig)
        typed = "<script>window.hacked = 1</script><img src=x onerror=alert(1)><b>đậm</b>"
        await an.say(typed)
        assert (await an.mine())[-1] == typed
        assert await tab.locator(".transcript script, .transcript b, .transcript img").count() == 0
        assert await tab.evaluate("window.hacked === undefined")
        # The page forbids any script but its own.
        response = await tab.goto(rig.url)
        assert response is not None
        policy = response.headers["content-security-policy"]
        assert "script-src 'self'" in policy and "default-src 'none'" in policy


async def test_a_deep_link_opens_the_guide_credited_to_the_volunteer(tmp_path: Path) -> None:
    async with web_rig(tmp_path / "web.sqlite3") as rig, browser() as chrome:
        code = "INVITE42"
        await rig.storage.create_invite(
            hash_invite(code),
            village="Thôn 7",
            commune="Lộc Hà",
            created_by="admin",
            at=0.0,
            expires_at=4e9,
        )
        _check, volunteer = await rig.storage.redeem_invite(
            hash_invite(code), SessionKey("telegram", "712"), name="Lan", at=1.0
        )
        assert volunteer is not None
        tab = await chrome.new_page(viewport=PHONE, locale=VI)
        await tab.goto(f"{rig.url}?start=other-v{volunteer.code}")
        an = Page(tab, rig)
        await an.wait_for_text("Bước một.")
        await an.settled()
        assert "start=" not in tab.url  # a reload does not open the guide again
        await an.press("Tiếp")
        await an.press("Xong")
        [run] = await rig.storage.runs()
        assert (run.run.mode, run.run.volunteer_id, run.run.village) == (
            "referred",
            volunteer.id,
            "Thôn 7",
        )
        await tab.reload()
        await an.settled()
        assert (await an.bot_texts()).count("Bước một.") == 1


async def test_where_websocket_is_blocked_the_page_talks_over_plain_http(tmp_path: Path) -> None:
    async with web_rig(tmp_path / "web.sqlite3") as rig, browser() as chrome:
        tab = await chrome.new_page(viewport=PHONE, locale=VI)
        # A proxy that refuses WebSocket: every attempt is closed at once.
        await tab.route_web_socket("**/ws", lambda socket: socket.close())
        await tab.goto(rig.url)
        an = Page(tab, rig)
        await an.wait_for_text("Xin chào!", timeout=30_000)
        await an.settled()
        await an.press("Việc khác")
        await an.press("Tiếp")
        texts = await an.bot_texts()
        assert texts[-2:] == ["Bước một.", "Bước hai."]
        assert texts.count("Bước hai.") == 1
