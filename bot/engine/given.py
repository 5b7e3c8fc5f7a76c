"""Answers a flow gives its sub-flow (``with:``), and the questions they let the sub-flow skip.

A resident who pressed "Đã có tin nhắn" in the install guide is not asked "Bác nhận được tin
nhắn đó chưa?" again by the activation guide it runs: the calling step gives
``with: { has_sms: "yes" }``, the sub-flow starts with that answer, and its question marked
``skip_if_known`` is passed as if the resident had pressed the button whose ``set:`` says the
same. A given answer is used once: a question met again later (Back, a reminder, "Thử lại") is
asked as usual.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from jinja2.environment import TemplateExpression

from bot.core.privacy import mask_value
from bot.core.sandbox import render
from bot.core.session import Frame
from bot.engine.texts import context
from bot.flows.compiled import CompiledFlow, GivenValue
from bot.flows.given_checks import same_answer
from bot.flows.schema import Step

if TYPE_CHECKING:
    from bot.engine.turn import Turn

__all__ = ["answered", "hand_over"]

log = logging.getLogger(__name__)


def hand_over(turn: Turn, flow: CompiledFlow, frame: Frame, child: Frame) -> None:
    """Give ``child`` (the sub-flow starting) the answers of the calling step's ``with:``.

    Values are worked out with what the calling flow knows now. One that comes out empty (an
    answer the resident was never asked) is not given: the sub-flow asks its question as usual.
    """
    values = flow.given.get(frame.step)
    if not values:
        return
    seen = context(turn, frame)
    for name, value in values.items():
        try:
            worked_out = _work_out(value, seen)
        except Exception:  # like a condition that fails: not known, so the question is asked
            log.warning(
                "%s: flow %s, step %s: the value of %s in 'with:' could not be made",
                flow.path,
                flow.id,
                frame.step,
                name,
                exc_info=True,
            )
            continue
        if worked_out is None or worked_out == "":
            continue
        child.vars[name] = worked_out
        child.given.append(name)


def answered(turn: Turn, frame: Frame, step: Step) -> str | None:
    """Where to go instead of asking ``step``, when the calling flow gave its answer; else None."""
    if not step.skip_if_known or not frame.given:
        return None
    asks = _names_asked(step)
    given = [name for name in frame.given if name in asks]
    # Asked now or skipped, the calling flow's answer has done its work: a question met again
    # later (Back, a reminder, "Thử lại") asks the resident, who may have moved on since.
    frame.given = [name for name in frame.given if name not in asks]
    if not given or turn.going_back:
        return None
    if step.ask is not None:
        return step.go
    for choice in step.choices or []:
        mine = [name for name in given if name in choice.set]
        if mine and all(same_answer(frame.vars.get(name), choice.set[name]) for name in mine):
            # What pressing this button would have done (bot/engine/events.py), then on.
            for name, value in choice.set.items():
                frame.vars[name] = mask_value(value)
            for name, value in choice.remember.items():
                turn.session.profile[name] = mask_value(value)
            return choice.go
    return None  # a value no button gives: the resident answers


def _names_asked(step: Step) -> set[str]:
    """The names a question saves: its typed answer, or what its buttons ``set:``."""
    if step.ask is not None:
        return {step.ask.save_as}
    return {name for choice in step.choices or [] for name in choice.set}


def _work_out(value: GivenValue, seen: dict[str, Any]) -> Any:
    """A ``with:`` value with the calling flow's answers: as written, a text, or an expression."""
    if isinstance(value, TemplateExpression):
        return value(**seen)
    if isinstance(value, str | int | float | bool) or value is None:
        return value
    return render(value, seen)
