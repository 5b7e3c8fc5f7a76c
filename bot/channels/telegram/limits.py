"""Telegram's sending limits, as the channel declares them to the delivery (bot.app.limits)."""

from __future__ import annotations

from bot.app.limits import ChannelLimits, RateLimiter
from bot.config import TelegramSettings

__all__ = ["RateLimiter", "limits_of"]


def limits_of(settings: TelegramSettings) -> ChannelLimits:
    """About 30 messages a second overall and 1 a second per chat, unless configured otherwise."""
    return ChannelLimits(
        per_second=settings.messages_per_second,
        per_chat_per_second=settings.chat_messages_per_second,
        chat_burst=settings.chat_burst,
    )
