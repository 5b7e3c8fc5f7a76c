"""The link printed in a poster's QR code: ``https://t.me/<bot>?start=<payload>``, the web
chat's ``<web.public_url>/?start=<payload>`` for communes without Telegram, or the Zalo OA's
``https://zalo.me/<oa_id>`` (a Zalo link carries no start payload: the poster prints the words
to type instead, ``BATDAU <payload>``, which the bot reads as the same start).

The payload is the flow id, or ``<flow_id>-v<volunteer code>`` so sessions opened from a
volunteer's poster are credited to them. Telegram accepts at most 64 characters from
A-Z a-z 0-9 _ - after ``?start=``: anything else is refused here, before a poster is printed
with a link that would not work.
"""

from __future__ import annotations

import re

from bot.core.errors import TroLySoError

__all__ = [
    "MAX_PAYLOAD",
    "PosterError",
    "bot_username",
    "deep_link",
    "start_payload",
    "web_link",
    "zalo_link",
]

MAX_PAYLOAD = 64
_PAYLOAD = re.compile(r"^[A-Za-z0-9_-]+$")
# Telegram usernames: 5 to 32 letters, digits and underscores, starting with a letter.
_USERNAME = re.compile(r"^[A-Za-z][A-Za-z0-9_]{4,31}$")


class PosterError(TroLySoError):
    """A poster cannot be made; ``code`` and ``params`` name the message for the admin."""

    def __init__(self, code: str, **params: object) -> None:
        # Its codes are the poster command's own sentences (bot/posters/cli.py says them).
        super().__init__(f"{code}: {params}")
        self.code = code
        self.params = dict(params)


def bot_username(configured: str) -> str:
    """The bot's username from the setting, forgiving a leading @ or spaces."""
    username = configured.strip().removeprefix("@")
    if not username:
        raise PosterError("no_username")
    if not _USERNAME.match(username):
        raise PosterError("bad_username", username=configured)
    return username


def start_payload(flow_id: str, volunteer_code: str | None = None) -> str:
    """What follows ``?start=``: the flow id, and ``-v<CODE>`` for a volunteer's poster."""
    payload = flow_id if not volunteer_code else f"{flow_id}-v{volunteer_code.strip().upper()}"
    if not _PAYLOAD.match(payload):
        raise PosterError("payload_bad_chars", payload=payload)
    if len(payload) > MAX_PAYLOAD:
        raise PosterError("payload_too_long", length=len(payload))
    return payload


def deep_link(username: str, payload: str) -> str:
    """The link that opens the bot and starts the flow named by ``payload``."""
    return f"https://t.me/{username}?start={payload}"


def web_link(public_url: str, payload: str) -> str:
    """The web chat's link that starts the flow named by ``payload`` (``web.public_url``)."""
    url = public_url.strip().rstrip("/")
    if not url:
        raise PosterError("no_web_url")
    if not re.match(r"^https?://[^\s?#]+$", url):
        raise PosterError("bad_web_url", url=public_url)
    return f"{url}/?start={payload}"


def zalo_link(oa_id: str) -> str:
    """The OA's own link (its chat and follow page): ``zalo.oa_id``, digits only."""
    oa = oa_id.strip()
    if not oa:
        raise PosterError("no_oa_id")
    if not oa.isdigit():
        raise PosterError("bad_oa_id", oa_id=oa_id)
    return f"https://zalo.me/{oa}"
