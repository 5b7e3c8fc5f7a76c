"""The Zalo OA as a channel: events from the webhook into the application's turns, replies out
through the OA's customer-service message API.

Only what is Zalo's is here: the event's durable key (its ``msg_id``), follow and unfollow as
"reachable" and "unreachable", the window after a resident last wrote, the access token.
Exactly-once, ordering, the outbox and retries are the application's (bot.app.turns,
bot.app.delivery), as for every channel.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, ClassVar

from bot.app.assistant import Assistant
from bot.app.delivery import Delivery
from bot.app.limits import ChannelLimits, RateLimiter
from bot.app.redact import hide_secrets, stop_hiding
from bot.app.turns import ChatOrder, Turns
from bot.channels.served import ResidentsOnly
from bot.channels.zalo.client import TokenExpired, UploadExpired, ZaloClient
from bot.channels.zalo.events import ZaloEvent, to_event
from bot.channels.zalo.pictures import Pictures
from bot.channels.zalo.render import ZaloRequest, render_message
from bot.channels.zalo.sealed import TokenSeal
from bot.channels.zalo.tokens import TokenKeeper
from bot.channels.zalo.webhook import ZaloWebhook
from bot.channels.zalo.window import InteractionWindow
from bot.config import ZaloSettings
from bot.core.errors import ConfigError
from bot.core.types import OutgoingMessage, SessionKey
from bot.storage.base import Storage
from bot.storage.channel_state import ChannelStateStore

__all__ = ["CHANNEL", "ZaloChannel", "ZaloSender", "staff_keys"]

log = logging.getLogger(__name__)
CHANNEL = "zalo"
_DRAIN_SECONDS = 10.0


def staff_keys(settings: ZaloSettings) -> frozenset[SessionKey]:
    """The commune's admins on Zalo, as the staff desk knows them: ``zalo.admin_ids``."""
    return frozenset(SessionKey(CHANNEL, str(i)) for i in settings.admin_ids)


@dataclass(slots=True)
class ZaloSender:
    """The delivery's view of Zalo (:class:`bot.app.delivery.Sender`)."""

    settings: ZaloSettings
    client: ZaloClient
    tokens: TokenKeeper
    window: InteractionWindow
    pictures: Pictures
    name: ClassVar[str] = CHANNEL

    async def render(self, key: SessionKey, message: OutgoingMessage) -> list[ZaloRequest]:
        """The requests that show ``message``; none once the window has closed (counted)."""
        if not await self.window.open_for(key.user_id):
            self.window.skip()
            return []
        local = bool(message.image) and not message.image.startswith(("http://", "https://"))
        return render_message(
            key.user_id,
            message,
            self.settings,
            local_picture=local and self.pictures.usable(message.image),
        )

    async def call(self, request: ZaloRequest) -> Any:
        """Send one message; a token Zalo calls expired is renewed once and the send repeated."""
        token = await self.tokens.access_token()
        try:
            return await self._send(request, token)
        except TokenExpired:
            token = await self.tokens.access_token(rejected=token)
            return await self._send(request, token)

    async def _send(self, request: ZaloRequest, token: str) -> Any:
        """The message; a local picture is uploaded first (once), again if Zalo forgot it."""
        if not request.picture:
            return await self.client.send(request.body(), token)
        attachment = await self.pictures.attachment(request.picture, token)
        try:
            return await self.client.send(request.body(attachment), token)
        except UploadExpired:
            attachment = await self.pictures.attachment(request.picture, token, stale=attachment)
            return await self.client.send(request.body(attachment), token)


class ZaloChannel(ResidentsOnly):
    """Everything ``trolyso run`` starts for the commune's Zalo OA.

    Volunteers use it as residents do (the staff desk knows them by their key); the admins in
    ``zalo.admin_ids`` are staff here too, and their chats with the OA get the staff notices
    (within the window, like every message: a notice to an admin who has not written for
    ``zalo.window_hours`` is not sent, only counted, as Zalo would refuse it). Its server runs
    by itself as :class:`ResidentsOnly`'s do; its staff methods are its own.
    """

    name = CHANNEL

    def __init__(
        self,
        settings: ZaloSettings,
        assistant: Assistant,
        storage: Storage,
        state: ChannelStateStore,
        *,
        clock: Callable[[], float] = time.time,
    ) -> None:
        _check(settings)
        seal = TokenSeal(settings.token_key)
        self.settings = settings
        self.clock = clock
        # Before anything can log: no line may carry a secret or a token.
        self._redact = hide_secrets(
            settings.app_secret, settings.oa_secret_key, settings.refresh_token,
            settings.token_key, warnings=False,
        )  # fmt: skip
        self.client = ZaloClient(settings)
        self.tokens = TokenKeeper(
            settings, state, self.client, seal=seal, clock=clock, hide=self._redact.add
        )
        self.window = InteractionWindow(state, hours=settings.window_hours, clock=clock)
        self.pictures = Pictures(settings, state, self.client, clock=clock)
        self.sender = ZaloSender(settings, self.client, self.tokens, self.window, self.pictures)
        self.limits = ChannelLimits(
            per_second=settings.messages_per_second,
            per_chat_per_second=settings.chat_messages_per_second,
            chat_burst=settings.chat_burst,
        )
        self.delivery = Delivery(
            self.sender, storage, limiter=RateLimiter.within(self.limits), clock=clock
        )
        self.turns = Turns(assistant, storage, self.delivery, clock=clock)
        self.order = ChatOrder()
        self.webhook = ZaloWebhook(
            settings, self.take, clock=clock, healthy=lambda: self.turns.healthy
        )
        self._stopped = asyncio.Event()

    # --- what every channel is (bot.channels.base.Channel) ---------------------------------------

    def staff_keys(self) -> frozenset[SessionKey]:
        """The admins on Zalo (``zalo.admin_ids``)."""
        return staff_keys(self.settings)

    def staff_chats(self) -> tuple[SessionKey, ...]:
        """Where staff notices go on Zalo: the admins' own chats with the OA."""
        return tuple(sorted(self.staff_keys(), key=lambda key: key.user_id))

    def update_key(self, update_id: Any) -> str:
        """The durable name of an event: its message id (or kind, resident and time)."""
        return f"zalo:{update_id}"

    async def start(self) -> None:
        """Check the tokens' key, listen for Zalo's events, send what a previous run committed."""
        await self.tokens.open()
        await self.delivery.resume()
        await self.webhook.start()
        log.info(
            "Zalo OA webhook on %s:%d%s",
            self.settings.listen,
            self.webhook.port,
            self.settings.path,
        )

    async def close(self) -> None:
        """Stop listening, deliver what was committed (bounded), close the connections."""
        await self.webhook.stop()
        await self.delivery.drain(grace=_DRAIN_SECONDS)
        await self.client.close()
        stop_hiding(self._redact)

    # --- intake ----------------------------------------------------------------------------------

    async def take(self, event: ZaloEvent) -> None:
        """Handle one signed event, in the order the resident's came; returns once committed."""
        key = SessionKey(CHANNEL, event.user_id)

        async def work() -> None:
            if event.kind == "unfollow":
                await self.turns.reachable(key, False)
                return
            await self.window.wrote(event.user_id, event.timestamp_ms / 1000)
            await self.turns.handle(
                key, to_event(event, self.settings), update_key=self.update_key(event.event_id)
            )

        await self.order.run(event.user_id, work)


def _check(settings: ZaloSettings) -> None:
    """Refuse to start without what every request needs, saying which variable to set."""
    missing = [
        name
        for name, value in (
            ("TROLYSO_ZALO_APP_SECRET", settings.app_secret),
            ("TROLYSO_ZALO_OA_SECRET", settings.oa_secret_key),
            ("zalo.app_id", settings.app_id),
        )
        if not value
    ]
    if missing:
        raise ConfigError(
            "zalo",
            f"the Zalo OA needs {', '.join(missing)} (see the README, 'Run on Zalo').",
            code="config.zalo_incomplete",
            params={"missing": ", ".join(missing)},
        )
