"""What the Telegram channel does with each update, whichever framework delivered it.

Only what is Telegram's: the update's durable key (ids are per bot), private chats only, a
member change as "blocked"/"unblocked", ``/start`` as opening the bot, a button's spinner. The
turn itself (commit before confirm, the outbox, a database outage) is :class:`bot.app.turns.Turns`.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from bot.app.delivery import Delivery
from bot.app.staff.desk import STAFF_COMMANDS
from bot.app.turns import ChatOrder, Turns
from bot.channels.telegram.inputs import ApiCall, TgInput, parse_command, to_event
from bot.core.errors import Transient, Unreachable
from bot.core.types import Command, Opened, SessionKey

__all__ = ["CHANNEL", "ChatOrder", "TelegramCore"]

log = logging.getLogger(__name__)
CHANNEL = "telegram"


class TelegramCore:
    """Turns each update into an engine event and hands it to the turns of the application."""

    def __init__(
        self,
        turns: Turns,
        *,
        bot_id: int,
        bot_username: str = "",
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.turns = turns
        self.assistant = turns.assistant
        self.delivery: Delivery = turns.delivery
        self.bot_id = bot_id
        self.bot_username = bot_username
        self.clock = clock

    @property
    def healthy(self) -> bool:
        """False while the database cannot save turns (the health check reports it)."""
        return self.turns.healthy

    def update_key(self, update_id: int) -> str:
        """The durable name of an update; ids are per bot, so the bot's id is part of it."""
        return f"tg:{self.bot_id}:{update_id}"

    async def handle(self, tin: TgInput) -> None:
        """Handle one update; returns once its turn is committed (delivery continues after)."""
        key = SessionKey(CHANNEL, str(tin.user_id))
        if tin.kind in ("blocked", "unblocked"):
            await self.turns.reachable(key, tin.kind == "unblocked")
            return
        if not tin.private or tin.sender_chat:
            # Groups and messages sent on behalf of a chat are not residents talking to the bot,
            # and never count as an admin: a staff command from there is refused and recorded.
            if tin.callback_id:
                self.delivery.spawn(self.answer_callback(tin.callback_id))
            command = parse_command(tin.text, self.bot_username)
            desk = self.assistant.desk
            if command is not None and desk is not None and command[0] in STAFF_COMMANDS:
                reason = "sent on behalf of a chat" if tin.sender_chat else "not a private chat"
                await desk.refuse(key, command[0], reason, at=self.clock())
            return
        event = to_event(tin, self.bot_username)
        if isinstance(event, Command) and event.name == "start" and not event.arg:
            event = Opened()
        callback_id = tin.callback_id
        await self.turns.handle(
            key,
            event,
            update_key=self.update_key(tin.update_id),
            lang_hint="en" if tin.language.startswith("en") else "",
            name_hint=tin.first_name,
            # Only the button's spinner: it must not hold up (or be overtaken by) the replies.
            before_replies=(lambda: self.answer_callback(callback_id)) if callback_id else None,
        )

    async def answer_callback(self, callback_id: str) -> None:
        """Stop the button's spinner; an expired callback id is not worth a retry."""
        try:
            await self.delivery.execute(
                ApiCall("answerCallbackQuery", {"callback_query_id": callback_id}),
                # "query is too old": a button pressed long ago, or twice. Normal.
                if_rejected="a button press could not be answered",
            )
        except (Transient, Unreachable) as exc:  # a rejection is logged by execute()
            log.debug("could not answer a button press (%s)", exc)
