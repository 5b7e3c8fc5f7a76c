"""What the fake records about a request, and how it decodes a request's parameters."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from aiohttp import web

from tests.support.fake_bot_methods import canonical_method
from tests.support.fake_bot_state import UploadedFile

# Parameters that are free text or ids: never JSON-decode them, even if "123" or "[1]".
_PLAIN_STRING_FIELDS = frozenset(
    """text caption title description short_description name query callback_query_id
    inline_message_id secret_token url language_code parse_mode action emoji file_id photo
    document audio video animation voice video_note sticker thumbnail business_connection_id
    message_effect_id first_name last_name phone_number address question payload
    provider_token currency start_parameter custom_title ip_address next_offset
    game_short_name web_app_query_id""".split()  # noqa: SIM905 (a word list reads better)
)


@dataclass
class Call:
    """One request the fake received. ``done`` turns True once it has been answered;
    ``failed_status`` is then the HTTP error status, or None for success (499 means the
    client hung up before the answer, e.g. after its own timeout)."""

    method: str
    params: dict[str, Any]
    token: str
    at: float
    failed_status: int | None = None
    description: str | None = None
    result: Any = None
    done: bool = False

    @property
    def ok(self) -> bool:
        return self.done and self.failed_status is None

    @property
    def chat_id(self) -> Any:
        return self.params.get("chat_id")

    def to_json(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in self.__dataclass_fields__}

    def __str__(self) -> str:
        status = "pending" if not self.done else (self.failed_status or "ok")
        return f"{self.method}[{status}] {json.dumps(self.params, ensure_ascii=False)[:200]}"


@dataclass
class Fault:
    """An injected failure or delay; used up after ``times`` matches (None: never)."""

    method: str  # lowercased canonical name, or "*" for every method
    chat_id: Any = None
    times: int | None = 1
    status: int = 0
    description: str = ""
    retry_after: int | None = None
    seconds: float = 0.0
    # Answer with this body as it is (an HTML error page from a proxy, say), not Telegram's JSON.
    raw: str | None = None

    def matches(self, call: Call) -> bool:
        return (
            self.method in ("*", call.method.lower())
            and (self.chat_id is None or same_chat(self.chat_id, call.chat_id))
            and (self.times is None or self.times > 0)
        )


def same_chat(a: Any, b: Any) -> bool:
    # Recorded chat ids are ints, but "-100..." strings from JSON admin calls must match too.
    return a is not None and b is not None and str(a) == str(b)


def method_key(method: str) -> str:
    return "*" if method == "*" else canonical_method(method).lower()


def decode_param(key: str, value: Any) -> Any:
    """Turn a form-encoded value back into what the client meant.

    Both aiogram and ptb send every parameter as a string: numbers and booleans as their
    JSON text, objects (reply_markup, commands, scope ...) as JSON documents. Free-text
    parameters are left alone so a message text "123" stays a string.
    """
    if not isinstance(value, str) or key in _PLAIN_STRING_FIELDS:
        return value
    stripped = value.strip()
    if not stripped or not (
        stripped[0] in '{["-' or stripped[0].isdigit() or stripped in ("true", "false", "null")
    ):
        return value
    try:
        decoded = json.loads(stripped)
    except ValueError:
        return value
    return value if isinstance(decoded, str) else decoded


def _attach(value: Any, uploads: dict[str, UploadedFile], used: set[str]) -> Any:
    """Replace ``attach://name`` references (anywhere in value) by the uploaded part."""
    if isinstance(value, str) and value.startswith("attach://"):
        name = value.removeprefix("attach://")
        if name in uploads:
            used.add(name)
            return uploads[name]
        return value
    if isinstance(value, list):
        return [_attach(item, uploads, used) for item in value]
    if isinstance(value, dict) and not isinstance(value, UploadedFile):
        return {key: _attach(item, uploads, used) for key, item in value.items()}
    return value


async def read_params(request: web.Request) -> dict[str, Any]:
    """Parameters from the query string and a JSON, urlencoded or multipart body."""
    raw: dict[str, Any] = dict(request.query)
    uploads: dict[str, UploadedFile] = {}
    if request.body_exists:
        if request.content_type == "application/json":
            body = await request.json()
            if isinstance(body, dict):
                raw.update(body)
        else:
            form = await request.post()
            for key, value in form.items():
                if isinstance(value, web.FileField):
                    uploads[key] = UploadedFile(
                        value.filename, value.file.read(), value.content_type
                    )
                elif isinstance(value, bytes):  # a non-text part without a filename
                    uploads[key] = UploadedFile(None, value, None)
                else:
                    raw[key] = value
    used: set[str] = set()
    params = {key: _attach(decode_param(key, value), uploads, used) for key, value in raw.items()}
    # ptb uploads single files as a part named after the parameter (no attach:// URI).
    params.update({key: upload for key, upload in uploads.items() if key not in used})
    return params
