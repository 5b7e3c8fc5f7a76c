"""A router over the shipped flows and small talk, built once for the routing tests."""

from __future__ import annotations

import pytest

from bot.flows.compiled import CompiledFlow
from bot.flows.loader import load_flows
from bot.routing import Router, SmallTalk, load_smalltalk
from tests.harness import ROOT


@pytest.fixture(scope="session")
def shipped_flows() -> dict[str, CompiledFlow]:
    """The flows residents use."""
    loaded = load_flows([ROOT / "flows"])
    assert loaded.ok, [str(p) for p in loaded.problems]
    return loaded.flows


@pytest.fixture(scope="session")
def smalltalk() -> SmallTalk:
    """The greetings and thanks in locales/smalltalk.yaml."""
    return load_smalltalk(ROOT / "locales" / "smalltalk.yaml")


@pytest.fixture(scope="session")
def router(shipped_flows: dict[str, CompiledFlow], smalltalk: SmallTalk) -> Router:
    """The router the bot would use."""
    return Router.from_flows(shipped_flows.values(), smalltalk)
