"""What each framework adapter provides to the shared polling loop and webhook server."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any, Protocol

from bot.channels.telegram.errors import Malformed, Transient
from bot.channels.telegram.inputs import TgInput
from bot.channels.telegram.render import Transport
from bot.core.privacy import mask

__all__ = [
    "Adapter",
    "InputHandler",
    "Skipped",
    "handle_inputs",
    "note_input",
    "read_update",
    "read_updates",
    "update_id_of",
]

log = logging.getLogger(__name__)

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


@dataclass(frozen=True, slots=True)
class Skipped:
    """An update the bot cannot read: confirmed with its batch, never handled.

    One such update (a message without its chat, say) must not stop the updates around it, nor
    come back after every restart.
    """

    update_id: int
    reason: str


def update_id_of(item: Any) -> int | None:
    """The ``update_id`` of what should be an update's JSON, or None if it has none."""
    update_id = item.get("update_id") if isinstance(item, dict) else None
    return update_id if isinstance(update_id, int) and not isinstance(update_id, bool) else None


def read_update(data: dict[str, Any], parse: Callable[[dict[str, Any]], Any]) -> Any:
    """``parse(data)``, or :class:`Skipped` (logged by id and what was wrong) if it fails."""
    update_id = int(data["update_id"])
    try:
        return parse(data)
    except Malformed as exc:
        reason = str(exc)
    except Exception as exc:  # whatever a framework raises on a shape it does not expect
        # Masked and cut short: a framework's message may quote a piece of the update.
        reason = f"{type(exc).__name__}: {mask(str(exc))[:120]}"
    log.warning("update %d skipped: it cannot be read (%s)", update_id, reason)
    return Skipped(update_id, reason)


def read_updates(result: Any, parse: Callable[[dict[str, Any]], Any]) -> list[Any]:
    """The updates in a ``getUpdates`` answer, each parsed on its own by ``parse``.

    An update that cannot be parsed comes back as :class:`Skipped`, so its neighbours are served.
    An answer that is no list of updates raises :class:`Transient`: the poller tries again.
    """
    if not isinstance(result, list):
        raise Transient(f"getUpdates answered {type(result).__name__}, not a list of updates")
    found = [item for item in result if update_id_of(item) is not None]
    if len(found) < len(result):
        if not found:
            raise Transient("getUpdates answered a list of things that are not updates")
        # Without an update_id there is nothing to confirm them by, nor anything to handle.
        log.warning("getUpdates: %d items without an update_id ignored", len(result) - len(found))
    return [read_update(item, parse) for item in found]


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
        """``getUpdates``: the framework's update objects (this also confirms those < offset).

        Each update is parsed on its own (:func:`read_updates`); one it cannot read is a
        :class:`Skipped`. Whatever the answer, only ``bot.channels.telegram.errors`` are raised.
        """

    def parse(self, data: dict[str, Any]) -> Any:
        """A framework update object from an update's JSON; raises :class:`Malformed`."""

    def update_id(self, update: Any) -> int:
        """The update's id."""

    def chat_id(self, update: Any) -> int | None:
        """The chat an update belongs to (for ordering), if any."""

    async def process(self, update: Any) -> None:
        """Feed the update to the framework's dispatcher and wait for our handler to finish."""
