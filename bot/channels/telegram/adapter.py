"""What each framework adapter provides to the shared polling loop and webhook server."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from contextvars import ContextVar
from typing import Any, Protocol

from bot.channels.telegram.delivery import Transport
from bot.channels.telegram.inputs import TgInput

__all__ = ["Adapter", "InputHandler", "handle_inputs", "note_input"]

InputHandler = Callable[[TgInput], Awaitable[None]]

# The inputs the framework's handlers found in the update being dispatched.
_found: ContextVar[list[TgInput] | None] = ContextVar("telegram_inputs", default=None)


async def handle_inputs(dispatch: Awaitable[None], handler: InputHandler | None) -> None:
    """Run a framework's dispatcher on one update, then ``handler`` on each input it noted.

    The turns run after the dispatcher has returned, not inside the framework's handlers: a turn
    waits for its commit, and by then the framework's per-update objects (middleware chains,
    handler frames) are gone, which keeps the garbage collector's work small when a thousand
    residents write at once. A turn's failure also reaches the caller directly, so its update is
    never confirmed.
    """
    if handler is None:
        close = getattr(dispatch, "close", None)
        if close is not None:
            close()  # a coroutine never to be awaited
        raise RuntimeError("the Telegram adapter is not bound to a handler")
    found: list[TgInput] = []
    token = _found.set(found)
    try:
        await dispatch
    finally:
        _found.reset(token)
    for tin in found:
        await handler(tin)


async def note_input(tin: TgInput) -> None:
    """What a framework's handler does with the input it translated (see :func:`handle_inputs`)."""
    found = _found.get()
    if found is None:
        raise RuntimeError("a Telegram handler ran outside handle_inputs()")
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
