"""A person answers, on Telegram through the fake Bot API (issue 20).

The whole story: a resident stuck in a guide asks for a person; a volunteer of the same village
is told; she takes it and answers through the bot; the resident's reply reaches her; a
redelivered update during the relay is processed once; she hands the resident back into the
guide at a step, which closes the ticket; every take and close is in the admin log. A non-staff
user cannot /take. An untaken ticket escalates to the officers after the configured time (an
injected clock), never in the quiet hours.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import re
import sqlite3
from collections.abc import AsyncIterator
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.app.ticket_watch import TicketWatch
from bot.config import ReminderSettings, TicketSettings
from bot.core.types import SessionKey
from bot.reports import build_report
from tests.channels.tg_harness import Resident, TelegramRig, outbox_emptied, wait_until
from tests.harness import ROOT
from tests.support.fake_bot_api import FakeBotAPI
from tests.support.telegram_updates import message_update

ADMIN = 9001
LAN = 701
RESIDENT = 801
STRANGER = 901


# Webhook: Telegram retrying a webhook call is how the same update comes twice while it runs.
@pytest.fixture(params=[("aiogram", "webhook"), ("ptb", "webhook")], ids=["aiogram", "ptb"])
async def rig(
    request: pytest.FixtureRequest, fake_bot_api: FakeBotAPI, tmp_path: Path
) -> AsyncIterator[TelegramRig]:
    framework, mode = request.param
    rig = TelegramRig(
        fake_bot_api,
        framework,
        mode,
        tmp_path / "db.sqlite3",
        flows=ROOT / "flows",
        extra={"admin_ids": [ADMIN]},
        config={"commune": {"office_phone": "0203 555 010"}},
    )
    await rig.start()
    yield rig
    await rig.stop()


async def says(resident: Resident, text: str = "", *, press: str = "") -> str:
    """Send ``text`` (or press ``press``) and return what the bot answered, once it is sent (in
    polling mode the turn is committed a moment before its replies leave)."""
    if press:
        await resident.press(press)
    else:
        await resident.send(text)
    await outbox_emptied(resident.rig.storage, resident.key)
    return resident.text


async def join(rig: TelegramRig, user_id: int, village: str, name: str) -> Resident:
    admin = Resident(rig, ADMIN)
    invited = await says(admin, f"/invite {village}")
    match = re.search(r": ([A-Z2-9]{8}) \(", invited)
    assert match, invited
    volunteer = Resident(rig, user_id)
    await says(volunteer, f"/join {match.group(1)}")
    await says(volunteer, f"/name {name}")
    return volunteer


def sent_to(rig: TelegramRig, chat: int) -> list[str]:
    """Every text the bot sent to ``chat`` so far."""
    return [
        str(c.params.get("text") or "")
        for c in rig.api.calls
        if c.ok and c.method == "sendMessage" and c.chat_id == chat
    ]


async def ask_for_a_person(rig: TelegramRig, resident: Resident, village: str) -> None:
    """Stuck at the first step of the install guide, the resident asks for a person."""
    await says(resident, "/start vneid_install")
    await says(resident, "abc xyz")
    await says(resident, "qwe rty")
    await says(resident, press="🙋 Nhờ người giúp")
    await says(resident, press="Nhắn với người thật ở đây")
    await says(resident, village)


async def test_a_volunteer_of_the_village_answers_and_hands_the_resident_back(
    rig: TelegramRig,
) -> None:
    lan = await join(rig, LAN, "Thôn 3", "Chị Lan")
    other = await join(rig, 702, "Thôn 5", "Anh Minh")
    resident = Resident(rig, RESIDENT)
    await ask_for_a_person(rig, resident, "thon 3")
    # Honest about who was told and what to expect, with the commune office's phone.
    assert "đã báo tình nguyện viên thon 3" in resident.text
    assert "thường trả lời trong ngày" in resident.text and "0203 555 010" in resident.text
    assert "↩️ Thôi, về menu" in resident.buttons

    # The volunteer of Thôn 3 is told (not the one of Thôn 5, not the officer), by a label.
    await wait_until(lambda: any("Yêu cầu gặp người" in t for t in sent_to(rig, LAN)))
    alert = next(t for t in sent_to(rig, LAN) if "Yêu cầu gặp người" in t)
    assert "#1 · thon 3 · Cài VNeID" in alert and "bước “… sẽ hướng dẫn cài VNeID" in alert
    assert str(RESIDENT) not in alert
    assert not any("Yêu cầu gặp người" in t for t in sent_to(rig, 702) + sent_to(rig, ADMIN))
    del other

    # Before anyone takes it, the resident's words wait in the ticket.
    said = await says(resident, "Không chụp được ảnh, số tôi 0912345678")
    assert "Đã ghi lời nhắn" in said
    assert "đừng gửi mã OTP, mật khẩu, số căn cước" in said  # warned, as anywhere

    # She takes it: she reads where the resident was and what they said (masked).
    page = await says(lan, "/take 1")
    assert "Đã đi qua: phone_type" in page
    assert "👤 Không chụp được ảnh" in page and "0912345678" not in page
    await wait_until(lambda: any("Chị Lan, tình nguyện viên Thôn 3 đã nhận" in t
                                 for t in sent_to(rig, RESIDENT)))

    # What she writes reaches the resident as a person's message, in the resident's chat.
    update = message_update(LAN, "Bác bấm nút Android nhé")
    update["update_id"] = await rig.deliver(update)
    await wait_until(lambda: "💬 Chị Lan, tình nguyện viên Thôn 3:\nBác bấm nút Android nhé"
                     in sent_to(rig, RESIDENT))
    # The same update delivered again (Telegram retrying) is processed once.
    await rig.deliver(update)
    await outbox_emptied(rig.storage, resident.key)
    assert sent_to(rig, RESIDENT).count(
        "💬 Chị Lan, tình nguyện viên Thôn 3:\nBác bấm nút Android nhé") == 1

    # The resident's reply reaches her.
    await resident.send("Được rồi cháu")
    await wait_until(lambda: "👤 #1: Được rồi cháu" in sent_to(rig, LAN))

    # Asking for a person again adds to the open ticket (one per resident), and she hears of it.
    await says(resident, "/start talk_to_person")
    await says(resident, press="Nhắn với người thật ở đây")
    await says(resident, "Thôn 3")
    await wait_until(lambda: any(t.startswith("👤 #1: Người dân") for t in sent_to(rig, LAN)))
    assert [t.id for t in await rig.storage.open_tickets()] == [1]

    # She hands the resident back into the guide at a step she picks from its steps.
    await says(lan, "/resume 1")
    # The guide's steps by their words (no template code, no step id), where the resident
    # was first.
    assert lan.buttons[0].startswith("… sẽ hướng dẫn cài VNeID")
    assert not any("{{" in label or "phone_type" in label for label in lan.buttons)
    step = next(label for label in lan.buttons if 'mở "CH Play"' in label)
    assert "Yêu cầu #1 đã đóng" in await says(lan, press=step)
    await wait_until(lambda: any("Chị Lan, tình nguyện viên Thôn 3 mời bác làm tiếp" in t
                                 or "mời bạn làm tiếp" in t for t in sent_to(rig, RESIDENT)))
    await outbox_emptied(rig.storage, resident.key)
    ticket = await rig.storage.ticket(1)
    assert ticket is not None and ticket.status == "closed" and ticket.outcome == "done"
    assert ticket.first_answer_at is not None and ticket.taken_by == f"telegram:{LAN}"
    # The resident is in the guide again, at that step: a button of it answers.
    session = await rig.storage.load(resident.key)
    assert session is not None and not session.ticket
    assert session.frame is not None and session.frame.step == "store_android"

    with sqlite3.connect(rig.db) as conn:
        log = conn.execute(
            "SELECT actor, action, allowed FROM admin_actions WHERE action IN "
            "('take', 'close', 'resume') ORDER BY id"
        ).fetchall()
        relayed = conn.execute(
            "SELECT COUNT(*) FROM ticket_notes WHERE text = 'Bác bấm nút Android nhé'"
        ).fetchone()[0]
    assert log == [(f"telegram:{LAN}", "take", 1), (f"telegram:{LAN}", "close", 1),
                   (f"telegram:{LAN}", "resume", 1)]
    assert relayed == 1

    # The leaders' report counts the ticket, its village and guide, and its response time.
    report = await build_report(rig.storage, rig.assistant.engine.flows, rig.service.app.settings)
    stats = report.tickets
    assert (stats.total, stats.answered, stats.by_village) == (1, 1, (("thon 3", 1),))
    assert stats.first_answer_median == ticket.first_answer_at - ticket.opened_at
    assert stats.outcomes == (("done", 1),)
    assert [(f, s, n) for f, _t, s, _l, n in stats.top_steps] == [("vneid_install", "phone_type", 1)]


async def test_someone_who_is_not_staff_cannot_take_a_ticket(rig: TelegramRig) -> None:
    resident = Resident(rig, RESIDENT)
    await ask_for_a_person(rig, resident, "Thôn 9")
    stranger = Resident(rig, STRANGER)
    assert "dành cho tình nguyện viên và cán bộ xã" in await says(stranger, "/take 1")
    ticket = await rig.storage.ticket(1)
    assert ticket is not None and ticket.status == "open" and not ticket.taken_by
    refused = [(a.actor, a.action, a.allowed) for a in await rig.storage.admin_actions()
               if a.action == "take"]
    assert refused == [(f"telegram:{STRANGER}", "take", False)]
    # No volunteer in Thôn 9: the commune's officer is told instead.
    await wait_until(lambda: any("Yêu cầu gặp người" in t for t in sent_to(rig, ADMIN)))


def _local(day: dt.datetime, hour: int, minute: int = 0) -> float:
    return day.replace(hour=hour, minute=minute, second=0, microsecond=0).timestamp()


async def test_an_untaken_ticket_escalates_after_the_configured_time_but_not_at_night(
    rig: TelegramRig,
) -> None:
    await join(rig, LAN, "Thôn 3", "Chị Lan")
    resident = Resident(rig, RESIDENT)
    await ask_for_a_person(rig, resident, "Thôn 3")
    await wait_until(lambda: any("Yêu cầu gặp người" in t for t in sent_to(rig, LAN)))
    ticket = await rig.storage.ticket(1)
    assert ticket is not None and ticket.notified == 1 and ticket.notified_at is not None
    zone = ZoneInfo("Asia/Ho_Chi_Minh")
    day = dt.datetime.fromtimestamp(ticket.notified_at, zone) + dt.timedelta(days=1)
    now = [0.0]
    watch = TicketWatch(
        rig.storage,
        rig.notices,
        TicketSettings(escalate_after_minutes=30),
        ReminderSettings(),
        officers=frozenset({SessionKey("telegram", str(ADMIN))}),
        clock=lambda: now[0],
    )
    engine = rig.assistant.engine
    # 22:00 the next day: long past 30 minutes, but in the quiet hours: nobody is woken.
    now[0] = _local(day, 22)
    assert await watch.tick(engine) == 0
    # 06:59: still quiet.
    now[0] = _local(day + dt.timedelta(days=1), 6, 59)
    assert await watch.tick(engine) == 0
    assert not any("Chưa ai nhận" in t for t in sent_to(rig, ADMIN) + sent_to(rig, LAN))
    # 07:00: the officers and the village's volunteers are told it is still waiting, once.
    now[0] = _local(day + dt.timedelta(days=1), 7, 0)
    assert await watch.tick(engine) == 1
    assert await watch.tick(engine) == 0
    await wait_until(lambda: any("⏰ Chưa ai nhận sau 30 phút: #1 · Thôn 3" in t
                                 for t in sent_to(rig, ADMIN)))
    assert sum("⏰ Chưa ai nhận" in t for t in sent_to(rig, LAN)) == 1


async def test_a_new_ticket_is_not_escalated_before_its_time(rig: TelegramRig) -> None:
    resident = Resident(rig, RESIDENT)
    await ask_for_a_person(rig, resident, "Thôn 9")
    await wait_until(lambda: any("Yêu cầu gặp người" in t for t in sent_to(rig, ADMIN)))
    ticket = await rig.storage.ticket(1)
    assert ticket is not None and ticket.notified_at is not None
    zone = ZoneInfo("Asia/Ho_Chi_Minh")
    noon = dt.datetime.fromtimestamp(ticket.notified_at, zone) + dt.timedelta(days=1)
    start = _local(noon, 12)
    now = [start]
    watch = TicketWatch(rig.storage, rig.notices, TicketSettings(escalate_after_minutes=30),
                        ReminderSettings(), officers=frozenset({SessionKey("telegram",
                                                                          str(ADMIN))}),
                        clock=lambda: now[0])
    # Told at ``notified_at``; the escalation counts from then, so a watch whose clock says
    # 29 minutes after it does nothing, and one minute later it escalates.
    now[0] = ticket.notified_at + 29 * 60
    assert await watch.tick(rig.assistant.engine) == 0
    now[0] = ticket.notified_at + 30 * 60 + 1
    quiet = ReminderSettings()
    from bot.app.scheduler import is_quiet

    expected = 0 if is_quiet(quiet, now[0]) else 1
    assert await watch.tick(rig.assistant.engine) == expected


async def test_a_volunteer_on_telegram_answers_a_resident_on_the_web_chat(
    fake_bot_api: FakeBotAPI, tmp_path: Path
) -> None:
    from aiohttp import ClientSession

    from bot.channels.web.protocol import resident_of
    from bot.config import WebSettings

    rig = TelegramRig(fake_bot_api, "aiogram", "webhook", tmp_path / "db.sqlite3",
                      flows=ROOT / "flows", extra={"admin_ids": [ADMIN]},
                      config={"web": WebSettings(port=0)})
    await rig.start()
    try:
        lan = await join(rig, LAN, "Thôn 3", "Chị Lan")
        url = f"http://127.0.0.1:{rig.service.web.server.port}/"
        me = "w" * 30
        head = {"X-Resident": me, "Origin": url.rstrip("/"), "Content-Type": "application/json"}
        seen: list[dict[str, object]] = []

        async def send(http: ClientSession, n: int, **body: str) -> None:
            async with http.post(url + "api/send", json={"id": f"m{n}", **body},
                                 headers=head) as response:
                assert (await response.json())["type"] == "ack"

        async def replies(http: ClientSession) -> list[dict[str, object]]:
            async with http.get(url + f"api/poll?since={len(seen)}&epoch=",
                                headers={"X-Resident": me}) as response:
                seen.extend((await response.json())["replies"])
            return seen

        def texts() -> list[str]:
            return [str(r["message"]["text"]) for r in seen]  # type: ignore[index]

        async with ClientSession() as http:
            await send(http, 1, start="talk_to_person")
            await replies(http)
            payload = next(b["payload"] for r in seen for row in r["message"]["buttons"]  # type: ignore[index]
                           for b in row if b["label"] == "Nhắn với người thật ở đây")
            await send(http, 2, press=str(payload))
            await send(http, 3, text="Thôn 3")
            await wait_until(lambda: any("Yêu cầu gặp người: #1 · Thôn 3" in t
                                         for t in sent_to(rig, LAN)))
            page = await says(lan, "/take 1")
            assert "qua web" in page and resident_of(me) not in page
            await lan.send("Chào bác, bác cần gì ạ?")
            deadline = asyncio.get_running_loop().time() + 10
            while "💬 Chị Lan, tình nguyện viên Thôn 3:\nChào bác, bác cần gì ạ?" not in texts():
                assert asyncio.get_running_loop().time() < deadline, texts()
                await replies(http)
                await asyncio.sleep(0.05)
            await send(http, 4, text="Cảm ơn cháu")
            await wait_until(lambda: "👤 #1: Cảm ơn cháu" in sent_to(rig, LAN))
    finally:
        await rig.stop()
