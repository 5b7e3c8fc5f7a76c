"""The ticket role (residents' requests for a person) on every backend of the conformance suite:
changes saved with their turn or not at all, one open ticket per resident, the relay's outbox
rows, who is on duty, claims of notices, /forget."""

from __future__ import annotations

import pytest

from bot.core.errors import StaleSession
from bot.core.session import Session
from bot.core.staff import AdminAction
from bot.core.tickets import TicketChange
from bot.core.types import OutgoingMessage, SessionKey
from bot.storage.base import AlreadyProcessed, Storage, TicketStore, TurnRecord
from tests.storage.test_conformance import storage  # noqa: F401 (a fixture)

RESIDENT = SessionKey("telegram", "801")
LAN = SessionKey("web", "lan")


def _session(at: float) -> Session:
    return Session(lang="vi", updated_at=at)


async def _open(store: Storage, text: str = "giúp", at: float = 10.0, **fields: object) -> int:
    await store.save(
        TurnRecord(
            key=RESIDENT,
            session=_session(at),
            tickets=[TicketChange(kind="open", at=at, resident=RESIDENT, text=text, **fields)],  # type: ignore[arg-type]
        )
    )
    ticket = await store.open_ticket(RESIDENT)
    assert ticket is not None
    return ticket.id


async def test_the_role_is_part_of_the_contract(storage: Storage) -> None:  # noqa: F811
    for name in ("ticket", "open_ticket", "open_tickets", "ticket_notes",
                 "record_ticket_notified", "set_on_duty", "off_duty"):
        assert callable(getattr(storage, name, None)), name
        assert name in TicketStore.__dict__


async def test_a_ticket_opens_with_where_the_resident_is_and_a_second_request_adds_to_it(
    storage: Storage,  # noqa: F811
) -> None:
    first = await _open(storage, "cần người", flow_id="vneid_install", step="phone_type",
                        path=("phone_type", "install"), village="Thôn 3", lang="en",
                        xung_ho="bà")
    second = await _open(storage, "lần nữa", at=20.0)
    assert first == second
    ticket = await storage.ticket(first)
    assert ticket is not None and ticket.status == "open" and ticket.resident == RESIDENT
    assert (ticket.flow_id, ticket.step, ticket.path) == ("vneid_install", "phone_type",
                                                          ("phone_type", "install"))
    assert (ticket.village, ticket.lang, ticket.xung_ho, ticket.opened_at) == ("Thôn 3", "en",
                                                                               "bà", 10.0)
    assert [n.text for n in await storage.ticket_notes(first)] == ["cần người", "lần nữa"]
    assert [t.id for t in await storage.open_tickets()] == [first]


async def test_take_answer_release_close_and_a_new_ticket_after(storage: Storage) -> None:  # noqa: F811
    ticket_id = await _open(storage)
    relay = (RESIDENT, OutgoingMessage(text="💬 Lan: chào bác"))
    await storage.save(
        TurnRecord(
            key=LAN,
            session=_session(30.0),
            tickets=[
                TicketChange(kind="take", at=30.0, ticket_id=ticket_id, by=str(LAN), name="Lan"),
                TicketChange(kind="note", at=31.0, ticket_id=ticket_id, author="staff",
                             text="chào bác", name="Lan", answer=True),
                TicketChange(kind="note", at=32.0, ticket_id=ticket_id, author="staff",
                             text="lần hai", name="Lan", answer=True),
            ],
            relay=[relay],
            admin_actions=[AdminAction(actor=str(LAN), action="take", detail="#1",
                                       allowed=True, at=30.0)],
            update_key="u-take",
        )
    )
    ticket = await storage.ticket(ticket_id)
    assert ticket is not None and ticket.status == "taken" and ticket.taken_by == str(LAN)
    assert (ticket.taker_name, ticket.taken_at, ticket.first_answer_at) == ("Lan", 30.0, 31.0)
    # The relayed message waits in the resident's outbox, not the staff member's.
    assert [r.message.text for r in await storage.pending_outbox(RESIDENT)] == [relay[1].text]
    assert await storage.pending_outbox(LAN) == []
    assert [(a.action, a.allowed) for a in await storage.admin_actions()] == [("take", True)]
    await storage.save(TurnRecord(key=LAN, session=_session(40.0), tickets=[
        TicketChange(kind="release", at=40.0, ticket_id=ticket_id)]))
    ticket = await storage.ticket(ticket_id)
    assert ticket is not None and ticket.status == "open" and not ticket.taken_by
    assert ticket.first_answer_at == 31.0  # the first answer stays the first
    await storage.save(TurnRecord(key=LAN, session=_session(50.0), tickets=[
        TicketChange(kind="close", at=50.0, ticket_id=ticket_id, outcome="referred",
                     text="công an xã")]))
    ticket = await storage.ticket(ticket_id)
    assert ticket is not None and (ticket.status, ticket.outcome, ticket.note) == (
        "closed", "referred", "công an xã")
    assert ticket.closed_at == 50.0
    assert await storage.open_ticket(RESIDENT) is None and await storage.open_tickets() == []
    again = await _open(storage, at=60.0)
    assert again != ticket_id
    assert [t.id for t in await storage.tickets_opened(None, None)] == [ticket_id, again]
    assert [t.id for t in await storage.tickets_opened(55.0, None)] == [again]


async def test_a_turn_that_is_not_saved_changes_no_ticket(storage: Storage) -> None:  # noqa: F811
    ticket_id = await _open(storage)
    take = TicketChange(kind="take", at=30.0, ticket_id=ticket_id, by=str(LAN), name="Lan")
    relay = [(RESIDENT, OutgoingMessage(text="chào"))]
    await storage.save(TurnRecord(key=LAN, session=_session(30.0), tickets=[take], relay=relay,
                                  update_key="u-1"))
    # The same update again (a redelivery): nothing more is stored.
    with pytest.raises(AlreadyProcessed):
        await storage.save(TurnRecord(key=LAN, session=_session(31.0), relay=relay, tickets=[
            TicketChange(kind="note", at=31.0, ticket_id=ticket_id, author="staff", text="x")],
            update_key="u-1"))
    # A stale session: nothing is stored either.
    with pytest.raises(StaleSession):
        await storage.save(TurnRecord(key=LAN, session=_session(32.0), revision=0, tickets=[
            TicketChange(kind="close", at=32.0, ticket_id=ticket_id, outcome="done")]))
    ticket = await storage.ticket(ticket_id)
    assert ticket is not None and ticket.status == "taken"
    assert [n.text for n in await storage.ticket_notes(ticket_id)] == ["giúp"]
    assert len(await storage.pending_outbox(RESIDENT)) == 1


async def test_notices_are_claimed_once_per_level_and_duty_is_kept(storage: Storage) -> None:  # noqa: F811
    ticket_id = await _open(storage)
    assert await storage.record_ticket_notified(ticket_id, 1, at=11.0)
    assert not await storage.record_ticket_notified(ticket_id, 1, at=12.0)  # another process
    ticket = await storage.ticket(ticket_id)
    assert ticket is not None and (ticket.notified, ticket.notified_at) == (1, 11.0)
    assert await storage.record_ticket_notified(ticket_id, 2, at=13.0)
    assert await storage.off_duty() == set()
    await storage.set_on_duty("telegram:701", False, at=1.0)
    await storage.set_on_duty("telegram:702", False, at=1.0)
    await storage.set_on_duty("telegram:702", True, at=2.0)
    assert await storage.off_duty() == {"telegram:701"}


async def test_forget_deletes_the_residents_tickets_and_what_was_said(storage: Storage) -> None:  # noqa: F811
    ticket_id = await _open(storage, "số tôi ***")
    other = SessionKey("telegram", "802")
    await storage.save(TurnRecord(key=other, session=_session(10.0), tickets=[
        TicketChange(kind="open", at=10.0, resident=other, text="khác")]))
    deleted = await storage.forget(RESIDENT, storage.user_ref(RESIDENT))
    assert (deleted["tickets"], deleted["ticket_notes"]) == (1, 1)
    assert await storage.ticket(ticket_id) is None and await storage.ticket_notes(ticket_id) == []
    kept = await storage.open_ticket(other)
    assert kept is not None and [n.text for n in await storage.ticket_notes(kept.id)] == ["khác"]


async def test_forget_of_a_staff_member_leaves_the_requests_without_their_name(
    storage: Storage,  # noqa: F811
) -> None:
    ticket_id = await _open(storage)
    await storage.save(TurnRecord(key=LAN, session=_session(30.0), tickets=[
        TicketChange(kind="take", at=30.0, ticket_id=ticket_id, by=str(LAN), name="Lan, TNV"),
        TicketChange(kind="note", at=31.0, ticket_id=ticket_id, author="staff", text="chào",
                     name="Lan, TNV", answer=True)]))
    await storage.set_on_duty(str(LAN), False, at=1.0)
    await storage.forget(LAN, storage.user_ref(LAN))
    ticket = await storage.ticket(ticket_id)
    assert ticket is not None and (ticket.taken_by, ticket.taker_name) == ("forgotten", "")
    assert ticket.first_answer_at == 31.0  # the commune's figures stay
    assert [(n.text, n.name) for n in await storage.ticket_notes(ticket_id)] == [
        ("giúp", ""), ("chào", "")]
    assert await storage.off_duty() == set()


async def test_a_ticket_taken_by_someone_else_meanwhile_is_not_taken_again(
    storage: Storage,  # noqa: F811
) -> None:
    """Two volunteers take one request at the same moment (two processes): the second turn is
    undone (and computed again, when it is told who has it); an officer may take it over."""
    ticket_id = await _open(storage)
    minh = SessionKey("telegram", "702")
    officer = SessionKey("telegram", "9001")

    def take(by: SessionKey, at: float, over: bool = False) -> TurnRecord:
        return TurnRecord(key=by, session=_session(at), revision=0, tickets=[
            TicketChange(kind="take", at=at, ticket_id=ticket_id, by=str(by), name="x",
                         over=over)])

    await storage.save(take(LAN, 20.0))
    with pytest.raises(StaleSession):
        await storage.save(take(minh, 21.0))
    assert await storage.load(minh) is None  # nothing of that turn was saved
    ticket = await storage.ticket(ticket_id)
    assert ticket is not None and ticket.taken_by == str(LAN)
    await storage.save(take(officer, 22.0, over=True))
    ticket = await storage.ticket(ticket_id)
    assert ticket is not None and ticket.taken_by == str(officer)
