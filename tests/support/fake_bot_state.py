"""The state behind :mod:`tests.support.fake_bot_api`.

:class:`BotState` holds what Telegram would remember for one bot (messages per chat,
uploaded files, commands, the webhook, the update queue) plus the helpers the methods in
:mod:`tests.support.fake_bot_methods` share. It knows nothing about HTTP: the server decodes
requests into parameters, calls a method and wraps its result (or the :class:`ApiError` it
raised) in Telegram's JSON envelope.
"""

from __future__ import annotations

import asyncio
import copy
import itertools
import time
from collections.abc import Callable
from typing import Any

from tests.support.telegram_markup import EntityParseError, render
from tests.support.telegram_updates import (
    DEFAULT_BOT_ID,
    DEFAULT_BOT_USERNAME,
    bot_user,
    chat,
    update_type,
)

FIRST_UPDATE_ID = 100001
# What Telegram sends when allowed_updates was never set (or set to []).
DEFAULT_EXCLUDED_UPDATES = frozenset({"chat_member", "message_reaction", "message_reaction_count"})
MAX_TEXT = 4096
MAX_CAPTION = 1024
CHAT_ACTIONS = frozenset(
    {
        "typing",
        "upload_photo",
        "record_video",
        "upload_video",
        "record_voice",
        "upload_voice",
        "upload_document",
        "choose_sticker",
        "find_location",
        "record_video_note",
        "upload_video_note",
    }
)
NOT_MODIFIED = (
    "Bad Request: message is not modified: specified new message content and reply markup "
    "are exactly the same as a current content and reply markup of the message"
)


class ApiError(Exception):
    """A Telegram error reply: HTTP ``status`` = ``error_code``, with ``description``."""

    def __init__(self, status: int, description: str, retry_after: int | None = None) -> None:
        super().__init__(description)
        self.status = status
        self.description = description
        self.retry_after = retry_after


class UploadedFile(dict[str, Any]):
    """A file part of a multipart request, recorded as ``{"filename", "size"}``.

    It is a dict so recorded params compare and serialise like plain JSON; the bytes ride
    along in :attr:`content` so the fake can serve them back from ``/file/...``.
    """

    def __init__(self, filename: str | None, content: bytes, content_type: str | None) -> None:
        super().__init__(filename=filename, size=len(content))
        self.content = content
        self.content_type = content_type


def require(params: dict[str, Any], name: str) -> Any:
    """A required parameter, or Telegram's 400 for a missing one."""
    value = params.get(name)
    if value is None or value == "":
        raise ApiError(400, f"Bad Request: {name} is empty")
    return value


class UpdateQueue:
    """Telegram's per-bot update queue for getUpdates.

    Updates stay queued until confirmed: a getUpdates call with ``offset=N`` forgets every
    update with ``update_id < N``. Anything fetched but never confirmed is served again, which
    is what happens to a bot that crashes between fetching and the next poll.
    """

    def __init__(self) -> None:
        self._wakeup = asyncio.Event()
        self.reset()

    def reset(self) -> None:
        """Empty the queue and restart numbering (in place: long polls keep a reference)."""
        self._pending: list[dict[str, Any]] = []
        self._next_id = FIRST_UPDATE_ID
        self.confirmed_offset = 0
        self.wake()

    def assign_id(self, update: dict[str, Any]) -> int:
        """Give ``update`` the next update_id unless it has one; keep ids increasing."""
        if update.get("update_id") is None:
            update["update_id"] = self._next_id
        self._next_id = max(self._next_id, int(update["update_id"]) + 1)
        return int(update["update_id"])

    def push(self, update: dict[str, Any]) -> int:
        update_id = self.assign_id(update)
        self._pending.append(update)
        self._pending.sort(key=lambda u: u["update_id"])
        self.wake()
        return update_id

    def wake(self) -> None:
        """Release every long poll waiting right now (each waits on its own event)."""
        self._wakeup.set()
        self._wakeup = asyncio.Event()

    def confirm(self, offset: int) -> None:
        if offset < 0:
            # "A negative offset ... from the end of the queue. All previous updates forgotten."
            self._pending = self._pending[offset:]
            if self._pending:
                self.confirmed_offset = self._pending[0]["update_id"]
        elif offset > 0:
            self._pending = [u for u in self._pending if u["update_id"] >= offset]
            self.confirmed_offset = max(self.confirmed_offset, offset)

    def pending(self) -> list[dict[str, Any]]:
        """Copies of the updates not yet confirmed, oldest first."""
        return copy.deepcopy(self._pending)

    def clear(self) -> None:
        if self._pending:
            self.confirmed_offset = self._pending[-1]["update_id"] + 1
        self._pending.clear()

    async def get(
        self,
        offset: int,
        limit: int,
        timeout: float,
        allowed: Callable[[dict[str, Any]], bool],
        closing: asyncio.Event,
    ) -> list[dict[str, Any]]:
        """Updates with ``update_id >= offset``; wait up to ``timeout`` s for the first one."""
        self.confirm(offset)
        deadline = time.monotonic() + timeout
        while True:
            ready = [u for u in self._pending if u["update_id"] >= offset and allowed(u)]
            remaining = deadline - time.monotonic()
            if ready or remaining <= 0 or closing.is_set():
                return copy.deepcopy(ready[:limit])
            wakeup = self._wakeup
            waiters = [asyncio.ensure_future(wakeup.wait()), asyncio.ensure_future(closing.wait())]
            _, pending = await asyncio.wait(
                waiters, timeout=remaining, return_when=asyncio.FIRST_COMPLETED
            )
            for waiter in pending:
                waiter.cancel()


class BotState:
    """One bot's server-side state, and the helpers the Bot API methods share."""

    def __init__(self, token: str | None, username: str = DEFAULT_BOT_USERNAME) -> None:
        prefix = (token or "").split(":", 1)[0]
        # aiogram derives Bot.id from the token prefix: keep getMe consistent with it.
        self.bot_id = int(prefix) if prefix.isdigit() else DEFAULT_BOT_ID
        self.username = username
        # Set when the server stops, so pending long polls return at once.
        self.closing = asyncio.Event()
        self.updates = UpdateQueue()
        self.reset_state()

    def reset_state(self) -> None:
        """Forget everything Telegram would remember about this bot."""
        self.updates.reset()
        self.messages: dict[tuple[int, int], dict[str, Any]] = {}
        self.last_message_id: dict[int, int] = {}
        self.chats: dict[int, dict[str, Any]] = {}  # Chat objects seen in updates
        self.open_callback_queries: set[str] = set()
        self.files: dict[str, dict[str, Any]] = {}  # file_id -> File object + "_content"
        self.commands: dict[tuple[str, str], list[dict[str, Any]]] = {}
        self.webhook_url = ""
        self.webhook_secret: str | None = None
        self.webhook_max_connections: int | None = None
        # getUpdates calls in progress, and how many began while another was (Telegram
        # answers such a second poller 409 "terminated by other getUpdates request").
        self.polling = 0
        self.poll_conflicts = 0
        self.allowed_updates: list[str] = []
        self._file_seq = itertools.count(1)

    # ---- bookkeeping shared with the server -------------------------------------------

    @property
    def me(self) -> dict[str, Any]:
        return bot_user(self.bot_id, self.username)

    def allows(self, update: dict[str, Any]) -> bool:
        """Whether the current allowed_updates setting lets ``update`` through."""
        kind = update_type(update)
        if self.allowed_updates:
            return kind in self.allowed_updates
        return kind not in DEFAULT_EXCLUDED_UPDATES

    def note_update(self, update: dict[str, Any]) -> None:
        """Remember what an incoming update shows: its messages and chats, and the
        callback queries that may now be answered."""
        for key in ("message", "edited_message", "channel_post", "callback_query"):
            payload = update.get(key)
            if not isinstance(payload, dict):
                continue
            if key == "callback_query":
                self.open_callback_queries.add(str(payload.get("id")))
                payload = payload.get("message")
            if not isinstance(payload, dict) or not isinstance(payload.get("chat"), dict):
                continue  # a malformed update a test queues on purpose: nothing to remember
            self._store(payload)
            self.chats[payload["chat"]["id"]] = payload["chat"]

    def _store(self, message: dict[str, Any]) -> None:
        chat_id, message_id = message["chat"]["id"], message["message_id"]
        self.messages[(chat_id, message_id)] = message
        # Message ids are per chat and shared by both sides of the conversation.
        self.last_message_id[chat_id] = max(self.last_message_id.get(chat_id, 0), message_id)

    def add_file(
        self, content: bytes, *, file_path: str | None = None, kind: str = "document"
    ) -> dict[str, Any]:
        """Store bytes as a Telegram file; returns its File object (with a new file_id)."""
        seq = next(self._file_seq)
        prefix = {"photo": "AgACAgIAAxkBAAI", "document": "BQACAgIAAxkBAAI"}.get(kind, "CAACAg")
        file: dict[str, Any] = {
            "file_id": f"{prefix}{seq:06d}{self.bot_id}_fake",
            "file_unique_id": f"AQAD{seq:06d}",
            "file_size": len(content),
            "file_path": file_path or f"{kind}s/file_{seq}",
        }
        self.files[file["file_id"]] = {**file, "_content": content}
        return file

    def file_by_path(self, path: str) -> bytes | None:
        return next((f["_content"] for f in self.files.values() if f["file_path"] == path), None)

    # ---- helpers for the methods -------------------------------------------------------

    def chat_id(self, params: dict[str, Any]) -> int:
        value = require(params, "chat_id")
        if isinstance(value, bool) or not isinstance(value, int):
            # "@username" chats would need a lookup this fake does not do.
            raise ApiError(400, "Bad Request: chat not found")
        return value

    def check_markup(self, params: dict[str, Any]) -> dict[str, Any] | None:
        """Validate reply_markup; return it if Telegram would echo it in the Message."""
        markup = params.get("reply_markup")
        if markup is None:
            return None
        if not isinstance(markup, dict):
            raise ApiError(400, "Bad Request: can't parse reply keyboard markup JSON object")
        rows = markup.get("inline_keyboard")
        if rows is None:
            return None  # reply keyboards are not part of the returned Message
        for row in rows:
            for button in row:
                data = button.get("callback_data")
                if data is not None and not 1 <= len(str(data).encode("utf-8")) <= 64:
                    raise ApiError(400, "Bad Request: BUTTON_DATA_INVALID")
        return markup

    def render_text(
        self, params: dict[str, Any], field: str, limit: int, too_long: str
    ) -> tuple[str, list[dict[str, Any]]]:
        """Text as Telegram stores it (parse_mode applied), enforcing its length limit."""
        raw = str(params.get(field) or "")
        try:
            text, entities = render(raw, params.get("parse_mode"))
        except EntityParseError as error:
            raise ApiError(400, str(error)) from None
        explicit = params.get("entities" if field == "text" else "caption_entities")
        if explicit:
            entities = explicit
        if len(text) > limit:
            raise ApiError(400, too_long)
        return text, entities

    def new_message(self, params: dict[str, Any], **content: Any) -> dict[str, Any]:
        """A Message from the bot in params' chat, with the next id of that chat."""
        chat_id = self.chat_id(params)
        markup = self.check_markup(params)
        message_id = self.last_message_id.get(chat_id, 0) + 1
        message: dict[str, Any] = {
            "message_id": message_id,
            "from": self.me,
            # The chat as its updates showed it (its type, the user's name), else a guess.
            "chat": self.chats.get(chat_id) or chat(chat_id),
            "date": int(time.time()),
            **{key: value for key, value in content.items() if value not in (None, [], "")},
        }
        if markup is not None:
            message["reply_markup"] = markup
        self._store(message)
        return message

    def caption_fields(self, params: dict[str, Any]) -> dict[str, Any]:
        caption, entities = self.render_text(
            params, "caption", MAX_CAPTION, "Bad Request: message caption is too long"
        )
        return {"caption": caption, "caption_entities": entities}

    def file_field(self, params: dict[str, Any], field: str, kind: str) -> dict[str, Any]:
        """The File for an uploaded part, a known file_id, or a URL Telegram would fetch."""
        value = require(params, field)
        if isinstance(value, UploadedFile):
            file = self.add_file(value.content, kind=kind)
            file["file_name"] = value["filename"]
            if value.content_type:
                file["mime_type"] = value.content_type
            return file
        if isinstance(value, str) and value.startswith("attach://"):
            raise ApiError(400, "Bad Request: wrong remote file identifier specified")
        if str(value) in self.files:
            return {k: v for k, v in self.files[str(value)].items() if k != "_content"}
        if isinstance(value, str) and value.startswith(("http://", "https://")):
            return self.add_file(b"", kind=kind)
        # An id this fake never issued: echo it, as Telegram would for a valid foreign id.
        return {"file_id": str(value), "file_unique_id": f"AQAD{abs(hash(value)) % 10**8}"}

    def editable(self, params: dict[str, Any]) -> dict[str, Any] | None:
        """The stored message an edit targets (None for inline messages)."""
        if params.get("inline_message_id"):
            return None
        key = (self.chat_id(params), int(require(params, "message_id")))
        message = self.messages.get(key)
        if message is None:
            raise ApiError(400, "Bad Request: message to edit not found")
        if message.get("from", {}).get("id") != self.bot_id:
            raise ApiError(400, "Bad Request: message can't be edited")
        return message

    def apply_edit(self, message: dict[str, Any] | None, **changes: Any) -> Any:
        """Apply an edit, refusing no-op edits the way Telegram does."""
        if message is None:
            return True
        updated = {**message, **changes}
        for key, value in changes.items():
            if value in (None, [], ""):
                updated.pop(key, None)
        if all(updated.get(k) == message.get(k) for k in (*changes, "reply_markup")):
            raise ApiError(400, NOT_MODIFIED)
        updated["edit_date"] = int(time.time())
        self._store(updated)
        return updated
