"""The processes role (bot.storage.base.Processes) on every backend of the conformance suite:
waiting replies claimed in order under a lease, and what another process left found again.

Another process is played by changing the name claims are made under (``holder``): on
PostgreSQL two real processes are in tests/storage/test_postgres_processes.py.
"""

from __future__ import annotations

import pytest

from bot.core.types import OutgoingMessage, SessionKey
from bot.storage.base import Storage, TurnRecord
from tests.storage.samples import KEY, job, sample_session
from tests.storage.test_conformance import storage  # noqa: F401 (a fixture)

OTHER = SessionKey("test", "other")


async def _replies(store: Storage, key: SessionKey, *texts: str, at: float = 20.0) -> list[int]:
    session = sample_session(updated_at=at)
    messages = [OutgoingMessage(text=t) for t in texts]
    return await store.save(TurnRecord(key=key, session=session, outbox=messages))


async def test_a_resident_s_replies_are_claimed_oldest_first_and_renewed(
    storage: Storage,  # noqa: F811
) -> None:
    ids = await _replies(storage, KEY, "một", "hai")
    await _replies(storage, OTHER, "ba")
    claimed = await storage.claim_outbox(KEY, now=100.0)
    assert [c.message.text for c in claimed] == ["một", "hai"] and [c.id for c in claimed] == ids
    # The same process claims them again (a retry), another resident's are not touched.
    assert [c.id for c in await storage.claim_outbox(KEY, now=101.0)] == ids
    await storage.mark_sent([ids[0]], at=102.0)
    assert [c.message.text for c in await storage.claim_outbox(KEY, now=103.0)] == ["hai"]
    assert [c.message.text for c in await storage.claim_outbox(OTHER, now=103.0)] == ["ba"]


async def test_another_process_s_live_claim_is_left_alone_until_it_runs_out(
    storage: Storage,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    await _replies(storage, KEY, "một")
    mine = await storage.claim_outbox(KEY, now=100.0)
    assert len(mine) == 1
    lease = storage.outbox_lease
    monkeypatch.setattr(storage, "holder", "another-process")
    # Its oldest reply is someone else's: nothing, even for a reply committed after it.
    await _replies(storage, KEY, "hai", at=101.0)
    assert await storage.claim_outbox(KEY, now=101.0) == []
    # That process died: its lease runs out, and both go, in order, to this one.
    later = await storage.claim_outbox(KEY, now=100.0 + lease + 1)
    assert [c.message.text for c in later] == ["một", "hai"]


async def test_replies_nobody_holds_are_found_for_the_retry_loop(
    storage: Storage,  # noqa: F811
) -> None:
    await _replies(storage, KEY, "một", at=20.0)
    await _replies(storage, OTHER, "hai", at=50.0)
    # Committed before 30 and held by nobody: only the first resident's.
    assert await storage.waiting_outbox("test", now=60.0, older_than=30.0) == [KEY]
    assert await storage.waiting_outbox("telegram", now=60.0, older_than=30.0) == []
    await storage.claim_outbox(KEY, now=60.0)
    assert await storage.waiting_outbox("test", now=61.0, older_than=30.0) == []
    lease = storage.outbox_lease
    assert await storage.waiting_outbox("test", now=61.0 + lease, older_than=30.0) == [KEY]


async def test_a_turn_scope_keeps_what_it_wrote_and_one_process_always_leads(
    storage: Storage,  # noqa: F811
) -> None:
    async with storage.turn_scope(KEY):
        await storage.save(TurnRecord(key=KEY, session=sample_session(), update_key="u1"))
    assert await storage.is_processed("u1")
    assert await storage.try_lead("background")
    assert await storage.try_lead("background")  # still, when asked again
    await storage.stop_leading("background")


async def test_due_follow_ups_are_claimed_once_until_the_claim_runs_out(
    storage: Storage,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    session = sample_session()
    await storage.save(TurnRecord(key=KEY, session=session, followups=[job(50.0), job(40.0)]))
    await storage.save(TurnRecord(key=OTHER, session=session, followups=[job(500.0)]))
    mine = await storage.claim_followups(100.0, now=100.0)
    assert [f.job.due for f in mine] == [40.0, 50.0]  # due ones, earliest first
    assert [f.id for f in await storage.claim_followups(100.0, now=101.0)] == [f.id for f in mine]
    lease = storage.outbox_lease
    monkeypatch.setattr(storage, "holder", "another-process")
    assert await storage.claim_followups(100.0, now=101.0) == []  # held by the first process
    later = await storage.claim_followups(100.0, now=101.0 + lease + 1)  # it died
    assert [f.id for f in later] == [f.id for f in mine]
