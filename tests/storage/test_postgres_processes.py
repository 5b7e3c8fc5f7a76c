"""Several processes on one PostgreSQL database, played by several storages (each with its own
connections, as two processes have): a resident's turns one at a time, a turn undone whole,
replies claimed by one of them, and one leader at a time that the others replace when it dies."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest

from bot.core.errors import StaleSession
from bot.core.types import OutgoingMessage
from bot.storage.base import TurnRecord
from bot.storage.postgres import PostgresStorage
from tests.storage.samples import KEY, sample_session


@pytest.fixture
async def two(postgres_url: str) -> AsyncIterator[tuple[PostgresStorage, PostgresStorage]]:
    first, second = PostgresStorage(postgres_url), PostgresStorage(postgres_url)
    await first.open()
    await second.open()
    yield first, second
    await first.close()
    await second.close()


async def test_a_resident_s_turn_waits_for_the_other_process_s_turn_to_commit(
    two: tuple[PostgresStorage, PostgresStorage],
) -> None:
    first, second = two
    inside = asyncio.Event()
    release = asyncio.Event()
    order: list[str] = []

    async def slow_turn() -> None:
        async with first.turn_scope(KEY):
            read = await first.read(KEY)
            inside.set()
            await release.wait()
            await first.save(TurnRecord(key=KEY, session=sample_session(), revision=read.revision))
            order.append("first saved")

    async def next_turn() -> None:
        await inside.wait()
        async with second.turn_scope(KEY):
            read = await second.read(KEY)  # only once the first committed: its revision
            order.append(f"second read revision {read.revision}")
            await second.save(TurnRecord(key=KEY, session=sample_session(), revision=read.revision))

    task = asyncio.ensure_future(next_turn())
    first_task = asyncio.ensure_future(slow_turn())
    await inside.wait()
    await asyncio.sleep(0.3)
    assert order == []  # the second process waits on the resident's lock
    release.set()
    await asyncio.gather(first_task, task)
    assert order == ["first saved", "second read revision 1"]
    assert (await first.read(KEY)).revision == 2  # neither turn clashed


async def test_a_turn_that_fails_is_undone_whole(
    two: tuple[PostgresStorage, PostgresStorage],
) -> None:
    first, second = two
    with pytest.raises(StaleSession):
        async with first.turn_scope(KEY):
            # What the staff desk writes during the turn...
            await first.put_channel_value("telegram", "desk-wrote", "x", at=1.0)
            await first.save(TurnRecord(key=KEY, session=sample_session(), update_key="u1"))
            await first.save(TurnRecord(key=KEY, session=sample_session(), revision=0))
    # ...is gone with the turn: computing it again does nothing twice.
    assert await second.channel_value("telegram", "desk-wrote") is None
    assert not await second.is_processed("u1")
    assert (await second.read(KEY)).session is None


async def test_two_processes_claiming_at_once_send_each_reply_once(
    two: tuple[PostgresStorage, PostgresStorage],
) -> None:
    first, second = two
    for n in range(20):
        text = OutgoingMessage(text=f"{n}")
        await first.save(
            TurnRecord(key=KEY, session=sample_session(updated_at=20.0 + n), outbox=[text])
        )
    got = await asyncio.gather(
        *(store.claim_outbox(KEY, now=100.0) for store in (first, second) for _ in range(5))
    )
    holders = {
        store.holder for store, claim in zip([first] * 5 + [second] * 5, got, strict=True) if claim
    }
    assert len(holders) == 1  # one process holds the resident's replies
    claimed = max(got, key=len)
    assert [c.message.text for c in claimed] == [str(n) for n in range(20)]


async def test_one_leader_at_a_time_and_the_standby_takes_over_when_it_goes(
    two: tuple[PostgresStorage, PostgresStorage],
) -> None:
    first, second = two
    assert await first.try_lead("telegram-poll:1")
    assert not await second.try_lead("telegram-poll:1")
    assert await second.try_lead("background")  # another leadership is another lock
    assert await first.try_lead("telegram-poll:1")  # still the leader when asked again
    await first.close()  # the process goes: the server releases its lock with its connection
    assert await second.try_lead("telegram-poll:1")


class _Nowhere:
    """A channel that is never used: the test asks the delivery only who blocked the bot."""

    name = "test"

    async def render(self, key: object, message: object) -> list[object]:
        return []

    async def call(self, request: object) -> None:
        return None


async def test_who_blocked_the_bot_is_read_from_the_database_not_remembered(
    two: tuple[PostgresStorage, PostgresStorage],
) -> None:
    from bot.app.delivery import Delivery

    first, second = two
    delivery = Delivery(_Nowhere(), first)
    await delivery.resume()
    assert not await delivery.blocked(KEY)
    await second.set_reachable(KEY, False, at=1.0)  # another process learnt it from Telegram
    assert await delivery.blocked(KEY)
    await second.set_reachable(KEY, True, at=2.0)  # the resident wrote to another process
    assert not await delivery.blocked(KEY)
    await delivery.drain()


async def test_two_processes_claiming_due_follow_ups_at_once_share_them_without_overlap(
    two: tuple[PostgresStorage, PostgresStorage],
) -> None:
    from bot.core.types import SessionKey
    from tests.storage.samples import job

    first, second = two
    for n in range(60):
        key = SessionKey("test", f"r{n}")
        await first.save(TurnRecord(key=key, session=sample_session(), followups=[job(10.0 + n)]))
    mine, theirs = await asyncio.gather(
        first.claim_followups(100.0, now=100.0, limit=30),
        second.claim_followups(100.0, now=100.0, limit=30),
    )
    assert len(mine) == len(theirs) == 30  # neither waited for the other's locked rows
    assert not {f.id for f in mine} & {f.id for f in theirs}  # none claimed by both
    assert await first.claim_followups(100.0, now=101.0, limit=60) == mine  # its own, renewed
