"""``trolyso run`` serving the Zalo OA as a real process, killed with SIGKILL in the middle of a
burst of events: after the restart, and Zalo sending again what it got no answer for, every
resident is answered and no event is handled twice."""

from __future__ import annotations

import asyncio
import signal
import sqlite3
from pathlib import Path

import aiohttp

from tests.channels.tg_harness import free_port
from tests.channels.zalo_fake import FakeZaloOA
from tests.channels.zalo_process import listening, start, write_config

RESIDENTS = [f"90{i}" for i in range(12)]


async def _post(oa: FakeZaloOA, url: str, event: dict[str, object]) -> int:
    try:
        return await oa.event(url, event)
    except aiohttp.ClientError:
        return 0  # killed before it answered: Zalo will send it again


async def test_kill_9_mid_burst_loses_nothing_and_does_nothing_twice(
    oa: FakeZaloOA, tmp_path: Path
) -> None:
    port = free_port()
    database = str(tmp_path / "bot.sqlite3")
    config = write_config(tmp_path / "config.yaml", oa, database=database, port=port)
    base = f"http://127.0.0.1:{port}"
    url = base + "/zalo/webhook"
    events = [oa.text_event(user, "/start demo", f"crash-{user}") for user in RESIDENTS]
    bot = start(config)
    try:
        await listening(base, bot)
        burst = [asyncio.ensure_future(_post(oa, url, e)) for e in events]
        await asyncio.sleep(0.15)  # some events committed and answered, others in hand
        bot.send_signal(signal.SIGKILL)
        bot.wait()
        answered = await asyncio.gather(*burst)
        bot = start(config)
        await listening(base, bot)
        # Zalo sends again what it got no 200 for (and, to be sure, everything else too).
        again = await asyncio.gather(*(_post(oa, url, e) for e in events))
        assert again == [200] * len(events), (answered, again)
        for _ in range(400):
            if all(any(s.text == "Bạn dùng điện thoại gì?" for s in oa.to(u)) for u in RESIDENTS):
                break
            await asyncio.sleep(0.05)
    finally:
        bot.send_signal(signal.SIGTERM)
        bot.wait(timeout=20)
    for user in RESIDENTS:
        # Everyone answered; a reply Zalo took just before the kill may go once more, no more.
        assert 1 <= [s.text for s in oa.to(user)].count("Bạn dùng điện thoại gì?") <= 2, user
    with sqlite3.connect(tmp_path / "bot.sqlite3") as db:
        keys = db.execute("SELECT update_key FROM processed_updates").fetchall()
    assert sorted(k for (k,) in keys if k.startswith("zalo:")) == sorted(
        f"zalo:crash-{u}" for u in RESIDENTS
    )
    assert oa.refused_refresh == 0  # the renewed pair survived the kill
