"""What can go wrong talking to Telegram, the same whichever framework raised it."""

from __future__ import annotations

__all__ = ["ApiFailure", "Malformed", "Rejected", "RetryLater", "Transient", "Unreachable"]


class ApiFailure(Exception):
    """A Bot API call failed."""


class RetryLater(ApiFailure):
    """429 Too Many Requests: wait ``seconds`` and send again."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        super().__init__(f"retry after {seconds} s")


class Unreachable(ApiFailure):
    """403: the resident blocked the bot (or deleted their account)."""


class Transient(ApiFailure):
    """A network error, a timeout or a 5xx: worth trying again a little later."""


class Rejected(ApiFailure):
    """400 and the like: Telegram will never accept this request as it is."""


class Malformed(ValueError):
    """An update the framework cannot read. The message says what is wrong (``message.chat:
    Field required``), never what the update holds: residents' texts and names stay out of it."""
