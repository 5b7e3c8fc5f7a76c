"""The server Zalo calls: each event's signature checked first, its turn committed before the
answer, so an event Zalo sends again (no answer, a 5xx) is handled once.

An unsigned, forged or stale request is refused (401/403) before anything is read into the bot.
While the database cannot save turns the answer is 503: Zalo sends the event again later.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from aiohttp import web

from bot.channels.served import Confirming, listen
from bot.channels.zalo.events import SIGNATURE_HEADER, ZaloEvent, check_signature, read_event
from bot.config import ZaloSettings

__all__ = ["MAX_BODY", "ZaloWebhook"]

log = logging.getLogger(__name__)
MAX_BODY = 256_000  # an event is a few hundred bytes


class ZaloWebhook:
    """An aiohttp server with Zalo's webhook and a health check for the reverse proxy."""

    def __init__(
        self,
        settings: ZaloSettings,
        take: Callable[[ZaloEvent], Awaitable[None]],
        *,
        clock: Callable[[], float],
        healthy: Callable[[], bool],
    ) -> None:
        self.settings = settings
        self.take = take
        self.clock = clock
        self.healthy = healthy
        self.port = settings.port
        self.refused = 0
        self._runner: web.AppRunner | None = None
        self.confirming = Confirming()

    def app(self) -> web.Application:
        """The aiohttp application (aiohttp's test client can serve it too)."""
        app = web.Application(client_max_size=MAX_BODY)
        app.router.add_post(self.settings.path, self._event)
        app.router.add_get("/healthz", self._health)
        return app

    async def start(self) -> None:
        """Listen on ``zalo.listen``:``zalo.port`` (0: a free port, then in :attr:`port`)."""
        settings = self.settings
        self._runner, self.port = await listen(self.app(), settings.listen, settings.port)

    async def stop(self, grace: float = 30.0) -> None:
        """Let the events being handled finish (bounded), then stop listening."""
        if self._runner is not None:
            await self.confirming.close(self._runner, grace=grace)
            self._runner = None

    async def _health(self, request: web.Request) -> web.Response:
        status = 200 if self.healthy() else 503
        return web.json_response({"status": "ok" if status == 200 else "unhealthy"}, status=status)

    async def _event(self, request: web.Request) -> web.Response:
        try:
            body = await request.read()
        except web.HTTPRequestEntityTooLarge:
            return web.Response(status=413, text="too large for a Zalo event")
        data, why = check_signature(
            self.settings, body, request.headers.get(SIGNATURE_HEADER), now=self.clock()
        )
        if data is None:
            self.refused += 1
            log.warning("a request to the Zalo webhook was refused (%s)", why)
            return web.Response(status=401 if why == "unsigned" else 403, text=why)
        event = read_event(data)
        if event is None:
            return web.Response(text="ignored")  # answered, so Zalo does not send it again
        return await self.confirming.answer(lambda: self.take(event), what="a Zalo event")
