"""What the engine writes on its buttons, and reading it back.

Payloads are short ASCII (a Telegram button carries at most 64 bytes whatever the language) and
name the flow version and step they belong to, so a press on an old message is recognised as stale.

The payloads and prefixes themselves are spelled in :mod:`bot.core.payloads` (with the staff
desk's; import them from there); this module builds the ones that carry a value and reads them
back.
"""

from __future__ import annotations

import hashlib

from bot.core.payloads import (
    CHOICE,
    HELP,
    SET_LANGUAGE,
    START,
    SWITCH,
)
from bot.flows.schema import Step

__all__ = [
    "choice",
    "choice_index",
    "help_button",
    "language",
    "start",
    "step_signature",
    "switch",
]


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
    if step.with_:  # what a sub-flow call gives is part of what the step does
        parts.append(f"with={sorted((name, str(value)) for name, value in step.with_.items())}")
    return hashlib.blake2b("|".join(parts).encode(), digest_size=4).hexdigest()


def choice(token: str, index: int) -> str:
    """The payload of the ``index``-th choice of the step with ``token``."""
    return f"{CHOICE}{token}:{index}"


def choice_index(payload: str, token: str, count: int) -> int | None:
    """The index a choice payload names for the step with ``token`` and ``count`` choices.

    None for anything else: another step's choice, or a forged index (not plain ASCII digits,
    or out of range).
    """
    if not payload.startswith(CHOICE):
        return None
    given, _, index = payload[len(CHOICE) :].partition(":")
    if given != token or not (index.isascii() and index.isdigit() and len(index) <= 3):
        return None
    return int(index) if int(index) < count else None


def help_button(token: str) -> str:
    """The payload of a step's "it didn't work" button."""
    return f"{HELP}{token}"


def start(flow_id: str) -> str:
    """The payload of a main-menu button that starts ``flow_id``."""
    return f"{START}{flow_id}"


def language(code: str) -> str:
    """The payload of a button that switches to language ``code``."""
    return f"{SET_LANGUAGE}{code}"


def switch(flow_id: str) -> str:
    """The payload of a button that leaves the flow on screen for ``flow_id`` (a detour)."""
    return f"{SWITCH}{flow_id}"
