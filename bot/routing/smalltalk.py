"""Greetings and thanks: messages to answer kindly, not to route to a guide.

The phrases live in ``locales/smalltalk.yaml`` so admins can add the words their residents use.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from bot.core.errors import FlowError
from bot.core.located_yaml import LocatedError, read_yaml
from bot.core.problems import Problem
from bot.flows.schema import LANGUAGES
from bot.routing.words import words

__all__ = ["SmallTalk", "SmallTalkKind", "load_smalltalk"]

SmallTalkKind = Literal["greeting", "thanks"]
_SECTIONS = ("greeting", "thanks", "filler")

Phrases = frozenset[tuple[str, ...]]


@dataclass(frozen=True, slots=True)
class SmallTalk:
    """Greeting, thanks and filler phrases, each already turned into words."""

    greetings: Phrases
    thanks: Phrases
    filler: Phrases
    # The most words any phrase has, worked out once: every typed message is scanned with it.
    longest: int = field(init=False, default=1)

    def __post_init__(self) -> None:
        groups = (self.thanks, self.greetings, self.filler)
        object.__setattr__(self, "longest", max((len(p) for g in groups for p in g), default=1))

    @classmethod
    def from_phrases(
        cls, *, greetings: Iterable[str], thanks: Iterable[str], filler: Iterable[str] = ()
    ) -> SmallTalk:
        """Build from plain phrases, written with or without diacritics."""

        def prepare(phrases: Iterable[str]) -> Phrases:
            return frozenset(w for w in (words(p) for p in phrases) if w)

        return cls(greetings=prepare(greetings), thanks=prepare(thanks), filler=prepare(filler))

    @property
    def vocabulary(self) -> frozenset[str]:
        """Every word of every phrase: known words, never "corrected" as typos."""
        return frozenset(
            w
            for group in (self.greetings, self.thanks, self.filler)
            for phrase in group
            for w in phrase
        )

    def only(self, tokens: Sequence[str]) -> SmallTalkKind | None:
        """ "greeting" or "thanks" when the message says nothing else; otherwise None."""
        found, rest = self._scan(tokens)
        return found if not rest else None

    def mentioned(self, tokens: Sequence[str]) -> SmallTalkKind | None:
        """ "greeting" or "thanks" when the message contains one, whatever else it says."""
        return self._scan(tokens)[0]

    def _scan(self, tokens: Sequence[str]) -> tuple[SmallTalkKind | None, int]:
        """The kind found (thanks wins over greeting) and how many words were something else."""
        longest = self.longest
        kinds: set[SmallTalkKind] = set()
        rest = 0
        i = 0
        while i < len(tokens):
            # The longest phrase here wins: "cảm ơn nhiều" is thanks, not "cảm ơn" + filler.
            for size in range(min(longest, len(tokens) - i), 0, -1):
                piece = tuple(tokens[i : i + size])
                if piece in self.thanks:
                    kinds.add("thanks")
                elif piece in self.greetings:
                    kinds.add("greeting")
                elif piece not in self.filler:
                    continue
                i += size
                break
            else:
                rest += 1
                i += 1
        found: SmallTalkKind | None = (
            "thanks" if "thanks" in kinds else "greeting" if kinds else None
        )
        return found, rest


def load_smalltalk(path: Path) -> SmallTalk:
    """Read ``locales/smalltalk.yaml``; raise :class:`FlowError` saying where it is wrong."""
    try:
        doc = read_yaml(path)
    except LocatedError as exc:
        raise FlowError([exc.problem.render("en")], found=[exc.problem]) from None
    data: Any = doc.data
    problems: list[Problem] = []
    sections: dict[str, list[str]] = {}
    if not isinstance(data, dict):
        data = {}
        problems.append(Problem(path=doc.path, code="smalltalk.not_mapping"))
    for section in _SECTIONS:
        value = data.get(section, {} if section == "filler" else None)
        line = doc.where((section,))[0]
        if not isinstance(value, dict) or not all(
            lang in LANGUAGES and isinstance(items, list) and all(isinstance(i, str) for i in items)
            for lang, items in value.items()
        ):
            problems.append(
                Problem(
                    path=doc.path, code="smalltalk.section", line=line, params={"section": section}
                )
            )
            continue
        sections[section] = [phrase for items in value.values() for phrase in items]
    if problems:
        raise FlowError([problem.render("en") for problem in problems], found=problems)
    return SmallTalk.from_phrases(
        greetings=sections["greeting"], thanks=sections["thanks"], filler=sections["filler"]
    )
