"""What can go wrong talking to Telegram, the same whichever framework raised it.

Telegram's failures are the channel error kinds of :mod:`bot.core.errors` (under the one error
root): ``ApiFailure`` is :class:`~bot.core.errors.ChannelError`, and 429, 5xx/network, 403 and 400
are ``RetryLater``, ``Transient``, ``Unreachable`` and ``Rejected``.
"""

from __future__ import annotations

from bot.core.errors import ChannelError, Rejected, RetryLater, Transient, Unreachable

__all__ = ["ApiFailure", "Malformed", "Rejected", "RetryLater", "Transient", "Unreachable"]

ApiFailure = ChannelError


class Malformed(ValueError):
    """An update the framework cannot read. The message says what is wrong (``message.chat:
    Field required``), never what the update holds: residents' texts and names stay out of it."""
