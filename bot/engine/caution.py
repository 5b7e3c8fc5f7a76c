"""Telling a resident at once, kindly, never to send a code or a password to anyone, the bot too.

What counts as a secret is decided beside the masking (:func:`bot.core.privacy.secrets_in`), so
what the bot warns about and what it hides from storage are one decision. The warning is one
short message in front of the turn's normal reply, whatever the resident was doing.
"""

from __future__ import annotations

from bot.core.privacy import secrets_in
from bot.core.types import OutgoingMessage
from bot.engine.turn import Turn

__all__ = ["secret_warning"]


def secret_warning(turn: Turn, text: str) -> OutgoingMessage | None:
    """The warning for typed ``text`` that holds a secret, or None.

    Made before the turn moves on: at a step that asks the resident to type (an amount, a
    customer code), a number is the answer, and only codes and passwords named as such count.
    """
    session = turn.session
    frame = session.frame
    answering = session.screen == "flow" and frame is not None and frame.step_kind == "ask"
    if not secrets_in(text, answering=answering):
        return None
    return OutgoingMessage(text=turn.ui("safety.secret"))
