"""The Telegram channel: one adapter, its intake (polling or a webhook), rendering and limits.

The turns, the outbox delivery and the background loops are the application's (bot.app.turns,
bot.app.delivery, bot.app.runner); :class:`TelegramBot` is what :class:`bot.channels.base.Channel`
asks of a channel, for Telegram.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable

from bot.app.assistant import Assistant
from bot.app.delivery import Delivery
from bot.app.limits import ChannelLimits, RateLimiter
from bot.app.redact import hide_secrets, stop_hiding
from bot.app.turns import ChatOrder, Turns
from bot.channels.telegram.adapter import Adapter
from bot.channels.telegram.core import CHANNEL, TelegramCore
from bot.channels.telegram.errors import ApiFailure
from bot.channels.telegram.inputs import ApiCall
from bot.channels.telegram.intake import ALLOWED_UPDATES, Poller, WebhookServer
from bot.channels.telegram.limits import limits_of
from bot.channels.telegram.render import TelegramSender
from bot.config import TelegramSettings
from bot.core.errors import ConfigError, DependencyMissing
from bot.core.types import BotProfile, SessionKey
from bot.i18n.catalog import Catalog
from bot.storage.base import Storage

__all__ = ["COMMANDS", "TelegramBot", "make_adapter", "staff_keys"]

log = logging.getLogger(__name__)
# How long a stopping bot keeps sending replies already committed (the rest wait in the outbox).
_DRAIN_SECONDS = 10.0
# How often a standby process asks whether it may poll (the poller that died is replaced
# within this, plus one getUpdates).
_STANDBY_SECONDS = 1.0
COMMANDS = ("start", "menu", "back", "restart", "lang", "help")


def staff_keys(settings: TelegramSettings) -> frozenset[SessionKey]:
    """Telegram's admins, as the staff desk knows them: ``telegram.admin_ids``."""
    return frozenset(SessionKey(CHANNEL, str(i)) for i in settings.admin_ids)


def staff_chats(settings: TelegramSettings) -> tuple[SessionKey, ...]:
    """Where notices for staff go: ``telegram.admin_chat_ids``, else the admins' own chats."""
    return tuple(SessionKey(CHANNEL, str(i)) for i in settings.admin_chat_ids or settings.admin_ids)


def make_adapter(settings: TelegramSettings) -> Adapter:
    """The adapter for the configured framework (its library is imported only here)."""
    token = settings.token
    try:
        if settings.framework == "ptb":
            from bot.channels.telegram.ptb_adapter import PtbAdapter

            return PtbAdapter(token, api_base=settings.api_base, timeout=settings.request_timeout)
        from bot.channels.telegram.aiogram_adapter import AiogramAdapter

        return AiogramAdapter(token, api_base=settings.api_base, timeout=settings.request_timeout)
    except ImportError as exc:
        raise DependencyMissing(f"Telegram with {settings.framework}", "telegram") from exc


class TelegramBot:
    """Everything ``trolyso run`` starts for Telegram."""

    def __init__(
        self,
        settings: TelegramSettings,
        assistant: Assistant,
        storage: Storage,
        catalog: Catalog,
        *,
        adapter: Adapter | None = None,
        profile: BotProfile | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        if not settings.token:
            raise ConfigError(
                "telegram.token",
                "no bot token. Set the environment variable TROLYSO_BOT_TOKEN to the token "
                "@BotFather gave you (see the README, 'Run on Telegram').",
                code="config.no_token",
            )
        if settings.mode == "webhook" and not (
            settings.webhook.public_url and settings.webhook.secret_token
        ):
            raise ConfigError(
                "telegram.webhook",
                "webhook mode needs 'public_url' (the https address Telegram calls) and a secret "
                "token (environment variable TROLYSO_WEBHOOK_SECRET).",
                code="config.webhook_incomplete",
            )
        self.settings = settings
        self.storage = storage
        self.catalog = catalog
        self.clock = clock
        # Before the adapter: a framework logs the token with its URLs as soon as it is built.
        # (``trolyso run`` hides it earlier still, warnings included: bot.cli.main.)
        self._redact = hide_secrets(settings.token, settings.webhook.secret_token, warnings=False)
        self.adapter = adapter or make_adapter(settings)
        self.sender = TelegramSender(self.adapter.transport, storage)
        self.limits: ChannelLimits = limits_of(settings)
        self.delivery = Delivery(
            self.sender, storage, limiter=RateLimiter.within(self.limits), clock=clock
        )
        self.turns = Turns(assistant, storage, self.delivery, clock=clock)
        self.core = TelegramCore(self.turns, bot_id=self.adapter.bot_id, clock=clock)
        self.adapter.bind(self.core.handle)
        self.order = ChatOrder()
        self.poller: Poller | None = None
        self.webhook: WebhookServer | None = None
        # Shared with the staff desk (invite links): Telegram tells the username at start.
        self.profile = profile or BotProfile(username=settings.username)
        self._stopped = asyncio.Event()

    name = CHANNEL

    def update_key(self, update_id: int) -> str:
        """The durable name of an update (ids are per bot)."""
        return self.core.update_key(update_id)

    def staff_keys(self) -> frozenset[SessionKey]:
        """This channel's admins (``telegram.admin_ids``)."""
        return staff_keys(self.settings)

    def staff_chats(self) -> tuple[SessionKey, ...]:
        """This channel's chats for staff notices."""
        return staff_chats(self.settings)

    # --- start and stop --------------------------------------------------------------------------

    async def start(self) -> None:
        """Connect, register commands, deliver what a previous run left, start taking updates."""
        try:
            await self.adapter.start()
        except ApiFailure as exc:
            # ptb quotes the rejected token in its message.
            reason = self._redact.redact(str(exc))
            raise ConfigError(
                "telegram.token",
                f"Telegram refused to start the bot ({reason}). Check the token.",
                code="config.token_refused",
                params={"reason": reason},
            ) from None
        self.core.bot_id = self.adapter.bot_id
        self.core.bot_username = self.adapter.username
        configured, told = self.settings.username.lstrip("@"), self.adapter.username
        if configured and told and configured.casefold() != told.casefold():
            # Posters printed with the setting's name would open another bot, or none.
            log.error(
                "telegram.username is %r but Telegram says this bot is @%s: links use @%s; "
                "correct telegram.username in config.yaml before printing posters",
                configured,
                told,
                told,
            )
        if self.adapter.username:
            self.profile.username = self.adapter.username
        await self._register_commands()
        await self.delivery.resume()
        settings = self.settings
        if settings.mode == "webhook":
            hook = settings.webhook
            self.webhook = WebhookServer(
                self.adapter,
                secret=hook.secret_token,
                path=hook.path,
                host=hook.listen,
                port=hook.port,
                order=self.order,
                healthy=lambda: self.core.healthy,
            )
            await self.webhook.start()
            await self.delivery.execute(
                ApiCall(
                    "setWebhook",
                    {
                        "url": hook.public_url.rstrip("/") + hook.path,
                        "secret_token": hook.secret_token,
                        "allowed_updates": ALLOWED_UPDATES,
                    },
                )
            )
        else:
            # Polling and a webhook exclude each other; pending updates are kept.
            await self.delivery.execute(ApiCall("deleteWebhook", {"drop_pending_updates": False}))
            self.poller = Poller(
                self.adapter,
                timeout=settings.poll_timeout,
                order=self.order,
                backoff=settings.poll_backoff,
                leading=self._leading if self.storage.shared else None,
            )
        log.info(
            "Telegram bot @%s is running (%s, %s)",
            self.adapter.username,
            self.adapter.name,
            settings.mode,
        )

    async def _register_commands(self) -> None:
        for lang in (None, *self.catalog.languages):
            commands = [
                {
                    "command": name,
                    "description": self.catalog.text(f"commands.{name}", lang or "vi"),
                }
                for name in COMMANDS
            ]
            params: dict[str, object] = {"commands": commands}
            if lang:
                params["language_code"] = lang
            try:
                await self.delivery.execute(ApiCall("setMyCommands", params))
            except ApiFailure:
                log.warning("could not register the bot's commands (%s)", lang or "default")

    async def serve(self) -> None:
        """Take updates until :meth:`stop` (the background loops are the runner's)."""
        # A SIGTERM during start() came before the poller existed: then it must not poll.
        if self.poller is not None and not self._stopped.is_set():
            if self.storage.shared:
                await self._poll_when_leading(self.poller)
            else:
                await self.poller.run()
        else:
            await self._stopped.wait()

    @property
    def _poll_leadership(self) -> str:
        return f"telegram-poll:{self.adapter.bot_id}"

    async def _leading(self) -> bool:
        try:
            return await self.storage.try_lead(self._poll_leadership)
        except Exception as exc:  # the database is down: this process does not poll meanwhile
            log.debug("could not check who polls Telegram (%r)", exc)
            return False

    async def _poll_when_leading(self, poller: Poller) -> None:
        """Several processes on one database: the one holding the poll leadership calls
        getUpdates; the others stand by and take over within seconds when it dies (the
        database releases its lock with its connection)."""
        told = False
        while not self._stopped.is_set():
            if await self._leading():
                log.info("this process polls Telegram")
                told = False
                await poller.run()
                continue
            if not told:
                log.info("another process polls Telegram; this one stands by")
                told = True
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stopped.wait(), _STANDBY_SECONDS)

    def stop(self) -> None:
        """Ask the bot to stop after the updates in hand."""
        self._stopped.set()
        if self.poller is not None:
            self.poller.stop()

    async def close(self) -> None:
        """Finish in-flight work, deliver committed replies, close connections."""
        if self.webhook is not None:
            await self.webhook.stop()
        # Bounded: a chat waiting out a long "retry after" must not keep the process alive;
        # what is not sent by then stays in the outbox for the next start.
        await self.delivery.drain(grace=_DRAIN_SECONDS)
        await self.adapter.stop()
        stop_hiding(self._redact)
