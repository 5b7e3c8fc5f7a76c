"""Shared fixtures: engines over the fixture flows and the shipped flows."""

from __future__ import annotations

import pytest

# aiogram is imported the way the bot imports it (validators built when first used), before any
# test module imports it directly, so every aiogram test runs what production runs.
import bot.channels.telegram.aiogram_lean  # noqa: F401
from bot.engine.runner import Engine
from tests.harness import ROOT, Chat, make_engine

pytest_plugins = ["tests.support.fixtures"]


@pytest.fixture(scope="session")
def demo_engine() -> Engine:
    """The engine over tests/fixtures/flows (every feature of the format)."""
    return make_engine()


@pytest.fixture(scope="session")
def shipped_engine() -> Engine:
    """The engine over the flows residents use."""
    return make_engine(ROOT / "flows")


@pytest.fixture
def chat(demo_engine: Engine) -> Chat:
    """A resident chatting with the demo flows, stored in memory."""
    return Chat(demo_engine)


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """Print how much of each shipped flow the walk tests reached."""
    from tests.flows.test_shipped_flows import COVERAGE_REPORT

    if COVERAGE_REPORT:
        terminalreporter.section("flow coverage (every step and choice walked)")
        for line in COVERAGE_REPORT:
            terminalreporter.write_line(line)
