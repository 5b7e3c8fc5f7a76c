"""Several ``trolyso run`` processes on one PostgreSQL database, as a province runs them.

Webhook: three processes behind a "load balancer" (this test, through the fake Bot API), 200
residents' updates spread round-robin over them, each update delivered to a second process at
the same moment (a redelivery), one process killed with SIGKILL in the middle of the burst and
started again. Every update is processed exactly once, each resident's turns in order, every
reply sent (and sent once but for the few a killed process had in Telegram's hands), every
finished guide logged whole.

Polling: two processes, one polls (Telegram answers a second poller 409); after ``kill -9`` of
the poller the standby takes over within seconds.
"""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import psycopg
from aiohttp import ClientError, ClientSession, ClientTimeout

from tests.harness import FIXTURE_FLOWS, ROOT
from tests.storage.postgres_server import postgres_database, postgres_url
from tests.support.fake_bot_api import DEFAULT_TOKEN
from tests.support.fake_bot_process import FakeBotAPIProcess
from tests.support.telegram_updates import message_update

__all__ = ["postgres_database", "postgres_url"]  # fixtures

SECRET = "province-secret"
STEPS = ["/start other", "Tiếp", "Xong"]
REPLIES = ["Bước một.", "Bước hai.", "Hết."]
RESIDENTS = [7_000_000 + n for n in range(200)]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _config(tmp_path: Path, name: str, api: str, database: str, mode: str, port: int) -> Path:
    config = tmp_path / f"{name}.yaml"
    config.write_text(
        f"""
flows_dir: {FIXTURE_FLOWS}
locales_dir: {ROOT / "locales"}
database: "{database}"
welcome_flow: ""
log_level: INFO
processes:
  outbox_lease_seconds: 3
telegram:
  mode: {mode}
  api_base: {api}
  poll_timeout: 1
  messages_per_second: 1000
  chat_messages_per_second: 100
  chat_burst: 100
  webhook:
    listen: 127.0.0.1
    port: {port}
    public_url: https://bot.province.example
""",
        encoding="utf-8",
    )
    return config


def _start(config: Path) -> subprocess.Popen[bytes]:
    """``trolyso run`` with ``config``; what it logs is appended to ``<config>.log``."""
    with config.with_suffix(".log").open("ab") as log:
        return subprocess.Popen(
            [sys.executable, "-m", "bot", "--config", str(config), "run"],
            cwd=ROOT,
            env={
                **os.environ,
                "TROLYSO_BOT_TOKEN": DEFAULT_TOKEN,
                "TROLYSO_WEBHOOK_SECRET": SECRET,
            },
            stdout=subprocess.DEVNULL,
            stderr=log,
        )


def _logged(config: Path) -> str:
    return config.with_suffix(".log").read_text(encoding="utf-8", errors="replace")


async def _healthy(port: int, timeout: float = 40.0) -> None:
    deadline = time.monotonic() + timeout
    async with ClientSession(timeout=ClientTimeout(total=2)) as http:
        while True:
            try:
                async with http.get(f"http://127.0.0.1:{port}/healthz") as resp:
                    if resp.status == 200:
                        return
            except (ClientError, OSError, TimeoutError):
                pass
            assert time.monotonic() < deadline, f"the process on port {port} never became healthy"
            await asyncio.sleep(0.2)


def _as_url(conninfo: str) -> str:
    """The test database as ``database:`` names a server (a URL, not libpq's key=value)."""
    info = psycopg.conninfo.conninfo_to_dict(conninfo)
    user, host = info.get("user", "postgres"), info.get("host", "127.0.0.1")
    return f"postgresql://{user}@{host}:{info.get('port', 5432)}/{info['dbname']}"


def _sql(url: str, query: str) -> list[tuple[object, ...]]:
    with psycopg.connect(url, autocommit=True) as conn:
        return list(conn.execute(query).fetchall())


class Balancer:
    """Telegram and a load balancer in one: each update to a process round-robin, again to
    the next one at the same time, and to any live one until one of them took it (200)."""

    def __init__(self, fake: FakeBotAPIProcess, ports: list[int]) -> None:
        self.fake = fake
        self.urls = [f"http://127.0.0.1:{p}/telegram/webhook" for p in ports]
        self.delivered = 0

    async def _until_taken(self, first: int, update: dict[str, object]) -> None:
        deadline = time.monotonic() + 90
        index = first
        while (status := await self.fake.deliver_webhook_to(self.urls[index], update)) != 200:
            assert time.monotonic() < deadline, f"update {update['update_id']}: {status}"
            index = (index + 1) % len(self.urls)  # that one is down or busy: the next
            await asyncio.sleep(0.05)

    async def deliver(self, turn: int, update: dict[str, object]) -> None:
        first = turn % len(self.urls)
        await asyncio.gather(
            self._until_taken(first, update),
            self._until_taken((first + 1) % len(self.urls), update),  # the redelivery
        )
        self.delivered += 1


async def test_three_webhook_processes_one_database_kill_9_mid_burst(
    fake_bot_api_process: FakeBotAPIProcess, postgres_url: str, tmp_path: Path
) -> None:
    fake = fake_bot_api_process
    ports = [_free_port() for _ in range(3)]
    configs = [
        _config(tmp_path, f"p{n}", fake.url, _as_url(postgres_url), "webhook", port)
        for n, port in enumerate(ports)
    ]
    bots = [_start(config) for config in configs]
    balancer = Balancer(fake, ports)
    killed: subprocess.Popen[bytes] | None = None
    try:
        for port in ports:
            await _healthy(port)
        gate = asyncio.Semaphore(50)  # residents writing at the same moment
        ids = iter(range(1, 10_000))

        async def resident(n: int, chat: int) -> None:
            async with gate:
                for step, text in enumerate(STEPS):
                    update = message_update(chat, text) | {"update_id": next(ids)}
                    await balancer.deliver(n + step, update)

        async def kill_mid_burst() -> None:
            nonlocal killed
            while balancer.delivered < len(RESIDENTS):  # a third of the burst
                await asyncio.sleep(0.02)
            killed = bots[1]
            killed.kill()
            killed.wait(timeout=10)
            await asyncio.sleep(1.0)
            bots[1] = _start(configs[1])

        await asyncio.gather(
            kill_mid_burst(), *(resident(n, chat) for n, chat in enumerate(RESIDENTS))
        )
        await _healthy(ports[1])
        deadline = time.monotonic() + 90
        while _sql(postgres_url, "SELECT COUNT(*) FROM outbox") != [(0,)]:
            assert time.monotonic() < deadline, "replies still waiting in the outbox"
            await asyncio.sleep(0.2)
        await asyncio.sleep(1.0)  # anything sent twice shows up now
        sent = {chat: await fake.sent_texts(chat) for chat in RESIDENTS}
    finally:
        for bot in bots:
            if bot.poll() is None:
                bot.send_signal(signal.SIGTERM)
        for bot in bots:
            bot.wait(timeout=30)
    assert killed is not None
    processed = _sql(postgres_url, "SELECT COUNT(*) FROM processed_updates")
    assert processed == [(len(RESIDENTS) * len(STEPS),)]  # each update exactly once
    runs = _sql(postgres_url, "SELECT outcome, path FROM runs WHERE flow_id = 'other'")
    assert Counter(runs) == {("completed", '["first", "second", "finish"]'): len(RESIDENTS)}
    twice = 0
    for chat, texts in sent.items():
        replies = [t for t in texts if t in REPLIES]
        in_order = [t for i, t in enumerate(replies) if i == 0 or replies[i - 1] != t]
        assert in_order == REPLIES, (chat, texts)  # every reply, in the resident's order
        twice += len(replies) - len(REPLIES)
    print(f"\n3 processes, {len(RESIDENTS)} residents, kill -9 mid-burst: {twice} replies twice")
    # Only what the killed process had in Telegram's hands, unmarked, can go out again.
    assert twice <= 20, twice
    for config in configs:
        assert "Traceback" not in _logged(config), _logged(config)


async def _answered(fake: FakeBotAPIProcess, chat: int, text: str, timeout: float) -> float:
    started = time.monotonic()
    while text not in await fake.sent_texts(chat):
        assert time.monotonic() - started < timeout, f"{text!r} never sent to {chat}"
        await asyncio.sleep(0.1)
    return time.monotonic() - started


async def test_two_pollers_one_polls_and_the_standby_takes_over_after_kill_9(
    fake_bot_api_process: FakeBotAPIProcess, postgres_url: str, tmp_path: Path
) -> None:
    fake = fake_bot_api_process
    configs = [
        _config(tmp_path, f"poll{n}", fake.url, _as_url(postgres_url), "polling", _free_port())
        for n in range(2)
    ]
    first = _start(configs[0])
    second: subprocess.Popen[bytes] | None = None
    try:
        await fake.push_update(message_update(8001, "/start other"))
        await _answered(fake, 8001, "Bước một.", timeout=40)
        second = _start(configs[1])
        # The standby is up (it asks Telegram for polling, not a webhook, at start).
        deadline = time.monotonic() + 40
        while len(await fake.calls("deleteWebhook")) < 2:
            assert time.monotonic() < deadline, "the second process did not start"
            await asyncio.sleep(0.1)
        for chat in range(8100, 8110):
            await fake.push_update(message_update(chat, "/start other"))
        for chat in range(8100, 8110):
            await _answered(fake, chat, "Bước một.", timeout=20)
        await asyncio.sleep(2.0)  # long enough for a second poller to show itself
        assert await fake.poll_conflicts() == 0  # never two getUpdates at once
        first.kill()
        first.wait(timeout=10)
        await fake.push_update(message_update(8002, "/start other"))
        took = await _answered(fake, 8002, "Bước một.", timeout=15)
        print(f"\nthe standby answered {took:.1f} s after the poller was killed")
        second.send_signal(signal.SIGTERM)
        second.wait(timeout=30)
        assert second.returncode == 0, _logged(configs[1])
        assert "Traceback" not in _logged(configs[1]), _logged(configs[1])
    finally:
        for bot in (first, second):
            if bot is not None and bot.poll() is None:
                bot.kill()
                bot.wait()
