"""Running the application: its channels, and the background work they share.

:class:`Runner` starts each channel, keeps the background loops going while they serve (staff
alerts, replies still waiting in the outbox, the flows' hot reload, reminders and follow-ups),
and on SIGINT/SIGTERM stops them, lets the channels finish the updates in hand, deliver what they
committed (bounded) and close.
"""

from __future__ import annotations

import asyncio
import logging
import signal
import time
from collections.abc import Awaitable, Callable, Sequence
from contextlib import suppress
from typing import TYPE_CHECKING, Protocol

from bot.app.compose import settle_memory
from bot.app.delivery import Delivery
from bot.storage.base import Storage

if TYPE_CHECKING:
    from bot.app.notices import StaffNotices
    from bot.app.reload import FlowReloader
    from bot.app.scheduler import Scheduler
    from bot.app.ticket_watch import TicketWatch
    from bot.engine.runner import Engine

__all__ = ["Hosted", "Runner"]

log = logging.getLogger(__name__)
# Updates older than this cannot come back (Telegram keeps them for 24 hours): their keys go.
DEDUP_KEEP_SECONDS = 3 * 24 * 3600
# The leadership of the loops that must run once whatever the number of processes (staff
# alerts, reminders and morning lists, pruning), and how often a process checks it.
BACKGROUND = "background"
LEAD_EVERY = 2.0
PRUNE_EVERY = 6 * 3600.0


class Hosted(Protocol):
    """What the runner needs of a channel (:class:`bot.channels.base.Channel` is one)."""

    @property
    def delivery(self) -> Delivery:
        """The channel's outbox delivery."""

    async def start(self) -> None:
        """Connect and begin taking updates (what a previous run left is delivered)."""

    async def serve(self) -> None:
        """Take updates until :meth:`stop`."""

    def stop(self) -> None:
        """Ask the channel to stop after the updates in hand."""

    async def close(self) -> None:
        """Finish in-flight work, deliver committed replies (bounded), disconnect."""


class Runner:
    """The application's channels and background loops, started and stopped together."""

    def __init__(
        self,
        storage: Storage,
        channels: Sequence[Hosted],
        *,
        notices: StaffNotices | None = None,
        reloader: FlowReloader | None = None,
        scheduler: Scheduler | None = None,
        tickets: tuple[TicketWatch, Callable[[], Engine]] | None = None,
        alerts_every: float = 5.0,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.storage = storage
        self.channels = tuple(channels)
        self.notices = notices
        self.reloader = reloader
        self.scheduler = scheduler
        # Residents' requests for a person, with the engine of the moment (for flow titles).
        self.tickets = tickets
        self.alerts_every = alerts_every
        self.clock = clock
        self._stopped = asyncio.Event()

    async def start(self) -> None:
        """Start every channel."""
        for channel in self.channels:
            await channel.start()
        settle_memory()  # what start-up built is here to stay (see compose.settle_memory)

    async def serve(self) -> None:
        """Serve every channel until :meth:`stop`, with the background loops running."""
        background = [
            asyncio.ensure_future(channel.delivery.retry_loop()) for channel in self.channels
        ]
        once: list[Callable[[], Awaitable[None]]] = [self._prune_loop]
        if self.notices is not None:
            notices = self.notices
            once.append(lambda: self._alerts_loop(notices))
        if self.tickets is not None:
            # Escalations run in one process; each notice is also claimed in the database.
            watch, engine_of = self.tickets
            once.append(lambda: watch.run(engine_of))
        if self.reloader is not None:  # every process reloads its own flows
            background.append(asyncio.ensure_future(self.reloader.run()))
        if self.scheduler is not None:
            once.append(self.scheduler.run)
        background.append(asyncio.ensure_future(self._lead(once)))
        try:
            # A SIGTERM during start() came before the channels served: then they must not.
            if self._stopped.is_set():
                for channel in self.channels:
                    channel.stop()
            await asyncio.gather(*(channel.serve() for channel in self.channels))
        finally:
            for task in background:
                task.cancel()
                with suppress(asyncio.CancelledError):
                    await task

    def stop(self) -> None:
        """Ask every channel to stop after the updates in hand."""
        self._stopped.set()
        for channel in self.channels:
            channel.stop()

    async def close(self) -> None:
        """Close every channel (each delivers what it committed first, bounded)."""
        for channel in self.channels:
            await channel.close()

    async def run(self, *, started: Callable[[], None] | None = None) -> None:
        """Start, serve until SIGINT/SIGTERM, then shut down gracefully.

        ``started`` is called once every channel has started (to say where to find the bot).
        """
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGINT, signal.SIGTERM):
            with suppress(NotImplementedError, RuntimeError):
                loop.add_signal_handler(signum, self.stop)
        try:
            await self.start()
            if started is not None:
                started()
            await self.serve()
        finally:
            await self.close()

    async def _lead(self, loops: Sequence[Callable[[], Awaitable[None]]]) -> None:
        """Run ``loops`` while this process leads the background work (always, with one
        process); on a database several processes share, one leads and the others stand by,
        and take over within seconds when it dies (the database releases its lock)."""
        while True:
            if not await self._leading():
                await asyncio.sleep(LEAD_EVERY)
                continue
            if self.storage.shared:
                log.info("this process runs the reminders, morning lists and staff alerts")
            tasks = [asyncio.ensure_future(loop()) for loop in loops]
            try:
                while await self._leading():
                    await asyncio.sleep(LEAD_EVERY)
                log.warning("another process took over the reminders and staff alerts")
            finally:
                for task in tasks:
                    task.cancel()
                await asyncio.gather(*tasks, return_exceptions=True)

    async def _leading(self) -> bool:
        try:
            return await self.storage.try_lead(BACKGROUND)
        except Exception as exc:  # the database is down: nobody leads until it is back
            log.debug("could not check the background leadership (%r)", exc)
            return False

    async def _prune_loop(self) -> None:
        """Forget update keys too old to come back, now and every few hours."""
        while True:
            try:
                await self.storage.prune_processed(self.clock() - DEDUP_KEEP_SECONDS)
            except Exception as exc:
                log.warning("could not forget old update keys (%r)", exc)
            await asyncio.sleep(PRUNE_EVERY)

    async def _alerts_loop(self, notices: StaffNotices) -> None:
        while True:
            try:
                await notices.deliver_alerts()
            except Exception:
                log.exception("could not deliver staff alerts")
            await asyncio.sleep(self.alerts_every)
