"""Factories for Telegram ``Update`` payloads, shaped exactly like the Bot API's JSON.

They return plain dicts (not aiogram / ptb objects) so the same update can be pushed into
:class:`tests.support.fake_bot_api.FakeBotAPI`, POSTed to a webhook, or fed to either library.
Updates carry no ``update_id``: the fake server assigns one when it queues or delivers them,
exactly like Telegram numbers updates only when it has them.
"""

from __future__ import annotations

import itertools
import time
from typing import Any

DEFAULT_BOT_ID = 1000
DEFAULT_BOT_USERNAME = "trolyso_test_bot"
DEFAULT_BOT_NAME = "Trợ lý số"
# Telegram sets ``from`` to this service account for messages an anonymous group admin sends
# "as the group" (``sender_chat`` is then the group itself).
GROUP_ANONYMOUS_BOT_ID = 1087968824

# Message ids handed out when a test does not choose one. Telegram numbers messages per chat;
# the fake server bumps its own per-chat counter past any id it sees, so replies still get
# larger ids than the message they answer.
_message_ids = itertools.count(1)
_callback_ids = itertools.count(1)


def utf16_len(text: str) -> int:
    """Length of ``text`` in UTF-16 code units: the unit Telegram uses for entity offsets."""
    return len(text.encode("utf-16-le")) // 2


def bot_user(bot_id: int = DEFAULT_BOT_ID, username: str = DEFAULT_BOT_USERNAME) -> dict[str, Any]:
    """The ``User`` object of the bot itself (``from`` of the messages it sends)."""
    return {"id": bot_id, "is_bot": True, "first_name": DEFAULT_BOT_NAME, "username": username}


def user(user_id: int, first_name: str = "An", language_code: str | None = "vi") -> dict[str, Any]:
    """A human ``User`` object."""
    result: dict[str, Any] = {"id": user_id, "is_bot": False, "first_name": first_name}
    if language_code:
        result["language_code"] = language_code
    return result


def chat(chat_id: int, *, first_name: str = "An", title: str = "Nhóm thử") -> dict[str, Any]:
    """A ``Chat``: private (positive ids, like Telegram) or a supergroup (negative ids)."""
    if chat_id > 0:
        return {"id": chat_id, "type": "private", "first_name": first_name}
    return {"id": chat_id, "type": "supergroup", "title": title}


def command_entities(text: str) -> list[dict[str, Any]]:
    """The ``bot_command`` entity Telegram adds when a message starts with ``/``."""
    if not text.startswith("/"):
        return []
    command = text.split(maxsplit=1)[0]
    return [{"type": "bot_command", "offset": 0, "length": utf16_len(command)}]


def message_update(
    user_id: int,
    text: str,
    *,
    chat_id: int | None = None,
    first_name: str = "An",
    language_code: str | None = "vi",
    sender_chat: dict[str, Any] | None = None,
    message_id: int | None = None,
    date: int | None = None,
) -> dict[str, Any]:
    """An update with a text ``message`` from ``user_id`` (private chat unless ``chat_id``).

    With ``sender_chat`` the message is sent on behalf of that chat: ``from`` becomes
    GroupAnonymousBot, as Telegram does for anonymous group admins.
    """
    if sender_chat is not None:
        sender = {
            "id": GROUP_ANONYMOUS_BOT_ID,
            "is_bot": True,
            "first_name": "Group",
            "username": "GroupAnonymousBot",
        }
        chat_id = sender_chat["id"] if chat_id is None else chat_id
    else:
        sender = user(user_id, first_name, language_code)
    chat_id = user_id if chat_id is None else chat_id
    message: dict[str, Any] = {
        "message_id": next(_message_ids) if message_id is None else message_id,
        "from": sender,
        "chat": chat(chat_id, first_name=first_name),
        "date": int(time.time()) if date is None else date,
        "text": text,
    }
    if sender_chat is not None:
        message["sender_chat"] = sender_chat
    if entities := command_entities(text):
        message["entities"] = entities
    return {"message": message}


def sender_chat_message_update(
    chat_id: int,
    text: str,
    *,
    title: str = "Nhóm thử",
    message_id: int | None = None,
    date: int | None = None,
) -> dict[str, Any]:
    """A group message sent by an anonymous admin on behalf of the group ``chat_id``.

    ``from`` is GroupAnonymousBot (id 1087968824) and ``sender_chat`` is the group: a bot
    must not mistake that shared service account for one real person.
    """
    group = {"id": chat_id, "type": "supergroup", "title": title}
    update = message_update(
        GROUP_ANONYMOUS_BOT_ID,
        text,
        chat_id=chat_id,
        sender_chat=group,
        message_id=message_id,
        date=date,
    )
    update["message"]["chat"] = dict(group)
    return update


def callback_update(
    user_id: int,
    data: str,
    *,
    message_id: int,
    chat_id: int | None = None,
    message_text: str = "...",
    first_name: str = "An",
    language_code: str | None = "vi",
    reply_markup: dict[str, Any] | None = None,
    bot_id: int = DEFAULT_BOT_ID,
    bot_username: str = DEFAULT_BOT_USERNAME,
) -> dict[str, Any]:
    """An update with a ``callback_query``: ``user_id`` pressed a button carrying ``data``.

    ``message`` is the bot's message the keyboard was attached to (``message_id`` in
    ``chat_id``, text ``message_text``).
    """
    chat_id = user_id if chat_id is None else chat_id
    message: dict[str, Any] = {
        "message_id": message_id,
        "from": bot_user(bot_id, bot_username),
        "chat": chat(chat_id, first_name=first_name),
        "date": int(time.time()),
        "text": message_text,
    }
    if reply_markup is not None:
        message["reply_markup"] = reply_markup
    return {
        "callback_query": {
            # Telegram's ids are opaque numeric strings, unique per press.
            "id": str(4_000_000_000_000_000 + next(_callback_ids)),
            "from": user(user_id, first_name, language_code),
            "message": message,
            # Stable per chat, like Telegram's (it identifies the chat, not the press).
            "chat_instance": str((chat_id * 7_919 + 13) % 10**19),
            "data": data,
        }
    }


def update_type(update: dict[str, Any]) -> str | None:
    """The update's type: its single key besides ``update_id`` (``message``, ...)."""
    return next((key for key in update if key != "update_id"), None)
