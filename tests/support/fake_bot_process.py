"""Run :mod:`tests.support.fake_bot_api` in its own process and control it over HTTP.

For tests that start the bot as a subprocess: the fake must outlive and be independent of
the bot process, and the test steers it through the ``/_fake/...`` admin API::

    async with FakeBotAPIProcess() as fake:
        bot = subprocess.Popen([... "--api-url", fake.url])
        await fake.push_update(message_update(42, "/start"))
        [reply] = await fake.wait_for("sendMessage", chat_id=42)
"""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path
from typing import Any, Self

from aiohttp import ClientSession

from tests.support.fake_bot_api import DEFAULT_TOKEN

REPO_ROOT = Path(__file__).resolve().parents[2]


class FakeBotAPIProcess:
    """``python -m tests.support.fake_bot_api`` as a child process, plus an admin client.

    Calls are returned as the JSON form of :class:`tests.support.fake_bot_api.Call`
    (dicts with ``method``, ``params``, ``failed_status`` ...).
    """

    def __init__(self, token: str = DEFAULT_TOKEN, *, startup_timeout: float = 10.0) -> None:
        self.token = token
        self.startup_timeout = startup_timeout
        self.url = ""
        self._process: asyncio.subprocess.Process | None = None
        self._session: ClientSession | None = None

    async def start(self) -> Self:
        """Start the server and read its URL from the first line of its stdout."""
        self._process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "tests.support.fake_bot_api",
            "--port",
            "0",
            "--token",
            self.token,
            cwd=REPO_ROOT,
            stdout=asyncio.subprocess.PIPE,
        )
        assert self._process.stdout is not None
        try:
            line = await asyncio.wait_for(self._process.stdout.readline(), self.startup_timeout)
        except TimeoutError:
            await self.stop()
            raise
        self.url = line.decode().strip()
        if not self.url.startswith("http://"):
            await self.stop()
            raise RuntimeError(f"fake Bot API did not start (first line {line!r})")
        self._session = ClientSession()
        return self

    async def stop(self) -> None:
        """Close the admin client and terminate the server (SIGTERM, then SIGKILL)."""
        if self._session is not None:
            await self._session.close()
            self._session = None
        if self._process is not None and self._process.returncode is None:
            self._process.terminate()
            try:
                await asyncio.wait_for(self._process.wait(), 5)
            except TimeoutError:
                self._process.kill()
                await self._process.wait()
        self._process = None

    async def __aenter__(self) -> Self:
        return await self.start()

    async def __aexit__(self, *exc_info: object) -> None:
        await self.stop()

    # Same URL helpers as FakeBotAPI, so either can be handed to the bot under test.
    def aiogram_server(self) -> Any:
        from aiogram.client.telegram import TelegramAPIServer

        return TelegramAPIServer.from_base(self.url)

    @property
    def ptb_base_url(self) -> str:
        return f"{self.url}/bot"

    @property
    def ptb_base_file_url(self) -> str:
        return f"{self.url}/file/bot"

    async def _request(self, verb: str, path: str, **kwargs: Any) -> Any:
        assert self._session is not None, "start() first"
        async with self._session.request(verb, f"{self.url}/_fake/{path}", **kwargs) as resp:
            body = await resp.json()
        if resp.status == 408:
            raise AssertionError(body["result"])
        resp.raise_for_status()
        return body["result"]

    async def push_update(self, update: dict[str, Any]) -> int:
        """Queue an update for getUpdates; returns its update_id."""
        [update_id] = await self._request("POST", "updates", json=update)
        return int(update_id)

    async def pending_updates(self) -> list[dict[str, Any]]:
        return list((await self._request("GET", "updates"))["pending"])

    async def confirmed_offset(self) -> int:
        """The highest offset a getUpdates call confirmed (0 if none)."""
        return int((await self._request("GET", "updates"))["confirmed_offset"])

    async def calls(self, method: str = "*", chat_id: int | None = None) -> list[dict[str, Any]]:
        query = {"method": method} | ({"chat_id": str(chat_id)} if chat_id is not None else {})
        return list(await self._request("GET", "calls", params=query))

    async def wait_for(
        self,
        method: str,
        *,
        count: int = 1,
        timeout: float = 5.0,
        chat_id: int | None = None,
        include_failed: bool = False,
    ) -> list[dict[str, Any]]:
        """Like FakeBotAPI.wait_for (without a predicate); raises AssertionError on timeout."""
        args = {
            "method": method,
            "count": count,
            "timeout": timeout,
            "chat_id": chat_id,
            "include_failed": include_failed,
        }
        return list(await self._request("POST", "wait", json=args))

    async def sent_texts(self, chat_id: int) -> list[str]:
        return list(await self._request("GET", "sent_texts", params={"chat_id": str(chat_id)}))

    async def fail(self, method: str, *, status: int, **kwargs: Any) -> None:
        """Same arguments as FakeBotAPI.fail."""
        await self._request("POST", "fail", json={"method": method, "status": status, **kwargs})

    async def delay(self, method: str, seconds: float, **kwargs: Any) -> None:
        await self._request("POST", "delay", json={"method": method, "seconds": seconds, **kwargs})

    async def block_user(self, chat_id: int) -> None:
        await self._request("POST", "block", json={"chat_id": chat_id})

    async def unblock_user(self, chat_id: int) -> None:
        await self._request("POST", "unblock", json={"chat_id": chat_id})

    async def reset(self) -> None:
        await self._request("POST", "reset")

    async def deliver_to_registered_webhook(self, update: dict[str, Any]) -> int:
        return int(await self._request("POST", "webhook/deliver", json=update))

    async def deliver_webhook_to(self, url: str, update: dict[str, Any]) -> int:
        """POST ``update`` to ``url`` with the registered secret: the HTTP status, 0 when
        nothing answered there."""
        found = await self._request("POST", "webhook/deliver", params={"url": url}, json=update)
        return int(found)

    async def poll_conflicts(self) -> int:
        """How many getUpdates began while another was in progress (two pollers)."""
        return int((await self._request("GET", "updates"))["poll_conflicts"])
