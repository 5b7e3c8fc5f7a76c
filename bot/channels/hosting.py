"""Where channels join the application: the one wiring of ``trolyso run``.

:func:`build_service` builds, in this order and nowhere else: the application
(:func:`bot.app.compose.build_app`: content, storage, staff notices, staff desk, assistant), each
configured channel on it (Telegram; the web chat when ``web:`` is set; the Zalo OA when ``zalo:``
is), joined to the staff notices, the flows' hot reload, the scheduler of reminders and morning
lists, and the :class:`~bot.app.runner.Runner` that hosts them. Tests and
benchmarks build the bot through it too, so what they measure is what runs.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from bot.app.compose import App, build_app
from bot.app.reload import FlowReloader
from bot.app.runner import Runner
from bot.app.scheduler import Scheduler
from bot.channels.base import Channel
from bot.config import Settings
from bot.core.errors import ConfigError
from bot.core.types import SessionKey

if TYPE_CHECKING:
    from bot.channels.telegram.adapter import Adapter
    from bot.channels.telegram.bot import TelegramBot
    from bot.channels.web.channel import WebChannel
    from bot.channels.zalo.channel import ZaloChannel

__all__ = ["Service", "build_service"]


@dataclass(slots=True)
class Service:
    """The running bot: the application, its channels and the runner hosting them."""

    app: App
    channels: tuple[Channel, ...]
    reloader: FlowReloader
    scheduler: Scheduler
    runner: Runner

    @property
    def telegram(self) -> TelegramBot:
        """The Telegram channel (when it is one of :attr:`channels`)."""
        from bot.channels.telegram.bot import TelegramBot

        return next(c for c in self.channels if isinstance(c, TelegramBot))

    @property
    def web(self) -> WebChannel:
        """The web chat (when it is one of :attr:`channels`)."""
        from bot.channels.web.channel import WebChannel

        return next(c for c in self.channels if isinstance(c, WebChannel))

    @property
    def zalo(self) -> ZaloChannel:
        """The Zalo OA (when it is one of :attr:`channels`)."""
        from bot.channels.zalo.channel import ZaloChannel

        return next(c for c in self.channels if isinstance(c, ZaloChannel))

    async def run(self, *, started: Callable[[], None] | None = None) -> None:
        """Serve until SIGINT/SIGTERM, then shut down gracefully and release the storage.

        ``started`` is called once every channel has started.
        """
        try:
            await self.runner.run(started=started)
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
    channels: Sequence[str] | None = None,
    flows_dir: Path | None = None,
    database: Path | None = None,
    clock: Callable[[], float] = time.time,
    telegram_adapter: Adapter | None = None,
    loops: bool = True,
    busy_timeout: float | None = None,
) -> Service:
    """Build everything ``trolyso run`` serves (not started: ``await service.run()``).

    ``channels`` names what to serve: by default Telegram, the web chat when ``web:`` is
    configured and the Zalo OA when ``zalo:`` is (``trolyso web`` asks for the web chat alone);
    a commune without a Telegram bot token serves only those. ``telegram_adapter`` replaces the
    configured framework's adapter (a benchmark's in-process Bot API). Without ``loops`` the hot
    reload and the scheduler are built but not run by the runner (tests drive them by hand).
    The storage is released if a channel cannot be built.
    """
    if channels is None:
        channels = _configured(settings)
    _check_ports(settings, channels)
    staff: frozenset[SessionKey] = frozenset()
    if "telegram" in channels:
        from bot.channels.telegram.bot import staff_keys

        staff = staff_keys(settings.telegram)
    if "zalo" in channels and settings.zalo is not None:
        from bot.channels.zalo.channel import staff_keys as zalo_staff

        staff |= zalo_staff(settings.zalo)
    app = await build_app(
        settings,
        flows_dir=flows_dir,
        database=database,
        clock=clock,
        staff=staff,
        busy_timeout=busy_timeout,
    )
    try:
        built = [_channel(name, settings, app, clock, telegram_adapter) for name in channels]
    except BaseException:
        await app.close()
        raise
    for channel in built:
        app.notices.join(channel.delivery, channel.staff_chats())
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
    runner = Runner(
        app.storage,
        built,
        notices=app.notices,
        # Always watched, like staff alerts: a resident asking for a person must be heard.
        tickets=(app.tickets, lambda: app.assistant.engine),
        reloader=reloader if loops else None,
        scheduler=scheduler if loops else None,
        clock=clock,
    )
    return Service(
        app=app, channels=tuple(built), reloader=reloader, scheduler=scheduler, runner=runner
    )


def _configured(settings: Settings) -> tuple[str, ...]:
    """What ``trolyso run`` serves: Telegram (unless the commune has only the web chat or
    Zalo and no bot token), the web chat when ``web:`` is set, Zalo when ``zalo:`` is."""
    groups = (("web", settings.web), ("zalo", settings.zalo))
    others = tuple(name for name, group in groups if group is not None)
    telegram = ("telegram",) if settings.telegram.token or not others else ()
    return telegram + others


def _check_ports(settings: Settings, channels: Sequence[str]) -> None:
    """Two servers of one process cannot listen on one port: say which setting to change."""
    hook, web, zalo = settings.telegram.webhook, settings.web, settings.zalo
    servers: list[tuple[str, str, int]] = []  # (what, its setting, its port)
    if "telegram" in channels and settings.telegram.mode == "webhook":
        servers.append(("the Telegram webhook", "telegram.webhook.port", hook.port))
    if "web" in channels and web is not None:
        servers.append(("the web chat", "web.port", web.port))
    if "zalo" in channels and zalo is not None:
        servers.append(("the Zalo webhook", "zalo.port", zalo.port))
    for index, (first, first_setting, port) in enumerate(servers):
        for second, second_setting, other in servers[index + 1 :]:
            if port == other and port != 0:
                raise ConfigError(
                    second_setting,
                    f"{first} and {second} both want port {port}. Give one of them another "
                    f"port ({first_setting} or {second_setting}).",
                    code="config.port_taken",
                    params={"port": port, "first": first_setting, "second": second_setting},
                    source=settings.source,
                )


def _channel(
    name: str,
    settings: Settings,
    app: App,
    clock: Callable[[], float],
    telegram_adapter: Adapter | None,
) -> Channel:
    """One channel, built on the application."""
    catalog = app.assistant.engine.catalog
    if name == "telegram":
        from bot.channels.telegram.bot import TelegramBot

        return TelegramBot(
            settings.telegram,
            app.assistant,
            app.storage,
            catalog,
            adapter=telegram_adapter,
            profile=app.profile,
            clock=clock,
        )
    if name == "web":
        from bot.channels.web.channel import WebChannel
        from bot.channels.web.console import Console
        from bot.config import WebSettings

        return WebChannel(
            settings.web or WebSettings(),
            app.assistant,
            app.storage,
            catalog,
            clock=clock,
            console=Console(settings, app, clock=clock),
        )
    if name == "zalo":
        return _zalo(settings, app, clock)
    raise ValueError(f"no channel named {name!r}")


def _zalo(settings: Settings, app: App, clock: Callable[[], float]) -> Channel:
    """The Zalo OA; its tokens and residents' last messages kept in the database."""
    from bot.channels.zalo.channel import ZaloChannel
    from bot.config import ZaloSettings
    return ZaloChannel(
        settings.zalo or ZaloSettings(), app.assistant, app.storage, app.storage, clock=clock
    )
