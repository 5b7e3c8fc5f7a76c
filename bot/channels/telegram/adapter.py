"""What each framework adapter provides to the shared polling loop and webhook server."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, Protocol

from bot.channels.telegram.delivery import Transport
from bot.channels.telegram.inputs import TgInput

__all__ = ["Adapter", "InputHandler"]

InputHandler = Callable[[TgInput], Awaitable[None]]


class Adapter(Protocol):
    """One framework (aiogram or python-telegram-bot) seen through the same few methods.

    ``process`` runs the framework's own dispatcher on an update; the handlers it registered
    translate the update into a :class:`TgInput` and await the bound input handler, so when
    ``process`` returns the update's turn is committed.
    """

    name: str
    transport: Transport
    bot_id: int
    username: str

    def bind(self, handler: InputHandler) -> None:
        """Set what the framework's handlers call with each input."""

    async def start(self) -> None:
        """Prepare the framework (it may ask Telegram who the bot is)."""

    async def stop(self) -> None:
        """Close the framework's HTTP sessions."""

    async def fetch(self, offset: int | None, timeout: int) -> list[Any]:
        """``getUpdates``: the framework's update objects (this also confirms those < offset)."""

    def parse(self, data: dict[str, Any]) -> Any:
        """A framework update object from a webhook's JSON body."""

    def update_id(self, update: Any) -> int:
        """The update's id."""

    def chat_id(self, update: Any) -> int | None:
        """The chat an update belongs to (for ordering), if any."""

    async def process(self, update: Any) -> None:
        """Feed the update to the framework's dispatcher and wait for our handler to finish."""
