"""The channel-state role (bot.storage.channel_state) on every backend of the conformance suite:
named values, and a lease only one holder has at a time."""

from __future__ import annotations

import asyncio

import pytest

from bot.storage.base import Storage
from bot.storage.channel_state import ChannelStateStore
from tests.storage.test_conformance import storage  # noqa: F401 (a fixture)


@pytest.fixture
def state(storage: Storage) -> ChannelStateStore:  # noqa: F811 (the fixture imported above)
    """Every backend has the role: it is part of the storage contract."""
    assert isinstance(storage, ChannelStateStore)
    return storage


async def test_a_value_is_kept_replaced_and_per_channel(state: ChannelStateStore) -> None:
    assert await state.channel_value("zalo", "oa_tokens") is None
    assert await state.put_channel_value("zalo", "oa_tokens", "một 🔑", at=10.0)
    assert await state.put_channel_value("other", "oa_tokens", "b", at=11.0)
    found = await state.channel_value("zalo", "oa_tokens")
    assert found is not None and (found.value, found.updated_at) == ("một 🔑", 10.0)
    await state.put_channel_value("zalo", "oa_tokens", "hai", at=12.0)
    found = await state.channel_value("zalo", "oa_tokens")
    assert found is not None and found.value == "hai"
    other = await state.channel_value("other", "oa_tokens")
    assert other is not None and other.value == "b"


async def test_only_one_holder_has_the_lease_until_it_ends(state: ChannelStateStore) -> None:
    assert await state.claim_channel_lease("zalo", "t", "p1", now=100.0, until=130.0)
    assert await state.channel_value("zalo", "t") is None  # a lease is not a value
    assert not await state.claim_channel_lease("zalo", "t", "p2", now=110.0, until=140.0)
    assert await state.claim_channel_lease("zalo", "t", "p1", now=111.0, until=141.0)  # own
    assert await state.claim_channel_lease("zalo", "t", "p2", now=142.0, until=170.0)  # ran out
    # p1's lease is gone: its write under the lease is refused and changes nothing.
    assert not await state.put_channel_value("zalo", "t", "from p1", at=143.0, holder="p1")
    assert await state.channel_value("zalo", "t") is None
    assert await state.put_channel_value("zalo", "t", "from p2", at=144.0, holder="p2")
    found = await state.channel_value("zalo", "t")
    assert found is not None and (found.value, found.holder, found.lease_until) == (
        "from p2",
        "",
        0,
    )
    # Released by that write: anyone may take it now.
    assert await state.claim_channel_lease("zalo", "t", "p3", now=145.0, until=175.0)
    await state.release_channel_lease("zalo", "t", "p2")  # not p2's: nothing happens
    assert not await state.claim_channel_lease("zalo", "t", "p1", now=146.0, until=176.0)
    await state.release_channel_lease("zalo", "t", "p3")
    assert await state.claim_channel_lease("zalo", "t", "p1", now=147.0, until=177.0)
    found = await state.channel_value("zalo", "t")
    assert found is not None and found.value == "from p2"  # a lease leaves the value alone


async def test_claims_at_the_same_moment_give_the_lease_to_one(state: ChannelStateStore) -> None:
    claims = await asyncio.gather(
        *(state.claim_channel_lease("zalo", "t", f"p{i}", now=1.0, until=31.0) for i in range(8))
    )
    assert sum(claims) == 1
