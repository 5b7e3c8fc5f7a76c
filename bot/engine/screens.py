"""What the resident sees: a step with its buttons, the menu, the language question, the end.

Functions on a :class:`~bot.engine.turn.Turn`; each queues one message (with the turn's pending
notices in front) and sets ``session.screen`` to what is now on screen.
"""

from __future__ import annotations

import copy
from typing import TYPE_CHECKING

from bot.core import payloads
from bot.core.session import Frame, Session
from bot.core.types import Button, OutgoingMessage
from bot.engine import buttons, timers
from bot.engine.turn import Turn
from bot.flows.compiled import CompiledFlow
from bot.flows.schema import Step

if TYPE_CHECKING:
    from bot.engine.runner import Engine

__all__ = [
    "ask_language",
    "emit_end_buttons",
    "emit_say",
    "offered",
    "offered_buttons",
    "set_language",
    "show_current",
    "show_menu",
    "show_step",
    "step_buttons",
]


def show_current(turn: Turn) -> None:
    """Show again whatever is on screen (after a notice, a stale press, a command)."""
    screen = turn.session.screen
    if screen == "flow" and turn.session.stack:
        show_step(turn)
    elif screen == "lang":
        ask_language(turn)
    elif screen == "ended":
        emit_end_buttons(turn)
    elif screen == "expired":
        timers.offer_return(turn)
    else:
        show_menu(turn, with_prompt=True)


def show_step(turn: Turn) -> None:
    """The step the top frame waits at, with its buttons."""
    frame, step = turn.engine.current(turn.session)
    emit_say(
        turn,
        turn.engine.flow_of(frame),
        frame,
        step,
        step_buttons(turn, frame, step),
        awaits_text=step.ask is not None,
    )


def step_buttons(
    turn: Turn, frame: Frame, step: Step, *, with_choices: bool = True
) -> list[list[Button]]:
    """The rows of a waiting step: its choices, its help button, then Back and Menu."""
    lang = turn.session.lang
    token = turn.engine.signature(frame, step)
    rows: list[list[Button]] = []
    if with_choices:
        for index, choice in enumerate(step.choices or []):
            rows.append(
                [Button(label=choice.label.get(lang), payload=buttons.choice(token, index))]
            )
    if step.help is not None:
        label = step.help.label.get(lang) if step.help.label else turn.ui("button.help")
        rows.append([Button(label=label, payload=buttons.help_button(token))])
    rows.append(
        [turn.button("button.back", payloads.BACK), turn.button("button.menu", payloads.MENU)]
    )
    return rows


def emit_say(
    turn: Turn,
    flow: CompiledFlow,
    frame: Frame,
    step: Step,
    rows: list[list[Button]],
    *,
    awaits_text: bool = False,
) -> None:
    """The step's ``say`` (with its image and link) above ``rows``."""
    template = flow.text(frame.step, "say", turn.session.lang)
    # Only the buttons matter when the engine looks at what is on screen (``dry``).
    text = turn.render(template, frame) if template is not None and not turn.dry else ""
    if step.link is not None:
        link = Button(label=step.link.label.get(turn.session.lang), url=step.link.url)
        rows = [[link], *rows]
    turn.emit(text, rows, image=flow.images.get(frame.step, ""), awaits_text=awaits_text)


def emit_end_buttons(turn: Turn) -> None:
    """A flow ended: "again" and "menu", under its last words when they have no buttons."""
    rows = [
        [turn.button("button.again", payloads.AGAIN)],
        [turn.button("button.menu", payloads.MENU)],
    ]
    last = turn.messages[-1] if turn.messages else None
    if last is not None and not last.buttons and not turn.notices:
        # Put the buttons under the flow's last words rather than in a message of their own.
        turn.messages[-1] = OutgoingMessage(
            text=last.text, image=last.image, buttons=tuple(tuple(row) for row in rows)
        )
    else:
        turn.emit(turn.ui("flow.finished"), rows)


def show_menu(turn: Turn, *, greet: bool = False, with_prompt: bool = True) -> None:
    """The main menu: resume the flow in progress, the menu flows, the language."""
    engine = turn.engine
    session = turn.session
    lang = session.lang
    session.screen = "menu"
    rows: list[list[Button]] = []
    if session.stack:
        title = engine.flow_of(session.stack[0]).flow.title.get(lang)
        rows.append([turn.button("button.resume", payloads.RESUME, title=title)])
    for flow in engine.menu_flows:
        rows.append([Button(label=flow.flow.title.get(lang), payload=buttons.start(flow.id))])
    rows.append([turn.button("button.language", payloads.LANGUAGE)])
    if greet:
        turn.notice("menu.greeting")
    text = turn.ui("menu.prompt") if with_prompt or not turn.notices else ""
    turn.emit(text, rows)


def ask_language(turn: Turn) -> None:
    """Which language: one button per language of the catalog."""
    catalog = turn.engine.catalog
    session = turn.session
    if session.screen != "lang":
        session.resume_screen = session.screen
    session.screen = "lang"
    rows = [
        [Button(label=catalog.text("language.name", code), payload=buttons.language(code))]
        for code in catalog.languages
    ]
    turn.emit(turn.ui("language.ask"), rows)


def set_language(turn: Turn, code: str) -> None:
    """Switch to language ``code`` and show again what was on screen before the question."""
    session = turn.session
    session.lang = code
    back_to = session.resume_screen
    session.screen = back_to if back_to in ("flow", "ended") else "menu"
    if session.screen == "flow" and not session.stack:
        session.screen = "menu"
    turn.notice("language.changed")
    show_current(turn)


def offered_buttons(engine: Engine, session: Session) -> list[Button]:
    """The action buttons the resident can see on the current screen."""
    # A shallow copy is enough: drawing the screen only sets top-level fields (the screen).
    turn = Turn(engine=engine, session=copy.copy(session), now=session.updated_at, dry=True)
    show_current(turn)
    return [
        button for message in turn.messages for button in message.all_buttons() if button.payload
    ]


def offered(engine: Engine, session: Session) -> set[str]:
    """The payloads of :func:`offered_buttons`."""
    return {button.payload for button in offered_buttons(engine, session)}
