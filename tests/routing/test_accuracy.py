"""How often the router picks what residents meant, on the labelled messages in messages.yaml.

Run ``pytest tests/routing/test_accuracy.py -s`` to see the figures and every miss. The figures
(issue 16): top-1 accuracy at least 97%; every scam question reaches the scam guide first (recall
100%); no scam question is opened in, or offered first, a guide a scammer's instructions look like
(installing or activating VNeID, level 2, documents, the public-service portal).
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from bot.core.located_yaml import read_yaml
from bot.flows.compiled import CompiledFlow
from bot.routing import Route, Router
from tests.harness import ROOT

MESSAGES = ROOT / "tests" / "routing" / "messages.yaml"
REQUIRED_MESSAGES = 300
REQUIRED_ACCURACY = 0.97
NOT_FLOWS = ("greeting", "thanks", "menu")
SCAM = "scam"
# What scammers tell residents to do: install "the new VNeID", activate it, "upgrade to level 2",
# add a card, log in to a fake public-service site. A scam question must never land there first.
LOOKALIKE_GUIDES = frozenset(
    {"vneid_install", "vneid_activate", "vneid_level2", "vneid_documents", "public_portal"}
)


@dataclass(frozen=True)
class Labelled:
    text: str
    expect: str


@dataclass(frozen=True)
class Routed:
    item: Labelled
    route: Route


def _labelled() -> list[Labelled]:
    data = read_yaml(MESSAGES).data
    return [Labelled(str(item["text"]), str(item["expect"])) for item in data["messages"]]


@pytest.fixture(scope="module")
def routed(router: Router) -> list[Routed]:
    """Every labelled message with the router's decision."""
    return [Routed(item, router.route(item.text)) for item in _labelled()]


def _right(route: Route, expect: str) -> bool:
    """A flow is right when it comes first and the bot starts it or offers it first."""
    if expect in NOT_FLOWS:
        return route.kind == expect
    return route.kind in ("flow", "choose") and route.candidates[0].flow_id == expect


def _first_guide(route: Route) -> str | None:
    """The guide the resident is taken to or offered first; None for the menu or small talk."""
    return route.candidates[0].flow_id if route.kind in ("flow", "choose") else None


def _describe(route: Route) -> str:
    ranked = ", ".join(f"{c.flow_id} {c.score} «{c.phrase}»" for c in route.candidates[:3])
    return f"{route.kind} ({ranked or 'no flow'})"


def _scams(routed: list[Routed]) -> list[Routed]:
    return [r for r in routed if r.item.expect == SCAM]


def _sent_to_lookalike(routed: list[Routed]) -> list[str]:
    return [
        f"  {r.item.text!r}: {_describe(r.route)}"
        for r in _scams(routed)
        if _first_guide(r.route) in LOOKALIKE_GUIDES
    ]


def test_the_labelled_set_is_big_varied_and_names_real_flows(
    shipped_flows: dict[str, CompiledFlow],
) -> None:
    labelled = _labelled()
    assert len(labelled) >= REQUIRED_MESSAGES
    menu_flows = {fid for fid, f in shipped_flows.items() if f.flow.menu}
    expected = {item.expect for item in labelled}
    assert expected <= menu_flows | set(NOT_FLOWS), expected - menu_flows - set(NOT_FLOWS)
    assert menu_flows | set(NOT_FLOWS) <= expected, "every flow and outcome needs examples"
    assert len({item.text for item in labelled}) == len(labelled), "a message is listed twice"
    # Most residents type without accents (or write English): the set must say so too.
    plain = [item for item in labelled if item.text.isascii()]
    assert len(plain) >= len(labelled) / 3


def test_top1_accuracy_is_at_least_97_percent(
    routed: list[Routed], capsys: pytest.CaptureFixture[str]
) -> None:
    misses = [
        f"  {r.item.text!r}: expected {r.item.expect}, got {_describe(r.route)}"
        for r in routed
        if not _right(r.route, r.item.expect)
    ]
    accuracy = 1 - len(misses) / len(routed)
    scams = _scams(routed)
    reached = [r for r in scams if _first_guide(r.route) == SCAM]
    opened = [r for r in scams if r.route.flow_id == SCAM]
    lookalike = _sent_to_lookalike(routed)
    with capsys.disabled():
        print(
            f"\nrouting top-1 accuracy: {len(routed) - len(misses)}/{len(routed)} "
            f"= {accuracy:.1%} (required {REQUIRED_ACCURACY:.0%})"
            f"\nscam recall: {len(reached)}/{len(scams)} = {len(reached) / len(scams):.1%} "
            f"(required 100%; {len(opened)} opened at once, the rest offered first)"
            f"\nscam questions sent to an install/activation guide: {len(lookalike)} (required 0)"
        )
        for line in misses:
            print(line)
    assert accuracy >= REQUIRED_ACCURACY, "\n".join(misses)


def test_every_scam_question_reaches_the_scam_guide_first(routed: list[Routed]) -> None:
    missed = [
        f"  {r.item.text!r}: {_describe(r.route)}"
        for r in _scams(routed)
        if _first_guide(r.route) != SCAM
    ]
    assert missed == []


def test_no_scam_question_is_sent_to_an_install_or_activation_guide(
    routed: list[Routed],
) -> None:
    assert _sent_to_lookalike(routed) == []


def test_no_message_starts_a_wrong_flow_at_once(routed: list[Routed]) -> None:
    """Starting a guide without asking is only done when the router is right."""
    wrong = [
        f"{r.item.text!r} -> {r.route.flow_id} (expected {r.item.expect})"
        for r in routed
        if r.route.kind == "flow" and r.route.flow_id != r.item.expect
    ]
    assert wrong == []
