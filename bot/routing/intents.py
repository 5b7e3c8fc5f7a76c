"""What typed words mean at a step with buttons: "ko dc" is trouble, "xong rồi" is done.

The phrases live in ``locales/intents.yaml`` so admins can add the words their residents use; the
meanings themselves (:data:`bot.flows.schema.MEANINGS`) are fixed, because the engine knows which
button each one presses. A message means something only when *all* its words are phrases of the
file (or filler): "không được" is trouble, "không được mở app à" is a question for the router.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

from bot.core.located_yaml import Document, LocatedError, read_yaml
from bot.core.problems import Problem, Severity, shown_path
from bot.flows.schema import LANGUAGES, MEANINGS, Meaning
from bot.routing.words import words

__all__ = ["FILLER", "Intents", "choose", "load_intents"]

FILLER = "filler"
# "không ... được": the dots stand for one or two words ("không cài được", "ko đăng nhập dc").
_GAP = re.compile(r"\.\.\.|…")
MAX_GAP = 2
# Meanings about something going wrong: in a message that also says "rồi" or "không", they win
# ("lỗi rồi" is trouble, not yes).
TROUBLE: frozenset[Meaning] = frozenset({"trouble", "cannot", "not_found", "help"})

# Which buttons a typed meaning presses, nearest first: "không thấy" presses the button that means
# not_found, else the one that means trouble... A level with two such buttons is a question the
# bot does not guess at.
_LEVELS: dict[Meaning, tuple[frozenset[Meaning], ...]] = {
    "trouble": (frozenset({"trouble"}), frozenset({"cannot", "not_found"}), frozenset({"help"})),
    "cannot": (frozenset({"cannot"}), frozenset({"trouble"}), frozenset({"not_found", "help"})),
    "not_found": (frozenset({"not_found"}), frozenset({"trouble"}), frozenset({"cannot", "help"})),
    "help": (frozenset({"help"}), frozenset({"trouble"}), frozenset({"cannot", "not_found"})),
    "done": (frozenset({"done"}), frozenset({"yes"})),
    "yes": (frozenset({"yes"}), frozenset({"done"})),
    "no": (frozenset({"no"}),),
    "later": (frozenset({"later"}),),
}

# A phrase as parts of words; between two parts stand one to MAX_GAP other words.
Pattern = tuple[tuple[str, ...], ...]


@dataclass(frozen=True, slots=True)
class _Hit:
    end: int
    meaning: Meaning | None  # None: filler
    size: int  # words of the phrase itself, gaps left out
    gapped: bool


@dataclass(frozen=True, slots=True)
class Intents:
    """The phrases of each meaning and the filler words, indexed by their first word."""

    by_first: Mapping[str, tuple[tuple[Pattern, Meaning | None], ...]]

    @classmethod
    def from_phrases(
        cls, phrases: Mapping[Meaning, Iterable[str]], filler: Iterable[str] = ()
    ) -> Intents:
        """Build from plain phrases, written with or without diacritics ("..." for a gap)."""
        index: dict[str, list[tuple[Pattern, Meaning | None]]] = {}
        entries: list[tuple[str, Meaning | None]] = [
            (phrase, meaning) for meaning, items in phrases.items() for phrase in items
        ]
        entries += [(phrase, None) for phrase in filler]
        for phrase, meaning in entries:
            pattern = _pattern(phrase)
            if pattern:
                index.setdefault(pattern[0][0], []).append((pattern, meaning))
        return cls(by_first={word: tuple(found) for word, found in index.items()})

    def meaning_of(self, text: str) -> Meaning | None:
        """What a typed message means, when all its words say one thing; else None."""
        found, rest = self._scan(words(text))
        return _one(found) if not rest else None

    def label_meaning(self, label: str) -> Meaning | None:
        """What a button's words mean: all of them ("Xong rồi"), or a phrase of two or more
        words they begin with ("Không thấy nút Đăng ký"). None when they say nothing known."""
        tokens = words(label.split("(", 1)[0])  # "Android (Samsung, Oppo...)": the first words
        found, rest = self._scan(tokens)
        if not rest:
            return _one(found)
        start = 0
        while (hit := self._longest(tokens, start)) is not None and hit.meaning is None:
            start = hit.end  # "Tôi không thấy...": the filler in front says nothing
        if hit is not None and (hit.size >= 2 or hit.gapped):
            return hit.meaning
        return None

    def _scan(self, tokens: Sequence[str]) -> tuple[list[Meaning | None], int]:
        """The meanings found, longest phrase first, and how many words were something else."""
        found: list[Meaning | None] = []
        rest = 0
        i = 0
        while i < len(tokens):
            hit = self._longest(tokens, i)
            if hit is None:
                rest += 1
                i += 1
            else:
                found.append(hit.meaning)
                i = hit.end
        return found, rest

    def _longest(self, tokens: Sequence[str], start: int) -> _Hit | None:
        best: _Hit | None = None
        for pattern, meaning in self.by_first.get(tokens[start], ()) if start < len(tokens) else ():
            end = _match(tokens, start, pattern)
            if end < 0:
                continue
            hit = _Hit(end, meaning, sum(map(len, pattern)), len(pattern) > 1)
            # Longer wins; then a phrase written out over one with a gap, then a meaning.
            if best is None or (hit.end, not hit.gapped, hit.meaning is not None) > (
                best.end,
                not best.gapped,
                best.meaning is not None,
            ):
                best = hit
        return best


def choose(typed: Meaning, buttons: Sequence[frozenset[Meaning]]) -> int | None:
    """The index of the one button (by the meanings each carries) that ``typed`` presses.

    None when no button carries it, or when two do at the nearest level: the bot does not guess.
    """
    for level in _LEVELS[typed]:
        found = [i for i, meanings in enumerate(buttons) if meanings & level]
        if len(found) == 1:
            return found[0]
        if found:
            return None
    return None


def _one(found: Iterable[Meaning | None]) -> Meaning | None:
    """The one thing several phrases of a message say, or None when they disagree."""
    meanings = {meaning for meaning in found if meaning is not None}
    trouble = meanings & TROUBLE
    if trouble:
        return next(iter(trouble)) if len(trouble) == 1 else "trouble"
    if meanings == {"yes", "done"}:
        return "done"  # "rồi, xong rồi"
    return next(iter(meanings)) if len(meanings) == 1 else None


def _pattern(phrase: str) -> Pattern:
    """The parts of a phrase (empty when a part has no words: nothing to match)."""
    parts = tuple(words(part) for part in _GAP.split(phrase))
    return parts if all(parts) else ()


def _match(tokens: Sequence[str], start: int, pattern: Pattern) -> int:
    """Where ``pattern`` ends when it matches at ``start``, or -1."""
    first = pattern[0]
    if tuple(tokens[start : start + len(first)]) != first:
        return -1
    pos = start + len(first)
    for part in pattern[1:]:
        for gap in range(1, MAX_GAP + 1):
            at = pos + gap
            if tuple(tokens[at : at + len(part)]) == part:
                pos = at + len(part)
                break
        else:
            return -1
    return pos


def load_intents(path: Path) -> tuple[Intents | None, list[Problem]]:
    """Read ``locales/intents.yaml``: the vocabulary (None when it has errors) and its problems.

    A missing file is a warning: buttons are then pressed by their exact words only.
    """
    if not path.is_file():
        where = shown_path(path)
        warning = Problem(
            path=str(path),
            code="intents.missing_file",
            severity=Severity.WARNING,
            params={"where": where},
        )
        return None, [warning]
    try:
        doc = read_yaml(path)
    except LocatedError as exc:
        return None, [exc.problem]
    if not isinstance(doc.data, dict):
        return None, [Problem(path=doc.path, code="intents.not_mapping")]
    problems: list[Problem] = []
    phrases: dict[Meaning, list[str]] = {}
    filler: list[str] = []
    seen: dict[Pattern, tuple[str, int]] = {}
    for key, value in doc.data.items():
        name = str(key)
        if name != FILLER and name not in MEANINGS:
            close = difflib.get_close_matches(name, MEANINGS, n=1)
            problems.append(
                doc.problem(
                    (name,),
                    "intents.unknown_meaning",
                    on_key=True,
                    meaning=name,
                    allowed=", ".join(MEANINGS),
                    suggestion=close[0] if close else "",
                )
            )
            continue
        items = _section(doc, name, value, seen, problems)
        if name == FILLER:
            filler += items
        else:
            phrases[cast(Meaning, name)] = items
    told = {problem.params.get("meaning") for problem in problems}
    for meaning in MEANINGS:
        if not phrases.get(meaning) and meaning not in told:
            problems.append(
                doc.problem((meaning,), "intents.no_phrases", warning=True, meaning=meaning)
            )
    if any(problem.is_error for problem in problems):
        return None, problems
    return Intents.from_phrases(phrases, filler), problems


def _section(
    doc: Document,
    name: str,
    value: Any,
    seen: dict[Pattern, tuple[str, int]],
    problems: list[Problem],
) -> list[str]:
    """The phrases of one meaning (or the filler), each checked: words, one meaning only."""
    if not isinstance(value, dict) or not all(
        lang in LANGUAGES and isinstance(items, list) and all(isinstance(i, str) for i in items)
        for lang, items in value.items()
    ):
        problems.append(doc.problem((name,), "intents.section", meaning=name))
        return []
    kept: list[str] = []
    for lang, items in value.items():
        for index, phrase in enumerate(items):
            location = (name, lang, index)
            pattern = _pattern(phrase)
            if not pattern:
                code = "intents.gap" if words(phrase) else "intents.empty_phrase"
                problems.append(doc.problem(location, code, phrase=phrase))
                continue
            line = doc.where(location)[0]
            if pattern in seen:
                first, first_line = seen[pattern]
                if first == name:
                    continue  # written twice ("ko dc", "không được"): harmless
                problems.append(
                    doc.problem(
                        location, "intents.twice", phrase=phrase, first=first, first_line=first_line
                    )
                )
                continue
            seen[pattern] = (name, line)
            kept.append(phrase)
    return kept
