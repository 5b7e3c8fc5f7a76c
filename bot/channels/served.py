"""What the channels that run their own server share: an aiohttp site on a host and port, the
webhook answers that confirm only committed turns (and the shutdown that waits for them), and
the channel that serves residents only.

Kept here rather than in bot.app: it is aiohttp, and the application floor knows no web server.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

from aiohttp import web

from bot.core.errors import StorageUnavailable
from bot.core.types import SessionKey

__all__ = ["Confirming", "ResidentsOnly", "listen"]

log = logging.getLogger(__name__)


class ResidentsOnly:
    """A channel with no staff on it (staff use Telegram or the ``trolyso`` commands) whose
    server runs by itself: :meth:`serve` just waits for :meth:`stop`."""

    _stopped: asyncio.Event

    def staff_keys(self) -> frozenset[SessionKey]:
        """Nobody is an admin on this channel."""
        return frozenset()

    def staff_chats(self) -> tuple[SessionKey, ...]:
        """No staff notices go to this channel."""
        return ()

    async def serve(self) -> None:
        """Serve until :meth:`stop`."""
        await self._stopped.wait()

    def stop(self) -> None:
        """Stop after the requests in hand."""
        self._stopped.set()


async def listen(app: web.Application, host: str, port: int) -> tuple[web.AppRunner, int]:
    """Serve ``app`` on ``host``:``port`` (0: any free port); the runner and the port taken."""
    # No access log: a request line can carry a resident's words or ids.
    runner = web.AppRunner(app, handle_signals=False, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, host, port)
    await site.start()
    sockets = getattr(site._server, "sockets", None) or []
    return runner, int(sockets[0].getsockname()[1]) if sockets else port


class Confirming:
    """Webhook requests whose answer confirms an update to its sender: 200 once its turn is
    committed, 503 while the database cannot save turns and 500 when handling failed (either
    way the sender sends it again, and a turn that was committed is recognised then)."""

    def __init__(self) -> None:
        self.in_flight = 0
        self._idle = asyncio.Event()
        self._idle.set()

    async def answer(self, work: Callable[[], Awaitable[None]], *, what: str) -> web.Response:
        """Run ``work`` (the update's turn) and answer for it."""
        self.in_flight += 1
        self._idle.clear()
        try:
            await work()
        except StorageUnavailable:
            # Not saved, so not confirmed: the sender tries again a little later.
            return web.Response(
                status=503, text="database unavailable", headers={"Retry-After": "5"}
            )
        except Exception:
            log.exception("%s could not be handled", what)
            return web.Response(status=500, text="not processed")
        finally:
            self.in_flight -= 1
            if self.in_flight == 0:
                self._idle.set()
        return web.Response(text="ok")

    async def close(self, runner: web.AppRunner, *, grace: float) -> None:
        """Let the requests being handled finish (at most ``grace`` seconds), then close."""
        try:
            await asyncio.wait_for(self._idle.wait(), timeout=grace)
        except TimeoutError:
            log.warning("shutting down with %d updates still in progress", self.in_flight)
        await runner.cleanup()
