"""How often the router picks what residents meant, on the labelled messages in messages.yaml.

Run ``pytest tests/routing/test_accuracy.py -s`` to see the figure and every miss.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from bot.core.located_yaml import read_yaml
from bot.flows.compiled import CompiledFlow
from bot.routing import Route, Router
from tests.harness import ROOT

MESSAGES = ROOT / "tests" / "routing" / "messages.yaml"
REQUIRED_ACCURACY = 0.90
NOT_FLOWS = ("greeting", "thanks", "menu")


@dataclass(frozen=True)
class Labelled:
    text: str
    expect: str


def _labelled() -> list[Labelled]:
    data = read_yaml(MESSAGES).data
    return [Labelled(str(item["text"]), str(item["expect"])) for item in data["messages"]]


def _right(route: Route, expect: str) -> bool:
    """A flow is right when it comes first and the bot starts it or offers it first."""
    if expect in NOT_FLOWS:
        return route.kind == expect
    return route.kind in ("flow", "choose") and route.candidates[0].flow_id == expect


def _describe(route: Route) -> str:
    ranked = ", ".join(f"{c.flow_id} {c.score} «{c.phrase}»" for c in route.candidates[:3])
    return f"{route.kind} ({ranked or 'no flow'})"


def test_the_labelled_set_is_big_varied_and_names_real_flows(
    shipped_flows: dict[str, CompiledFlow],
) -> None:
    labelled = _labelled()
    assert len(labelled) >= 150
    menu_flows = {fid for fid, f in shipped_flows.items() if f.flow.menu}
    expected = {item.expect for item in labelled}
    assert expected <= menu_flows | set(NOT_FLOWS), expected - menu_flows - set(NOT_FLOWS)
    assert menu_flows | set(NOT_FLOWS) <= expected, "every flow and outcome needs examples"
    assert len({item.text for item in labelled}) == len(labelled), "a message is listed twice"


def test_top1_accuracy_is_at_least_90_percent(
    router: Router, capsys: pytest.CaptureFixture[str]
) -> None:
    labelled = _labelled()
    misses = []
    for item in labelled:
        route = router.route(item.text)
        if not _right(route, item.expect):
            misses.append(f"  {item.text!r}: expected {item.expect}, got {_describe(route)}")
    accuracy = 1 - len(misses) / len(labelled)
    with capsys.disabled():
        print(
            f"\nrouting top-1 accuracy: {len(labelled) - len(misses)}/{len(labelled)} "
            f"= {accuracy:.1%} (required {REQUIRED_ACCURACY:.0%})"
        )
        for line in misses:
            print(line)
    assert accuracy >= REQUIRED_ACCURACY, "\n".join(misses)


def test_no_message_starts_a_wrong_flow_at_once(router: Router) -> None:
    """Starting a guide without asking is only done when the router is right."""
    wrong = [
        f"{item.text!r} -> {route.flow_id} (expected {item.expect})"
        for item in _labelled()
        if (route := router.route(item.text)).kind == "flow" and route.flow_id != item.expect
    ]
    assert wrong == []
