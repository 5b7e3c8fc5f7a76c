"""What the engine writes on its buttons, and reading it back.

Payloads are short ASCII (a Telegram button carries at most 64 bytes whatever the language) and
name the flow version and step they belong to, so a press on an old message is recognised as stale.
"""

from __future__ import annotations

import hashlib

from bot.flows.schema import Step

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
    "step_signature",
]

BACK = "back"
MENU = "menu"
AGAIN = "again"
RESUME = "resume"
LANGUAGE = "lang"


def step_signature(flow_id: str, step_id: str, step: Step) -> str:
    """Eight characters naming a step *and what its buttons do*.

    An edit elsewhere in the flow (a text, another step, the version number) leaves it as it
    was, so buttons residents already see keep working after a reload; changing this step's
    buttons changes it, so an old button can never be taken for a new one.
    """
    parts = [flow_id, step_id]
    parts += [f"{c.go}={c.label.get('vi')}" for c in step.choices or []]
    if step.help is not None:
        parts.append(f"help={step.help.go}")
    return hashlib.blake2b("|".join(parts).encode(), digest_size=4).hexdigest()


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
