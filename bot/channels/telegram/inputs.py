"""Plain data at the Telegram edge: what an update means, and what to ask the Bot API to do."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from bot.core.types import Command, IncomingEvent, Press, Text

__all__ = [
    "ApiCall",
    "InputKind",
    "TgInput",
    "from_member_change",
    "from_message",
    "from_press",
    "parse_command",
    "to_event",
]

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
    first_name: str = ""  # of the profile: a volunteer is known by it in the team
    private: bool = True
    # A message sent on behalf of a chat or channel: never an identifiable person.
    sender_chat: bool = False


@dataclass(frozen=True, slots=True)
class ApiCall:
    """A Bot API request. ``upload`` is a local file to send as the ``upload_field`` field;
    ``cache_as`` names the uploaded photo's file_id in the file cache, so it is uploaded once."""

    method: str
    params: dict[str, Any] = field(default_factory=dict)
    upload: str = ""
    upload_field: str = "photo"
    cache_as: str = ""


# aiogram's and python-telegram-bot's objects name these fields the same way (they follow the Bot
# API), so one translation serves both adapters; only the adapters import the libraries.


def from_message(update_id: int, message: Any) -> TgInput:
    """A message (text, or a sticker/photo/voice note read as "other")."""
    user = message.from_user
    return TgInput(
        update_id=update_id,
        chat_id=message.chat.id,
        user_id=user.id if user else message.chat.id,
        kind="text" if message.text else "other",
        text=message.text or "",
        language=(user.language_code or "") if user else "",
        first_name=(user.first_name or "") if user else "",
        private=message.chat.type == "private",
        sender_chat=message.sender_chat is not None,
    )


def from_press(update_id: int, query: Any) -> TgInput:
    """A button press (callback query)."""
    chat = query.message.chat if query.message else None
    return TgInput(
        update_id=update_id,
        chat_id=chat.id if chat else query.from_user.id,
        user_id=query.from_user.id,
        kind="press",
        data=query.data or "",
        callback_id=query.id,
        language=query.from_user.language_code or "",
        first_name=query.from_user.first_name or "",
        private=chat is None or chat.type == "private",
    )


def from_member_change(update_id: int, change: Any) -> TgInput | None:
    """The resident blocked (or unblocked) the bot; None outside private chats."""
    if change.chat.type != "private":
        return None
    status = change.new_chat_member.status
    return TgInput(
        update_id=update_id,
        chat_id=change.chat.id,
        user_id=change.from_user.id,
        kind="blocked" if status == "kicked" else "unblocked",
    )


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
        # Every button the bot makes carries ASCII ("c:<token>:<index>"); anything else was not
        # made here ("c:<token>:²") and is read as a button from an old message.
        return Press(tin.data[:64] if tin.data.isascii() else "")
    command = parse_command(tin.text, bot_username)
    if command is not None:
        return Command(*command)
    return Text(tin.text if tin.kind == "text" else "")
