"""What templates see, and the texts the engine writes: flow texts, interface texts, alerts.

Functions on a :class:`~bot.engine.turn.Turn` (its session's language and profile) and its
engine (the settings, the catalog of interface texts, the flows).
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from bot.core.address import address_words
from bot.core.errors import FlowRuntimeError
from bot.core.sandbox import Renderable
from bot.core.sandbox import render as render_template
from bot.core.session import Frame, StaffAlert
from bot.flows.compiled import CompiledFlow
from bot.flows.schema import DEFAULT_LANGUAGE

if TYPE_CHECKING:
    from bot.engine.runner import Engine
    from bot.engine.turn import Turn

__all__ = ["alert", "context", "fault_at", "render", "ui"]

log = logging.getLogger(__name__)


def context(turn: Turn, frame: Frame | None) -> dict[str, Any]:
    """What templates see: settings, the profile and its address words, then this flow's answers."""
    engine = turn.engine
    session = turn.session
    seen: dict[str, Any] = dict(engine.context)
    seen["lang"] = session.lang
    seen["last_outcome"] = None
    seen.update(session.profile)
    # xung_ho with the bot's own pronoun and "ạ" that pair with it, made in one place.
    seen.update(address_words(seen.get("xung_ho"), session.lang))
    if frame is not None:
        flow = engine.flows.get(frame.flow_id)
        if flow is None or (frame.digest and frame.digest != flow.digest):
            flow = engine.archive.get((frame.flow_id, frame.digest), flow)
        if flow is not None:
            for name in flow.variables:
                seen.setdefault(name, None)
        seen.update(frame.vars)
    return seen


def alert(turn: Turn, flow: CompiledFlow, frame: Frame) -> None:
    """Queue a step's ``notify`` text for staff, in the bot's default language."""
    template = flow.text(frame.step, "notify", turn.engine.default_language)
    if template is None:
        return
    try:
        text = render_template(template, context(turn, frame))
    except Exception as exc:
        log.warning(
            "%s: step %s: the notify text could not be made (%s: %s)",
            flow.path,
            frame.step,
            type(exc).__name__,
            exc,
        )
        text = f"{flow.id}/{frame.step}"
    village = str(frame.vars.get("village") or frame.credit.get("village") or "")
    turn.alerts.append(
        StaffAlert(text=text, flow_id=flow.id, step=frame.step, at=turn.now, village=village)
    )


def render(turn: Turn, template: Renderable, frame: Frame) -> str:
    """A flow's text with the frame's answers; a failure is a fault at the frame's step."""
    if isinstance(template, str):
        return template
    try:
        return render_template(template, context(turn, frame))
    except Exception as exc:
        # The resident is taken to the menu and the admins are told (Engine.handle).
        raise fault_at(turn.engine, frame, "template", f"{type(exc).__name__}: {exc}") from exc


def fault_at(engine: Engine, frame: Frame, code: str, detail: str) -> FlowRuntimeError:
    """The error for a failure at ``frame``'s step, naming its file."""
    return FlowRuntimeError(
        code,
        flow_id=frame.flow_id,
        step=frame.step,
        path=engine.flow_of(frame).path,
        detail=detail,
    )


def ui(turn: Turn, key: str, **params: Any) -> str:
    """The interface text ``key`` in the resident's language (Vietnamese if it cannot be made)."""
    catalog = turn.engine.catalog
    static = catalog.static(key, turn.session.lang)
    if static is not None:
        return static
    seen = context(turn, None)
    seen.update(params)
    try:
        return catalog.text(key, turn.session.lang, **seen)
    except Exception:
        log.exception("locale text %s could not be shown", key)
        return catalog.text("flow.broken", DEFAULT_LANGUAGE, xung_ho="bạn")
