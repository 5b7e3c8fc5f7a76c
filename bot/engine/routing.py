"""What the engine does with words typed outside a step that expects them.

The router (``bot.routing``) decides which flow a message means; this module turns its decision
into the conversation: open the flow, offer two or three, answer a greeting, or offer to switch
from the flow the resident is in (keeping their place: the other flow runs on top and, when it
ends, they are back at the step they left).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.core.types import Button
from bot.engine import buttons

if TYPE_CHECKING:
    from bot.engine.runner import Engine, _Turn

__all__ = ["STAY", "SWITCH", "offer_switch", "route_at_menu"]

SWITCH = "sw:"
STAY = "stay"


def route_at_menu(engine: Engine, turn: _Turn, text: str) -> None:
    """Outside any flow: open the flow the words mean, or ask, or show the menu."""
    route = engine.router.route(text) if engine.router is not None else None
    kind = route.kind if route is not None else "menu"
    if route is not None and kind == "flow" and route.flow_id in engine.flows:
        title = engine.flows[route.flow_id].flow.title.get(turn.session.lang)
        turn.notices.append(engine._ui(turn, "route.opening", title=title))
        engine._start_flow(turn, route.flow_id)
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
        rows.append([Button(label=engine._ui(turn, "button.menu"), payload=buttons.MENU)])
        turn.session.offers = [buttons.start(c.flow_id) for c in offer]
        engine._emit(turn, engine._ui(turn, "route.choose"), rows)
        return
    if kind in ("greeting", "thanks"):
        turn.notices.append(engine._ui(turn, f"route.{kind}"))
        engine._show_menu(turn)
        return
    turn.notices.append(engine._ui(turn, "menu.not_understood"))
    engine._show_menu(turn, with_prompt=False)


def offer_switch(engine: Engine, turn: _Turn, text: str) -> bool:
    """In a flow, words that clearly ask for another flow: offer to go there. False if not."""
    if engine.router is None:
        return False
    route = engine.router.route(text)
    target = route.flow_id if route.kind == "flow" else None
    running = {frame.flow_id for frame in turn.session.stack}
    if target is None or target in running or target not in engine.flows:
        return False
    title = engine.flows[target].flow.title.get(turn.session.lang)
    rows = [
        [
            Button(
                label=engine._ui(turn, "route.switch_button", title=title), payload=SWITCH + target
            )
        ],
        [Button(label=engine._ui(turn, "route.stay_button"), payload=STAY)],
    ]
    turn.session.offers = [SWITCH + target, STAY]
    engine._emit(turn, engine._ui(turn, "route.switch_offer", title=title), rows)
    return True
