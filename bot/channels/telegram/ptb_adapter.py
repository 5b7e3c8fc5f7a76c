"""The python-telegram-bot 22 adapter: the only module that imports ``telegram``.

Our handlers are ordinary ptb handlers on an ``Application`` (built without ptb's own updater:
the shared poller and webhook decide when updates are confirmed), so ``Application.process_update``
runs them; they only translate and pass on, adding no flow logic.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import warnings
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any, TypeVar

# Opt in now to what ptb 23 will do anyway (RetryAfter.retry_after as a timedelta); the code
# below reads both forms, and ptb stops warning about the change on every 429.
os.environ.setdefault("PTB_TIMEDELTA", "1")

from telegram import InputFile, Update
from telegram.error import (
    BadRequest,
    Forbidden,
    InvalidToken,
    NetworkError,
    RetryAfter,
    TelegramError,
)
from telegram.ext import (
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    ChatMemberHandler,
    ContextTypes,
    MessageHandler,
    filters,
)
from telegram.request import HTTPXRequest
from telegram.warnings import PTBUserWarning

from bot.channels.telegram.adapter import InputHandler, handle_inputs, note_input, read_updates
from bot.channels.telegram.errors import Malformed, Rejected, RetryLater, Transient, Unreachable
from bot.channels.telegram.inputs import (
    ApiCall,
    from_member_change,
    from_message,
    from_press,
)
from bot.channels.telegram.intake import ALLOWED_UPDATES
from bot.channels.telegram.render import Transport

__all__ = ["PtbAdapter"]

log = logging.getLogger(__name__)

# We send every request through Bot.do_api_request with plain JSON parameters (the same ApiCall
# the aiogram adapter sends); ptb suggests its typed methods instead, which is only advice.
warnings.filterwarnings("ignore", message=r"Please use 'Bot\.", category=PTBUserWarning)

T = TypeVar("T")


async def _translated(request: Callable[[], Awaitable[T]]) -> T:
    """Run a request, turning ptb's exceptions into ours."""
    try:
        return await request()
    except RetryAfter as exc:
        with warnings.catch_warnings():  # ptb 22 warns that the type will become timedelta
            warnings.simplefilter("ignore")
            wait = exc.retry_after
        seconds = wait.total_seconds() if isinstance(wait, dt.timedelta) else float(wait)
        raise RetryLater(seconds) from exc
    except Forbidden as exc:
        raise Unreachable(exc.message) from exc
    except (BadRequest, InvalidToken) as exc:  # BadRequest is a NetworkError in ptb: check it first
        raise Rejected(exc.message) from exc
    except NetworkError as exc:
        # ptb appends an unreadable answer (a proxy's whole HTML page) to the message: cut it.
        raise Transient(exc.message.split(". Parsing the server response", 1)[0]) from exc
    except TelegramError as exc:
        raise Rejected(exc.message) from exc


class _Request(HTTPXRequest):
    """ptb's HTTP client, reading Telegram's answers without logging them.

    ptb logs an answer that is not JSON in full, with a traceback, and fails with a KeyError or
    TypeError on JSON without a ``result``; here either is a NetworkError, as a bad gateway is,
    so the poller waits and tries again.
    """

    @staticmethod
    def parse_json_payload(payload: bytes) -> dict[str, Any]:
        if not payload.strip():
            raise NetworkError("Telegram's answer is empty")
        try:
            data = json.loads(payload.decode("utf-8", "replace"))
        except ValueError:
            raise NetworkError("Telegram's answer is not JSON") from None
        if not isinstance(data, dict):
            raise NetworkError("Telegram's answer is not a JSON object")
        if data.get("ok") is True and "result" not in data:
            raise NetworkError("Telegram's answer has no result")
        return data


# What our handlers read of each kind of update; ptb leaves a missing one None without a word.
_NEEDED = {
    "message": ("chat",),
    "callback_query": ("from_user",),
    "my_chat_member": ("chat", "from_user", "new_chat_member"),
}


class _Transport:
    def __init__(self, application: Application[Any, Any, Any, Any, Any, Any]) -> None:
        self.application = application

    async def call(self, call: ApiCall) -> Any:
        params: dict[str, Any] = dict(call.params)
        if call.upload:
            path = Path(call.upload)
            params[call.upload_field] = InputFile(path.read_bytes(), filename=path.name)
        bot = self.application.bot
        return await _translated(lambda: bot.do_api_request(call.method, api_kwargs=params))


class PtbAdapter:
    """ptb's Bot (HTTP client) and Application, behind the shared adapter methods."""

    name = "ptb"

    def __init__(self, token: str, *, api_base: str, timeout: float = 30.0) -> None:
        base = api_base.rstrip("/")
        self.application: Application[Any, Any, Any, Any, Any, Any] = (
            ApplicationBuilder()
            .token(token)
            .base_url(f"{base}/bot")
            .base_file_url(f"{base}/file/bot")
            .request(_request(256, timeout))
            .get_updates_request(_request(1, timeout))
            .updater(None)
            .build()
        )
        self.transport: Transport = _Transport(self.application)
        self.bot_id = int(token.split(":", 1)[0]) if ":" in token else 0
        self.username = ""
        self._handler: InputHandler | None = None
        self._register()

    def bind(self, handler: InputHandler) -> None:
        """Set what the handlers call with each input."""
        self._handler = handler

    def _register(self) -> None:
        async def on_message(update: Update, _context: ContextTypes.DEFAULT_TYPE) -> None:
            if update.message is None:
                return  # edited messages, channel posts: not a resident talking to the bot
            await note_input(from_message(update.update_id, update.message))

        async def on_press(update: Update, _context: ContextTypes.DEFAULT_TYPE) -> None:
            if update.callback_query is not None:
                await note_input(from_press(update.update_id, update.callback_query))

        async def on_member(update: Update, _context: ContextTypes.DEFAULT_TYPE) -> None:
            change = update.my_chat_member
            tin = from_member_change(update.update_id, change) if change is not None else None
            if tin is not None:
                await note_input(tin)

        async def on_error(_update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
            """An update our handlers could not even read: logged, and the update skipped."""
            log.error("python-telegram-bot could not hand over an update: %r", context.error)

        app = self.application
        app.add_error_handler(on_error)
        app.add_handler(MessageHandler(filters.ALL, on_message))
        app.add_handler(CallbackQueryHandler(on_press))
        app.add_handler(ChatMemberHandler(on_member, ChatMemberHandler.MY_CHAT_MEMBER))

    async def start(self) -> None:
        """Initialise the application (it asks Telegram who the bot is)."""
        await _translated(self.application.initialize)
        me = self.application.bot.bot
        self.bot_id = me.id
        self.username = me.username or ""

    async def stop(self) -> None:
        """Close the HTTP sessions."""
        await self.application.shutdown()

    async def fetch(self, offset: int | None, timeout: int) -> list[Any]:
        """``getUpdates`` (confirms every update below ``offset``).

        The answer is taken as JSON and each update read on its own: ptb's own ``get_updates``
        fails the whole batch for one update it cannot read (and logs the batch in full).
        """
        bot = self.application.bot
        params: dict[str, Any] = {"timeout": timeout, "allowed_updates": ALLOWED_UPDATES}
        if offset is not None:
            params["offset"] = offset
        result = await _translated(
            lambda: bot.do_api_request("getUpdates", api_kwargs=params, read_timeout=timeout + 15)
        )
        return read_updates(result, self.parse)

    def parse(self, data: dict[str, Any]) -> Any:
        """A ptb Update from an update's JSON; :class:`Malformed` if it lacks what we read."""
        update = Update.de_json(data, self.application.bot)
        if update is None:
            raise Malformed("empty update")
        for kind, needed in _NEEDED.items():
            part = getattr(update, kind)
            for name in needed:
                if part is not None and getattr(part, name) is None:
                    raise Malformed(f"{kind}.{name}: missing")
        return update

    def update_id(self, update: Any) -> int:
        """The update's id."""
        return int(update.update_id)

    def chat_id(self, update: Any) -> int | None:
        """The chat the update belongs to."""
        chat = update.effective_chat
        if chat is not None:
            return int(chat.id)
        user = update.effective_user
        return int(user.id) if user is not None else None

    async def process(self, update: Any) -> None:
        """Run ptb's application on the update, then the turn for what its handlers found.

        (Run inside ptb's handler, a turn's failure would go to ptb's error handlers instead.)
        """
        dispatch = self.application.process_update(update)
        del update  # not needed while the turn waits for its commit
        await handle_inputs(dispatch, self._handler)


def _request(pool: int, timeout: float) -> _Request:
    """An HTTP client for ptb with ``pool`` connections (ptb's own choice: 1 for getUpdates)."""
    return _Request(
        connection_pool_size=pool,
        read_timeout=timeout,
        write_timeout=timeout,
        connect_timeout=timeout,
    )
