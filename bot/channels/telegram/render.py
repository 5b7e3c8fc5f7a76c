"""Engine messages as Bot API calls: HTML-escaped text, inline keyboards, photos, long texts split.

Residents' words only ever reach Telegram escaped, so nothing they type can become markup.
"""

from __future__ import annotations

import hashlib
import html
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Protocol

from bot.channels.telegram.inputs import ApiCall
from bot.core.types import OutgoingMessage, SessionKey
from bot.storage.base import Storage

__all__ = [
    "CAPTION_LIMIT",
    "TEXT_LIMIT",
    "TelegramSender",
    "Transport",
    "keyboard",
    "render_message",
    "split_text",
]

TEXT_LIMIT = 4096
CAPTION_LIMIT = 1024
CALLBACK_LIMIT = 64


def _escaped_length(text: str) -> int:
    return len(html.escape(text, quote=False))


def split_text(text: str, limit: int = TEXT_LIMIT) -> list[str]:
    """Split plain ``text`` into parts whose escaped form fits ``limit``.

    Cuts at a paragraph break if it can, else a line break, else a space, else anywhere; since
    each part is escaped on its own, an entity such as ``&amp;`` is never cut in two.
    """
    parts: list[str] = []
    rest = text
    while _escaped_length(rest) > limit:
        # The longest prefix whose escaped form fits (binary search: escaping can grow 5 times).
        low, high = 1, min(len(rest), limit)
        while low < high:
            middle = (low + high + 1) // 2
            if _escaped_length(rest[:middle]) <= limit:
                low = middle
            else:
                high = middle - 1
        end = low
        cut = -1
        for separator in ("\n\n", "\n", " "):
            cut = rest.rfind(separator, 0, end)
            if cut > end // 2:
                break
        if cut <= 0:
            cut = end
        parts.append(rest[:cut].rstrip())
        rest = rest[cut:].lstrip()
    if rest or not parts:
        parts.append(rest)
    return parts


def keyboard(message: OutgoingMessage) -> dict[str, Any] | None:
    """The inline keyboard of a message, or None when it has no buttons."""
    rows = []
    for row in message.buttons:
        buttons: list[dict[str, str]] = []
        for button in row:
            if button.url:
                buttons.append({"text": button.label, "url": button.url})
            elif len(button.payload.encode()) <= CALLBACK_LIMIT:
                buttons.append({"text": button.label, "callback_data": button.payload})
        if buttons:
            rows.append(buttons)
    return {"inline_keyboard": rows} if rows else None


def render_message(
    chat_id: int, message: OutgoingMessage, *, photo: str = "", cache_as: str = ""
) -> list[ApiCall]:
    """The calls that show ``message`` in ``chat_id``; the keyboard goes on the last one.

    ``photo`` is a cached file_id (or a URL) for ``message.image``; without it a local image is
    uploaded (``ApiCall.upload``).
    """
    markup = keyboard(message)
    calls: list[ApiCall] = []
    text = message.text
    if message.image:
        caption = text if _escaped_length(text) <= CAPTION_LIMIT else ""
        params: dict[str, Any] = {"chat_id": chat_id}
        if caption:
            params["caption"] = html.escape(caption, quote=False)
            params["parse_mode"] = "HTML"
            text = ""
        is_remote = message.image.startswith(("http://", "https://"))
        if photo or is_remote:
            params["photo"] = photo or message.image
            calls.append(ApiCall("sendPhoto", params))
        else:
            calls.append(ApiCall("sendPhoto", params, upload=message.image, cache_as=cache_as))
    if text or not calls:
        for part in split_text(text or " "):
            calls.append(
                ApiCall(
                    "sendMessage",
                    {
                        "chat_id": chat_id,
                        "text": html.escape(part, quote=False),
                        "parse_mode": "HTML",
                    },
                )
            )
    if markup is not None:
        calls[-1].params["reply_markup"] = markup
    if message.document:
        calls.append(
            ApiCall(
                "sendDocument",
                {"chat_id": chat_id},
                upload=message.document,
                upload_field="document",
            )
        )
    return calls


class Transport(Protocol):
    """Carries out one Bot API call through a framework's HTTP client."""

    async def call(self, call: ApiCall) -> Any:
        """The call's result as plain JSON data; raises ``bot.channels.telegram.errors``."""


class TelegramSender:
    """The delivery's view of Telegram (:class:`bot.app.delivery.Sender`): a message becomes Bot
    API calls, carried out by the framework's transport; a local photo is uploaded once."""

    name = "telegram"

    def __init__(self, transport: Transport, storage: Storage) -> None:
        self.transport = transport
        self.storage = storage

    async def render(self, key: SessionKey, message: OutgoingMessage) -> Sequence[ApiCall]:
        """The calls that show ``message`` in the chat of ``key``."""
        photo, ref = await self._photo_for(message)
        return render_message(int(key.user_id), message, photo=photo, cache_as=ref)

    async def call(self, request: ApiCall) -> Any:
        """One Bot API call; an uploaded photo's file_id is kept for next time."""
        result = await self.transport.call(request)
        if request.cache_as and isinstance(result, dict) and result.get("photo"):
            await self.storage.cache_file(request.cache_as, str(result["photo"][-1]["file_id"]))
        return result

    async def _photo_for(self, message: OutgoingMessage) -> tuple[str, str]:
        """A cached file_id for a local image (and the cache key), so it is uploaded once."""
        if not message.image or message.image.startswith(("http://", "https://")):
            return "", ""
        path = Path(message.image)
        try:
            stat = path.stat()
        except OSError:
            return "", ""
        ref = (
            "photo:"
            + hashlib.sha256(
                f"{path.resolve()}|{stat.st_size}|{stat.st_mtime_ns}".encode()
            ).hexdigest()[:32]
        )
        return (await self.storage.cached_file(ref) or ""), ref
