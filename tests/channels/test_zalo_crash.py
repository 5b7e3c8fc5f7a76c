"""``trolyso run`` serving the Zalo OA as a real process, killed with SIGKILL in the middle of a
burst of events: after the restart, and Zalo sending again what it got no answer for, every
resident is answered and no event is handled twice."""

from __future__ import annotations

import asyncio
import os
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

import aiohttp

from tests.channels.tg_harness import free_port
from tests.channels.zalo_fake import (
    APP_ID,
    APP_SECRET,
    FIRST_REFRESH,
    OA_ID,
    OA_SECRET,
    TOKEN_KEY,
    FakeZaloOA,
)
from tests.harness import FIXTURE_FLOWS, ROOT

RESIDENTS = [f"90{i}" for i in range(12)]


def _start(config: Path) -> subprocess.Popen[bytes]:
    secrets = {
        "TROLYSO_ZALO_APP_SECRET": APP_SECRET,
        "TROLYSO_ZALO_OA_SECRET": OA_SECRET,
        "TROLYSO_ZALO_REFRESH_TOKEN": FIRST_REFRESH,
        "TROLYSO_ZALO_TOKEN_KEY": TOKEN_KEY,
    }
    env = {k: v for k, v in os.environ.items() if k != "TROLYSO_BOT_TOKEN"} | secrets
    command = [sys.executable, "-m", "bot", "--config", str(config), "run"]
    return subprocess.Popen(command, cwd=ROOT, env=env, stderr=subprocess.PIPE)


async def _listening(url: str, bot: subprocess.Popen[bytes]) -> None:
    async with aiohttp.ClientSession() as http:
        for _ in range(300):
            assert bot.poll() is None, bot.stderr.read().decode() if bot.stderr else ""
            try:
                async with http.get(url + "/healthz") as answer:
                    if answer.status == 200:
                        return
            except aiohttp.ClientError:
                pass
            await asyncio.sleep(0.05)
    raise AssertionError("the bot never listened")


async def _post(oa: FakeZaloOA, url: str, event: dict[str, object]) -> int:
    try:
        return await oa.event(url, event)
    except aiohttp.ClientError:
        return 0  # killed before it answered: Zalo will send it again


async def test_kill_9_mid_burst_loses_nothing_and_does_nothing_twice(
    oa: FakeZaloOA, tmp_path: Path
) -> None:
    port = free_port()
    config = tmp_path / "config.yaml"
    config.write_text(
        f"flows_dir: {FIXTURE_FLOWS}\nlocales_dir: {ROOT / 'locales'}\n"
        f"database: {tmp_path / 'bot.sqlite3'}\nwelcome_flow: ''\nlog_level: WARNING\n"
        f"zalo:\n  app_id: '{APP_ID}'\n  oa_id: '{OA_ID}'\n  port: {port}\n"
        f"  api_base: {oa.base}\n  oauth_url: {oa.base}/v4/oa/access_token\n",
        encoding="utf-8",
    )
    base = f"http://127.0.0.1:{port}"
    url = base + "/zalo/webhook"
    events = [oa.text_event(user, "/start demo", f"crash-{user}") for user in RESIDENTS]
    bot = _start(config)
    try:
        await _listening(base, bot)
        burst = [asyncio.ensure_future(_post(oa, url, e)) for e in events]
        await asyncio.sleep(0.15)  # some events committed and answered, others in hand
        bot.send_signal(signal.SIGKILL)
        bot.wait()
        answered = await asyncio.gather(*burst)
        bot = _start(config)
        await _listening(base, bot)
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
