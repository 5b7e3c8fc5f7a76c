"""What a message says, as the router compares it: folded words with the shortcuts spelt out.

``words("Bố em ko nhận đc OTP")`` is ``("bo", "em", "khong", "nhan", "duoc", "otp")``.

Each word also keeps its *marks* (the accents it was typed with, if any). Without accents "lua"
may be "lúa" (rice) or "lừa" (to cheat); when a resident did type the accents, the router uses
them to tell such words apart, and when they did not, it does not hold that against them.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass

from bot.core.matching import fold
from bot.routing.shortcuts import PHRASES, WORDS

__all__ = ["MAX_CHARS", "MAX_WORDS", "Reading", "read", "words"]

# Residents' requests are a sentence or two. A pasted page is read by its beginning, so one odd
# message cannot slow the bot down for everyone else.
MAX_CHARS = 1_000
MAX_WORDS = 64

_PIECES = re.compile(r"[^\W_]+", re.UNICODE)
# "muc2", "lv2": a number stuck to a word. ("22k" stays: the number comes first.)
_LETTER_DIGIT = re.compile(r"(?<=[a-z])(?=\d)")

_PHRASES: dict[tuple[str, ...], tuple[str, ...]] = {
    tuple(key.split()): tuple(value.split()) for key, value in PHRASES.items()
}
_LONGEST = max(len(key) for key in _PHRASES)


@dataclass(frozen=True, slots=True)
class Reading:
    """The words of a text and, for each, its accent marks ("" when typed without any)."""

    tokens: tuple[str, ...]
    marks: tuple[str, ...]


def words(text: str) -> tuple[str, ...]:
    """The folded words of ``text`` with typing shortcuts expanded (at most ``MAX_WORDS``)."""
    return read(text).tokens


@functools.lru_cache(maxsize=4096)
def read(text: str) -> Reading:
    """The words of ``text`` and their accent marks; see :func:`words`.

    Remembered for recent texts: button labels are read again at every typed answer.
    """
    pairs: list[tuple[str, str]] = []
    # NFC first: a word typed with separate accent characters is still one word.
    for piece in _PIECES.findall(unicodedata.normalize("NFC", text[:MAX_CHARS]).lower()):
        folded = fold(piece)
        parts = _LETTER_DIGIT.sub(" ", folded).split()
        mark = _marks(piece) if len(parts) == 1 else ""
        for part in parts:
            expanded = WORDS.get(part)
            if expanded is None:
                pairs.append((part, mark))
            else:
                pairs.extend((word, "") for word in expanded.split())
        if len(pairs) >= MAX_WORDS:
            break
    pairs = _join_phrases(pairs[:MAX_WORDS])[:MAX_WORDS]
    return Reading(tuple(t for t, _ in pairs), tuple(m for _, m in pairs))


def _marks(piece: str) -> str:
    """The accents of a word, wherever they sit: "hoá" and "hóa" are the same word."""
    return "".join(
        sorted(c for c in unicodedata.normalize("NFD", piece) if unicodedata.combining(c))
    )


def _join_phrases(pairs: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """Replace multi-word spellings, longest first, scanning left to right."""
    out: list[tuple[str, str]] = []
    i = 0
    while i < len(pairs):
        for size in range(min(_LONGEST, len(pairs) - i), 0, -1):
            replacement = _PHRASES.get(tuple(t for t, _ in pairs[i : i + size]))
            if replacement is not None:
                out.extend((word, "") for word in replacement)
                i += size
                break
        else:
            out.append(pairs[i])
            i += 1
    return out
