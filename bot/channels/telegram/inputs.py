"""Plain data at the Telegram edge: what an update means, and what to ask the Bot API to do."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from bot.types import Command, IncomingEvent, Press, Text

__all__ = ["ApiCall", "InputKind", "TgInput", "parse_command", "to_event"]

InputKind = Literal["text", "press", "other", "blocked", "unblocked"]


@dataclass(frozen=True, slots=True, kw_only=True)
class TgInput:
    """One Telegram update, as much of it as the bot needs."""

    update_id: int
    chat_id: int
    user_id: int
    kind: InputKind
    text: str = ""
    data: str = ""
    callback_id: str = ""
    language: str = ""
    private: bool = True
    # A message sent on behalf of a chat or channel: never an identifiable person.
    sender_chat: bool = False


@dataclass(frozen=True, slots=True)
class ApiCall:
    """A Bot API request. ``upload`` is a local file to send as the ``upload_field`` field."""

    method: str
    params: dict[str, Any] = field(default_factory=dict)
    upload: str = ""
    upload_field: str = "photo"


def parse_command(text: str, bot_username: str = "") -> tuple[str, str] | None:
    """``("start", "vneid_install")`` for ``/start vneid_install`` (or ``/start@bot ...``)."""
    if not text.startswith("/") or len(text) < 2:
        return None
    head, _, arg = text[1:].partition(" ")
    name, _, target = head.partition("@")
    if target and bot_username and target.lower() != bot_username.lower():
        return None  # a command meant for another bot in a group
    if not name or not name.replace("_", "").isalnum():
        return None
    return name.lower(), arg.strip()


def to_event(tin: TgInput, bot_username: str = "") -> IncomingEvent:
    """The engine event for an input (``other``: a sticker, photo or voice note, read as empty)."""
    if tin.kind == "press":
        return Press(tin.data[:64])
    command = parse_command(tin.text, bot_username)
    if command is not None:
        return Command(*command)
    return Text(tin.text if tin.kind == "text" else "")
