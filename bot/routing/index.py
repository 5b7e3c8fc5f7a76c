"""The phrases each menu flow can be found by, prepared once when the flows are loaded.

A flow is found by its trigger phrases, its title and the clauses of its description, in every
language. Titles and descriptions are written for reading, not for matching, so they count for a
little less than triggers and must say something specific to count fully.
"""

from __future__ import annotations

import math
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field, replace

from bot.flows.compiled import CompiledFlow
from bot.routing.vocabulary import STOPWORDS
from bot.routing.words import Reading, read

__all__ = ["FlowInfo", "Phrase", "PhraseIndex", "Shape"]

# How much a perfect match of each kind of phrase is worth.
TRIGGER = 1.0
TITLE = 0.95
DESCRIPTION = 0.8
# A title or description clause needs this much distinctive weight to count fully: "qua VNeID"
# in a description names the app every VNeID flow mentions, and should not decide on its own.
SPECIFIC = 2.5
# Little words weigh this much; a distinctive word weighs 1 + ln(flows / flows using it).
STOPWORD_WEIGHT = 0.3
# A title or description clause of a single word is a piece cut from a list ("Trả tiền điện,
# nước, học phí"): on its own "nước" is also a country ("nước ngoài"), so it may suggest the flow
# but never open it at once (its best score stays under the router's HIGH).
LONE_WORD = 0.7

# Descriptions are split into clauses at punctuation and "and"/"or": each clause says one thing.
# Not at "hay": it is "or" but also "often" ("lừa người bán hay gặp"), and a lone "gặp" cut off
# that way made "cho tôi gặp cán bộ xã" look like the shop guide.
_CLAUSE = re.compile(r"[,.;:()\[\]!?/–—]+|\s(?:và|hoặc|and|or)\s", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Phrase:
    """One phrase a flow can be found by."""

    flow_id: str
    shown: str  # as the admin wrote it, to explain a decision
    tokens: tuple[str, ...]
    marks: tuple[str, ...]  # each word's accents, "" when written without (see words.read)
    worth: float  # the score of a perfect match, 0-1

    @classmethod
    def of(cls, flow_id: str, shown: str, worth: float) -> Phrase:
        """The phrase ``shown`` of flow ``flow_id``, read like a resident's message."""
        reading: Reading = read(shown)
        return cls(flow_id, shown.strip(), reading.tokens, reading.marks, worth)


@dataclass(frozen=True, slots=True)
class FlowInfo:
    """What routing needs to know about a flow besides its phrases."""

    flow_id: str
    priority: int
    order: int


@dataclass(frozen=True, slots=True)
class Shape:
    """Words (and accents) that one or more phrases share, so they are compared only once."""

    tokens: tuple[str, ...]
    marks: tuple[str, ...]
    weights: tuple[float, ...]  # each word's weight, looked up once rather than at every message
    total: float  # the summed weight of its words
    members: tuple[int, ...]  # the phrases written this way


@dataclass(frozen=True, slots=True)
class PhraseIndex:
    """Every menu flow's phrases, with word weights and an inverted index for speed."""

    flows: dict[str, FlowInfo]
    phrases: tuple[Phrase, ...]
    shapes: tuple[Shape, ...]
    postings: dict[str, tuple[int, ...]]  # word -> the shapes that contain it
    weights: dict[str, float]  # word -> how much it tells flows apart
    unknown_weight: float  # a message word no flow uses
    by_length: dict[int, tuple[str, ...]] = field(default_factory=dict)  # for typo look-ups

    @classmethod
    def build(cls, flows: Iterable[CompiledFlow]) -> PhraseIndex:
        """Index the phrases of every flow shown in the menu."""
        infos: dict[str, FlowInfo] = {}
        found: dict[tuple[str, tuple[str, ...]], Phrase] = {}
        for compiled in flows:
            flow = compiled.flow
            if not flow.menu:
                continue
            infos[flow.id] = FlowInfo(flow.id, flow.priority, flow.order)
            for phrase in _phrases_of(compiled):
                if not phrase.tokens:
                    continue
                # Triggers are often written twice, with and without accents: keep one, with
                # its accents (they tell "đòi" from "đổi") and the best worth.
                key = (phrase.flow_id, phrase.tokens)
                seen = found.get(key)
                if seen is not None:
                    phrase = max(seen, phrase, key=lambda p: sum(map(bool, p.marks)))
                    phrase = replace(phrase, worth=max(seen.worth, phrase.worth))
                found[key] = phrase
        phrases = tuple(found.values())
        users: dict[str, set[str]] = defaultdict(set)
        for phrase in phrases:
            for token in phrase.tokens:
                users[token].add(phrase.flow_id)
        count = max(len(infos), 1)
        weights = {
            token: STOPWORD_WEIGHT if token in STOPWORDS else 1.0 + math.log(count / len(ids))
            for token, ids in users.items()
        }
        phrases = tuple(_specific(p, weights) for p in phrases)
        # Flows often share a phrase ("qua VNeID", a copied title): group them by their words.
        grouped: dict[tuple[tuple[str, ...], tuple[str, ...]], list[int]] = defaultdict(list)
        for number, phrase in enumerate(phrases):
            grouped[(phrase.tokens, phrase.marks)].append(number)
        shapes: list[Shape] = []
        for (tokens, marks), members in grouped.items():
            own = tuple(weights[t] for t in tokens)
            shapes.append(Shape(tokens, marks, own, sum(own), tuple(members)))
        postings: dict[str, list[int]] = defaultdict(list)
        for number, shape in enumerate(shapes):
            for token in dict.fromkeys(shape.tokens):
                postings[token].append(number)
        by_length: dict[int, list[str]] = defaultdict(list)
        for token in weights:
            if token.isalpha():
                by_length[len(token)].append(token)
        return cls(
            flows=infos,
            phrases=phrases,
            shapes=tuple(shapes),
            postings={token: tuple(numbers) for token, numbers in postings.items()},
            weights=weights,
            unknown_weight=1.0 + math.log(count),
            by_length={size: tuple(tokens) for size, tokens in by_length.items()},
        )

    def weight(self, token: str) -> float:
        """How much a word of a message counts when measuring how much of it was understood."""
        if token in STOPWORDS:
            return STOPWORD_WEIGHT
        return self.weights.get(token, self.unknown_weight)


def _phrases_of(compiled: CompiledFlow) -> Iterable[Phrase]:
    flow = compiled.flow
    for phrases in flow.triggers.values():
        for text in phrases:
            yield Phrase.of(flow.id, str(text), TRIGGER)
    for text in flow.title.texts.values():
        yield Phrase.of(flow.id, text, TITLE)
        for clause in _CLAUSE.split(text):
            yield Phrase.of(flow.id, clause, TITLE)
    for text in flow.description.texts.values():
        for clause in _CLAUSE.split(text):
            yield Phrase.of(flow.id, clause, DESCRIPTION)


def _specific(phrase: Phrase, weights: dict[str, float]) -> Phrase:
    """Lower the worth of a title or description clause made of common words or of one word."""
    if phrase.worth >= TRIGGER or not phrase.tokens:
        return phrase
    if len(phrase.tokens) == 1:
        phrase = replace(phrase, worth=min(phrase.worth, LONE_WORD))
    content = sum(weights[t] for t in phrase.tokens if t not in STOPWORDS)
    if content >= SPECIFIC:
        return phrase
    return replace(phrase, worth=phrase.worth * content / SPECIFIC)
