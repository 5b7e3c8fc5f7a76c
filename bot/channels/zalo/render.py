"""Engine messages as customer-service messages of the OA API, within Zalo's limits.

Zalo shows text as it is (no markup to escape). A long text is cut into parts of at most
``zalo.text_limit`` characters, at a paragraph, line or space where it can; the buttons go on
the last part, ``zalo.buttons_per_message`` at a time (more are carried by a short message of
their own). A button for the engine is a query button whose payload comes back as the
resident's text, marked with ``zalo.payload_prefix``; a link is an open-URL button.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from typing import Any

from bot.config import ZaloSettings
from bot.core.types import Button, OutgoingMessage

__all__ = ["MORE", "ZaloRequest", "cut_text", "render_message"]

# The text of a message that only carries the buttons that did not fit on the one before.
MORE = "⋯"


@dataclass(frozen=True, slots=True)
class ZaloRequest:
    """One customer-service message to one resident (the body of ``POST .../message/cs``).

    ``picture``: a local picture, uploaded (once) when the message is sent; the message is then
    the picture by the ``attachment_id`` Zalo gave it.
    """

    user_id: str
    message: dict[str, Any] = field(default_factory=dict)
    picture: str = ""

    def body(self, attachment: str = "") -> dict[str, Any]:
        """The JSON body Zalo expects (``attachment``: the uploaded picture's id)."""
        message = _media({"attachment_id": attachment}) if self.picture else self.message
        return {"recipient": {"user_id": self.user_id}, "message": message}


def _media(element: dict[str, str]) -> dict[str, Any]:
    """A picture message: a media template of one image, by its address or upload id."""
    media = {"template_type": "media", "elements": [{"media_type": "image", **element}]}
    return {"attachment": {"type": "template", "payload": media}}


def cut_text(text: str, limit: int) -> list[str]:
    """``text`` in parts of at most ``limit`` characters (a Vietnamese letter or an emoji is one
    character to Zalo however many bytes it takes in UTF-8)."""
    parts: list[str] = []
    while len(text) > limit:
        window = text[:limit]
        # The latest natural break in the second half of the window, else a hard cut.
        breaks = [window.rfind(mark) for mark in ("\n\n", "\n", " ")]
        at = next((b for b in breaks if b > limit // 2), limit)
        parts.append(window[:at].rstrip())
        text = text[at:].lstrip()
    parts.append(text)
    return [part for part in parts if part] or [" "]


def _nfc(text: str) -> str:
    """Vietnamese letters composed: "ệ" typed as e + two accents is one character again, as
    Zalo counts it against its limits (and it reads the same)."""
    return unicodedata.normalize("NFC", text)


def _button(button: Button, settings: ZaloSettings) -> dict[str, Any] | None:
    title = _nfc(button.label)[: settings.button_title_limit]
    if button.url:
        return {"title": title, "type": settings.url_button, "payload": {"url": button.url}}
    payload = settings.payload_prefix + button.payload
    if not button.payload or len(payload) > settings.button_payload_limit:
        return None  # a payload Zalo would cut could never be read back
    return {"title": title, "type": settings.query_button, "payload": payload}


def _with_buttons(text: str, buttons: list[dict[str, Any]]) -> dict[str, Any]:
    if not buttons:
        return {"text": text}
    return {"text": text, "attachment": {"type": "template", "payload": {"buttons": buttons}}}


def render_message(
    user_id: str,
    message: OutgoingMessage,
    settings: ZaloSettings,
    *,
    local_picture: bool = False,
) -> list[ZaloRequest]:
    """The requests that show ``message`` to ``user_id``, in order.

    A picture is sent first: by its web address, or (``local_picture``: the sender found the
    file one Zalo takes) uploaded; else its words stand alone. A document (an admin's HTML
    report) is not sent: Zalo takes only PDF, Word and CSV files, and the report's words name
    the file saved on the server.
    """
    requests: list[ZaloRequest] = []
    if message.image.startswith(("https://", "http://")):
        requests.append(ZaloRequest(user_id, _media({"url": message.image})))
    elif message.image and local_picture:
        requests.append(ZaloRequest(user_id, picture=message.image))
    buttons = [b for b in (_button(x, settings) for x in message.all_buttons()) if b is not None]
    parts = cut_text(_nfc(message.text or " "), settings.text_limit)
    for part in parts[:-1]:
        requests.append(ZaloRequest(user_id, {"text": part}))
    step = settings.buttons_per_message
    groups = [buttons[i : i + step] for i in range(0, len(buttons), step)] or [[]]
    requests.append(ZaloRequest(user_id, _with_buttons(parts[-1], groups[0])))
    requests.extend(ZaloRequest(user_id, _with_buttons(MORE, group)) for group in groups[1:])
    return requests
