"""What each framework adapter provides to the shared polling loop and webhook server."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from contextvars import ContextVar
from typing import Any, Protocol

from bot.channels.telegram.delivery import Transport
from bot.channels.telegram.inputs import TgInput

__all__ = ["Adapter", "InputHandler", "inputs_of", "note_input"]

InputHandler = Callable[[TgInput], Awaitable[None]]

# The inputs the framework's handlers found in the update being dispatched.
_found: ContextVar[list[TgInput] | None] = ContextVar("telegram_inputs", default=None)


async def inputs_of(dispatch: Awaitable[None]) -> list[TgInput]:
    """Run a framework's dispatcher on one update; the inputs its handlers noted.

    The turn for each input then runs after the dispatcher has returned: a turn waits for its
    commit, and by then the framework's per-update objects (middleware chains, handler frames)
    are gone, which keeps the garbage collector's work small when a thousand residents write
    at once.
    """
    found: list[TgInput] = []
    token = _found.set(found)
    try:
        await dispatch
    finally:
        _found.reset(token)
    return found


async def note_input(tin: TgInput) -> None:
    """What a framework's handler does with the input it translated (see :func:`inputs_of`)."""
    found = _found.get()
    if found is None:
        raise RuntimeError("a Telegram handler ran outside the adapter's process()")
    found.append(tin)


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
