"""The aiogram 3 adapter: the only module that imports aiogram.

Our handlers sit on an aiogram Router like any aiogram bot's, so ``Dispatcher.feed_update`` (or
``feed_raw_update``) runs them; they only translate and pass on, adding no flow logic.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

# Before aiogram itself: imports aiogram without building its ~450 validators up front.
import bot.channels.telegram.aiogram_lean  # noqa: F401

# isort: split
from aiogram import Bot, Dispatcher, Router, methods
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.exceptions import (
    ClientDecodeError,
    TelegramAPIError,
    TelegramForbiddenError,
    TelegramNetworkError,
    TelegramRetryAfter,
    TelegramServerError,
)
from aiogram.methods.base import Response
from aiogram.types import (
    CallbackQuery,
    ChatMemberUpdated,
    FSInputFile,
    InlineKeyboardMarkup,
    Message,
    Update,
)
from aiogram.types.update import UpdateTypeLookupError
from pydantic import ValidationError

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

__all__ = ["AiogramAdapter"]

T = TypeVar("T")


async def _translated(request: Callable[[], Awaitable[T]]) -> T:
    """Run a request, turning aiogram's exceptions into ours."""
    try:
        return await request()
    except TelegramRetryAfter as exc:
        raise RetryLater(float(exc.retry_after)) from exc
    except TelegramForbiddenError as exc:
        raise Unreachable(exc.message) from exc
    except (TelegramServerError, TelegramNetworkError, TimeoutError) as exc:
        raise Transient(str(exc)) from exc
    except TelegramAPIError as exc:
        raise Rejected(exc.message) from exc


class _Session(AiohttpSession):
    """aiogram's HTTP session, with answers it cannot read turned into :class:`Transient`.

    An HTML error page from a proxy, an empty or cut-off body: aiogram's ClientDecodeError
    quotes the whole answer (residents' messages among it) and not the HTTP status, which is
    what an operator needs.
    """

    def check_response(
        self, bot: Bot, method: Any, status_code: int, content: str
    ) -> Response[Any]:
        try:
            return super().check_response(bot, method, status_code, content)
        except ClientDecodeError:
            what = "empty" if not content.strip() else "not Telegram's JSON"
            raise Transient(
                f"Telegram's answer could not be read: HTTP {status_code}, {what}"
            ) from None


_METHODS: dict[str, Any] = {}
# aiogram parses each answer with ``Response[ReturnType]``; pydantic keeps such generic classes
# only weakly, so a garbage collection makes aiogram build them again (costly). Keep ours alive.
_RESPONSES = (Response[Any], Response[Message], Response[bool])


def _answer_as_json(name: str) -> Any:
    """aiogram's method ``name`` ("sendMessage"), its answer left as Telegram's JSON.

    The channel needs nothing from the message Telegram sends back (only uploads keep the
    file_id), and turning every answer into aiogram's nested Message objects cost more than
    sending the message did.
    """
    method_class = _METHODS.get(name)
    if method_class is None:
        original = getattr(methods, name[:1].upper() + name[1:])
        method_class = _METHODS[name] = type(
            original.__name__, (original,), {"__returning__": Any, "__module__": __name__}
        )
    return method_class


class _Transport:
    # Distinct keyboards kept as aiogram objects: a step shows every resident the same buttons.
    KEYBOARDS_KEPT = 1_024

    def __init__(self, bot: Bot) -> None:
        self.bot = bot
        self._keyboards: dict[tuple[Any, ...], InlineKeyboardMarkup] = {}

    def _keyboard(self, markup: Any) -> Any:
        """The aiogram keyboard for ``markup`` (Bot API JSON), built once per distinct keyboard.

        Building a keyboard's objects anew for every message cost as much as the rest of the
        request; aiogram's own shortcuts reuse one keyboard object the same way.
        """
        try:
            key = tuple(
                tuple(tuple(button.items()) for button in row) for row in markup["inline_keyboard"]
            )
        except (AttributeError, KeyError, TypeError):
            return markup  # not an inline keyboard in the usual shape: aiogram validates it
        model = self._keyboards.get(key)
        if model is None:
            model = InlineKeyboardMarkup.model_validate(markup)
            if len(self._keyboards) >= self.KEYBOARDS_KEPT:
                self._keyboards.pop(next(iter(self._keyboards)))  # the oldest
            self._keyboards[key] = model
        return model

    async def call(self, call: ApiCall) -> Any:
        params = dict(call.params)
        if call.upload:
            params[call.upload_field] = FSInputFile(call.upload)
        if "reply_markup" in params:
            params["reply_markup"] = self._keyboard(params["reply_markup"])
        # Validated, as aiogram's own shortcuts do: for aiogram's models that is quicker than
        # ``model_construct``, which copies every field's default.
        request = _answer_as_json(call.method).model_validate(params)
        result = await _translated(lambda: self.bot(request))
        if call.upload and isinstance(result, dict):
            return result  # the sent message, for the file_id to send the file again by
        return result if isinstance(result, bool | int | str) else None


class AiogramAdapter:
    """aiogram's Bot (HTTP client) and Dispatcher, behind the shared adapter methods."""

    name = "aiogram"

    def __init__(self, token: str, *, api_base: str, timeout: float = 30.0) -> None:
        server = TelegramAPIServer.from_base(api_base.rstrip("/"))
        self.bot = Bot(token, session=_Session(api=server, timeout=timeout))
        # The channel keeps its own state; aiogram's FSM would keep one record per resident forever.
        self.dispatcher = Dispatcher(disable_fsm=True)
        self.router = Router(name="trolyso")
        self.dispatcher.include_router(self.router)
        self.transport: Transport = _Transport(self.bot)
        self.bot_id = int(token.split(":", 1)[0]) if ":" in token else 0
        self.username = ""
        self._handler: InputHandler | None = None
        self._register()

    def bind(self, handler: InputHandler) -> None:
        """Set what the handlers call with each input."""
        self._handler = handler

    def _register(self) -> None:
        router = self.router

        @router.message()
        async def on_message(message: Message, event_update: Update) -> None:
            await note_input(from_message(event_update.update_id, message))

        @router.callback_query()
        async def on_press(query: CallbackQuery, event_update: Update) -> None:
            await note_input(from_press(event_update.update_id, query))

        @router.my_chat_member()
        async def on_member(change: ChatMemberUpdated, event_update: Update) -> None:
            tin = from_member_change(event_update.update_id, change)
            if tin is not None:
                await note_input(tin)

    async def start(self) -> None:
        """Ask Telegram who the bot is."""
        me = await _translated(self.bot.get_me)
        self.bot_id = me.id
        self.username = me.username or ""

    async def stop(self) -> None:
        """Close the HTTP session."""
        await self.bot.session.close()

    async def fetch(self, offset: int | None, timeout: int) -> list[Any]:
        """``getUpdates`` (confirms every update below ``offset``).

        The answer is taken as JSON and each update validated on its own: aiogram's own
        ``get_updates`` fails the whole batch for one update it cannot read.
        """
        request = _answer_as_json("getUpdates")(
            offset=offset, timeout=timeout, allowed_updates=ALLOWED_UPDATES
        )
        result = await _translated(lambda: self.bot(request, request_timeout=timeout + 15))
        return read_updates(result, self.parse)

    def parse(self, data: dict[str, Any]) -> Any:
        """An aiogram Update from an update's JSON; :class:`Malformed` if aiogram cannot read it."""
        try:
            update = Update.model_validate(data, context={"bot": self.bot})
            update.event_type  # noqa: B018 (raises for an update of no kind aiogram knows)
        except ValidationError as exc:
            # Where and what, without the values (they are the resident's words and name).
            raise Malformed(
                "; ".join(
                    f"{'.'.join(str(part) for part in error['loc'])}: {error['msg']}"
                    for error in exc.errors(include_url=False)[:3]
                )
            ) from None
        except UpdateTypeLookupError:
            # aiogram would warn with the whole update in the message.
            raise Malformed("no content of a kind the bot knows") from None
        return update

    def update_id(self, update: Any) -> int:
        """The update's id."""
        return int(update.update_id)

    def chat_id(self, update: Any) -> int | None:
        """The chat the update belongs to."""
        if update.message is not None:
            return int(update.message.chat.id)
        if update.callback_query is not None:
            query = update.callback_query
            return int(query.message.chat.id if query.message else query.from_user.id)
        if update.my_chat_member is not None:
            return int(update.my_chat_member.chat.id)
        return None

    async def process(self, update: Any) -> None:
        """Run aiogram's dispatcher on the update, then the turn for what its handlers found."""
        dispatch = self.dispatcher.feed_update(self.bot, update)
        del update  # not needed while the turn waits for its commit
        await handle_inputs(dispatch, self._handler)
