"""The ticket actions without a chat (bot.app.tickets), as a web console will call them: each
returns what it did, and :meth:`Action.record` saves it as one turn."""

from __future__ import annotations

from bot.app import tickets
from bot.core.session import Session
from bot.core.tickets import TicketChange
from bot.core.types import SessionKey
from bot.engine.runner import Engine
from bot.storage.base import TurnRecord
from bot.storage.memory import MemoryStorage

RESIDENT = SessionKey("web", "abc")
OFFICER = SessionKey("telegram", "9001")
HELPER = tickets.Helper(key=OFFICER, name="Hà", officer=True)


async def _opened(store: MemoryStorage) -> int:
    await store.save(TurnRecord(key=RESIDENT, session=Session(lang="en", ticket={"open": 1}),
                                tickets=[TicketChange(kind="open", at=10.0, resident=RESIDENT,
                                                      text="help", flow_id="vneid_install",
                                                      step="phone_type", lang="en")]))
    ticket = await store.open_ticket(RESIDENT)
    assert ticket is not None
    return ticket.id


async def test_take_answer_and_close_without_a_chat(shipped_engine: Engine) -> None:
    store = MemoryStorage()
    ticket_id = await _opened(store)
    staff = Session(lang="vi")
    took = await tickets.take(store, shipped_engine, HELPER, ticket_id, now=20.0)
    assert took.ok and took.holding == ticket_id
    assert "Đã đi qua" in took.said[0].text and "abc" not in took.said[0].text
    await took.record(store, HELPER, staff, now=20.0)
    # The resident is told in their own language and channel (the web chat), from the outbox.
    [told] = await store.pending_outbox(RESIDENT)
    assert told.message.text.startswith("👋 Hà, commune officer has taken your request")
    said = await tickets.answer(store, shipped_engine, HELPER, ticket_id, "Tap Android", now=30.0)
    await said.record(store, HELPER, staff, now=30.0)
    texts = [r.message.text for r in await store.pending_outbox(RESIDENT)]
    assert texts[-1] == "💬 Hà, commune officer:\nTap Android"
    closed = await tickets.close(store, shipped_engine, HELPER, ticket_id, "done", "ok", now=40.0)
    await closed.record(store, HELPER, staff, now=40.0)
    ticket = await store.ticket(ticket_id)
    assert ticket is not None and ticket.status == "closed" and ticket.first_answer_at == 30.0
    resident = await store.load(RESIDENT)
    assert resident is not None and resident.ticket == {}
    assert [(a.action, a.allowed) for a in await store.admin_actions()] == [("take", True),
                                                                           ("close", True)]


async def test_a_wrong_outcome_or_someone_elses_ticket_is_refused(shipped_engine: Engine) -> None:
    store = MemoryStorage()
    ticket_id = await _opened(store)
    volunteer = tickets.Helper(key=SessionKey("telegram", "701"), name="Lan", village="Thôn 3")
    other = tickets.Helper(key=SessionKey("telegram", "702"), name="Minh")
    assert not (await tickets.close(store, shipped_engine, volunteer, ticket_id, "maybe",
                                    now=1.0)).ok
    await (await tickets.take(store, shipped_engine, volunteer, ticket_id, now=2.0)).record(
        store, volunteer, Session(), now=2.0)
    refused = await tickets.take(store, shipped_engine, other, ticket_id, now=3.0)
    assert not refused.ok and "đã có Lan, tình nguyện viên Thôn 3 nhận" in refused.said[0].text
    assert not (await tickets.answer(store, shipped_engine, other, ticket_id, "x", now=4.0)).ok
    assert not (await tickets.take(store, shipped_engine, other, 99, now=5.0)).ok


async def test_taking_a_request_pauses_a_guide_that_went_on(shipped_engine: Engine) -> None:
    store = MemoryStorage()
    # The request was made in a guide another guide called, which went on: not paused yet.
    await store.save(TurnRecord(key=RESIDENT, session=Session(lang="vi"), tickets=[
        TicketChange(kind="open", at=10.0, resident=RESIDENT, text="help")]))
    ticket = await store.open_ticket(RESIDENT)
    assert ticket is not None
    took = await tickets.take(store, shipped_engine, HELPER, ticket.id, now=20.0)
    await took.record(store, HELPER, Session(), now=20.0)
    resident = await store.load(RESIDENT)
    assert resident is not None and resident.ticket == {"open": 1}
    [told] = await store.pending_outbox(RESIDENT)
    assert [b.label for b in told.message.all_buttons()] == ["↩️ Thôi, về menu"]


async def test_a_volunteer_sees_their_own_villages_requests_first() -> None:
    store = MemoryStorage()
    for n, (village, at) in enumerate((("Thôn 5", 10.0), ("Thon 3", 20.0), ("Thôn 1", 30.0))):
        resident = SessionKey("web", f"r{n}")
        await store.save(TurnRecord(key=resident, session=Session(lang="vi"), tickets=[
            TicketChange(kind="open", at=at, resident=resident, text="help", village=village)]))
    volunteer = tickets.Helper(key=SessionKey("telegram", "701"), name="Lan", village="Thôn 3")
    # Written without its accents by the resident, still the volunteer's village.
    assert [t.village for t in await tickets.list_open(store, volunteer)] == [
        "Thon 3", "Thôn 5", "Thôn 1"]
    assert [t.village for t in await tickets.list_open(store, HELPER)] == [
        "Thôn 5", "Thon 3", "Thôn 1"]
