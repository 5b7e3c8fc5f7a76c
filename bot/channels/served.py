"""What the channels that run their own server share: an aiohttp site on a host and port, shut
once the requests in hand are done, and the channel that serves residents only.

Kept here rather than in bot.app: it is aiohttp, and the application floor knows no web server.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable

from aiohttp import web

from bot.core.types import SessionKey

__all__ = ["ResidentsOnly", "close_when_idle", "listen"]

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


async def close_when_idle(
    runner: web.AppRunner, idle: asyncio.Event, busy: Callable[[], int], *, grace: float
) -> None:
    """Let the requests being handled finish (at most ``grace`` seconds), then close."""
    try:
        await asyncio.wait_for(idle.wait(), timeout=grace)
    except TimeoutError:
        log.warning("shutting down with %d updates still in progress", busy())
    await runner.cleanup()
