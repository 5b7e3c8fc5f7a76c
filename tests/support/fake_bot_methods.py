"""The Bot API methods the fake implements, on top of :class:`BotState`.

Each function takes the bot's state and the decoded parameters and returns the ``result``
Telegram would send, or raises :class:`ApiError` with Telegram's status and description.
They are registered by canonical (camelCase) name in :data:`HANDLERS`.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from tests.support.fake_bot_state import (
    CHAT_ACTIONS,
    MAX_TEXT,
    ApiError,
    BotState,
    require,
)

Handler = Callable[["BotState", dict[str, Any]], Any]
HANDLERS: dict[str, Handler] = {}


def api_method(name: str) -> Callable[[Handler], Handler]:
    """Register a Bot API method implementation under its canonical camelCase name."""

    def register(func: Handler) -> Handler:
        HANDLERS[name] = func
        return func

    return register


def canonical_method(name: str) -> str:
    """Telegram matches method names case-insensitively: map any casing to ours."""
    lowered = name.lower()
    return next((known for known in HANDLERS if known.lower() == lowered), name)


# ---- the methods ----------------------------------------------------------------------


@api_method("getMe")
def get_me(self: BotState, params: dict[str, Any]) -> Any:
    return {
        **self.me,
        "can_join_groups": True,
        "can_read_all_group_messages": False,
        "supports_inline_queries": False,
        "can_connect_to_business": False,
        "has_main_web_app": False,
    }


@api_method("sendMessage")
def send_message(self: BotState, params: dict[str, Any]) -> Any:
    text, entities = self.render_text(params, "text", MAX_TEXT, "Bad Request: message is too long")
    if not text.strip():
        raise ApiError(400, "Bad Request: message text is empty")
    return self.new_message(params, text=text, entities=entities)


@api_method("sendPhoto")
def send_photo(self: BotState, params: dict[str, Any]) -> Any:
    caption = self.caption_fields(params)
    big = self.file_field(params, "photo", "photo")
    big.update(width=1280, height=960)
    big.pop("file_name", None)
    big.pop("mime_type", None)
    # Telegram returns several sizes, largest last; bots usually keep photo[-1].file_id.
    small = {
        "file_id": big["file_id"] + "_s",
        "file_unique_id": big["file_unique_id"] + "s",
        "file_size": min(big.get("file_size", 0), 1024),
        "width": 90,
        "height": 67,
    }
    big.pop("file_path", None)
    return self.new_message(params, photo=[small, big], **caption)


@api_method("sendDocument")
def send_document(self: BotState, params: dict[str, Any]) -> Any:
    caption = self.caption_fields(params)
    document = self.file_field(params, "document", "document")
    document.pop("file_path", None)
    return self.new_message(params, document=document, **caption)


@api_method("getFile")
def get_file(self: BotState, params: dict[str, Any]) -> Any:
    file = self.files.get(str(require(params, "file_id")))
    if file is None:
        raise ApiError(400, "Bad Request: invalid file_id")
    return {k: v for k, v in file.items() if k != "_content"}


@api_method("editMessageText")
def edit_message_text(self: BotState, params: dict[str, Any]) -> Any:
    message = self.editable(params)
    text, entities = self.render_text(params, "text", MAX_TEXT, "Bad Request: message is too long")
    if not text.strip():
        raise ApiError(400, "Bad Request: message text is empty")
    # Without reply_markup an edit removes the inline keyboard, as in Telegram.
    markup = self.check_markup(params)
    return self.apply_edit(message, text=text, entities=entities, reply_markup=markup)


@api_method("editMessageCaption")
def edit_message_caption(self: BotState, params: dict[str, Any]) -> Any:
    message = self.editable(params)
    caption = self.caption_fields(params)
    return self.apply_edit(message, **caption, reply_markup=self.check_markup(params))


@api_method("editMessageReplyMarkup")
def edit_message_reply_markup(self: BotState, params: dict[str, Any]) -> Any:
    message = self.editable(params)
    return self.apply_edit(message, reply_markup=self.check_markup(params))


@api_method("deleteMessage")
def delete_message(self: BotState, params: dict[str, Any]) -> Any:
    key = (self.chat_id(params), int(require(params, "message_id")))
    if self.messages.pop(key, None) is None:
        raise ApiError(400, "Bad Request: message to delete not found")
    return True


@api_method("answerCallbackQuery")
def answer_callback_query(self: BotState, params: dict[str, Any]) -> Any:
    query_id = str(require(params, "callback_query_id"))
    if query_id not in self.open_callback_queries:
        raise ApiError(
            400,
            "Bad Request: query is too old and response timeout expired or query ID is invalid",
        )
    if len(str(params.get("text") or "")) > 200:
        raise ApiError(400, "Bad Request: MESSAGE_TOO_LONG")
    self.open_callback_queries.discard(query_id)
    return True


def _commands_key(params: dict[str, Any]) -> tuple[str, str]:
    scope = params.get("scope") or {"type": "default"}
    language = str(params.get("language_code") or "")
    if language and (len(language) != 2 or not language.isalpha()):
        raise ApiError(400, "Bad Request: invalid language code specified")
    return json.dumps(scope, sort_keys=True), language


@api_method("setMyCommands")
def set_my_commands(self: BotState, params: dict[str, Any]) -> Any:
    commands = require(params, "commands")
    for command in commands:
        name = str(command.get("command", ""))
        if not (1 <= len(name) <= 32 and all(c.islower() or c.isdigit() or c == "_" for c in name)):
            raise ApiError(400, "Bad Request: BOT_COMMAND_INVALID")
        if not 1 <= len(str(command.get("description", ""))) <= 256:
            raise ApiError(400, "Bad Request: BOT_COMMAND_DESCRIPTION_INVALID")
    self.commands[_commands_key(params)] = [
        {"command": c["command"], "description": c["description"]} for c in commands
    ]
    return True


@api_method("getMyCommands")
def get_my_commands(self: BotState, params: dict[str, Any]) -> Any:
    return self.commands.get(_commands_key(params), [])


@api_method("deleteMyCommands")
def delete_my_commands(self: BotState, params: dict[str, Any]) -> Any:
    self.commands.pop(_commands_key(params), None)
    return True


@api_method("sendChatAction")
def send_chat_action(self: BotState, params: dict[str, Any]) -> Any:
    self.chat_id(params)
    if params.get("action") not in CHAT_ACTIONS:
        raise ApiError(400, "Bad Request: wrong parameter action in request")
    return True


@api_method("setWebhook")
def set_webhook(self: BotState, params: dict[str, Any]) -> Any:
    # Telegram insists on https; local tests cannot, so any URL is accepted.
    self.webhook_url = str(params.get("url") or "")
    self.webhook_secret = params.get("secret_token") or None
    self.webhook_max_connections = params.get("max_connections")
    if params.get("allowed_updates") is not None:
        self.allowed_updates = list(params["allowed_updates"])
    if params.get("drop_pending_updates"):
        self.updates.clear()
    return True


@api_method("deleteWebhook")
def delete_webhook(self: BotState, params: dict[str, Any]) -> Any:
    self.webhook_url, self.webhook_secret = "", None
    if params.get("drop_pending_updates"):
        self.updates.clear()
    return True


@api_method("getWebhookInfo")
def get_webhook_info(self: BotState, params: dict[str, Any]) -> Any:
    info: dict[str, Any] = {
        "url": self.webhook_url,
        "has_custom_certificate": False,
        "pending_update_count": len(self.updates.pending()),
    }
    if self.webhook_url:
        info["max_connections"] = self.webhook_max_connections or 40
        if self.allowed_updates:
            info["allowed_updates"] = self.allowed_updates
    return info


@api_method("getUpdates")
async def get_updates(self: BotState, params: dict[str, Any]) -> Any:
    if self.webhook_url:
        raise ApiError(
            409,
            "Conflict: can't use getUpdates method while webhook is active; "
            "use deleteWebhook to delete the webhook first",
        )
    if params.get("allowed_updates") is not None:
        # Telegram keeps the last allowed_updates until a call sets it again.
        self.allowed_updates = list(params["allowed_updates"])
    limit = min(max(int(params.get("limit") or 100), 1), 100)
    if self.polling:
        self.poll_conflicts += 1
    self.polling += 1
    try:
        return await self.updates.get(
            offset=int(params.get("offset") or 0),
            limit=limit,
            timeout=float(params.get("timeout") or 0),
            allowed=self.allows,
            closing=self.closing,
        )
    finally:
        self.polling -= 1


@api_method("close")
def close(self: BotState, params: dict[str, Any]) -> Any:
    return True


@api_method("logOut")
def log_out(self: BotState, params: dict[str, Any]) -> Any:
    return True
