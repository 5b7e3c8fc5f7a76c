"""``trolyso run`` serving the Zalo OA as a real process (``python -m bot``), for the tests that
kill it or run two of them on one database."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from pathlib import Path

import aiohttp

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


def write_config(path: Path, oa: FakeZaloOA, *, database: str, port: int) -> Path:
    """A config.yaml for a bot serving only the OA (the fixture flows, ``database``, ``port``)."""
    path.write_text(
        f"flows_dir: {FIXTURE_FLOWS}\nlocales_dir: {ROOT / 'locales'}\n"
        f"database: '{database}'\nwelcome_flow: ''\nlog_level: WARNING\n"
        f"zalo:\n  app_id: '{APP_ID}'\n  oa_id: '{OA_ID}'\n  port: {port}\n"
        f"  api_base: {oa.base}\n  oauth_url: {oa.base}/v4/oa/access_token\n",
        encoding="utf-8",
    )
    return path


def start(config: Path) -> subprocess.Popen[bytes]:
    """``trolyso run`` with the OA's secrets in its environment (and no Telegram token)."""
    secrets = {
        "TROLYSO_ZALO_APP_SECRET": APP_SECRET,
        "TROLYSO_ZALO_OA_SECRET": OA_SECRET,
        "TROLYSO_ZALO_REFRESH_TOKEN": FIRST_REFRESH,
        "TROLYSO_ZALO_TOKEN_KEY": TOKEN_KEY,
    }
    env = {k: v for k, v in os.environ.items() if k != "TROLYSO_BOT_TOKEN"} | secrets
    command = [sys.executable, "-m", "bot", "--config", str(config), "run"]
    return subprocess.Popen(command, cwd=ROOT, env=env, stderr=subprocess.PIPE)


async def listening(url: str, bot: subprocess.Popen[bytes]) -> None:
    """Until the bot answers its health check (it failing to start fails the test)."""
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
