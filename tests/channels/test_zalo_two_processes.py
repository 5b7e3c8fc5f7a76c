"""Two ``trolyso run`` processes serving one Zalo OA from one database (SQLite file, PostgreSQL):
the single-use refresh token is used once when both need a token at the start, and once more
when Zalo ends the access token in the middle of a burst that both are answering."""

from __future__ import annotations

import asyncio
import signal
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.channels.tg_harness import free_port
from tests.channels.zalo_fake import FakeZaloOA
from tests.channels.zalo_process import listening, start, write_config
from tests.storage.postgres_server import postgres_database, postgres_url

__all__ = ["postgres_database", "postgres_url"]  # the fixtures this module uses

RESIDENTS = [f"77{i:02d}" for i in range(16)]
ASKED = "Bạn dùng điện thoại gì?"


@pytest.fixture(params=["sqlite", "postgresql"])
def database(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "postgresql":
        return str(request.getfixturevalue("postgres_url"))
    return str(tmp_path / "shared.sqlite3")


@pytest.fixture
async def live_oa() -> Iterator[FakeZaloOA]:  # type: ignore[misc]
    """The fake OA on the real clock: the two processes sign and expire by it too."""
    fake = await FakeZaloOA(time.time).start()
    yield fake
    await fake.stop()


async def _answered(oa: FakeZaloOA, times: int) -> None:
    for _ in range(600):
        if all([s.text for s in oa.to(user)].count(ASKED) >= times for user in RESIDENTS):
            return
        await asyncio.sleep(0.05)
    raise AssertionError({user: [s.text for s in oa.to(user)] for user in RESIDENTS})


async def test_a_token_expiring_mid_burst_is_renewed_once_by_two_processes(
    live_oa: FakeZaloOA, database: str, tmp_path: Path
) -> None:
    oa = live_oa
    oa.renew_delay = 0.5  # a slow token service: both processes want a token while it answers
    oa.upload_delay = 0.5  # and a slow upload: both want the guide's picture while it is made
    ports = [free_port(), free_port()]
    configs = [
        write_config(tmp_path / f"config{n}.yaml", oa, database=database, port=port)
        for n, port in enumerate(ports)
    ]
    urls = [f"http://127.0.0.1:{port}" for port in ports]
    bots: list[subprocess.Popen[bytes]] = []
    try:
        for config, url in zip(configs, urls, strict=True):
            bots.append(start(config))  # one after the other: the first builds the schema
            await listening(url, bots[-1])

        def burst(round_: int) -> list[asyncio.Future[int]]:
            # Every other resident's events go to the other process, all at once.
            return [
                asyncio.ensure_future(
                    oa.event(
                        urls[i % 2] + "/zalo/webhook",
                        oa.text_event(user, "/start demo", f"two-{round_}-{user}"),
                    )
                )
                for i, user in enumerate(RESIDENTS)
            ]

        # Both processes need a token for their first replies: one renews, the other waits.
        assert await asyncio.gather(*burst(1)) == [200] * len(RESIDENTS)
        await _answered(oa, 1)
        assert oa.renewals == 1 and oa.refused_refresh == 0
        assert oa.upload_count == 1  # the guide's picture too: uploaded once, for both

        # Zalo ends the token early; both processes find out mid-burst (-216).
        oa.expire_all()
        assert await asyncio.gather(*burst(2)) == [200] * len(RESIDENTS)
        await _answered(oa, 2)
        assert oa.renewals == 2 and oa.refused_refresh == 0
        assert {s.token for s in oa.sent} == {"access-1", "access-2"}
        assert {s.token for s in oa.sent[-len(RESIDENTS) :]} == {"access-2"}
    finally:
        for bot in bots:
            bot.send_signal(signal.SIGTERM)
        for bot in bots:
            bot.wait(timeout=30)
    assert [bot.returncode for bot in bots] == [0, 0]
    for bot in bots:
        assert bot.stderr is not None
        err = bot.stderr.read().decode()
        assert "Traceback" not in err and "access-" not in err and "refresh-" not in err, err
