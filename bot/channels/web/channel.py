"""The web chat as a channel: intake from the page, replies into each resident's mailbox.

Like every channel it is intake and rendering only: a message from the page becomes an
:class:`~bot.core.types.IncomingEvent` handed to the application's turns (committed before it is
acknowledged; a retried message id is handled once), and each reply the outbox delivers is
rendered for the page and put in the resident's :class:`~bot.channels.web.mailbox.Mailbox`, from
which every open page of that resident gets it.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from bot.app.assistant import Assistant
from bot.app.delivery import Delivery
from bot.app.limits import ChannelLimits, RateLimiter
from bot.app.turns import ChatOrder, Turns
from bot.channels.served import ResidentsOnly
from bot.channels.web.mailbox import Mailbox
from bot.channels.web.protocol import Images, Incoming, render
from bot.config import WebSettings
from bot.core.types import OutgoingMessage, SessionKey
from bot.i18n.catalog import Catalog
from bot.storage.base import Storage

if TYPE_CHECKING:
    from bot.channels.web.console import Console

__all__ = ["CHANNEL", "WebChannel", "WebSender"]

log = logging.getLogger(__name__)
CHANNEL = "web"
# A page shows what it is given at once; the limits that matter are on what residents send.
LIMITS = ChannelLimits(per_second=10_000.0, per_chat_per_second=100.0, chat_burst=100)


class WebSender:
    """Renders replies for the page and puts them in the resident's mailbox."""

    name = CHANNEL

    def __init__(self, mailbox: Mailbox, images: Images) -> None:
        self.mailbox = mailbox
        self.images = images

    async def render(self, key: SessionKey, message: OutgoingMessage) -> list[dict[str, Any]]:
        """One reply is one message for the page."""
        return [{"resident": key.user_id, "message": render(message, self.images)}]

    async def call(self, request: dict[str, Any]) -> int:
        """Post the reply; the pages connected for that resident are woken at once."""
        return self.mailbox.post(request["resident"], request["message"])


class WebChannel(ResidentsOnly):
    """Residents chatting in a browser; served by :class:`bot.channels.web.server.WebServer`."""

    name = CHANNEL
    limits = LIMITS

    def __init__(
        self,
        settings: WebSettings,
        assistant: Assistant,
        storage: Storage,
        catalog: Catalog,
        *,
        clock: Callable[[], float] = time.time,
        console: Console | None = None,
    ) -> None:
        self.settings = settings
        self.console = console  # the web console at /admin (served by the same server)
        self.assistant = assistant
        self.catalog = catalog
        self.mailbox = Mailbox()
        self.images = Images()
        self.sender = WebSender(self.mailbox, self.images)
        self.delivery = Delivery(
            self.sender, storage, limiter=RateLimiter.within(LIMITS), clock=clock
        )
        self.turns = Turns(assistant, storage, self.delivery, clock=clock)
        self.order = ChatOrder()
        self._stopped = asyncio.Event()
        from bot.channels.web.server import WebServer

        self.server = WebServer(self)

    # --- what every channel is (bot.channels.base.Channel) ---------------------------------------

    def update_key(self, update_id: Any) -> str:
        """The durable name of one message from a page: its resident and the page's own id."""
        resident, message_id = update_id
        return f"web:{resident}:{message_id}"

    async def start(self) -> None:
        """Listen, and put what a previous run committed in the residents' mailboxes."""
        await self.delivery.resume()
        await self.server.start()
        log.info(
            "web chat on http://%s:%d/", self.settings.host, self.server.port or self.settings.port
        )

    async def close(self) -> None:
        """Stop listening, then deliver what was committed (bounded)."""
        await self.server.stop()
        await self.delivery.drain(grace=10.0)
        if self.console is not None:
            await self.console.close()

    # --- intake ----------------------------------------------------------------------------------

    @property
    def healthy(self) -> bool:
        """False while the database cannot save turns."""
        return self.turns.healthy

    async def take(self, resident: str, incoming: Incoming, lang_hint: str = "") -> None:
        """Handle one checked message of ``resident``, in the order their messages came.

        Returns once its turn is committed (the page may then forget it); raises
        :class:`~bot.core.errors.StorageUnavailable` if it could not be saved (the page keeps it
        and sends it again).
        """
        key = SessionKey(CHANNEL, resident)

        async def work() -> None:
            await self.turns.handle(
                key,
                incoming.event,
                update_key=self.update_key((resident, incoming.id)),
                lang_hint=lang_hint,
            )

        await self.order.run(resident, work)

    async def language_of(self, resident: str) -> str:
        """The resident's language (Vietnamese for someone new)."""
        return await self.assistant.language_of(SessionKey(CHANNEL, resident))
