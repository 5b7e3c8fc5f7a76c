"""The storage contract for the people of households, on every backend (as test_conformance.py):
numbered people with short labels, an outcome per person, the report query that counts
accounts, volunteers' names, and what a volunteer's /forget leaves."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from bot.core.errors import StaleSession
from bot.core.staff import Member, member_key
from bot.core.types import OutgoingMessage, SessionKey
from bot.storage.base import PersonOutcome, Storage, TurnRecord
from bot.storage.sqlite import SqliteStorage
from bot.storage.sqlite_schema import MIGRATIONS
from tests.storage.samples import job, sample_run, sample_session
from tests.storage.test_conformance import _volunteer, storage  # noqa: F401 (a fixture)

LAN = SessionKey("telegram", "1")


@pytest.fixture
def store(storage: Storage) -> Storage:  # noqa: F811 (the fixture imported above)
    """Each backend of the conformance suite."""
    return storage


async def test_people_are_numbered_and_named_once(store: Storage) -> None:
    vid = await _volunteer(store, LAN, "Thôn Đông", "h1")
    home = await store.household(vid, "Thôn Đông", "Hộ 12", at=1.0)
    first = await store.add_member(home.id, "", at=2.0)
    assert first == Member(household_id=home.id, number=1, label="")
    tu = await store.add_member(home.id, "Bác  Tư", at=3.0)
    assert (tu.number, tu.label) == (2, "Bác Tư")
    assert await store.add_member(home.id, "bac tu", at=4.0) == tu  # the same person
    # A label that looks like a phone number is masked, never kept.
    third = await store.add_member(home.id, "chị Hai 0912345678", at=5.0)
    assert third.number == 3 and "0912345678" not in third.label
    # Naming: only someone not named yet, and never with another person's name.
    assert await store.name_member(home.id, 1, "Bác Tư") is None
    named = await store.name_member(home.id, 1, "Ông Ba")
    assert named == Member(household_id=home.id, number=1, label="Ông Ba")
    assert await store.name_member(home.id, 1, "Ông Bốn") is None
    assert await store.name_member(home.id, 9, "Ai đó") is None
    assert [m.label for m in await store.members(home.id)] == ["Ông Ba", "Bác Tư", third.label]
    other = await store.household(vid, "Thôn Đông", "Hộ 13", at=1.0)
    assert (await store.add_member(other.id, "Bác Tư", at=6.0)).number == 1  # another household


async def test_four_people_keep_four_outcomes(store: Storage) -> None:
    vid = await _volunteer(store, LAN, "Thôn Đông", "h1")
    home = await store.household(vid, "Thôn Đông", "Hộ 12", at=1.0)
    visit = await store.start_visit(vid, home, at=10.0)
    for number, (label, outcome) in enumerate(
        (("Bác Tư", "done"), ("người 2", "police"), ("Cô Năm", "no_smartphone"), ("Út", "later")),
        start=1,
    ):
        member = await store.add_member(home.id, label, at=10.0)
        assert member.number == number
        await store.record_outcome(
            visit.id, "vneid", outcome, note=f"ghi {number}", at=10.0 + number, member=number
        )
    await store.record_outcome(visit.id, "vneid", "later", note="", at=20.0, member=1)
    await store.record_outcome(visit.id, "vneid", "done", note="xong", at=21.0, member=1)
    [status] = await store.households_of(vid)
    assert [m.label for m in status.members] == ["Bác Tư", "người 2", "Cô Năm", "Út"]
    assert sorted((s.member, s.outcome, s.note) for s in status.services) == [
        (1, "done", "xong"),
        (2, "police", "ghi 2"),
        (3, "no_smartphone", "ghi 3"),
        (4, "later", "ghi 4"),
    ]
    assert {s.member for s in status.revisit} == {2, 4}
    # Every outcome, per person, for reports that count accounts.
    rows = await store.person_outcomes(None, None)
    assert [(r.member, r.outcome) for r in rows] == [
        (1, "done"),
        (2, "police"),
        (3, "no_smartphone"),
        (4, "later"),
        (1, "later"),
        (1, "done"),
    ]
    assert rows[0] == PersonOutcome(
        volunteer_id=vid,
        household_id=home.id,
        member=1,
        village="Thôn Đông",
        flow_id="vneid",
        outcome="done",
        at=11.0,
    )
    assert [r.at for r in await store.person_outcomes(14.0, 21.0)] == [14.0, 20.0]


async def test_a_volunteer_is_found_by_id_and_renamed(store: Storage) -> None:
    vid = await _volunteer(store, LAN, "Thôn Đông", "h1")
    volunteer = await store.volunteer_by_id(vid)
    assert volunteer is not None and volunteer.name == "Lan"
    assert await store.rename_volunteer(vid, "  Nguyễn   Thị Lan ") == "Nguyễn Thị Lan"
    assert (await store.volunteer_for(LAN)).name == "Nguyễn Thị Lan"  # type: ignore[union-attr]
    kept = await store.rename_volunteer(vid, "Lan 0912345678")
    assert "0912345678" not in kept
    assert await store.volunteer_by_id(vid + 100) is None


async def test_a_volunteers_forget_keeps_the_outcomes_without_names(store: Storage) -> None:
    vid = await _volunteer(store, LAN, "Thôn Đông", "h1")
    other = await _volunteer(store, SessionKey("telegram", "2"), "Thôn Tây", "h2")
    home = await store.household(vid, "Thôn Đông", "Hộ 12, ông Ba", at=1.0)
    theirs = await store.household(other, "Thôn Tây", "Hộ 1, bà Hai", at=1.0)
    for household, volunteer in ((home, vid), (theirs, other)):
        await store.add_member(household.id, "Bác Tư", at=1.0)
        visit = await store.start_visit(volunteer, household, at=2.0)
        await store.record_outcome(visit.id, "vneid", "later", note="chiều về", at=3.0)
        await store.save(
            TurnRecord(
                key=member_key(household.id, 1),
                session=sample_session(),
                finished=[sample_run()],
                followups=[job(100.0)],
            )
        )
    assert await store.claim_morning_list(vid, "2026-12-01", at=5.0)
    deleted = await store.forget(LAN, store.user_ref(LAN))
    assert {table: n for table, n in deleted.items() if n} == {
        "sessions": 1,  # the guide in progress of Hộ 12's person
        "followups": 1,
        "households": 1,
        "household_members": 1,
        "visit_outcomes": 1,  # the note
        "volunteers": 1,
    }
    assert await store.load(member_key(home.id, 1)) is None
    assert await store.load(member_key(theirs.id, 1)) is not None
    assert [f.key for f in await store.pending_followups(member_key(home.id, 1))] == []
    gone = await store.household_by_id(home.id)
    assert gone is not None and gone.label == ""
    assert [m.label for m in await store.members(home.id)] == [""]
    assert [m.label for m in await store.members(theirs.id)] == ["Bác Tư"]
    # What the visits came to stays, for the commune's figures; the runs too (pseudonymous).
    assert [(r.household_id, r.outcome) for r in await store.person_outcomes(None, None)] == [
        (home.id, "later"),
        (theirs.id, "later"),
    ]
    [status] = await store.households_of(vid)
    assert [(s.outcome, s.note) for s in status.services] == [("later", "")]
    assert len(await store.runs()) == 2
    # The volunteer's morning list may be claimed again: nothing of theirs is kept.
    assert await store.claim_morning_list(vid, "2026-12-01", at=6.0)


async def test_sqlite_outcomes_from_before_people_belong_to_the_first_person(
    tmp_path: Path,
) -> None:
    path = tmp_path / "old.db"
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE schema_version (version INTEGER NOT NULL)")
        for script in MIGRATIONS[:7]:
            conn.executescript(script)
        conn.execute("INSERT INTO schema_version VALUES (7)")
        conn.execute(
            "INSERT INTO households (id, volunteer_id, village, label, label_key, created_at) "
            "VALUES (5, 1, 'Thôn 3', 'Hộ 5', 'ho 5', 1.0)"
        )
        conn.execute(
            "INSERT INTO visit_outcomes (visit_id, household_id, volunteer_id, village, flow_id, "
            "outcome, at) VALUES (1, 5, 1, 'Thôn 3', 'vneid', 'later', 7.0)"
        )
    store = SqliteStorage(path)
    await store.open()
    try:
        assert await store.members(5) == [Member(household_id=5, number=1, label="")]
        assert [r.member for r in await store.person_outcomes(None, None)] == [1]
        assert (await store.add_member(5, "Bác Tư", at=8.0)).number == 2
    finally:
        await store.close()


async def test_a_volunteers_turn_and_the_persons_turn_are_saved_together(store: Storage) -> None:
    person = member_key(12, 1)
    with_person = TurnRecord(
        key=LAN,
        session=sample_session(),
        outbox=[OutgoingMessage(text="Bước một.")],
        update_key="u1",
        companion=TurnRecord(
            key=person, session=sample_session(), finished=[sample_run()], followups=[job(50.0)]
        ),
    )
    [outbox_id] = await store.save(with_person)
    assert await store.load(LAN) is not None and await store.load(person) is not None
    assert [r.user for r in await store.runs()] == [store.user_ref(person)]  # the person's
    assert [f.key for f in await store.due_followups(100.0)] == [person]
    assert [r.id for r in await store.pending_outbox(LAN)] == [outbox_id]
    # A person's session saved meanwhile elsewhere: neither session is saved.
    stale = TurnRecord(
        key=LAN,
        session=sample_session(updated_at=30.0),
        update_key="u2",
        revision=1,
        companion=TurnRecord(key=person, session=sample_session(updated_at=30.0), revision=0),
    )
    with pytest.raises(StaleSession):
        await store.save(stale)
    assert (await store.read(LAN)).revision == 1 and not await store.is_processed("u2")
    assert (await store.load(person)).updated_at == 20.0  # type: ignore[union-attr]
    # A person's reminder, sent to the volunteer's chat.
    await store.save(
        TurnRecord(
            key=person, session=sample_session(), outbox=[OutgoingMessage(text="🔔")], outbox_to=LAN
        )
    )
    assert [r.message.text for r in await store.pending_outbox(LAN)] == ["Bước một.", "🔔"]
    assert await store.pending_outbox(person) == []


async def test_purge_forgets_idle_households_and_keeps_what_is_still_to_be_done(
    store: Storage,
) -> None:
    vid = await _volunteer(store, LAN, "Thôn Đông", "h1")
    homes = {}
    for name in ("idle", "visited again", "police", "guide in progress"):
        homes[name] = home = await store.household(vid, "Thôn Đông", f"Hộ {name}", at=1.0)
        await store.add_member(home.id, "Bác Tư", at=1.0)
        visit = await store.start_visit(vid, home, at=10.0)
        await store.end_visit(visit.id, at=20.0)
        outcome = ("police", 600.0) if name == "police" else ("later", 15.0)
        await store.record_outcome(visit.id, "vneid", outcome[0], note="ghi chú", at=outcome[1])
    await store.start_visit(vid, homes["visited again"], at=1000.0)
    for name, when in (("idle", 20.0), ("guide in progress", 900.0)):
        key = member_key(homes[name].id, 1)
        await store.save(TurnRecord(key=key, session=sample_session(updated_at=when)))
    expected = {
        "visit_outcomes": 3,  # the three old ones, with their notes
        "visits": 3,  # the police outcome keeps its visit
        "household_members": 1,
        "households": 1,
        "sessions": 1,
    }
    assert {t: n for t, n in (await store.count_old(500.0)).items() if n} == expected
    assert {t: n for t, n in (await store.purge_old(500.0)).items() if n} == expected
    assert not any((await store.count_old(500.0)).values())
    assert await store.household_by_id(homes["idle"].id) is None
    assert await store.members(homes["idle"].id) == []
    left = {s.household.label: s for s in await store.households_of(vid)}
    assert sorted(left) == ["Hộ guide in progress", "Hộ police", "Hộ visited again"]
    assert all(s.members[0].label == "Bác Tư" for s in left.values())
    # Still on the list to go back to: the outcome inside the retention, and its note.
    assert [(r.outcome, r.note) for r in left["Hộ police"].revisit] == [("police", "ghi chú")]
    assert await store.load(member_key(homes["guide in progress"].id, 1)) is not None
