"""Typed answers: what each type accepts, and what it re-asks for."""

from __future__ import annotations

import pytest

from bot.engine.answers import check_answer
from bot.flows.schema import Ask


@pytest.mark.parametrize("text", ["có", "Co", "ừ", "OK", "vâng", "yes", "Đúng", "  dạ  "])
def test_yes(text: str) -> None:
    assert check_answer(Ask(save_as="x", type="yes_no"), text).value is True


@pytest.mark.parametrize("text", ["không", "ko", "K", "chưa", "no", "Không có"])
def test_no(text: str) -> None:
    assert check_answer(Ask(save_as="x", type="yes_no"), text).value is False


def test_yes_no_reask() -> None:
    answer = check_answer(Ask(save_as="x", type="yes_no"), "để mai tính")
    assert not answer.ok and answer.retry_key == "ask.retry_yes_no"


@pytest.mark.parametrize(("text", "value"), [("65", 65), (" 70 tuổi ", 70), ("120", 120)])
def test_number(text: str, value: int) -> None:
    assert check_answer(Ask(save_as="x", type="number", min=1, max=120), text).value == value


@pytest.mark.parametrize("text", ["0", "121", "sáu mươi", "1 2 3", "99999999999999"])
def test_number_reask(text: str) -> None:
    answer = check_answer(Ask(save_as="x", type="number", min=1, max=120), text)
    assert not answer.ok and answer.retry_params == {"min": 1, "max": 120}


@pytest.mark.parametrize(
    ("text", "value"),
    [("15/08/1960", "1960-08-15"), ("1-2-2026", "2026-02-01"), ("01.12.2025", "2025-12-01")],
)
def test_date(text: str, value: str) -> None:
    assert check_answer(Ask(save_as="x", type="date"), text).value == value


@pytest.mark.parametrize("text", ["31/02/2026", "2026-02-01", "hôm qua", "15/8"])
def test_date_reask(text: str) -> None:
    assert check_answer(Ask(save_as="x", type="date"), text).retry_key == "ask.retry_date"


def test_pattern_must_match_whole_text() -> None:
    ask = Ask(save_as="x", type="pattern", pattern="PE[0-9]{11}")
    assert check_answer(ask, "PE04000012345").ok
    assert not check_answer(ask, "xPE04000012345").ok


def test_empty_and_too_long() -> None:
    ask = Ask(save_as="x", max_length=10)
    assert check_answer(ask, "   ").retry_key == "ask.retry_empty"
    assert check_answer(ask, "x" * 11).retry_params == {"max": 10}
