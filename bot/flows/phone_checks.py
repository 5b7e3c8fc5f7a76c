"""What a resident's phone can show: button widths, message and caption lengths, button counts."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.core.located_yaml import Document, Location
from bot.flows.schema import Flow
from bot.flows.walk import texts

if TYPE_CHECKING:
    from bot.flows.checks import FlowCheck

__all__ = [
    "BUTTON_CHARS",
    "CAPTION_CHARS",
    "MAX_CHOICES",
    "MESSAGE_CHARS",
    "check_telegram_limits",
    "text_location",
]

# What fits on Telegram (Bot API limits; the button width is what a phone shows before cutting).
BUTTON_CHARS = 40
MAX_CHOICES = 8
MESSAGE_CHARS = 4096
CAPTION_CHARS = 1024


def text_location(doc: Document, loc: Location, lang: str) -> Location:
    """Point at the language's own line when the text was written per language."""
    return (*loc, lang) if (*loc, lang) in doc.marks else loc


def check_telegram_limits(flow: Flow, doc: Document, result: FlowCheck) -> None:
    """Buttons, messages and captions that Telegram would cut, refuse or squeeze."""
    for loc, step_id, text, part in texts(flow):
        if not step_id:
            continue
        step = flow.steps[step_id]
        for lang, source in text.texts.items():
            # The template as written is what an admin can count and shorten.
            length = len(source)
            text_loc = text_location(doc, loc, lang)
            if part == "label" and length > BUTTON_CHARS:
                result.add(
                    doc,
                    text_loc,
                    "flow.label_too_long",
                    step=step_id,
                    warning=True,
                    length=length,
                    limit=BUTTON_CHARS,
                )
            elif part in ("say", "retry", "notify"):
                caption = part == "say" and step.image is not None
                limit = CAPTION_CHARS if caption else MESSAGE_CHARS
                if length > limit:
                    code = "flow.caption_too_long" if caption else "flow.text_too_long"
                    result.add(doc, text_loc, code, step=step_id, length=length, limit=limit)
    for step_id, step in flow.steps.items():
        if step.choices and len(step.choices) > MAX_CHOICES:
            result.add(
                doc,
                ("steps", step_id, "choices"),
                "flow.too_many_choices",
                key=True,
                step=step_id,
                warning=True,
                count=len(step.choices),
                limit=MAX_CHOICES,
            )
