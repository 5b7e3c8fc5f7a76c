"""The fake Bot API, exercised through the real aiogram 3 and python-telegram-bot 22 clients."""

from __future__ import annotations

import asyncio
import datetime as dt
import time
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest
import telegram
from aiogram import Bot, Dispatcher, F
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.exceptions import (
    TelegramBadRequest,
    TelegramConflictError,
    TelegramForbiddenError,
    TelegramRetryAfter,
    TelegramServerError,
)
from aiogram.types import (
    BotCommand,
    BufferedInputFile,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Message,
    Update,
)
from aiohttp import web
from telegram.ext import ApplicationBuilder, ContextTypes, MessageHandler, filters

from tests.support.fake_bot_api import SECRET_HEADER, FakeBotAPI
from tests.support.fake_bot_process import FakeBotAPIProcess
from tests.support.telegram_updates import (
    GROUP_ANONYMOUS_BOT_ID,
    callback_update,
    message_update,
    sender_chat_message_update,
)

USER = 4242


@pytest.fixture
async def aiogram_bot(fake_bot_api: FakeBotAPI) -> AsyncIterator[Bot]:
    bot = Bot(fake_bot_api.token or "", session=AiohttpSession(api=fake_bot_api.aiogram_server()))
    yield bot
    await bot.session.close()


@pytest.fixture
async def ptb_bot(fake_bot_api: FakeBotAPI) -> AsyncIterator[telegram.Bot]:
    bot = telegram.Bot(
        fake_bot_api.token or "",
        base_url=fake_bot_api.ptb_base_url,
        base_file_url=fake_bot_api.ptb_base_file_url,
    )
    async with bot:
        yield bot


def seconds(value: int | dt.timedelta) -> float:
    """ptb's RetryAfter.retry_after is an int or a timedelta depending on its settings."""
    return value.total_seconds() if isinstance(value, dt.timedelta) else float(value)


# ---- aiogram ------------------------------------------------------------------------------


async def test_aiogram_get_me_and_keyboard(fake_bot_api: FakeBotAPI, aiogram_bot: Bot) -> None:
    me = await aiogram_bot.get_me()
    assert (me.id, me.username, me.is_bot) == (1000, "trolyso_test_bot", True)

    keyboard = InlineKeyboardMarkup(
        inline_keyboard=[[InlineKeyboardButton(text="Có", callback_data="yes")]]
    )
    sent = await aiogram_bot.send_message(
        USER, "Bạn có CCCD gắn chip không?", reply_markup=keyboard
    )
    again = await aiogram_bot.send_message(USER, "123")

    assert sent.chat.id == USER and sent.text == "Bạn có CCCD gắn chip không?"
    assert sent.from_user is not None and sent.from_user.id == me.id
    assert sent.reply_markup is not None
    assert sent.reply_markup.model_dump(exclude_none=True) == keyboard.model_dump(exclude_none=True)
    assert again.message_id == sent.message_id + 1
    [call, second] = fake_bot_api.calls_to("sendMessage", chat_id=USER)
    assert call.params["chat_id"] == USER  # decoded from the form string
    assert call.params["reply_markup"]["inline_keyboard"][0][0]["text"] == "Có"
    assert second.params["text"] == "123"  # free text stays a string
    assert fake_bot_api.sent_texts(USER) == ["Bạn có CCCD gắn chip không?", "123"]


async def test_aiogram_send_photo_upload(fake_bot_api: FakeBotAPI, aiogram_bot: Bot) -> None:
    photo = BufferedInputFile(b"\x89PNG fake image", filename="huong-dan.png")
    sent = await aiogram_bot.send_photo(USER, photo, caption="Ảnh hướng dẫn")

    assert sent.photo is not None and sent.caption == "Ảnh hướng dẫn"
    file_id = sent.photo[-1].file_id
    [call] = fake_bot_api.calls_to("sendPhoto")
    assert call.params["photo"] == {"filename": "huong-dan.png", "size": 15}
    assert fake_bot_api.sent_texts(USER) == ["Ảnh hướng dẫn"]

    # Resending by file_id echoes it; the uploaded bytes can be downloaded back.
    resent = await aiogram_bot.send_photo(USER, file_id)
    assert resent.photo is not None and resent.photo[-1].file_id == file_id
    downloaded = await aiogram_bot.download(file_id)
    assert downloaded is not None and downloaded.read() == b"\x89PNG fake image"


async def test_aiogram_commands_per_language(fake_bot_api: FakeBotAPI, aiogram_bot: Bot) -> None:
    commands = [BotCommand(command="start", description="Bắt đầu")]
    assert await aiogram_bot.set_my_commands(commands, language_code="vi")

    [got] = await aiogram_bot.get_my_commands(language_code="vi")
    assert (got.command, got.description) == ("start", "Bắt đầu")
    assert await aiogram_bot.get_my_commands() == []  # other language: separate list
    [call] = fake_bot_api.calls_to("setMyCommands")
    assert call.params["commands"] == [{"command": "start", "description": "Bắt đầu"}]
    assert await aiogram_bot.delete_my_commands(language_code="vi")
    assert await aiogram_bot.get_my_commands(language_code="vi") == []
    with pytest.raises(TelegramBadRequest, match="BOT_COMMAND_INVALID"):
        await aiogram_bot.set_my_commands([BotCommand(command="Bắt-đầu", description="x")])


async def test_aiogram_errors(fake_bot_api: FakeBotAPI, aiogram_bot: Bot) -> None:
    fake_bot_api.fail("sendMessage", status=429, retry_after=3)
    with pytest.raises(TelegramRetryAfter) as retry:
        await aiogram_bot.send_message(USER, "a")
    assert retry.value.retry_after == 3
    assert "Too Many Requests: retry after 3" in str(retry.value)

    fake_bot_api.block_user(USER)
    with pytest.raises(TelegramForbiddenError, match="bot was blocked by the user"):
        await aiogram_bot.send_message(USER, "b")
    await aiogram_bot.send_message(USER + 1, "other chats still work")
    fake_bot_api.unblock_user(USER)
    await aiogram_bot.send_message(USER, "c")

    # Faults can target one chat and are used up after `times`.
    fake_bot_api.fail("SENDMESSAGE", status=502, chat_id=USER, times=2)
    await aiogram_bot.send_message(USER + 1, "not this chat")
    for _ in range(2):
        with pytest.raises(TelegramServerError, match="Bad Gateway"):
            await aiogram_bot.send_message(USER, "d")
    await aiogram_bot.send_message(USER, "e")

    statuses = [c.failed_status for c in fake_bot_api.calls_to("sendMessage", chat_id=USER)]
    assert statuses == [429, 403, None, 502, 502, None]
    assert fake_bot_api.sent_texts(USER) == ["c", "e"]


async def test_telegram_validation(fake_bot_api: FakeBotAPI, aiogram_bot: Bot) -> None:
    with pytest.raises(TelegramBadRequest, match="can't parse entities"):
        await aiogram_bot.send_message(USER, "1 < 2", parse_mode="HTML")
    with pytest.raises(TelegramBadRequest, match="reserved"):
        await aiogram_bot.send_message(USER, "Xin chào.", parse_mode="MarkdownV2")
    with pytest.raises(TelegramBadRequest, match="message is too long"):
        await aiogram_bot.send_message(USER, "a" * 4097)
    with pytest.raises(TelegramBadRequest, match="BUTTON_DATA_INVALID"):
        too_long = InlineKeyboardButton(text="x", callback_data="d" * 65)
        await aiogram_bot.send_message(
            USER, "x", reply_markup=InlineKeyboardMarkup(inline_keyboard=[[too_long]])
        )
    html = await aiogram_bot.send_message(
        USER, "<b>Chào</b> bạn &amp; 😀 <i>An</i>", parse_mode="HTML"
    )
    assert html.text == "Chào bạn & 😀 An"
    assert [(e.type, e.offset, e.length) for e in html.entities or []] == [
        ("bold", 0, 4),
        ("italic", 14, 2),  # offsets in UTF-16 units: the emoji counts 2
    ]


async def test_callback_answer_and_edits(fake_bot_api: FakeBotAPI, aiogram_bot: Bot) -> None:
    keyboard = InlineKeyboardMarkup(
        inline_keyboard=[[InlineKeyboardButton(text="Tiếp", callback_data="next")]]
    )
    sent = await aiogram_bot.send_message(USER, "Bước 1", reply_markup=keyboard)
    update = callback_update(USER, "next", message_id=sent.message_id, message_text="Bước 1")
    fake_bot_api.push_update(update)
    [got] = await aiogram_bot.get_updates()
    assert got.callback_query is not None and got.callback_query.data == "next"

    assert await aiogram_bot.answer_callback_query(got.callback_query.id, text="OK")
    with pytest.raises(TelegramBadRequest, match="query is too old"):
        await aiogram_bot.answer_callback_query(got.callback_query.id)

    edited = await aiogram_bot.edit_message_text(
        "Bước 2", chat_id=USER, message_id=sent.message_id, reply_markup=keyboard
    )
    assert isinstance(edited, Message) and edited.text == "Bước 2" and edited.edit_date
    with pytest.raises(TelegramBadRequest, match="message is not modified"):
        await aiogram_bot.edit_message_text(
            "Bước 2", chat_id=USER, message_id=sent.message_id, reply_markup=keyboard
        )
    removed = await aiogram_bot.edit_message_reply_markup(chat_id=USER, message_id=sent.message_id)
    assert isinstance(removed, Message) and removed.reply_markup is None
    assert await aiogram_bot.delete_message(USER, sent.message_id)
    with pytest.raises(TelegramBadRequest, match="message to delete not found"):
        await aiogram_bot.delete_message(USER, sent.message_id)
    assert fake_bot_api.sent_texts(USER) == ["Bước 1", "Bước 2"]


# ---- python-telegram-bot ------------------------------------------------------------------


async def test_ptb_calls(fake_bot_api: FakeBotAPI, ptb_bot: telegram.Bot) -> None:
    assert ptb_bot.username == "trolyso_test_bot"  # from getMe during initialize()
    keyboard = telegram.InlineKeyboardMarkup(
        [[telegram.InlineKeyboardButton("Có", callback_data="yes")]]
    )
    sent = await ptb_bot.send_message(USER, "Xin chào", reply_markup=keyboard)
    assert sent.text == "Xin chào" and sent.reply_markup == keyboard
    [call] = fake_bot_api.calls_to("sendMessage")
    assert call.params["chat_id"] == USER
    assert call.params["reply_markup"]["inline_keyboard"][0][0]["callback_data"] == "yes"

    photo = await ptb_bot.send_photo(USER, photo=b"jpeg bytes", caption="Ảnh")
    assert photo.photo[-1].file_id
    assert fake_bot_api.calls_to("sendPhoto")[0].params["photo"]["size"] == len(b"jpeg bytes")
    again = await ptb_bot.send_photo(USER, photo=photo.photo[-1].file_id)
    assert again.photo[-1].file_id == photo.photo[-1].file_id

    document = await ptb_bot.send_document(
        USER, document=telegram.InputFile(b"%PDF-1.4", filename="to-khai.pdf")
    )
    assert document.document is not None and document.document.file_name == "to-khai.pdf"
    file = await ptb_bot.get_file(document.document.file_id)
    assert await file.download_as_bytearray() == bytearray(b"%PDF-1.4")

    commands = [telegram.BotCommand("start", "Bắt đầu")]
    assert await ptb_bot.set_my_commands(commands, language_code="vi")
    assert await ptb_bot.get_my_commands(language_code="vi") == tuple(commands)
    assert await ptb_bot.send_chat_action(USER, "typing")


@pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")
async def test_ptb_errors(fake_bot_api: FakeBotAPI, ptb_bot: telegram.Bot) -> None:
    fake_bot_api.fail("sendMessage", status=429, retry_after=2)
    with pytest.raises(telegram.error.RetryAfter) as retry:
        await ptb_bot.send_message(USER, "a")
    assert seconds(retry.value.retry_after) == 2

    fake_bot_api.fail("sendMessage", status=403)
    with pytest.raises(telegram.error.Forbidden, match="bot was blocked by the user"):
        await ptb_bot.send_message(USER, "b")

    # A slow answer makes the client time out; the fake records the hang-up as 499.
    fake_bot_api.delay("sendMessage", 1.0)
    with pytest.raises(telegram.error.TimedOut):
        await ptb_bot.send_message(USER, "c", read_timeout=0.2)
    [slow] = await fake_bot_api.wait_for(
        "sendMessage", lambda c: c.params["text"] == "c", include_failed=True
    )
    assert slow.failed_status == 499
    await ptb_bot.send_message(USER, "d")
    assert fake_bot_api.sent_texts(USER) == ["d"]


# ---- getUpdates ---------------------------------------------------------------------------


async def test_get_updates_redelivery(fake_bot_api: FakeBotAPI, aiogram_bot: Bot) -> None:
    first = fake_bot_api.push_update(message_update(USER, "/start"))
    second = fake_bot_api.push_update(message_update(USER, "xin chào"))
    assert (first, second) == (100001, 100002)

    fetched = await aiogram_bot.get_updates()
    assert [u.update_id for u in fetched] == [first, second]
    assert fetched[0].message is not None and fetched[0].message.text == "/start"
    # Not confirmed: a restarted bot gets the same updates again.
    assert [u.update_id for u in await aiogram_bot.get_updates()] == [first, second]
    assert [u.update_id for u in await aiogram_bot.get_updates(offset=second)] == [second]
    assert fake_bot_api.confirmed_offset == second
    assert await aiogram_bot.get_updates(offset=second + 1) == []
    assert fake_bot_api.pending_updates() == []
    assert [u.update_id for u in await aiogram_bot.get_updates(limit=1)] == []


async def test_long_poll_wakes_on_push(fake_bot_api: FakeBotAPI, ptb_bot: telegram.Bot) -> None:
    started = time.monotonic()
    poll = asyncio.create_task(ptb_bot.get_updates(timeout=5))
    while not any(not c.done for c in fake_bot_api.calls_to("getUpdates")):
        await asyncio.sleep(0.01)  # the poll is now waiting inside the fake
    fake_bot_api.push_update(message_update(USER, "đây"))
    [update] = await asyncio.wait_for(poll, 3)
    assert update.message is not None and update.message.text == "đây"
    assert time.monotonic() - started < 2

    # With nothing pending, the poll returns empty after `timeout`.
    started = time.monotonic()
    assert await ptb_bot.get_updates(offset=update.update_id + 1, timeout=1) == ()
    assert 0.9 < time.monotonic() - started < 2.5


async def test_raw_http_details(fake_bot_api: FakeBotAPI) -> None:
    base = f"{fake_bot_api.url}/bot{fake_bot_api.token}"
    async with aiohttp.ClientSession() as http:
        async with http.get(f"{base}/GETME") as resp:  # method names are case-insensitive
            assert resp.status == 200 and (await resp.json())["result"]["id"] == 1000
        async with http.post(f"{base}/noSuchMethod") as resp:
            assert resp.status == 404
            assert await resp.json() == {
                "ok": False,
                "error_code": 404,
                "description": "Not Found: method not found",
            }
        async with http.post(f"{fake_bot_api.url}/bot1:wrong/getMe") as resp:
            assert resp.status == 401
        markup = '{"inline_keyboard": [[{"text": "A", "callback_data": "a"}]]}'
        form = {"chat_id": "7", "text": "[1]", "reply_markup": markup}
        async with http.post(f"{base}/sendMessage", data=form) as resp:
            assert (await resp.json())["result"]["reply_markup"]["inline_keyboard"][0][0] == {
                "text": "A",
                "callback_data": "a",
            }
        async with http.post(f"{base}/sendMessage", json={"chat_id": 7, "text": "json"}) as resp:
            assert resp.status == 200
        async with http.get(f"{fake_bot_api.url}/file/bot{fake_bot_api.token}/x/y") as resp:
            assert resp.status == 404
    assert [c.params["text"] for c in fake_bot_api.calls_to("sendMessage", chat_id=7)] == [
        "[1]",
        "json",
    ]
    assert fake_bot_api.calls[0].method == "getMe"


# ---- end to end polling -------------------------------------------------------------------


async def test_aiogram_dispatcher_polling(fake_bot_api: FakeBotAPI, aiogram_bot: Bot) -> None:
    dp = Dispatcher()

    @dp.message(F.text)
    async def echo(message: Message) -> None:
        await message.answer(f"Bạn nói: {message.text}")

    polling = asyncio.create_task(
        dp.start_polling(aiogram_bot, handle_signals=False, polling_timeout=1)
    )
    try:
        fake_bot_api.push_update(message_update(USER, "thủ tục"))
        [reply] = await fake_bot_api.wait_for("sendMessage", chat_id=USER)
        assert reply.params["text"] == "Bạn nói: thủ tục"
    finally:
        await dp.stop_polling()
        await asyncio.wait_for(polling, 5)
    # aiogram only asks for the update types it has handlers for.
    assert fake_bot_api.calls_to("getUpdates")[0].params["allowed_updates"] == ["message"]


async def test_ptb_application_polling(fake_bot_api: FakeBotAPI) -> None:
    async def echo(update: telegram.Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.effective_message is not None
        await update.effective_message.reply_text(f"Bạn nói: {update.effective_message.text}")

    app = (
        ApplicationBuilder()
        .token(fake_bot_api.token or "")
        .base_url(fake_bot_api.ptb_base_url)
        .base_file_url(fake_bot_api.ptb_base_file_url)
        .build()
    )
    app.add_handler(MessageHandler(filters.TEXT, echo))
    await app.initialize()
    await app.start()
    assert app.updater is not None
    await app.updater.start_polling(timeout=1, poll_interval=0)
    try:
        update_id = fake_bot_api.push_update(message_update(USER, "hộ chiếu"))
        [reply] = await fake_bot_api.wait_for("sendMessage", chat_id=USER)
        assert reply.params["text"] == "Bạn nói: hộ chiếu"
    finally:
        await app.updater.stop()
        await app.stop()
        await app.shutdown()
    # ptb confirms what it fetched when the updater stops.
    assert fake_bot_api.confirmed_offset == update_id + 1
    assert fake_bot_api.pending_updates() == []


# ---- webhook ------------------------------------------------------------------------------


async def test_webhook_delivery(fake_bot_api: FakeBotAPI, aiogram_bot: Bot) -> None:
    received: list[tuple[dict[str, Any], str | None]] = []

    async def hook(request: web.Request) -> web.Response:
        received.append((await request.json(), request.headers.get(SECRET_HEADER)))
        return web.Response(status=200 if request.headers.get(SECRET_HEADER) == "s3cret" else 401)

    app = web.Application()
    app.router.add_post("/hook", hook)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    url = f"http://127.0.0.1:{runner.addresses[0][1]}/hook"
    try:
        assert await aiogram_bot.set_webhook(url, secret_token="s3cret")
        assert (fake_bot_api.webhook_url, fake_bot_api.webhook_secret) == (url, "s3cret")
        info = await aiogram_bot.get_webhook_info()
        assert info.url == url
        with pytest.raises(TelegramConflictError, match="webhook is active"):
            await aiogram_bot.get_updates()

        assert await fake_bot_api.deliver_to_registered_webhook(message_update(USER, "hi")) == 200
        assert await fake_bot_api.deliver_webhook(url, message_update(USER, "no secret")) == 401
        [(first, secret), (second, no_secret)] = received
        assert secret == "s3cret" and no_secret is None
        assert first["message"]["text"] == "hi" and second["update_id"] == first["update_id"] + 1

        assert await aiogram_bot.delete_webhook()
        assert fake_bot_api.webhook_url == ""
    finally:
        await runner.cleanup()


# ---- standalone process -------------------------------------------------------------------


@pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")
async def test_standalone_process() -> None:
    async with FakeBotAPIProcess() as fake:
        assert fake.url.startswith("http://127.0.0.1:")
        update_id = await fake.push_update(message_update(USER, "từ tiến trình khác"))
        bot = telegram.Bot(fake.token, base_url=fake.ptb_base_url)
        async with bot:
            [update] = await bot.get_updates()
            assert update.update_id == update_id
            assert update.message is not None and update.message.text == "từ tiến trình khác"

            await fake.fail("sendMessage", status=429, retry_after=1)
            with pytest.raises(telegram.error.RetryAfter):
                await bot.send_message(USER, "a")
            await bot.send_message(USER, "b")
        [ok] = await fake.wait_for("sendMessage", chat_id=USER)
        assert ok["params"]["text"] == "b"
        assert [c["failed_status"] for c in await fake.calls("sendMessage")] == [429, None]
        assert await fake.sent_texts(USER) == ["b"]
        with pytest.raises(AssertionError, match="expected 1 matching deleteMessage"):
            await fake.wait_for("deleteMessage", timeout=0.2)


# ---- factories and helpers ----------------------------------------------------------------


def test_update_factories_parse_in_both_libraries() -> None:
    command = message_update(USER, "/start@trolyso_test_bot abc", message_id=5, date=1700000000)
    assert "update_id" not in command
    assert command["message"]["entities"] == [{"type": "bot_command", "offset": 0, "length": 23}]
    assert command["message"]["chat"] == {"id": USER, "type": "private", "first_name": "An"}
    assert command["message"]["from"]["language_code"] == "vi"

    anonymous = sender_chat_message_update(-1001234, "thông báo")
    assert anonymous["message"]["from"]["id"] == GROUP_ANONYMOUS_BOT_ID
    assert anonymous["message"]["sender_chat"]["id"] == -1001234
    assert anonymous["message"]["chat"]["type"] == "supergroup"

    pressed = callback_update(USER, "next", message_id=9)
    query = pressed["callback_query"]
    assert query["message"]["message_id"] == 9 and query["chat_instance"] and query["id"]

    for number, update in enumerate((command, anonymous, pressed), start=1):
        update = {**update, "update_id": number}
        assert Update.model_validate(update).event_type in {"message", "callback_query"}
        ptb_update = telegram.Update.de_json(update, None)
        assert ptb_update is not None and ptb_update.update_id == number


async def test_wait_for_timeout_lists_calls_and_reset(
    fake_bot_api: FakeBotAPI, aiogram_bot: Bot
) -> None:
    await aiogram_bot.send_message(USER, "một")
    with pytest.raises(AssertionError, match=r"(?s)got 0.*sendMessage\[ok\]"):
        await fake_bot_api.wait_for("sendMessage", lambda c: c.params["text"] == "hai", timeout=0.1)
    fake_bot_api.push_update(message_update(USER, "x"))
    fake_bot_api.fail("getMe", status=500, times=None)
    fake_bot_api.reset()
    assert fake_bot_api.calls == [] and fake_bot_api.pending_updates() == []
    assert (await aiogram_bot.get_me()).id == 1000
    assert fake_bot_api.push_update(message_update(USER, "y")) == 100001
