"""The storage contract for volunteers' hand-over links, on every backend (as
test_conformance.py): stored by the hash of the token, used once before they expire, gone with
the volunteer's /forget."""

from __future__ import annotations

import pytest

from bot.core.staff import Handover, member_key
from bot.core.types import SessionKey
from bot.storage.base import Storage, TurnRecord
from tests.storage.samples import sample_session
from tests.storage.test_conformance import _volunteer, storage  # noqa: F401 (a fixture)

LAN = SessionKey("telegram", "1")


@pytest.fixture
def store(storage: Storage) -> Storage:  # noqa: F811 (the fixture imported above)
    """Each backend of the conformance suite."""
    return storage


async def _link(store: Storage, token_hash: str, *, at: float, expires_at: float) -> Handover:
    vid = await _volunteer(store, LAN, "Thôn Đông", f"inv-{token_hash}")
    home = await store.household(vid, "Thôn Đông", "Hộ 12", at=at)
    visit = await store.start_visit(vid, home, at=at)
    await store.create_handover(
        token_hash, household_id=home.id, member=2, visit_id=visit.id, volunteer_id=vid,
        at=at, expires_at=expires_at,
    )
    return Handover(
        household_id=home.id, member=2, visit_id=visit.id, volunteer_id=vid,
        created_at=at, expires_at=expires_at,
    )


async def test_a_link_is_used_once_and_says_why_not_afterwards(store: Storage) -> None:
    made = await _link(store, "hash-a", at=10.0, expires_at=100.0)
    assert await store.claim_handover("hash-forged", by="ref-a", at=20.0) == ("wrong", None)
    assert await store.claim_handover("hash-a", by="ref-a", at=20.0) == ("ok", made)
    assert await store.claim_handover("hash-a", by="ref-b", at=21.0) == ("used", None)
    # The chat that took it may open it again (a turn computed again, a second tap)...
    assert await store.claim_handover("hash-a", by="ref-a", at=22.0) == ("ok", made)
    # ...and for anyone else, used then expired is still "used".
    assert await store.claim_handover("hash-a", by="ref-b", at=500.0) == ("used", None)


async def test_a_residents_forget_forgets_who_opened_their_link(store: Storage) -> None:
    await _link(store, "hash-e", at=10.0, expires_at=100.0)
    assert (await store.claim_handover("hash-e", by="ref-e", at=20.0))[0] == "ok"
    await store.forget(SessionKey("telegram", "99"), "ref-e")
    assert await store.claim_handover("hash-e", by="ref-e", at=21.0) == ("used", None)


async def test_an_expired_link_is_refused_and_stays_refused(store: Storage) -> None:
    await _link(store, "hash-b", at=10.0, expires_at=100.0)
    assert await store.claim_handover("hash-b", by="ref-a", at=100.5) == ("expired", None)
    assert await store.claim_handover("hash-b", by="ref-a", at=101.0) == ("expired", None)


async def test_a_volunteers_forget_deletes_their_links(store: Storage) -> None:
    await _link(store, "hash-c", at=10.0, expires_at=100.0)
    deleted = await store.forget(LAN, store.user_ref(LAN))
    assert deleted["handovers"] == 1
    assert await store.claim_handover("hash-c", by="ref-a", at=20.0) == ("wrong", None)


async def test_a_volunteers_forget_keeps_the_guides_residents_took_over(store: Storage) -> None:
    made = await _link(store, "hash-d", at=10.0, expires_at=100.0)
    taken, kept_by_volunteer = (
        member_key(made.household_id, 2), member_key(made.household_id, 3)
    )
    for key in (taken, kept_by_volunteer):
        await store.save(TurnRecord(key=key, session=sample_session(updated_at=11.0)))
    assert (await store.claim_handover("hash-d", by="ref-a", at=20.0))[0] == "ok"
    await store.forget(LAN, store.user_ref(LAN))
    # The guide the resident took over is theirs now; the other one went with the volunteer.
    assert await store.load(taken) is not None
    assert await store.load(kept_by_volunteer) is None
