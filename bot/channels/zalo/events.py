"""Zalo's webhook events: their signature, and what each means to the engine.

Zalo signs each request with ``X-ZEvent-Signature: mac=<hex>``, the SHA-256 of the app id, the
body exactly as sent, the event's ``timestamp`` and the OA secret key (``zalo.signature``
chooses another documented scheme). The timestamp is in the signed body, so a replayed event
is refused once it is older than ``zalo.max_event_age_seconds``.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from dataclasses import dataclass
from typing import Any

from bot.config import ZaloSettings
from bot.core.types import Command, IncomingEvent, Opened, Press, Text

__all__ = ["SIGNATURE_HEADER", "ZaloEvent", "check_signature", "read_event", "sign", "to_event"]

SIGNATURE_HEADER = "X-ZEvent-Signature"
# Events of a resident writing to the OA; what they sent other than text is read as empty.
_SENDS = "user_send_"


@dataclass(frozen=True, slots=True)
class ZaloEvent:
    """One event, as much of it as the bot uses."""

    kind: str  # "text", "other" (a picture, a sticker...), "follow", "unfollow"
    user_id: str
    timestamp_ms: int
    event_id: str
    text: str = ""


def sign(settings: ZaloSettings, body: bytes, timestamp: str) -> str:
    """The signature Zalo sends with ``body`` (the fake OA server of the tests signs with it)."""
    secret = settings.oa_secret_key.encode()
    if settings.signature == "hmac_sha256":
        return "mac=" + hmac.new(secret, body, hashlib.sha256).hexdigest()
    first = settings.oa_id if settings.signature == "sha256_oa_id" else settings.app_id
    signed = first.encode() + body + timestamp.encode() + secret
    return "mac=" + hashlib.sha256(signed).hexdigest()


def check_signature(
    settings: ZaloSettings, body: bytes, given: str | None, *, now: float
) -> tuple[dict[str, Any] | None, str]:
    """The event's data when ``given`` signs ``body`` and it is fresh, else None and why."""
    if not given:
        return None, "unsigned"
    try:
        data = json.loads(body)
    except ValueError:
        return None, "not JSON"
    if not isinstance(data, dict):
        return None, "not an event"
    timestamp = str(data.get("timestamp", ""))
    # Compared in constant time: a forger learns nothing from how long a refusal takes.
    expected = sign(settings, body, timestamp).encode()
    if not hmac.compare_digest(given.strip().encode("utf-8", "surrogateescape"), expected):
        return None, "wrong signature"
    if not timestamp.isdigit():
        return None, "no timestamp"
    age = now - int(timestamp) / 1000
    if abs(age) > settings.max_event_age_seconds:
        return None, "stale"
    return data, ""


def read_event(data: dict[str, Any]) -> ZaloEvent | None:
    """The event in a signed body, or None for one the bot does not handle."""
    name = str(data.get("event_name", ""))
    timestamp = int(str(data.get("timestamp", "0")) or 0)
    if name in ("follow", "unfollow"):
        user = str((data.get("follower") or {}).get("id", ""))
        if not user:
            return None
        return ZaloEvent(name, user, timestamp, f"{name}:{user}:{timestamp}")
    if not name.startswith(_SENDS):
        return None  # the OA's own messages, seen receipts...
    user = str((data.get("sender") or {}).get("id", ""))
    message = data.get("message") or {}
    if not user or not isinstance(message, dict):
        return None
    event_id = str(message.get("msg_id") or f"{name}:{user}:{timestamp}")
    if name == "user_send_text":
        return ZaloEvent("text", user, timestamp, event_id, str(message.get("text", "")))
    return ZaloEvent("other", user, timestamp, event_id)


def to_event(event: ZaloEvent, settings: ZaloSettings) -> IncomingEvent:
    """The engine event: the bot's own query button, a typed command or start word, or text."""
    text = event.text.strip()
    if event.kind == "follow":
        return Opened()
    if text.startswith(settings.payload_prefix):
        payload = text[len(settings.payload_prefix) :]
        # Every payload the bot makes is ASCII: anything else was not made here.
        return Press(payload if payload.isascii() else "")
    word, _, rest = text.partition(" ")
    if settings.start_word and word.casefold() == settings.start_word.casefold():
        return Command("start", rest.strip()) if rest.strip() else Opened()
    if text.startswith("/") and len(text) > 1:
        name, _, arg = text[1:].partition(" ")
        if name.replace("_", "").isalnum():
            if name.lower() == "start" and not arg.strip():
                return Opened()
            return Command(name.lower(), arg.strip())
    return Text(text if event.kind == "text" else "")
