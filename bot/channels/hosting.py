"""Where channels join the application: the one wiring of ``trolyso run``.

:func:`build_service` builds, in this order and nowhere else: the application
(:func:`bot.app.compose.build_app`: content, storage, staff notices, staff desk, assistant), each
configured channel on it (joined to the staff notices), the flows' hot reload, the scheduler of
reminders and morning lists, and the :class:`~bot.app.runner.Runner` that hosts them. Tests and
benchmarks build the bot through it too, so what they measure is what runs.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from bot.app.compose import App, build_app
from bot.app.reload import FlowReloader
from bot.app.runner import Runner
from bot.app.scheduler import Scheduler
from bot.channels.base import Channel
from bot.config import Settings

if TYPE_CHECKING:
    from bot.channels.telegram.adapter import Adapter
    from bot.channels.telegram.bot import TelegramBot

__all__ = ["Service", "build_service"]


@dataclass(slots=True)
class Service:
    """The running bot: the application, its channels and the runner hosting them."""

    app: App
    telegram: TelegramBot
    reloader: FlowReloader
    scheduler: Scheduler
    runner: Runner

    async def run(self) -> None:
        """Serve until SIGINT/SIGTERM, then shut down gracefully and release the storage."""
        try:
            await self.runner.run()
        finally:
            await self.app.close()

    async def close(self) -> None:
        """Close the channels (each delivers what it committed, bounded), then the storage."""
        try:
            await self.runner.close()
        finally:
            await self.app.close()


async def build_service(
    settings: Settings,
    *,
    flows_dir: Path | None = None,
    database: Path | None = None,
    clock: Callable[[], float] = time.time,
    telegram_adapter: Adapter | None = None,
    loops: bool = True,
    busy_timeout: float | None = None,
) -> Service:
    """Build everything ``trolyso run`` serves (not started: ``await service.run()``).

    ``telegram_adapter`` replaces the configured framework's adapter (a benchmark's in-process
    Bot API). Without ``loops`` the hot reload and the scheduler are built but not run by the
    runner (tests drive them by hand). The storage is released if a channel cannot be built.
    """
    from bot.channels.telegram.bot import TelegramBot, staff_keys

    app = await build_app(
        settings,
        flows_dir=flows_dir,
        database=database,
        clock=clock,
        staff=staff_keys(settings.telegram),
        busy_timeout=busy_timeout,
    )
    try:
        telegram = TelegramBot(
            settings.telegram,
            app.assistant,
            app.storage,
            app.assistant.engine.catalog,
            adapter=telegram_adapter,
            profile=app.profile,
            clock=clock,
        )
    except BaseException:
        await app.close()
        raise
    app.notices.join(telegram.delivery, telegram.staff_chats())
    reloader = FlowReloader(
        settings,
        app.assistant,
        app.storage,
        flows_dir=flows_dir,
        on_problems=app.notices.tell_admins,
    )
    scheduler = Scheduler(
        app.assistant,
        app.storage,
        settings.reminders,
        clock=clock,
        after_turn=app.notices.flush,
        send_to=app.notices.send_to,
    )
    channels: list[Channel] = [telegram]  # checked against the seam by mypy
    runner = Runner(
        app.storage,
        channels,
        notices=app.notices,
        reloader=reloader if loops else None,
        scheduler=scheduler if loops else None,
        clock=clock,
    )
    return Service(
        app=app, telegram=telegram, reloader=reloader, scheduler=scheduler, runner=runner
    )
