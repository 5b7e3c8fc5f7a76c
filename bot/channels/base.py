"""What every channel is: intake of its native updates, rendering and sending, limits, errors.

A channel turns its native updates into :class:`~bot.core.types.IncomingEvent`s, each with the
update's durable key (so a redelivery is recognised), and hands them to
:class:`bot.app.turns.Turns`; it renders :class:`~bot.core.types.OutgoingMessage`s into native
requests and carries them out (:class:`bot.app.delivery.Sender`), classifying every failure into
the kinds of :mod:`bot.core.errors` (``RetryLater`` with seconds, ``Transient``, ``Unreachable``,
``Rejected``). Exactly-once, ordering, the outbox, retries and blocked residents are the
application's; :class:`bot.app.runner.Runner` starts, serves and stops channels.
"""

from __future__ import annotations

from typing import Any, Protocol, runtime_checkable

from bot.app.delivery import Delivery, Sender
from bot.app.limits import ChannelLimits
from bot.core.types import SessionKey

__all__ = ["Channel"]


@runtime_checkable
class Channel(Protocol):
    """A channel the runner hosts (``console.ConsoleChannel``, ``telegram.bot.TelegramBot``)."""

    @property
    def name(self) -> str:
        """As in ``SessionKey.channel``."""

    @property
    def sender(self) -> Sender:
        """Renders and sends messages; raises the error kinds of :mod:`bot.core.errors`."""

    @property
    def limits(self) -> ChannelLimits:
        """Messages a second overall and per chat."""

    @property
    def delivery(self) -> Delivery:
        """The outbox delivery through :attr:`sender`, within :attr:`limits`."""

    def update_key(self, update_id: Any) -> str:
        """The durable name of a native update (a redelivery has the same)."""

    def staff_keys(self) -> frozenset[SessionKey]:
        """Who is an admin on this channel (the staff desk trusts these keys)."""

    def staff_chats(self) -> tuple[SessionKey, ...]:
        """Where notices for staff go on this channel."""

    async def start(self) -> None:
        """Connect and begin taking updates (what a previous run left is delivered)."""

    async def serve(self) -> None:
        """Take updates until :meth:`stop`."""

    def stop(self) -> None:
        """Stop after the updates in hand."""

    async def close(self) -> None:
        """Finish in-flight work, deliver committed replies (bounded), disconnect."""
