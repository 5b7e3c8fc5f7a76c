"""Typed words at a step with buttons: the button they mean, and help when the bot keeps missing.

A resident who types "ko dc" or "không thấy nút" instead of pressing means the step's trouble
button; "xong rồi" means its "Đã bấm". What each button means comes from its ``means:`` or from
its words (:meth:`bot.routing.intents.Intents.label_meaning`); the step's help button always
means trouble. Two buttons with the same meaning are a question the bot does not guess at.

After :data:`STUCK_AFTER` messages in a row the bot did not understand at one step, asking once
more to "press a button" would not help: the resident is offered the step's help branch and a
person to talk to instead.
"""

from __future__ import annotations

from bot.core import payloads
from bot.core.session import Frame
from bot.core.types import Button
from bot.engine import buttons, screens
from bot.engine.turn import Turn
from bot.flows.schema import Meaning, Step
from bot.routing.intents import choose

__all__ = ["PERSON_FLOW", "STUCK_AFTER", "meant_button", "not_understood", "understood"]

# The flow that puts a resident in touch with a volunteer or the commune office.
PERSON_FLOW = "talk_to_person"
STUCK_AFTER = 2


def meant_button(turn: Turn, text: str) -> str | None:
    """The payload of the current step's button that ``text`` means, or None.

    None too when the words mean nothing known, or when two buttons carry that meaning.
    """
    intents = turn.engine.intents
    if intents is None:
        return None
    typed = intents.meaning_of(text)
    if typed is None:
        return None
    frame, step = turn.engine.current(turn.session)
    pressable = _meanings(turn, frame, step)
    index = choose(typed, [meanings for _payload, meanings in pressable])
    return pressable[index][0] if index is not None else None


def understood(turn: Turn) -> None:
    """The resident was understood (or pressed a button): the count of misses starts again."""
    frame = turn.session.frame
    if frame is not None:
        frame.misses = 0


def not_understood(turn: Turn) -> None:
    """Typed words at a step that mean none of its buttons: ask to press one, or offer help."""
    frame, step = turn.engine.current(turn.session)
    frame.misses += 1
    if frame.misses < STUCK_AFTER or not _offer_help(turn, frame, step):
        turn.notice("flow.press_button")
        screens.show_step(turn)


def _offer_help(turn: Turn, frame: Frame, step: Step) -> bool:
    """The step's help branch and a person to talk to, as buttons; False when it has neither."""
    engine = turn.engine
    rows: list[list[Button]] = []
    help_button = _trouble_button(turn, frame, step)
    if help_button is not None:
        rows.append([help_button])
    running = {f.flow_id for f in turn.session.stack}
    offers: list[str] = []
    if PERSON_FLOW in engine.flows and PERSON_FLOW not in running:
        rows.append([turn.button("button.person", buttons.switch(PERSON_FLOW))])
        offers.append(buttons.switch(PERSON_FLOW))
    if not rows:
        return False
    rows.append([turn.button("route.stay_button", payloads.STAY)])
    rows.append(
        [turn.button("button.back", payloads.BACK), turn.button("button.menu", payloads.MENU)]
    )
    turn.session.offers = [*offers, payloads.STAY]
    turn.emit(turn.ui("flow.stuck", help=help_button is not None, person=bool(offers)), rows)
    return True


def _trouble_button(turn: Turn, frame: Frame, step: Step) -> Button | None:
    """The step's "it didn't work" button: its help button, else its one choice meaning trouble."""
    shown = screens.step_buttons(turn, frame, step)
    by_payload = {button.payload: button for row in shown for button in row}
    pressable = _meanings(turn, frame, step)
    index = choose("trouble", [meanings for _payload, meanings in pressable])
    return by_payload.get(pressable[index][0]) if index is not None else None


def _meanings(turn: Turn, frame: Frame, step: Step) -> list[tuple[str, frozenset[Meaning]]]:
    """Each button of the step (choices, then help) with the meanings it carries."""
    intents = turn.engine.intents
    token = turn.engine.signature(frame, step)

    def said(labels: list[str]) -> set[Meaning]:
        # Every language's words count: a resident may type Vietnamese with English buttons.
        if intents is None:
            return set()
        return {m for m in (intents.label_meaning(label) for label in labels) if m is not None}

    pressable: list[tuple[str, frozenset[Meaning]]] = []
    for index, choice in enumerate(step.choices or []):
        meanings = {choice.means} if choice.means else said(list(choice.label.texts.values()))
        pressable.append((buttons.choice(token, index), frozenset(meanings)))
    if step.help is not None:
        labels = list(step.help.label.texts.values()) if step.help.label else []
        if not labels:
            catalog = turn.engine.catalog
            labels = [catalog.text("button.help", lang) for lang in catalog.languages]
        trouble: set[Meaning] = {"trouble", *said(labels)}
        pressable.append((buttons.help_button(token), frozenset(trouble)))
    return pressable
