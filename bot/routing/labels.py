"""Which button a typed answer means: typing "da cai xong" presses "✅ Đã cài xong"."""

from __future__ import annotations

from collections.abc import Sequence

from rapidfuzz.distance import Levenshtein

from bot.routing.words import read, words

__all__ = ["match_label"]

# Typos are forgiven only on labels of 6+ letters: "Có" and "Cô" must stay apart.
TYPO_MIN_LETTERS = 6
LONG_LABEL_LETTERS = 11  # from here two typos are forgiven, below one
# Polite words residents add at the end of an answer ("đã cài xong rồi ạ").
_POLITE = frozenset({"a", "ah", "nhe", "nha", "oi", "roi", "day", "ha"})


def match_label(text: str, labels: Sequence[str]) -> int | None:
    """The index of the label ``text`` means, or None when it means none or several.

    Insensitive to diacritics, case, punctuation, emoji and spaces; knows typing shortcuts
    ("ko" is "không"); forgives a typo in labels of 6+ letters (two from 11 letters); accepts
    the words before a bracket ("android" for "Android (Samsung, Oppo...)").
    """
    typed = _compact(words(text))
    if not typed:
        return None
    polite = _without_polite(words(text))
    keys = [_compact(words(label)) for label in labels]
    heads = [_compact(words(label.split("(", 1)[0])) for label in labels]
    for table in (keys, heads):
        for wanted in dict.fromkeys((typed, polite)):
            found = [i for i, key in enumerate(table) if key and key == wanted]
            if len(found) > 1:
                # "Buổi sáng" and "Buổi sang" read the same without accents: the accents typed,
                # if any, decide.
                marks = read(text).marks
                found = [i for i in found if read(labels[i]).marks == marks]
            if len(found) == 1:
                return found[0]
    return _closest(typed, keys)


def _compact(tokens: Sequence[str]) -> str:
    # Spaces do not count: "dacai xong" and "đã cài xong" are the same answer.
    return "".join(tokens)


def _without_polite(tokens: Sequence[str]) -> str:
    kept = list(tokens)
    while len(kept) > 1 and kept[-1] in _POLITE:
        kept.pop()
    return _compact(kept)


def _closest(typed: str, keys: Sequence[str]) -> int | None:
    """The one label within its allowed number of typos of ``typed``, closest first."""
    scored: list[tuple[int, int]] = []
    for number, key in enumerate(keys):
        if len(key) < TYPO_MIN_LETTERS:
            continue
        allowed = 2 if len(key) >= LONG_LABEL_LETTERS else 1
        distance = Levenshtein.distance(typed, key, score_cutoff=allowed)
        if distance <= allowed:
            scored.append((distance, number))
    scored.sort()
    if not scored or (len(scored) > 1 and scored[0][0] == scored[1][0]):
        return None
    return scored[0][1]
