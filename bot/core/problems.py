"""A problem found in a flow or locale file, with its place, in words an admin understands."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from bot.core.messages import describe

__all__ = ["Problem", "Severity", "shown_path"]


def shown_path(path: str | os.PathLike[str]) -> str:
    """``path`` as an admin reads it best: relative to the current folder when it is inside it,
    absolute otherwise (``../`` chains are hard to follow)."""
    text = os.fspath(path)
    try:
        absolute = os.path.abspath(text)
        relative = os.path.relpath(absolute, os.getcwd())
    except (OSError, ValueError):  # no current folder any more: say it as it was given
        return text
    return absolute if relative.split(os.sep)[0] == os.pardir else relative


class Severity(StrEnum):
    """Errors stop a flow from running; warnings are worth fixing but do not."""

    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True, slots=True, kw_only=True)
class Problem:
    """One thing wrong at ``path:line:column``; ``code`` picks the message, ``params`` fill it."""

    path: str
    code: str
    line: int = 1
    column: int = 1
    params: dict[str, Any] = field(default_factory=dict)
    severity: Severity = Severity.ERROR
    step: str = ""

    @property
    def is_error(self) -> bool:
        """True when the flow cannot run until this is fixed."""
        return self.severity is Severity.ERROR

    def render(self, lang: str = "en") -> str:
        """``path:line:column: error: [step x] what is wrong — what to do`` in ``lang``."""
        where = f"{shown_path(self.path)}:{self.line}:{self.column}"
        kind = describe(f"severity.{self.severity.value}", {}, lang)
        step = describe("at_step", {"step": self.step}, lang) + " " if self.step else ""
        return f"{where}: {kind}: {step}{describe(self.code, self.params, lang)}"

    def __str__(self) -> str:
        return self.render("en")
