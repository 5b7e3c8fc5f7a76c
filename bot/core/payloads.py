"""Every button payload prefix the bot writes, in one place.

A payload is short ASCII (a Telegram button carries at most 64 bytes whatever the language). The
engine writes the fixed ones (``BACK``, ``MENU``...) and those that carry a value (``CHOICE`` +
step token + index, ``START`` + flow id...), spelled and read back in :mod:`bot.engine.buttons`;
the staff desk writes ``STAFF`` + what it means (``s:out:done``, ``s:rv:12``). Keeping them
together is what stops two floors from choosing the same prefix.
"""

from __future__ import annotations

__all__ = [
    "AGAIN",
    "BACK",
    "CHOICE",
    "CONTINUE",
    "HELP",
    "LANGUAGE",
    "MENU",
    "RESTART",
    "RESUME",
    "SET_LANGUAGE",
    "STAFF",
    "START",
    "STAY",
    "SWITCH",
    "staff",
]

# Fixed payloads of the engine.
BACK = "back"
MENU = "menu"
AGAIN = "again"
RESUME = "resume"
LANGUAGE = "lang"  # ask which language
STAY = "stay"  # stay in the flow rather than switch to the one the words meant
CONTINUE = "x:continue"  # after expiry: carry on where the resident stopped
RESTART = "x:restart"  # after expiry: start the flow again

# Prefixes of the engine's payloads that carry a value.
CHOICE = "c:"  # + step token + ":" + index of the choice
HELP = "h:"  # + step token
START = "f:"  # + flow id
SET_LANGUAGE = "l:"  # + language code
SWITCH = "sw:"  # + flow id: leave for that flow, and come back here when it ends

# The staff desk's buttons (visits, outcomes, /forget): the desk answers them before the engine.
STAFF = "s:"


def staff(*parts: object) -> str:
    """A staff desk payload: ``staff("out", "done")`` is ``s:out:done``."""
    return STAFF + ":".join(str(part) for part in parts)
