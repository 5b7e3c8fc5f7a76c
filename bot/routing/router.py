"""Deciding what to do with a typed message: start a guide, offer a few, or show the menu.

Scores (0-100) come from :mod:`bot.routing.scoring`; kinds from these thresholds:

- ``HIGH`` (80): at or above it the best flow starts at once, unless a flow of the same priority
  is within ``MARGIN`` (8) points, when the resident chooses between them.
- ``MEDIUM`` (50): between it and ``HIGH`` the resident chooses among the best two or three.
- below ``MEDIUM``: the main menu, with "talk to a person".

They were read off the labelled messages in ``tests/routing/messages.yaml`` (276 messages):
off-topic messages score 0 (19 of 25) or 27-43, with one at 67 ("mua bảo hiểm nhân thọ", life
insurance, near "thẻ bảo hiểm"); messages about a guide score 56 or more when their guide comes
first, so ``MEDIUM`` sits in the gap. Every message scoring 80 or more with no close runner-up had
the right guide first, and the next score down is 74, so ``HIGH`` starts a guide only where the
data says it is safe; below it a wrong guide costs the resident one extra tap, not a wrong
conversation. ``MARGIN`` keeps a toss-up ("mức 2 khác mức 1 thế nào": 91 vs 86) a question.
Rechecked on 514 messages (issue 16): off-topic messages score 0 (28 of 42) or 27-66, messages
about a guide 56 or more when it comes first, and no message opens a wrong guide at once.

A flow with a higher ``priority`` (the scam flow) whose *whole* phrase reaches ``MEDIUM`` goes
first whatever scores higher: a resident who mentions a caller claiming to be the police must
hear the warning before any how-to. Half a phrase does not count ("xin mật khẩu" is not in
"quên mật khẩu"), so a forgotten password is not treated as a scam; nor do its words in another
order or far apart (see :class:`~bot.routing.scoring.FlowMatch`). Such a flow also opens by
itself only on a whole phrase: on anything less the resident is asked.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Literal

from bot.flows.compiled import CompiledFlow
from bot.routing.index import PhraseIndex
from bot.routing.scoring import FlowMatch, Matcher
from bot.routing.smalltalk import SmallTalk
from bot.routing.words import read

__all__ = ["HIGH", "MARGIN", "MEDIUM", "Candidate", "Route", "RouteKind", "Router"]

HIGH = 80
MEDIUM = 50
MARGIN = 8
# Candidates kept on a route (for admins' explanations) and offered as buttons.
KEEP = 5
OFFER = 3

RouteKind = Literal["flow", "choose", "menu", "greeting", "thanks"]


@dataclass(frozen=True, slots=True)
class Candidate:
    """A flow the message may be about: its score (0-100) and the phrase that matched."""

    flow_id: str
    score: int
    phrase: str


@dataclass(frozen=True, slots=True)
class Route:
    """What to do with a message.

    ``kind``: "flow" start ``candidates[0]``; "choose" offer :attr:`offer` as buttons; "menu" show
    the main menu and "talk to a person"; "greeting" / "thanks" answer in kind.
    ``confidence`` (0-1) is the best candidate's score / 100 (1.0 for greetings and thanks).
    """

    kind: RouteKind
    candidates: tuple[Candidate, ...] = ()
    confidence: float = 0.0
    words: tuple[str, ...] = ()  # the message as the router read it, for admins

    @property
    def flow_id(self) -> str | None:
        """The flow to start, when ``kind`` is "flow"."""
        return self.candidates[0].flow_id if self.kind == "flow" else None

    @property
    def offer(self) -> tuple[Candidate, ...]:
        """The flows to offer as buttons when ``kind`` is "choose": two or three, best first
        (just one when only one flow matched at all; the menu button is there anyway)."""
        if self.kind != "choose":
            return ()
        floor = MEDIUM - 2 * MARGIN
        kept = tuple(c for c in self.candidates[:OFFER] if c.score >= floor)
        return kept if len(kept) >= 2 else self.candidates[:2]


class Router:
    """Routes typed messages to menu flows; pure, built once per set of loaded flows.

    Safe to share between conversations: its only state is a bounded cache of typo look-ups.
    """

    def __init__(self, matcher: Matcher, smalltalk: SmallTalk) -> None:
        self.matcher = matcher
        self.smalltalk = smalltalk
        # The priority of ordinary flows; above it a flow is urgent (the scam flow).
        self._ordinary = min((info.priority for info in matcher.index.flows.values()), default=0)

    @classmethod
    def from_flows(cls, flows: Iterable[CompiledFlow], smalltalk: SmallTalk) -> Router:
        """Prepare a router over the menu flows among ``flows`` (hidden flows are never routed)."""
        index = PhraseIndex.build(flows)
        return cls(Matcher(index, known=smalltalk.vocabulary), smalltalk)

    def route(self, text: str) -> Route:
        """Decide what to do with ``text``; never raises for any string."""
        reading = read(text)
        tokens = reading.tokens
        if not tokens:
            return Route("menu")
        ranked, promoted = self._ranked(self.matcher.match(reading))
        candidates = tuple(Candidate(m.flow_id, round(m.score), m.phrase) for m in ranked[:KEEP])
        chat = self.smalltalk.only(tokens)
        if chat is not None:
            return Route(chat, candidates, 1.0, tokens)
        top = candidates[0] if candidates else None
        if top is None or top.score < MEDIUM:
            chat = self.smalltalk.mentioned(tokens)
            confidence = 1.0 if chat else (top.score / 100 if top else 0.0)
            return Route(chat or "menu", candidates, confidence, tokens)
        return Route(self._kind(ranked, promoted), candidates, top.score / 100, tokens)

    def _ranked(self, ranked: list[FlowMatch]) -> tuple[list[FlowMatch], bool]:
        """Best first, but a higher-priority flow whose whole phrase reaches MEDIUM goes first."""
        flows = self.matcher.index.flows
        contenders = [m for m in ranked if round(m.whole) >= MEDIUM]
        if not contenders:
            return ranked, False
        urgent = max(contenders, key=lambda m: flows[m.flow_id].priority)
        if flows[urgent.flow_id].priority <= flows[ranked[0].flow_id].priority:
            return ranked, False
        return [urgent, *(m for m in ranked if m is not urgent)], True

    def _kind(self, ranked: Sequence[FlowMatch], promoted: bool) -> RouteKind:
        flows = self.matcher.index.flows
        top = ranked[0]
        if round(top.score) < HIGH:
            return "choose"
        if promoted:
            # A high-priority flow that matches well starts at once, whatever else was said.
            return "flow"
        priority = flows[top.flow_id].priority
        if priority > self._ordinary and round(top.whole) < MEDIUM:
            # The scam guide opens by itself only on its own words in their order: "gọi cho
            # công an" (calling the police) has the words of "công an gọi" but not its meaning.
            return "choose"
        # Only a flow of the same priority can make it a toss-up: a scam warning that scores
        # high is never held back because the message also reads like a how-to.
        rivals = [m for m in ranked[1:] if flows[m.flow_id].priority >= priority]
        runner_up = round(rivals[0].score) if rivals else 0
        if runner_up >= max(round(top.score) - MARGIN, MEDIUM):
            return "choose"  # two flows fit about as well: let the resident say which
        return "flow"
