"""The registry of step kinds: every kind the schema knows has exactly one handler."""

from __future__ import annotations

from typing import get_args

from bot.engine.steps import HANDLERS
from bot.flows.schema import StepKind


def test_every_step_kind_of_the_schema_has_a_handler_and_no_other() -> None:
    assert set(HANDLERS) == set(get_args(StepKind))
