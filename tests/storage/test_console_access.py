"""The web console's login links and sessions on every backend: one use, ten minutes, only a
hash kept; two browsers racing with one link (two bot processes on one PostgreSQL server)
cannot both get in."""

from __future__ import annotations

import asyncio

from bot.app.access import Grant, end_session, issue_link, open_session, redeem_link, session_of
from bot.storage.base import Storage
from tests.storage.test_conformance import storage  # noqa: F401 (a fixture)


async def test_a_link_works_once_within_ten_minutes(storage: Storage) -> None:  # noqa: F811
    token = await issue_link(storage, actor="telegram:1", role="leader", now=1000.0)
    late = await issue_link(storage, actor="telegram:1", role="leader", now=1000.0)
    assert len(token) >= 40 and token != late
    assert await redeem_link(storage, late, now=1000.0 + 600) is None  # 10 minutes: gone
    grant = await redeem_link(storage, token, now=1000.0 + 599)
    assert grant == Grant(actor="telegram:1", role="leader")
    assert await redeem_link(storage, token, now=1000.0 + 2) is None
    for nonsense in ("", "x", "a" * 43, token + "!", "é" * 43):
        assert await redeem_link(storage, nonsense, now=1001.0) is None


async def test_two_browsers_racing_with_one_link_get_in_once(storage: Storage) -> None:  # noqa: F811
    tokens = [await issue_link(storage, actor=f"a{i}", role="officer", now=0.0) for i in range(5)]
    for token in tokens:
        results = await asyncio.gather(*(redeem_link(storage, token, now=1.0) for _ in range(4)))
        assert sum(r is not None for r in results) == 1


async def test_a_session_lasts_until_it_expires_or_logs_out(storage: Storage) -> None:  # noqa: F811
    grant = Grant(actor="cli:x", role="volunteer", volunteer_id=3)
    cookie, session = await open_session(storage, grant, now=0.0)
    assert await session_of(storage, cookie, now=10.0) == session
    assert session.grant == grant and len(session.csrf) > 20
    assert await session_of(storage, cookie, now=session.expires) is None
    assert await session_of(storage, cookie + "x", now=10.0) is None
    await end_session(storage, cookie, now=11.0)
    assert await session_of(storage, cookie, now=12.0) is None
