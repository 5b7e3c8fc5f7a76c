"""What the page and the bot say to each other: small JSON objects, checked before anything else.

From the page, one message is ``{"id": "...", "text": "..."}`` (typed), ``{"id", "press"}`` (a
button's payload), ``{"id", "start"}`` (a deep link's argument, as ``/start`` carries it on
Telegram) or ``{"id", "open": true}`` (the page was opened). ``id`` is made by the page and sent
again when the page is not sure the bot got it: the bot handles each id once.

To the page, a reply is ``{"text", "buttons": [[{"label", "payload"} or {"label", "url"}]],
"image", "awaits_text"}``; the page shows every text with ``textContent``, so nothing a resident or
an admin writes can become markup.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bot.core.types import Command, IncomingEvent, Opened, OutgoingMessage, Press, Text

__all__ = [
    "MAX_TEXT",
    "BadMessage",
    "Images",
    "Incoming",
    "parse_incoming",
    "render",
    "resident_of",
]

MAX_TEXT = 1_000  # characters a resident may type in one message
_ID = re.compile(r"[A-Za-z0-9_-]{1,64}")
# The page's own random id: 128 bits or more, base64url (never shown, never in a URL).
_RESIDENT = re.compile(r"[A-Za-z0-9_-]{22,86}")
_PAYLOAD = re.compile(r"[\x21-\x7e]{1,64}")  # what the engine writes on buttons: short ASCII
_START = re.compile(r"[A-Za-z0-9_-]{1,64}")  # as Telegram allows in /start deep links


class BadMessage(ValueError):
    """The page sent something the bot does not take; ``code`` names it for the page."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


@dataclass(frozen=True, slots=True)
class Incoming:
    """One checked message from the page: its id and the engine event it stands for."""

    id: str
    event: IncomingEvent


def resident_of(token: object) -> str:
    """The stored name of the resident whose page holds ``token`` (a one-way hash of it).

    The token is the resident's only credential: the database and the logs never see it, so
    neither can be used to take over someone's conversation.
    """
    if not isinstance(token, str) or not _RESIDENT.fullmatch(token):
        raise BadMessage("bad_resident")
    return hashlib.sha256(token.encode()).hexdigest()[:32]


def parse_incoming(data: object) -> Incoming:
    """The message the page sent, or :class:`BadMessage` (never a traceback)."""
    if not isinstance(data, dict):
        raise BadMessage("bad_message")
    message_id = data.get("id")
    if not isinstance(message_id, str) or not _ID.fullmatch(message_id):
        raise BadMessage("bad_id")
    event: IncomingEvent
    if "text" in data:
        text = data["text"]
        if not isinstance(text, str):
            raise BadMessage("bad_message")
        text = text.strip()
        if len(text) > MAX_TEXT:
            raise BadMessage("too_long")
        if not text:
            raise BadMessage("empty")
        event = _typed(text)
    elif "press" in data:
        payload = data["press"]
        if not isinstance(payload, str) or not _PAYLOAD.fullmatch(payload):
            # A forged button: the engine would call it stale anyway; say so without a turn.
            raise BadMessage("bad_button")
        event = Press(payload)
    elif "start" in data:
        arg = data["start"]
        if not isinstance(arg, str) or not _START.fullmatch(arg):
            raise BadMessage("bad_start")
        event = Command(name="start", arg=arg)
    elif data.get("open") is True:
        event = Opened(lang=_lang(data.get("lang")))
    else:
        raise BadMessage("bad_message")
    return Incoming(message_id, event)


def _typed(text: str) -> IncomingEvent:
    """A typed line: a /command, or words."""
    if text.startswith("/") and len(text) > 1:
        name, _, arg = text[1:].partition(" ")
        if name == "start" and not arg:
            return Opened()
        return Command(name=name, arg=arg.strip())
    return Text(text)


def _lang(value: object) -> str:
    """The page's language hint (the phone's language), if it is one the bot speaks."""
    return value if value in ("vi", "en") else ""


class Images:
    """The pictures of steps, served by the bot under names that reveal nothing of its disk.

    Only files a reply has shown are served: a name is the hash of the file's path, size and
    time, so a changed picture gets a new name and an old page never shows a stale one.
    """

    def __init__(self) -> None:
        self._files: dict[str, Path] = {}

    def name_for(self, image: str) -> str:
        """The address the page loads ``image`` from (a web address is kept as it is)."""
        if image.startswith("https://"):
            return image
        path = Path(image)
        try:
            stat = path.stat()
        except OSError:
            return ""
        digest = hashlib.sha256(
            f"{path.resolve()}|{stat.st_size}|{stat.st_mtime_ns}".encode()
        ).hexdigest()[:24]
        name = digest + path.suffix.lower()
        self._files[name] = path
        return f"/media/{name}"

    def file(self, name: str) -> Path | None:
        """The file behind a name this bot gave out, or None."""
        return self._files.get(name)


def render(message: OutgoingMessage, images: Images) -> dict[str, Any]:
    """A reply as the page shows it (a report file is for staff on Telegram: not shown here)."""
    rows = []
    for row in message.buttons:
        buttons: list[dict[str, str]] = []
        for button in row:
            if button.url:
                if button.url.startswith(("https://", "http://", "tel:")):
                    buttons.append({"label": button.label, "url": button.url})
            else:
                buttons.append({"label": button.label, "payload": button.payload})
        if buttons:
            rows.append(buttons)
    shown: dict[str, Any] = {"text": message.text, "buttons": rows}
    if message.image:
        address = images.name_for(message.image)
        if address:
            shown["image"] = address
    if message.awaits_text:
        shown["awaits_text"] = True
    return shown
