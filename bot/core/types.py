"""Plain values shared by every layer: what comes in from a channel and what goes back out.

Nothing here knows about Telegram, the terminal or the database.
"""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = [
    "BotProfile",
    "Button",
    "Command",
    "IncomingEvent",
    "Opened",
    "OutgoingMessage",
    "Press",
    "SessionKey",
    "Text",
]


@dataclass(slots=True)
class BotProfile:
    """What the bot is called where residents find it, learned when a channel connects.

    The staff desk writes invite links with it; the Telegram channel fills in its username from
    Telegram's answer at start (the configured ``telegram.username`` until then).
    """

    username: str = ""


@dataclass(frozen=True, slots=True)
class SessionKey:
    """Whose conversation this is: a channel name and the user's id on that channel."""

    channel: str
    user_id: str

    def __str__(self) -> str:
        return f"{self.channel}:{self.user_id}"


@dataclass(frozen=True, slots=True)
class Text:
    """The resident typed something."""

    text: str


@dataclass(frozen=True, slots=True)
class Press:
    """The resident pressed a button; ``payload`` is what the engine put on it."""

    payload: str


@dataclass(frozen=True, slots=True)
class Command:
    """A slash command such as ``/menu`` or ``/start vneid_install`` (name without the slash)."""

    name: str
    arg: str = ""


@dataclass(frozen=True, slots=True)
class Opened:
    """The resident opened the chat (the terminal started): greet, or pick up where they were.

    ``lang`` (optional) switches the conversation to that language first.
    """

    lang: str = ""


IncomingEvent = Text | Press | Command | Opened


@dataclass(frozen=True, slots=True, kw_only=True)
class Button:
    """A button under a message: either an action for the engine (``payload``) or a web link."""

    label: str
    payload: str = ""
    url: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class OutgoingMessage:
    """One message to show: text, an optional picture, and rows of buttons.

    ``awaits_text`` is set when the bot waits for a typed answer (a number typed then is an
    answer, not a button number).
    """

    text: str
    buttons: tuple[tuple[Button, ...], ...] = field(default=())
    image: str = ""
    awaits_text: bool = False
    # A file sent with the message (an admin's HTML report), by path.
    document: str = ""

    def all_buttons(self) -> list[Button]:
        """Every button of the message, row by row."""
        return [button for row in self.buttons for button in row]
