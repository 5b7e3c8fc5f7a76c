"""Comparing what residents type with what the bot offers, whatever their keyboard does.

Residents often type without diacritics ("cai vneid"), in capitals, or with extra spaces.
"""

from __future__ import annotations

import re
import unicodedata

__all__ = ["fold"]

_NON_WORD = re.compile(r"[^\w]+", re.UNICODE)
# Emoji and symbols used as decoration on buttons ("⬅️ Quay lại") are not part of the words.
_SYMBOLS = {"So", "Sk", "Cf", "Mn", "Me"}


def fold(text: str) -> str:
    """Lower-case ``text``, drop diacritics, emoji and punctuation, and squeeze the spaces.

    ``fold("  Đã cài XONG! ")`` is ``"da cai xong"``.
    """
    text = text.replace("đ", "d").replace("Đ", "D")
    decomposed = unicodedata.normalize("NFKD", text)
    kept = "".join(ch for ch in decomposed if unicodedata.category(ch) not in _SYMBOLS)
    return _NON_WORD.sub(" ", kept.lower()).strip()
