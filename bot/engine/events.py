"""What the resident did: opened the chat, sent a command, pressed a button, typed words.

Functions on a :class:`~bot.engine.turn.Turn`, which :meth:`bot.engine.runner.Engine.handle`
calls once the session is on content the engine holds (pinning.py). A press is checked against
what is on screen first: a button from an old message is never obeyed.
"""

from __future__ import annotations

from bot.core import payloads
from bot.core.matching import fold
from bot.core.privacy import mask_value, shown
from bot.core.session import Frame, Session
from bot.engine import buttons, navigation, routing, screens, timers, understanding
from bot.engine.answers import check_answer
from bot.engine.turn import Turn
from bot.flows.schema import Step
from bot.routing import match_label

__all__ = ["act", "on_command", "on_opened", "on_press", "on_text"]


def on_opened(turn: Turn) -> None:
    """The chat was opened (or ``/start``): greet someone new, or show where they were."""
    session = turn.session
    if session.screen == "new":
        screens.show_menu(turn, greet=True)
    elif session.stack:
        session.screen = "flow"
        turn.notice("menu.welcome_back")
        screens.show_step(turn)
    else:
        screens.show_menu(turn)


def on_command(turn: Turn, name: str, arg: str) -> None:
    """A command (``/menu``, ``/back``, ``/lang en``...); an unknown one is said so."""
    session = turn.session
    if name == "start":
        if arg:
            navigation.start_by_name(turn, arg)
        else:
            on_opened(turn)
    elif name == "menu":
        screens.show_menu(turn)
    elif name == "back":
        navigation.go_back(turn)
    elif name == "restart":
        navigation.restart(turn)
    elif name in ("lang", "language"):
        if arg in turn.engine.catalog.languages:
            if session.screen != "lang":
                session.resume_screen = session.screen
            screens.set_language(turn, arg)
        else:
            screens.ask_language(turn)
    elif name in ("stop_reminders", "reminders_on"):
        timers.set_reminders(turn, name == "reminders_on")
        screens.show_current(turn)
    elif name == "help":
        turn.notice("command.help")
        screens.show_current(turn)
    else:
        turn.notice("command.unknown", name=shown(name, 30))
        screens.show_current(turn)


def on_press(turn: Turn, payload: str) -> None:
    """A button: carried out if it is on screen (or always there), else the screen again."""
    engine = turn.engine
    session = turn.session
    always = {payloads.MENU, payloads.LANGUAGE} | ({payloads.BACK} if session.stack else set())
    if payload in turn.offers and payload.startswith((payloads.SWITCH, payloads.STAY)):
        understanding.understood(turn)
        _switch(turn, payload)
        return
    valid = (
        payload in always
        or payload in turn.offers
        or _current_choice(turn, session, payload)
        or payload in screens.offered(engine, session)
    )
    if not valid:
        turn.notice("flow.stale_button")
        screens.show_current(turn)
        return
    act(turn, payload)


def _current_choice(turn: Turn, session: Session, payload: str) -> bool:
    """True for a button of the step on screen — checked without drawing the screen."""
    if session.screen != "flow" or not session.stack:
        return False
    if not payload.startswith((payloads.CHOICE, payloads.HELP)):
        return False
    frame, step = turn.engine.current(session)
    token = turn.engine.signature(frame, step)
    if payload.startswith(payloads.HELP):
        return step.help is not None and payload == buttons.help_button(token)
    return buttons.choice_index(payload, token, len(step.choices or [])) is not None


def act(turn: Turn, payload: str) -> None:
    """Carry out a (checked) button payload."""
    engine = turn.engine
    session = turn.session
    understanding.understood(turn)
    if payload == payloads.MENU:
        screens.show_menu(turn)
    elif payload == payloads.BACK:
        navigation.go_back(turn)
    elif payload == payloads.LANGUAGE:
        screens.ask_language(turn)
    elif payload == payloads.RESUME:
        session.screen = "flow"
        screens.show_step(turn)
    elif payload == payloads.AGAIN:
        navigation.start_flow(turn, session.last_flow)
    elif payload.startswith(payloads.SET_LANGUAGE):
        screens.set_language(turn, payload[len(payloads.SET_LANGUAGE) :])
    elif payload.startswith(payloads.START):
        navigation.start_flow(turn, payload[len(payloads.START) :])
    elif payload.startswith(payloads.CHOICE):
        frame, step = engine.current(session)
        index = int(payload.rsplit(":", 1)[1])
        assert step.choices is not None
        choice = step.choices[index]
        for name, value in choice.set.items():
            frame.vars[name] = mask_value(value)
        for name, value in choice.remember.items():
            session.profile[name] = mask_value(value)
        navigation.advance(turn, choice.go)
    elif payload.startswith(payloads.HELP):
        _frame, step = engine.current(session)
        assert step.help is not None
        navigation.advance(turn, step.help.go)


def on_text(turn: Turn, text: str) -> None:
    """Typed words: an answer, a button's words or meaning, or words that mean a flow."""
    engine = turn.engine
    session = turn.session
    offered = screens.offered_buttons(engine, session)
    in_flow = session.screen == "flow" and bool(session.stack)
    if in_flow and engine.current(session)[1].ask is not None:
        # A typed answer is expected: only the exact words of a button (Back, Menu...)
        # count as pressing it; anything else is the answer.
        wanted = fold(text)
        for button in offered:
            if wanted and fold(button.label) == wanted:
                act(turn, button.payload)
                return
        frame, step = engine.current(session)
        _answer(turn, frame, step, text)
        return
    index = match_label(text, [button.label for button in offered])
    if index is not None:
        act(turn, offered[index].payload)
        return
    if in_flow:
        # "ko dc", "xong rồi": the button that means it. Then words about another flow.
        meant = understanding.meant_button(turn, text)
        if meant is not None:
            act(turn, meant)
        elif routing.offer_switch(turn, text):
            understanding.understood(turn)
        else:
            understanding.not_understood(turn)
        return
    if session.screen == "lang":
        screens.ask_language(turn)
        return
    if engine.router is None:
        flow = routing.find_by_words(engine, fold(text))
        if flow is not None:
            navigation.start_flow(turn, flow.id)
            return
    routing.route_at_menu(turn, text)


def _switch(turn: Turn, payload: str) -> None:
    """The resident took up the offer to go to another flow (or to stay)."""
    session = turn.session
    flow = turn.engine.flows.get(payload[len(payloads.SWITCH) :])
    if payload == payloads.STAY or flow is None or not session.stack:
        if session.stack:
            session.screen = "flow"
        screens.show_current(turn)
        return
    navigation.detour(turn, flow)


def _answer(turn: Turn, frame: Frame, step: Step, text: str) -> None:
    """A typed answer to the step's question: saved and on, or asked again."""
    assert step.ask is not None and step.go is not None
    answer = check_answer(step.ask, text)
    if not answer.ok:
        flow = turn.engine.flow_of(frame)
        template = flow.text(frame.step, "retry", turn.session.lang)
        if template is not None:  # the flow's own words know the question best
            retry = turn.render(template, frame)
        else:
            retry = turn.ui(answer.retry_key, **answer.retry_params)
        turn.emit(
            retry,
            screens.step_buttons(turn, frame, step, with_choices=False),
            awaits_text=True,
        )
        return
    if not step.ask.sensitive:
        frame.vars[step.ask.save_as] = mask_value(answer.value)
    navigation.advance(turn, step.go)
