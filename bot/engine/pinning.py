"""When the live flow changed under a resident: carry on, keep the old version, or ask.

Every running flow (a :class:`~bot.core.session.Frame`) is pinned to the exact content it runs,
by digest, whatever ``version:`` an admin declared. At the start of each turn the engine compares
each frame's content with the live one and applies these rules (docs/flows.md, "Editing a flow
residents are using"):

1. The resident's step is still there, of the same kind (buttons stay buttons, a question stays
   a question): carry on there, on the new version. The new texts show from this message on.
2. A calling flow waits on a sub-flow step that changed (another flow, or other answers given
   with ``with:``): it keeps the version it started while the bot still holds it, so the
   sub-flow ends where the resident expects.
3. The resident's step was removed, renamed or changed kind: tell them kindly that the guide was
   updated and offer "continue from the nearest step" (the last step of their history that still
   exists and waits) or "start again". Without such a step, only "start again".
4. The flow was deleted: tell them it is no longer available, and show the menu.

Functions on a :class:`~bot.engine.turn.Turn`, called first in each turn; nothing here reads a
clock or does I/O.
"""

from __future__ import annotations

from enum import Enum
from typing import TYPE_CHECKING

from bot.core import payloads
from bot.core.session import Frame
from bot.engine import buttons, navigation, screens
from bot.flows.compiled import CompiledFlow

if TYPE_CHECKING:
    from bot.engine.turn import Turn

__all__ = ["Outcome", "reconcile"]


class Outcome(Enum):
    """What the turn does after reconciling."""

    CARRY_ON = "carry_on"  # handle the event as usual
    ANSWERED = "answered"  # the resident was told about the update: the event is used up
    LATER = "later"  # a timer found a change: do nothing now, the resident's next message will


def reconcile(turn: Turn, *, timer: bool, command: bool) -> Outcome:
    """Bring every frame of the session onto content the engine holds, by the rules above."""
    engine = turn.engine
    stack = turn.session.stack
    for depth, frame in enumerate(stack):
        live = engine.flows.get(frame.flow_id)
        if live is not None and frame.digest == live.digest:
            continue
        if timer:
            return Outcome.LATER
        if live is None:
            return _gone(turn, command=command)
        pinned = engine.archive.get((frame.flow_id, frame.digest)) if frame.digest else None
        above = stack[depth + 1] if depth + 1 < len(stack) else None
        if _fits(frame, pinned, live, above):
            _move_to(frame, live)
            continue
        if above is not None and pinned is not None and not above.detour:
            continue  # rule 2: the caller keeps its version until the sub-flow ends
        return _ask(turn, depth, live, command=command)
    return Outcome.CARRY_ON


def _fits(
    frame: Frame, pinned: CompiledFlow | None, live: CompiledFlow, above: Frame | None
) -> bool:
    """True when the frame's place means the same in the live version (rule 1)."""
    if above is not None and not above.detour:
        if frame.resume_at:  # the welcome flow runs on top; then this flow's first step
            if frame.resume_at not in live.flow.steps:
                frame.resume_at = live.flow.start
            return True
        step = live.flow.steps.get(frame.step)
        if step is None or step.kind != "flow" or step.flow != above.flow_id:
            return False
        # The sub-flow running was given this step's old ``with:``: if that changed, the caller
        # keeps the version that gave it (rule 2), so both ends of the call stay one version.
        old_call = pinned.flow.steps.get(frame.step) if pinned is not None else None
        return old_call is None or old_call.with_ == step.with_
    step = live.flow.steps.get(frame.step)
    if step is None or not step.waits:
        return False
    old = pinned.flow.steps.get(frame.step) if pinned is not None else None
    old_kind = old.kind if old is not None else frame.step_kind
    return not old_kind or old_kind == step.kind


def _move_to(frame: Frame, live: CompiledFlow) -> None:
    step = live.flow.steps.get(frame.step)
    frame.step_kind = step.kind if step is not None else ""
    frame.digest = live.digest
    frame.version = live.version
    frame.history = [step for step in frame.history if step in live.flow.steps]


def _nearest(frame: Frame, live: CompiledFlow) -> str:
    """The last step of the frame's history that still exists and waits, or ""."""
    for step_id in reversed(frame.history):
        step = live.flow.steps.get(step_id)
        if step is not None and step.waits:
            return step_id
    return ""


def _gone(turn: Turn, *, command: bool) -> Outcome:
    """Rule 4: the flow is no longer in the library."""
    navigation.abandon_all(turn)
    turn.session.screen = "menu"
    turn.notice("flow.gone")
    if command:
        return Outcome.CARRY_ON
    screens.show_menu(turn, with_prompt=False)
    return Outcome.ANSWERED


def _ask(turn: Turn, depth: int, live: CompiledFlow, *, command: bool) -> Outcome:
    """Rule 3: the resident's place changed; offer the nearest step or a fresh start."""
    session = turn.session
    stack = session.stack
    while len(stack) > depth + 1:  # flows started from a step that is gone end with it
        child = stack.pop()
        turn.finished.append(navigation.record(turn, child, navigation.ABANDONED, stack[-1]))
    frame = stack[depth]
    root = stack[0].flow_id
    nearest = _nearest(frame, live)
    restart = turn.button("flow.updated_restart", buttons.start(root))
    menu = turn.button("button.menu", payloads.MENU)
    if nearest:
        frame.history = frame.history[: len(frame.history) - frame.history[::-1].index(nearest) - 1]
        # The path (what reports read) keeps the step the resident really stopped at.
        frame.step = nearest
        _move_to(frame, live)
        session.screen = "flow"
        rows = [
            [turn.button("flow.updated_continue", payloads.RESUME)],
            [restart],
            [menu],
        ]
        key = "flow.updated_offer"
    else:
        navigation.abandon_all(turn)
        session.screen = "menu"
        rows = [[restart], [menu]]
        key = "flow.updated_start_again"
    if command:
        turn.notice("flow.updated_note")
        return Outcome.CARRY_ON
    session.offers = [button.payload for row in rows for button in row]
    turn.emit(turn.ui(key), rows)
    return Outcome.ANSWERED
