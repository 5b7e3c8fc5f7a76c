"""Every interface text the code asks for; each must exist in ``locales/vi.yaml``."""

from __future__ import annotations

__all__ = ["REQUIRED_KEYS"]

REQUIRED_KEYS = frozenset(
    {
        "language.name",
        "language.ask",
        "language.changed",
        "button.back",
        "button.menu",
        "button.again",
        "button.help",
        "button.resume",
        "button.language",
        "menu.greeting",
        "menu.prompt",
        "menu.welcome_back",
        "menu.not_understood",
        "menu.unknown_flow",
        "flow.finished",
        "flow.press_button",
        "flow.stale_button",
        "flow.updated",
        "flow.gone",
        "flow.broken",
        "flow.no_current",
        "ask.retry",
        "ask.retry_yes_no",
        "ask.retry_number",
        "ask.retry_date",
        "ask.retry_too_long",
        "ask.retry_empty",
        "command.help",
        "command.unknown",
        "console.intro",
        "console.prompt",
        "console.bot",
        "console.image",
        "console.link",
        "console.bye",
        "console.no_such_number",
        "console.type_answer",
        "commands.start",
        "commands.menu",
        "commands.back",
        "commands.restart",
        "commands.lang",
        "commands.help",
        "staff.alert",
    }
)
