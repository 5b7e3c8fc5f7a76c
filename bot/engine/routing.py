"""What the engine does with words typed outside a step that expects them.

The router (``bot.routing``) decides which flow a message means; this module turns its decision
into the conversation: open the flow, offer two or three, answer a greeting, or offer to switch
from the flow the resident is in (keeping their place: the other flow runs on top and, when it
ends, they are back at the step they left).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.core import payloads
from bot.core.matching import fold
from bot.core.types import Button
from bot.engine import buttons, navigation, screens
from bot.engine.turn import Turn
from bot.flows.compiled import CompiledFlow

if TYPE_CHECKING:
    from bot.engine.runner import Engine

__all__ = ["find_by_words", "offer_switch", "route_at_menu"]


def route_at_menu(turn: Turn, text: str) -> None:
    """Outside any flow: open the flow the words mean, or ask, or show the menu."""
    engine = turn.engine
    route = engine.router.route(text) if engine.router is not None else None
    kind = route.kind if route is not None else "menu"
    if route is not None and kind == "flow" and route.flow_id in engine.flows:
        title = engine.flows[route.flow_id].flow.title.get(turn.session.lang)
        turn.notice("route.opening", title=title)
        navigation.start_flow(turn, route.flow_id)
        return
    if route is not None and kind == "choose":
        offer = [c for c in route.offer if c.flow_id in engine.flows]
        rows = [
            [
                Button(
                    label=engine.flows[c.flow_id].flow.title.get(turn.session.lang),
                    payload=buttons.start(c.flow_id),
                )
            ]
            for c in offer
        ]
        rows.append([turn.button("button.menu", payloads.MENU)])
        turn.session.offers = [buttons.start(c.flow_id) for c in offer]
        turn.emit(turn.ui("route.choose"), rows)
        return
    if kind in ("greeting", "thanks"):
        turn.notice(f"route.{kind}")
        screens.show_menu(turn)
        return
    turn.notice("menu.not_understood")
    screens.show_menu(turn, with_prompt=False)


def offer_switch(turn: Turn, text: str) -> bool:
    """In a flow, words that clearly ask for another flow: offer to go there. False if not."""
    engine = turn.engine
    if engine.router is None:
        return False
    route = engine.router.route(text)
    target = route.flow_id if route.kind == "flow" else None
    running = {frame.flow_id for frame in turn.session.stack}
    if target is None or target in running or target not in engine.flows:
        return False
    title = engine.flows[target].flow.title.get(turn.session.lang)
    rows = [
        [turn.button("route.switch_button", buttons.switch(target), title=title)],
        [turn.button("route.stay_button", payloads.STAY)],
    ]
    turn.session.offers = [buttons.switch(target), payloads.STAY]
    turn.emit(turn.ui("route.switch_offer", title=title), rows)
    return True


def find_by_words(engine: Engine, folded: str) -> CompiledFlow | None:
    """Without a router: a menu flow whose title or trigger phrase appears in the (folded) text."""
    if not folded:
        return None
    padded = f" {folded} "
    for flow in engine.menu_flows:
        phrases = [*flow.flow.title.texts.values()]
        for lang_phrases in flow.flow.triggers.values():
            phrases.extend(lang_phrases)
        for phrase in phrases:
            if f" {fold(phrase)} " in padded:
                return flow
    return None
