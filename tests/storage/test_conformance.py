"""The storage contract, run in full on every backend (a new backend adds itself to BACKENDS).

Every test here speaks only the contract of :mod:`bot.storage.base`; what only one backend must
guarantee (a file that survives reopening, WAL checkpoints) is in test_storages.py.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable

import pytest

from bot.core.errors import StaleSession, StorageError
from bot.core.session import Frame, Session, StaffAlert
from bot.core.staff import AdminAction
from bot.core.tickets import TicketChange
from bot.core.types import Button, OutgoingMessage, SessionKey
from bot.storage.base import (
    PURGE_TABLES,
    AlreadyProcessed,
    FlowVersion,
    HouseholdService,
    OpenRun,
    OutcomeCount,
    Storage,
    TurnRecord,
    VisitCount,
)
from bot.storage.memory import MemoryStorage
from bot.storage.postgres import PostgresStorage
from bot.storage.processes import MORNING_LIST_LEASE
from bot.storage.sqlite import SqliteStorage
from tests.storage.samples import KEY, job, sample_run, sample_session

# Each builds its store from the test's fixtures: a temporary folder, a throwaway PostgreSQL
# database (tests/storage/postgres_server.py: no server fails these tests, never skips them).
BACKENDS: dict[str, Callable[[pytest.FixtureRequest], Storage]] = {
    "memory": lambda _request: MemoryStorage(),
    "sqlite": lambda request: SqliteStorage(request.getfixturevalue("tmp_path") / "t.db"),
    "postgresql": lambda request: PostgresStorage(request.getfixturevalue("postgres_url")),
}


@pytest.fixture(params=sorted(BACKENDS))
async def storage(request: pytest.FixtureRequest) -> AsyncIterator[Storage]:
    store = BACKENDS[request.param](request)
    await store.open()
    yield store
    await store.close()


# --- sessions and turns ------------------------------------------------------------------------


async def test_new_resident_has_no_session(storage: Storage) -> None:
    assert await storage.load(KEY) is None
    read = await storage.read(KEY)
    assert read.session is None and read.revision == 0


async def test_session_round_trip(storage: Storage) -> None:
    session = sample_session()
    await storage.save(TurnRecord(key=KEY, session=session, finished=[]))
    loaded = await storage.load(KEY)
    assert loaded == session
    assert loaded is not session


async def test_later_changes_do_not_leak_into_the_stored_copy(storage: Storage) -> None:
    session = sample_session()
    await storage.save(TurnRecord(key=KEY, session=session, finished=[]))
    session.stack[0].vars["phone"] = "changed"
    loaded = await storage.load(KEY)
    assert loaded is not None and loaded.stack[0].vars["phone"] == "iphone"


async def test_users_are_separate(storage: Storage) -> None:
    await storage.save(TurnRecord(key=KEY, session=sample_session(), finished=[]))
    assert await storage.load(SessionKey("test", "someone else")) is None
    assert await storage.load(SessionKey("other-channel", "an")) is None


async def test_a_turn_saved_over_a_newer_revision_is_stale_and_changes_nothing(
    storage: Storage,
) -> None:
    await storage.save(TurnRecord(key=KEY, session=sample_session()))
    read = await storage.read(KEY)
    assert read.revision == 1 and read.session == sample_session()
    # Another process saves a turn of the same resident meanwhile ...
    await storage.save(TurnRecord(key=KEY, session=sample_session(updated_at=21.0), revision=1))
    assert (await storage.read(KEY)).revision == 2
    # ... so this one, computed from revision 1, must be recomputed: nothing of it is kept.
    late = sample_session(updated_at=22.0)
    late.stack[0].step = "elsewhere"
    with pytest.raises(StaleSession) as caught:
        await storage.save(
            TurnRecord(
                key=KEY,
                session=late,
                revision=1,
                finished=[sample_run()],
                outbox=[OutgoingMessage(text="late")],
                update_key="tg:late",
            )
        )
    assert isinstance(caught.value, StorageError)
    now = await storage.read(KEY)
    assert now.revision == 2 and now.session is not None and now.session.updated_at == 21.0
    assert await storage.runs() == [] and await storage.pending_outbox() == []
    assert not await storage.is_processed("tg:late")  # the retry may use the same update
    # Read again and saved with that revision, it goes through.
    await storage.save(TurnRecord(key=KEY, session=late, revision=2, update_key="tg:late"))
    assert (await storage.read(KEY)).revision == 3


async def test_a_first_turn_expects_revision_zero(storage: Storage) -> None:
    await storage.save(TurnRecord(key=KEY, session=sample_session(), revision=0))
    with pytest.raises(StaleSession):
        await storage.save(TurnRecord(key=KEY, session=sample_session(), revision=0))


async def test_a_redelivered_update_is_refused_and_changes_nothing(storage: Storage) -> None:
    first = sample_session()
    await storage.save(TurnRecord(key=KEY, session=first, update_key="tg:1:100"))
    second = sample_session()
    second.stack[0].step = "elsewhere"
    with pytest.raises(AlreadyProcessed):
        await storage.save(
            TurnRecord(key=KEY, session=second, finished=[sample_run()], update_key="tg:1:100")
        )
    loaded = await storage.load(KEY)
    assert loaded is not None and loaded.stack[0].step == "ask_age"
    assert await storage.runs() == []
    assert await storage.is_processed("tg:1:100")
    assert not await storage.is_processed("tg:1:101")


async def test_old_update_keys_are_pruned(storage: Storage) -> None:
    session = sample_session()  # updated_at = 20
    await storage.save(TurnRecord(key=KEY, session=session, update_key="old"))
    assert await storage.prune_processed(before=21.0) == 1
    assert not await storage.is_processed("old")


async def test_idle_sessions_are_those_in_a_flow_inactive_since_before(storage: Storage) -> None:
    ba, chi = SessionKey("test", "ba"), SessionKey("test", "chi")
    await storage.save(TurnRecord(key=KEY, session=sample_session(updated_at=50.0)))
    await storage.save(TurnRecord(key=ba, session=sample_session(updated_at=30.0)))
    menu = Session(screen="menu", updated_at=10.0, active_at=10.0)
    await storage.save(TurnRecord(key=chi, session=menu))  # not in a flow: nothing expires
    assert await storage.idle_sessions(60.0) == [ba, KEY]
    assert await storage.idle_sessions(60.0, limit=1) == [ba]
    assert await storage.idle_sessions(40.0) == [ba]


# --- the run log and alerts --------------------------------------------------------------------


async def test_runs_are_logged_pseudonymously(storage: Storage) -> None:
    await storage.save(
        TurnRecord(
            key=KEY, session=sample_session(), finished=[sample_run(), sample_run("referred")]
        )
    )
    await storage.save(
        TurnRecord(
            key=SessionKey("test", "ba"), session=sample_session(), finished=[sample_run("gave_up")]
        )
    )
    runs = await storage.runs()
    assert [r.run.outcome for r in runs] == ["completed", "referred", "gave_up"]
    assert runs[0].run == sample_run()
    assert (
        runs[0].user == runs[1].user != runs[2].user == storage.user_ref(SessionKey("test", "ba"))
    )
    assert "an" not in runs[0].user


async def test_alerts_wait_until_delivered(storage: Storage) -> None:
    alerts = [StaffAlert(text="cần giúp", flow_id="demo", step="s", at=5.0)]
    await storage.save(TurnRecord(key=KEY, session=sample_session(), alerts=alerts))
    pending = await storage.alerts()
    assert [(a.key, a.alert, a.delivered) for a in pending] == [(KEY, alerts[0], False)]
    await storage.mark_delivered(pending[0].id, at=6.0)
    assert await storage.alerts() == []
    assert [a.delivered for a in await storage.alerts(pending_only=False)] == [True]


# --- delivery: the outbox, blocked residents, file ids ------------------------------------------


async def test_outbox_keeps_replies_in_order_until_sent(storage: Storage) -> None:
    replies = [
        OutgoingMessage(text="một", image="/x.png"),
        OutgoingMessage(
            text="hai",
            buttons=((Button(label="A", payload="c:1:0"), Button(label="W", url="https://a.vn")),),
            awaits_text=True,
        ),
    ]
    ids = await storage.save(TurnRecord(key=KEY, session=sample_session(), outbox=replies))
    other = SessionKey("test", "other")
    await storage.save(
        TurnRecord(key=other, session=sample_session(), outbox=[OutgoingMessage(text="ba")])
    )
    pending = await storage.pending_outbox(KEY)
    assert [p.message for p in pending] == replies and [p.id for p in pending] == ids
    assert len(await storage.pending_outbox()) == 3
    await storage.mark_sent([pending[0].id], at=30.0)
    assert [p.message.text for p in await storage.pending_outbox(KEY)] == ["hai"]
    await storage.mark_sent([pending[1].id], at=31.0, dropped=True)
    assert [p.key for p in await storage.pending_outbox()] == [other]


async def test_blocked_resident_is_unreachable_until_they_write_again(storage: Storage) -> None:
    assert await storage.is_reachable(KEY)
    await storage.set_reachable(KEY, False, at=1.0)
    assert not await storage.is_reachable(KEY)
    assert await storage.unreachable() == {KEY}
    assert await storage.is_reachable(SessionKey("test", "someone"))
    await storage.set_reachable(KEY, True, at=2.0)
    assert await storage.is_reachable(KEY) and await storage.unreachable() == set()


@pytest.mark.parametrize("desk", [False, True], ids=["resident's turn", "with a ticket"])
async def test_a_blocked_resident_who_writes_is_reachable_again_with_their_turn(
    storage: Storage, desk: bool
) -> None:
    """The turn that answers their update says so (TurnRecord.reachable), whichever way the
    backend saves it (PostgreSQL: one statement, or the transaction a ticket needs); a turn
    that is not theirs (a reminder) leaves them unreachable."""
    other = SessionKey("test", "other")
    for key in (KEY, other):
        await storage.set_reachable(key, False, at=1.0)
    tickets = [TicketChange(kind="open", at=2.0, resident=KEY, text="help")] if desk else []
    await storage.save(TurnRecord(key=other, session=sample_session(), revision=0))
    await storage.save(
        TurnRecord(key=KEY, session=sample_session(), revision=0, reachable=True, tickets=tickets)
    )
    assert await storage.is_reachable(KEY)
    assert await storage.unreachable() == {other}


async def test_file_ids_are_cached(storage: Storage) -> None:
    assert await storage.cached_file("img:abc") is None
    await storage.cache_file("img:abc", "AgAD123")
    assert await storage.cached_file("img:abc") == "AgAD123"
    await storage.cache_file("img:abc", "AgAD456")
    assert await storage.cached_file("img:abc") == "AgAD456"


async def test_flow_versions_are_recorded_once_per_digest(storage: Storage) -> None:
    first = FlowVersion(flow_id="demo", version=1, digest="aa", loaded_at=1.0)
    edited = FlowVersion(flow_id="demo", version=1, digest="bb", loaded_at=2.0)
    assert await storage.record_flow_versions([first]) == 1
    assert await storage.record_flow_versions([first, edited]) == 1
    assert await storage.flow_versions() == [first, edited]


# --- follow-ups and morning lists --------------------------------------------------------------


async def test_follow_ups_are_scheduled_fired_and_cancelled_with_turns(storage: Storage) -> None:
    other = SessionKey("test", "other")
    await storage.save(
        TurnRecord(key=KEY, session=sample_session(), followups=[job(200.0), job(100.0)])
    )
    await storage.save(TurnRecord(key=other, session=sample_session(), followups=[job(150.0)]))
    due = await storage.due_followups(160.0)
    assert [(f.key, f.job.due) for f in due] == [(KEY, 100.0), (other, 150.0)]
    assert [f.job for f in await storage.pending_followups(KEY)] == [job(100.0), job(200.0)]
    assert len(await storage.due_followups(1000.0, limit=2)) == 2
    fired = due[0].id
    await storage.save(TurnRecord(key=KEY, session=sample_session(), fired_followup=fired))
    assert [f.job.due for f in await storage.pending_followups(KEY)] == [200.0]
    await storage.save(
        TurnRecord(key=KEY, session=sample_session(), cancel_followups=True, followups=[job(300.0)])
    )
    pending = await storage.pending_followups(KEY)
    assert [f.job.due for f in pending] == [300.0]
    assert pending[0].id > max(f.id for f in due)  # ids are never reused ("fu:<id>")
    await storage.drop_followup(pending[0].id)
    assert await storage.pending_followups(KEY) == []
    await storage.drop_followups(other)
    assert await storage.due_followups(1000.0) == []


async def test_a_morning_list_is_claimed_once_a_day(storage: Storage) -> None:
    assert await storage.claim_morning_list(1, "2026-03-05", at=1.0)
    assert not await storage.claim_morning_list(1, "2026-03-05", at=2.0)
    assert await storage.claim_morning_list(1, "2026-03-06", at=3.0)
    assert await storage.claim_morning_list(2, "2026-03-05", at=3.0)
    await storage.unclaim_morning_list(1, "2026-03-05")
    assert await storage.claim_morning_list(1, "2026-03-05", at=4.0)


async def test_a_morning_list_whose_sender_died_goes_out_from_another_process(
    storage: Storage,
) -> None:
    """A claim never said to be sent (its process died) is taken again once its lease ran
    out, and only once; a list that went out is never claimed again that day."""
    assert await storage.claim_morning_list(1, "2026-03-05", at=10.0)
    assert not await storage.claim_morning_list(1, "2026-03-05", at=10.0 + MORNING_LIST_LEASE)
    later = 11.0 + MORNING_LIST_LEASE
    assert await storage.claim_morning_list(1, "2026-03-05", at=later)
    assert not await storage.claim_morning_list(1, "2026-03-05", at=later + 1.0)
    await storage.morning_list_sent(1, "2026-03-05")
    assert not await storage.claim_morning_list(1, "2026-03-05", at=later + 10 * MORNING_LIST_LEASE)


# --- staff records -----------------------------------------------------------------------------


async def _volunteer(storage: Storage, key: SessionKey, village: str, code_hash: str) -> int:
    await storage.create_invite(
        code_hash, village=village, commune="Xã A", created_by="cli:admin", at=1.0, expires_at=100.0
    )
    status, volunteer = await storage.redeem_invite(code_hash, key, name="Lan", at=2.0)
    assert status == "ok" and volunteer is not None
    return volunteer.id


async def test_an_invite_makes_one_volunteer_once(storage: Storage) -> None:
    lan, minh = SessionKey("telegram", "1"), SessionKey("telegram", "2")
    await storage.create_invite(
        "h1", village="Thôn Đông", commune="Xã A", created_by="cli:x", at=1.0, expires_at=100.0
    )
    assert await storage.redeem_invite("nope", lan, name="Lan", at=2.0) == ("wrong", None)
    status, volunteer = await storage.redeem_invite("h1", lan, name="Lan", at=2.0)
    assert status == "ok" and volunteer is not None
    assert (volunteer.key, volunteer.name, volunteer.village, volunteer.commune) == (
        lan,
        "Lan",
        "Thôn Đông",
        "Xã A",
    )
    assert volunteer.active and len(volunteer.code) == 6
    assert await storage.redeem_invite("h1", minh, name="Minh", at=3.0) == ("used", None)
    assert (await storage.redeem_invite("h1", lan, name="Lan", at=3.0))[0] == "already"
    await storage.create_invite(
        "h2", village="Thôn Tây", commune="", created_by="cli:x", at=1.0, expires_at=10.0
    )
    assert await storage.redeem_invite("h2", minh, name="Minh", at=11.0) == ("expired", None)
    assert await storage.volunteer_for(lan) == volunteer
    assert await storage.volunteer_by_code(volunteer.code.lower()) == volunteer
    assert await storage.volunteers() == [volunteer]
    assert await storage.deactivate_volunteer(volunteer.id, at=5.0)
    assert not await storage.deactivate_volunteer(volunteer.id, at=6.0)
    assert await storage.volunteer_for(lan) is None
    assert await storage.volunteer_by_code(volunteer.code) is None
    assert [v.active for v in await storage.volunteers()] == [False]
    # Access given back: the same volunteer, code and chat again (the web console's Activate).
    assert await storage.activate_volunteer(volunteer.id)
    assert not await storage.activate_volunteer(volunteer.id)
    assert not await storage.activate_volunteer(volunteer.id + 100)
    assert await storage.volunteer_for(lan) == volunteer
    assert await storage.volunteer_by_code(volunteer.code) == volunteer


async def test_households_visits_and_their_latest_outcomes(storage: Storage) -> None:
    vid = await _volunteer(storage, SessionKey("telegram", "1"), "Thôn Đông", "h1")
    home = await storage.household(vid, "Thôn Đông", "Hộ 12,  ông Ba", at=3.0)
    assert await storage.household(vid, "Thôn Đông", "ho 12, ONG BA", at=4.0) == home
    assert home.label == "Hộ 12, ông Ba" and await storage.household_by_id(home.id) == home
    assert await storage.household_by_id(home.id + 100) is None
    other = await storage.household(vid, "Thôn Đông", "Hộ 3", at=3.0)
    visit = await storage.start_visit(vid, home, at=10.0)
    assert (visit.volunteer_id, visit.household_id, visit.village) == (vid, home.id, "Thôn Đông")
    await storage.record_outcome(visit.id, "vneid", "later", note="gọi 0912345678", at=11.0)
    await storage.record_outcome(visit.id, "vneid", "done", note="", at=12.0)
    await storage.end_visit(visit.id, at=13.0)
    with pytest.raises(ValueError):
        await storage.record_outcome(visit.id + 100, "vneid", "done", note="", at=14.0)
    statuses = await storage.households_of(vid)
    assert [s.household for s in statuses] == [home, other]  # by village, then label
    assert [(s.flow_id, s.outcome) for s in statuses[0].services] == [("vneid", "done")]
    assert statuses[1].services == ()


async def test_the_admin_log_is_kept_masked(storage: Storage) -> None:
    action = AdminAction(
        actor="telegram:9", action="join", detail="code 0912345678", allowed=False, at=1.0
    )
    await storage.record_admin_action(action)
    [kept] = await storage.admin_actions()
    assert kept.actor == "telegram:9" and not kept.allowed and "0912345678" not in kept.detail


async def test_forget_deletes_everything_about_one_resident(storage: Storage) -> None:
    other = SessionKey("test", "other")
    vid = await _volunteer(storage, KEY, "Thôn Đông", "h1")
    for key in (KEY, other):
        await storage.save(
            TurnRecord(
                key=key,
                session=sample_session(),
                finished=[sample_run()],
                alerts=[StaffAlert(text="giúp", flow_id="demo", step="s", at=1.0)],
                outbox=[OutgoingMessage(text="chào")],
                followups=[job(100.0)],
            )
        )
        await storage.set_reachable(key, False, at=1.0)
        await storage.record_admin_action(
            AdminAction(actor=str(key), action="join", detail="", allowed=False, at=1.0)
        )
    deleted = await storage.forget(KEY, storage.user_ref(KEY))
    assert {table: n for table, n in deleted.items() if n} == {
        "sessions": 1,
        "runs": 1,
        "staff_alerts": 1,
        "outbox": 1,
        "unreachable": 1,
        "followups": 1,
        "admin_actions": 1,
        "volunteers": 1,
    }
    assert await storage.load(KEY) is None and await storage.load(other) is not None
    assert len(await storage.runs()) == 1 and len(await storage.pending_outbox()) == 1
    assert await storage.is_reachable(KEY) and not await storage.is_reachable(other)
    assert await storage.volunteer_for(KEY) is None
    [volunteer] = await storage.volunteers()
    assert volunteer.id == vid and volunteer.name == "" and not volunteer.active
    # The next turn is saved as for someone new.
    await storage.save(TurnRecord(key=KEY, session=sample_session(), revision=0))


# --- report queries ----------------------------------------------------------------------------


async def _seed_reports(storage: Storage) -> dict[str, int]:
    """Two volunteers, a visit with outcomes, runs alone and from a poster, a flow in progress."""
    dong = await _volunteer(storage, SessionKey("telegram", "1"), "Thôn Đông", "h1")
    tay = await _volunteer(storage, SessionKey("telegram", "2"), "Thôn Tây", "h2")
    home = await storage.household(dong, "Thôn Đông", "Hộ 1", at=100.0)
    second = await storage.household(dong, "Thôn Đông", "Hộ 2", at=100.0)
    visit = await storage.start_visit(dong, home, at=100.0)
    await storage.record_outcome(visit.id, "vneid", "later", note="", at=110.0)
    await storage.record_outcome(visit.id, "vneid", "done", note="", at=120.0)
    again = await storage.start_visit(dong, home, at=300.0)
    await storage.record_outcome(again.id, "vneid", "done", note="", at=310.0)
    third = await storage.start_visit(dong, second, at=320.0)
    await storage.record_outcome(third.id, "vneid", "police", note="", at=330.0)
    resident = SessionKey("telegram", "100")
    await storage.save(
        TurnRecord(
            key=resident,
            session=Session(screen="menu", updated_at=400.0),
            finished=[
                sample_run(started_at=150.0, ended_at=160.0),
                sample_run(
                    "abandoned",
                    started_at=200.0,
                    ended_at=210.0,
                    mode="referred",
                    volunteer_id=tay,
                ),
                sample_run(started_at=220.0, ended_at=230.0, parent_flow="demo", village="X"),
            ],
        )
    )
    credited = {"volunteer_id": tay, "mode": "referred"}
    for user, started, credit in (("101", 250.0, credited), ("102", 500.0, {"village": "Y"})):
        session = sample_session(flow_id="vneid", started_at=started, credit=credit)
        session.stack.append(Frame(flow_id="welcome", version=1, step="hi", started_at=started))
        await storage.save(TurnRecord(key=SessionKey("telegram", user), session=session))
    return {"dong": dong, "tay": tay, "home": home.id, "second": second.id}


async def test_report_queries_give_the_same_rows_on_every_backend(storage: Storage) -> None:
    ids = await _seed_reports(storage)
    runs = await storage.runs_started(None, None)
    assert [(r.started_at, r.outcome, r.mode, r.village, r.parent_flow) for r in runs] == [
        (150.0, "completed", "self", "", ""),
        (200.0, "abandoned", "referred", "Thôn Tây", ""),  # the volunteer's village
        (220.0, "completed", "self", "X", "demo"),
    ]
    assert runs[0].user_ref == storage.user_ref(SessionKey("telegram", "100"))
    assert runs[0].path == ("a", "b") and runs[1].volunteer_id == ids["tay"]
    assert [r.started_at for r in await storage.runs_started(200.0, 220.0)] == [200.0]
    opened = sorted(await storage.open_runs(None, None), key=lambda o: o.started_at)
    assert opened == [
        OpenRun(
            flow_id="vneid",
            started_at=250.0,
            path=("pick_phone", "ask_age"),
            village="Thôn Tây",
            mode="referred",  # from Thôn Tây's volunteer's poster, still in the guide
            volunteer_id=ids["tay"],
        ),
        OpenRun(flow_id="vneid", started_at=500.0, path=("pick_phone", "ask_age"), village="Y"),
    ]
    assert [o.started_at for o in await storage.open_runs(None, 500.0)] == [250.0]
    rows = await storage.volunteer_rows()
    assert [(r.id, r.village, r.active) for r in rows] == [  # by village as stored ("Đ" > "T")
        (ids["tay"], "Thôn Tây", True),
        (ids["dong"], "Thôn Đông", True),
    ]
    assert await storage.active_volunteer(f" {rows[0].code.lower()} ") == rows[0]
    assert await storage.active_volunteer("NOPE00") is None
    assert await storage.visit_counts(None, None) == [
        VisitCount(volunteer_id=ids["dong"], visits=3, households=2)
    ]
    assert await storage.visit_counts(200.0, None) == [
        VisitCount(volunteer_id=ids["dong"], visits=2, households=2)
    ]
    assert sorted(await storage.outcome_counts(None, 200.0), key=lambda c: c.outcome) == [
        OutcomeCount(volunteer_id=ids["dong"], outcome="done", count=1),
        OutcomeCount(volunteer_id=ids["dong"], outcome="later", count=1),
    ]
    assert await storage.household_services(None) == [
        HouseholdService(
            volunteer_id=ids["dong"],
            household_id=ids["home"],
            village="Thôn Đông",
            flow_id="vneid",
            outcome="done",
        ),
        HouseholdService(
            volunteer_id=ids["dong"],
            household_id=ids["second"],
            village="Thôn Đông",
            flow_id="vneid",
            outcome="police",
        ),
    ]
    assert [s.outcome for s in await storage.household_services(115.0)] == ["later"]


# --- purges ------------------------------------------------------------------------------------


async def test_purge_deletes_exactly_what_is_older_than_the_cutoff(storage: Storage) -> None:
    vid = await _volunteer(storage, SessionKey("telegram", "1"), "Thôn Đông", "h1")
    home = await storage.household(vid, "Thôn Đông", "Hộ 1", at=1.0)
    for name, when in (("old", 10.0), ("new", 1000.0)):
        key = SessionKey("test", name)
        await storage.save(
            TurnRecord(
                key=key,
                session=sample_session(updated_at=when),
                finished=[sample_run(started_at=when - 5, ended_at=when)],
                alerts=[StaffAlert(text="giúp", flow_id="demo", step="s", at=when)],
                outbox=[OutgoingMessage(text="waiting")],
                update_key=f"u-{name}",
            )
        )
        visit = await storage.start_visit(vid, home, at=when)
        await storage.record_outcome(visit.id, "vneid", "done", note=name, at=when)
        await storage.record_admin_action(
            AdminAction(actor=str(key), action="join", detail="", allowed=False, at=when)
        )
        # A hand-over link is old by when it stopped working (here: its expiry).
        await storage.create_handover(
            f"t-{name}", household_id=home.id, member=1, visit_id=visit.id, volunteer_id=vid,
            at=when, expires_at=when + 50,
        )
        # A ticket opened, answered and closed: its note and itself are old together.
        await storage.save(
            TurnRecord(
                key=key,
                session=sample_session(updated_at=when),
                tickets=[TicketChange(kind="open", at=when - 2, resident=key, text="giúp")],
            )
        )
        ticket = await storage.open_ticket(key)
        assert ticket is not None
        await storage.save(
            TurnRecord(
                key=key,
                session=sample_session(updated_at=when),
                tickets=[TicketChange(kind="close", at=when, ticket_id=ticket.id, outcome="done")],
            )
        )
    expected = dict.fromkeys(PURGE_TABLES, 1) | {"outbox": 0}  # a waiting reply is never old
    # The household was visited within the retention: its name stays (issue 17, item 6).
    expected |= {"household_members": 0, "households": 0}
    assert await storage.count_old(500.0) == expected
    assert await storage.purge_old(500.0) == expected
    assert await storage.count_old(500.0) == dict.fromkeys(PURGE_TABLES, 0)
    assert await storage.load(SessionKey("test", "old")) is None
    assert await storage.load(SessionKey("test", "new")) is not None
    assert [r.run.ended_at for r in await storage.runs()] == [1000.0]
    assert len(await storage.pending_outbox()) == 2
    assert not await storage.is_processed("u-old") and await storage.is_processed("u-new")
    assert [a.at for a in await storage.admin_actions()] == [1000.0]
    assert (await storage.claim_handover("t-old", by="r", at=1001.0))[0] == "wrong"
    assert (await storage.claim_handover("t-new", by="r", at=1001.0))[0] == "ok"
