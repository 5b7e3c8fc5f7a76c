"""What the engine writes on its buttons, and reading it back.

Payloads are short ASCII (a Telegram button carries at most 64 bytes whatever the language) and
name the flow version and step they belong to, so a press on an old message is recognised as stale.
"""

from __future__ import annotations

import hashlib

__all__ = [
    "AGAIN",
    "BACK",
    "LANGUAGE",
    "MENU",
    "RESUME",
    "choice",
    "help_button",
    "language",
    "start",
    "step_token",
]

BACK = "back"
MENU = "menu"
AGAIN = "again"
RESUME = "resume"
LANGUAGE = "lang"


def step_token(flow_id: str, version: int, step_id: str) -> str:
    """Eight characters that change when the flow, its version or the step changes."""
    raw = f"{flow_id}|{version}|{step_id}".encode()
    return hashlib.blake2b(raw, digest_size=4).hexdigest()


def choice(token: str, index: int) -> str:
    """The payload of the ``index``-th choice of the step with ``token``."""
    return f"c:{token}:{index}"


def help_button(token: str) -> str:
    """The payload of a step's "it didn't work" button."""
    return f"h:{token}"


def start(flow_id: str) -> str:
    """The payload of a main-menu button that starts ``flow_id``."""
    return f"f:{flow_id}"


def language(code: str) -> str:
    """The payload of a button that switches to language ``code``."""
    return f"l:{code}"
