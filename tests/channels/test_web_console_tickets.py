"""Tickets in the console, in Chromium: an officer who logged in from Telegram takes a resident's
request, answers it and closes it; the resident (on the web chat) reads each message as the
bot's, from a person. A link made on the server can read the tickets but not take one."""

from __future__ import annotations

import time

from bot.app.access import issue_link
from bot.core.session import Session
from bot.core.tickets import TicketChange
from bot.core.types import SessionKey
from bot.storage.base import TurnRecord
from tests.channels.test_web_console import Rig, login, rig  # noqa: F401
from tests.channels.web_harness import browser

RESIDENT = SessionKey("web", "r" * 32)


async def open_request(served: Rig) -> int:
    """A resident's request for a person, as the guide's handoff saves it."""
    await served.storage.save(
        TurnRecord(
            key=RESIDENT,
            session=Session(lang="vi", ticket={"open": 1}),
            tickets=[
                TicketChange(
                    kind="open",
                    at=time.time(),
                    resident=RESIDENT,
                    text="Tôi không cài được",
                    flow_id="demo_install",
                    step="store",
                    lang="vi",
                )
            ],
        )
    )
    ticket = await served.storage.open_ticket(RESIDENT)
    assert ticket is not None
    return int(ticket.id)


async def resident_reads(served: Rig, text: str) -> None:
    """Until the resident's web chat got a message containing ``text``."""
    mailbox = served.service.web.mailbox
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        got = await mailbox.wait(RESIDENT.user_id, 0, timeout=1.0)
        if any(text in str(reply.message.get("text", "")) for reply in got):
            return
    raise AssertionError(f"the resident never read {text!r}")


async def test_an_officer_takes_answers_and_closes_a_request(rig: Rig) -> None:  # noqa: F811
    ticket_id = await open_request(rig)
    token = await issue_link(
        rig.storage, actor="telegram:9001", role="officer", name="Hà", now=time.time()
    )
    async with browser() as chrome:
        page = await login(await chrome.new_context(), f"{rig.base}/admin/login?t={token}")
        await page.goto(rig.base + "/admin/tickets")
        await page.screenshot(path="/tmp/console-shots/tickets-1366.png")
        card = await page.inner_text(f"#ticket-{ticket_id}")
        assert f"#{ticket_id}" in card and RESIDENT.user_id not in card
        await page.click(f"button[data-take='{ticket_id}']")
        await page.wait_for_selector("#notice")
        await resident_reads(rig, "Hà")
        await page.fill(f"#ticket-{ticket_id} textarea", "Bác bấm vào biểu tượng cửa hàng nhé")
        await page.click(f"button[data-answer='{ticket_id}']")
        await page.wait_for_selector("#notice")
        await resident_reads(rig, "Bác bấm vào biểu tượng cửa hàng nhé")
        await page.select_option(f"#ticket-{ticket_id} select[name=outcome]", "done")
        await page.click(f"button[data-close='{ticket_id}']")
        await page.wait_for_selector("#no-tickets")
    ticket = await rig.storage.ticket(ticket_id)
    assert ticket is not None and ticket.status == "closed" and ticket.outcome == "done"
    assert ticket.first_answer_at is not None
    resident = await rig.storage.load(RESIDENT)
    assert resident is not None and resident.ticket == {}
    logged = [(a.actor, a.action) for a in await rig.storage.admin_actions()]
    assert ("telegram:9001", "take") in logged and ("telegram:9001", "close") in logged
    assert ("console:telegram:9001", "console.ticket.answer") in logged


async def test_a_link_made_on_the_server_reads_but_cannot_take(rig: Rig) -> None:  # noqa: F811
    ticket_id = await open_request(rig)
    async with browser() as chrome:
        page = await login(await chrome.new_context(), await rig.link())  # actor test-officer
        await page.goto(rig.base + "/admin/tickets")
        assert f"#{ticket_id}" in await page.inner_text(f"#ticket-{ticket_id}")
        assert "/login" in await page.inner_text("main")
        assert await page.locator(f"button[data-take='{ticket_id}']").count() == 0
        csrf = await page.get_attribute("body", "data-csrf")
        answer = await page.request.post(
            f"{rig.base}/admin/tickets/{ticket_id}/take",
            form={"csrf": csrf or ""},
            headers={"Origin": rig.base},
        )
        assert answer.ok
    ticket = await rig.storage.ticket(ticket_id)
    assert ticket is not None and ticket.status != "taken"


async def test_a_volunteer_takes_and_answers_a_request_from_the_console(rig: Rig) -> None:  # noqa: F811
    """A volunteer logged in with their own link works tickets as they would in their chat:
    the resident reads the answer as from that volunteer of their village."""
    ticket_id = await open_request(rig)
    [lan, *_] = [v for v in await rig.storage.volunteers() if v.active]
    async with browser() as chrome:
        page = await login(await chrome.new_context(), await rig.link("volunteer", lan.id))
        await page.goto(rig.base + "/admin/tickets")
        assert RESIDENT.user_id not in await page.inner_text(f"#ticket-{ticket_id}")
        await page.click(f"button[data-take='{ticket_id}']")
        await page.wait_for_selector("#notice")
        await page.fill(f"#ticket-{ticket_id} textarea", "Cháu đến nhà bác chiều nay")
        await page.click(f"button[data-answer='{ticket_id}']")
        await page.wait_for_selector("#notice")
        await resident_reads(rig, f"{lan.name}, tình nguyện viên {lan.village}")
        await resident_reads(rig, "Cháu đến nhà bác chiều nay")
    ticket = await rig.storage.ticket(ticket_id)
    assert ticket is not None and ticket.taken_by == str(lan.key)
