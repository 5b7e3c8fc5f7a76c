"""Keeping secrets (the bot token, the webhook secret, the Zalo OA's secrets and tokens) out of
everything the process logs.

The frameworks log request URLs, which hold the token (``.../bot123456:ABC.../getMe``), and
quote it in their errors. ``trolyso run`` installs :func:`hide_secrets` right after logging is
set up, before a framework is even imported, so no line carries it; warnings are routed
through logging for the same reason.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

__all__ = ["PLACEHOLDER", "RedactSecrets", "hide_secrets", "stop_hiding"]

PLACEHOLDER = "<token>"
# A secret part shorter than this could be an ordinary word; tokens' are 35 characters.
_SHORTEST_PART = 8


class RedactSecrets(logging.Filter):
    """Replaces each secret, and a token's part after the colon, by ``<token>`` in a record."""

    def __init__(self, secrets: Iterable[str]) -> None:
        super().__init__()
        found: set[str] = set()
        for secret in secrets:
            if not secret:
                continue
            found.add(secret)
            _, colon, after = secret.partition(":")
            if colon and len(after) >= _SHORTEST_PART:
                found.add(after)  # the part that matters, however the digits are written
        self.secrets = sorted(found, key=len, reverse=True)

    def add(self, secret: str) -> None:
        """Hide one more secret from now on (a token renewed while running)."""
        if secret and secret not in self.secrets:
            self.secrets = sorted([*self.secrets, secret], key=len, reverse=True)

    def redact(self, text: str) -> str:
        """``text`` without the secrets."""
        for secret in self.secrets:
            text = text.replace(secret, PLACEHOLDER)
        return text

    def filter(self, record: logging.LogRecord) -> bool:
        if not self.secrets:
            return True
        message = record.getMessage()
        clean = self.redact(message)
        if clean != message:
            record.msg, record.args = clean, ()
        if record.exc_info and not record.exc_text:
            # Formatted now (as a handler would), so the traceback's messages are cleaned too.
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = self.redact(record.exc_text)
        if record.stack_info:
            record.stack_info = self.redact(record.stack_info)
        return True


def hide_secrets(*secrets: str, warnings: bool = True) -> RedactSecrets:
    """From now on keep ``secrets`` out of every log line (and warning); returns the filter.

    The filter sits on the root logger's handlers, so records of every library pass it. With
    ``warnings``, Python's warnings (aiogram's, ptb's) are logged instead of printed, to pass
    it too.
    """
    redact = RedactSecrets(secrets)
    for handler in logging.getLogger().handlers:
        handler.addFilter(redact)
    if warnings:
        logging.captureWarnings(True)
    return redact


def stop_hiding(redact: RedactSecrets) -> None:
    """Undo :func:`hide_secrets` (warnings stay routed through logging)."""
    for handler in logging.getLogger().handlers:
        handler.removeFilter(redact)
