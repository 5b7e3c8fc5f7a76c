"""How well a message matches each flow, from 0 to 100.

A phrase found word for word counts most; the same words in another order a little less; some
of its words only, much less. A misspelt word ("vnied", "kick hoat") matches the word it is
closest to, by rapidfuzz's similarity, and counts for that similarity. Finally a flow whose phrases
explain more of the message ranks above one that explains a single word of it: "thêm thẻ BHYT vào
VNeID" is about adding the card to VNeID, not about checking the card.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import pairwise

from rapidfuzz import fuzz, process

from bot.routing.index import PhraseIndex, Shape
from bot.routing.vocabulary import COMMON, STOPWORDS
from bot.routing.words import Reading

__all__ = ["FlowMatch", "Matcher"]

# Typos: only words of 4+ letters are corrected (shorter Vietnamese syllables are too alike:
# "lua", "luu", "lai"), and only to a flow's word at least this similar (rapidfuzz ratio).
TYPO_MIN_LENGTH = 4
TYPO_CUTOFF = 75.0
# A phrase's words all there but not side by side, in the phrase's order / in any order.
IN_ORDER = 0.95
ANY_ORDER = 0.9
SCATTERED = 0.9  # ... and far apart ("bị" at the start, "lừa" ten words later)
# A whole phrase (the only evidence a flow's priority counts on) keeps its order with at most
# this many words between two of its words: "gửi cho tôi cái link" sends a link, "khách báo
# chuyển rồi mà chưa thấy tiền" says no "bảo chuyển tiền".
CLOSE_GAP = 3
# Only some of a phrase's words: at least half of its weight (a missing word weighs at least
# MISSING_WEIGHT, even a little one), and worth less. One everyday word is never enough.
PARTIAL = 0.9
PARTIAL_MIN = 0.5
MISSING_WEIGHT = 0.6
# How much of the message a flow explains moves its score between 80% and 100% of its best
# phrase's: it settles ties between equally good phrases and favours the fuller explanation.
COVER_BASE = 0.8
COVER_MIN = 0.5  # a phrase matched at least this well counts as explaining its words
_CACHE_SIZE = 4096


@dataclass(frozen=True, slots=True)
class FlowMatch:
    """A flow, its score (0-100) and the phrase that earned it."""

    flow_id: str
    score: float
    phrase: str
    # The score its best *whole* phrase earns (every word there, in its order, close together);
    # a flow's priority counts only on such evidence, never on half a phrase ("xin mật khẩu" is
    # not in "quên mật khẩu"), on words that merely occur ("khách báo chuyển rồi mà chưa thấy
    # tiền" does not say "bảo chuyển tiền"), nor on words in another order: Vietnamese says who
    # did what by order alone, and "gọi cho công an" (calling the police) is not "công an gọi".
    whole: float = 0.0


class Matcher:
    """Scores messages against a :class:`PhraseIndex`."""

    def __init__(self, index: PhraseIndex, known: frozenset[str] = frozenset()) -> None:
        self.index = index
        self.vocabulary = frozenset(index.weights)
        # Words that are right as they are, even if no flow uses them.
        self.known = self.vocabulary | known | COMMON | STOPWORDS
        self._typo_cache: dict[str, tuple[tuple[str, float], ...]] = {}

    def match(self, reading: Reading) -> list[FlowMatch]:
        """Every flow that matches at all, best first (ties: the menu's order)."""
        tokens, marks = self._repair(reading)
        hits = self._hits(tokens)
        if not hits:
            return []
        index = self.index
        best: dict[str, tuple[float, str]] = {}
        whole: dict[str, float] = defaultdict(float)
        covered: dict[str, set[int]] = defaultdict(set)
        for number in self._candidates(hits):
            shape = index.shapes[number]
            found = self._phrase_quality(shape, hits, marks)
            if found is None:
                continue
            quality, positions = found
            for member in shape.members:
                phrase = index.phrases[member]
                score = quality * phrase.worth
                if score > best.get(phrase.flow_id, (0.0, ""))[0]:
                    best[phrase.flow_id] = (score, phrase.shown)
                if len(positions) == len(shape.tokens) and _close_in_order(positions):
                    whole[phrase.flow_id] = max(whole[phrase.flow_id], score)
                if quality >= COVER_MIN:
                    covered[phrase.flow_id].update(positions)
        weights = [index.weight(token) for token in tokens]
        total = sum(weights) or 1.0
        matches = []
        for flow_id, (score, shown) in best.items():
            coverage = sum(weights[p] for p in covered[flow_id]) / total
            factor = 100.0 * (COVER_BASE + (1.0 - COVER_BASE) * coverage)
            matches.append(FlowMatch(flow_id, score * factor, shown, whole[flow_id] * factor))
        matches.sort(key=lambda m: (-m.score, index.flows[m.flow_id].order, m.flow_id))
        return matches

    # --- reading the message ---------------------------------------------------------------------

    def _repair(self, reading: Reading) -> tuple[list[str], list[str]]:
        """Join words split by a stray space ("vn eid") and split words typed together."""
        tokens, marks = reading.tokens, reading.marks
        out: list[str] = []
        out_marks: list[str] = []
        i = 0
        while i < len(tokens):
            word = tokens[i]
            if i + 1 < len(tokens):
                joined = word + tokens[i + 1]
                if joined in self.vocabulary and not (
                    word in self.known and tokens[i + 1] in self.known
                ):
                    out.append(joined)
                    out_marks.append("")
                    i += 2
                    continue
            parts: tuple[str, ...] = (word,)
            if word not in self.known and word.isalpha():
                parts = self._split(word)
            out.extend(parts)
            out_marks.extend([marks[i]] if len(parts) == 1 else [""] * len(parts))
            i += 1
        return out, out_marks

    def _split(self, word: str) -> tuple[str, ...]:
        """``kichhoat`` -> ``kich hoat`` when both halves are known and one is a flow's word."""
        for cut in range(2, len(word) - 1):
            left, right = word[:cut], word[cut:]
            if (
                left in self.known
                and right in self.known
                and (left in self.vocabulary or right in self.vocabulary)
            ):
                return (left, right)
        return (word,)

    def _hits(self, tokens: Sequence[str]) -> dict[str, dict[int, float]]:
        """For each flow word the message has (or misspells): its positions and similarity."""
        hits: dict[str, dict[int, float]] = defaultdict(dict)
        for position, word in enumerate(tokens):
            if word in self.vocabulary:
                hits[word][position] = 1.0
            elif word not in self.known and len(word) >= TYPO_MIN_LENGTH and word.isalpha():
                for near, similarity in self._typos(word):
                    if similarity > hits[near].get(position, 0.0):
                        hits[near][position] = similarity
        return hits

    def _typos(self, word: str) -> tuple[tuple[str, float], ...]:
        """The (at most two) flow words ``word`` is most likely a typo of."""
        cached = self._typo_cache.get(word)
        if cached is not None:
            return cached
        pool = [
            near
            for size in range(len(word) - 2, len(word) + 3)
            for near in self.index.by_length.get(size, ())
        ]
        found = tuple(
            (near, score / 100.0)
            for near, score, _ in process.extract(
                word, pool, scorer=fuzz.ratio, score_cutoff=TYPO_CUTOFF, limit=2
            )
        )
        if len(self._typo_cache) >= _CACHE_SIZE:
            self._typo_cache.clear()
        self._typo_cache[word] = found
        return found

    # --- scoring phrases -------------------------------------------------------------------------

    def _candidates(self, hits: dict[str, dict[int, float]]) -> list[int]:
        """The phrases with at least half their weight present (the only ones that can count)."""
        index = self.index
        present: dict[int, float] = defaultdict(float)
        for word, places in hits.items():
            gained = index.weights[word] * max(places.values())
            for number in index.postings.get(word, ()):
                present[number] += gained
        shapes = index.shapes
        return [
            number
            for number, weight in present.items()
            if weight >= PARTIAL_MIN * shapes[number].total - 1e-9
        ]

    def _phrase_quality(
        self, shape: Shape, hits: dict[str, dict[int, float]], marks: Sequence[str]
    ) -> tuple[float, list[int]] | None:
        """How well a phrase is present (0-1), and the positions of its words."""
        weights = shape.weights
        total = shape.total
        places = [
            _agreeing(hits.get(token), mark, marks)
            for token, mark in zip(shape.tokens, shape.marks, strict=True)
        ]
        run = _best_run(weights, places)
        if run is not None:
            got, start = run
            return got / total, list(range(start, start + len(places)))
        # Not side by side: each word at its best free place (a place serves one word only).
        chosen: list[int] = []
        got = 0.0
        expected = 0.0
        for weight, at in zip(weights, places, strict=True):
            free = [(sim, -pos) for pos, sim in at.items() if pos not in chosen] if at else []
            if free:
                similarity, negative = max(free)
                chosen.append(-negative)
                got += weight * similarity
                expected += weight
            else:
                # A missing word counts as much as a real word, even a little one: "xin" is what
                # makes "xin mật khẩu" a scam, and "quên mật khẩu" does not have it.
                expected += max(weight, MISSING_WEIGHT)
        in_order = all(a < b for a, b in pairwise(chosen))
        factor = IN_ORDER if in_order else ANY_ORDER
        if chosen and max(chosen) - min(chosen) >= 2 * len(chosen):
            factor *= SCATTERED
        if len(chosen) == len(places):
            return factor * got / total, chosen
        share = got / expected
        if share < PARTIAL_MIN or (len(chosen) == 1 and self._everyday(shape.tokens, places)):
            return None
        return factor * PARTIAL * share, chosen

    @staticmethod
    def _everyday(tokens: Sequence[str], places: Sequence[dict[int, float] | None]) -> bool:
        """True when the one word found of a longer phrase is an everyday word ("người")."""
        found = next(token for token, at in zip(tokens, places, strict=True) if at)
        return found in COMMON or found in STOPWORDS


def _close_in_order(positions: Sequence[int]) -> bool:
    """True when a phrase's words stand in its order, at most CLOSE_GAP words between each two."""
    return all(0 < b - a <= CLOSE_GAP + 1 for a, b in pairwise(positions))


def _agreeing(
    places: dict[int, float] | None, mark: str, marks: Sequence[str]
) -> dict[int, float] | None:
    """The places of a word whose accents, where both were typed, are the phrase's own.

    "lừa" in a phrase does not match "lúa" typed with its accents, but does match "lua".
    """
    if not places or not mark:
        return places
    kept = {pos: sim for pos, sim in places.items() if not marks[pos] or marks[pos] == mark}
    return kept or None


def _best_run(
    weights: Sequence[float], places: Sequence[dict[int, float] | None]
) -> tuple[float, int] | None:
    """The best place where all the words stand side by side: (weight found, first position)."""
    first = places[0]
    if first is None or any(at is None for at in places):
        return None
    best: tuple[float, int] | None = None
    for start in first:
        got = 0.0
        for offset, (weight, at) in enumerate(zip(weights, places, strict=True)):
            similarity = at.get(start + offset) if at is not None else None
            if similarity is None:
                break
            got += weight * similarity
        else:
            if best is None or got > best[0]:
                best = (got, start)
    return best
