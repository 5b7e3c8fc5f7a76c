"""The working state of one turn, and the small API every part of the engine uses on it.

A :class:`Turn` is made by :meth:`bot.engine.runner.Engine.handle` for each event and thrown away
when the :class:`~bot.engine.runner.Reply` is built. The engine's modules (navigation, screens,
steps, timers, pinning, routing) all work on it: they change ``turn.session`` and queue what the
resident will read with :meth:`Turn.emit`, in front of which :meth:`Turn.notice` texts go.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from bot.core.sandbox import Renderable
from bot.core.session import FinishedRun, FlowFault, FollowUpJob, Frame, Session, StaffAlert
from bot.core.types import Button, OutgoingMessage
from bot.engine import texts

if TYPE_CHECKING:
    from bot.engine.runner import Engine

__all__ = ["Turn"]


@dataclass(slots=True)
class Turn:
    """The working state of one turn: the session being changed and what the turn produced."""

    engine: Engine
    session: Session
    now: float
    messages: list[OutgoingMessage] = field(default_factory=list)
    finished: list[FinishedRun] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)
    alerts: list[StaffAlert] = field(default_factory=list)
    going_back: bool = False
    credit: dict[str, Any] = field(default_factory=dict)
    offers: list[str] = field(default_factory=list)
    # Set when the turn only works out which buttons are on screen: texts are not rendered.
    dry: bool = False
    followups: list[FollowUpJob] = field(default_factory=list)
    cancel_followups: bool = False
    firing: bool = False
    faults: list[FlowFault] = field(default_factory=list)

    def ui(self, key: str, **params: Any) -> str:
        """The interface text ``key`` in the resident's language (see :func:`texts.ui`)."""
        return texts.ui(self, key, **params)

    def button(self, key: str, payload: str, **params: Any) -> Button:
        """A button labelled with the interface text ``key``."""
        return Button(label=self.ui(key, **params), payload=payload)

    def render(self, template: Renderable, frame: Frame) -> str:
        """A flow's text for ``frame``'s step, with its answers (see :func:`texts.render`)."""
        return texts.render(self, template, frame)

    def notice(self, key: str, **params: Any) -> None:
        """Put the interface text ``key`` in front of the next message (a re-ask, a stale press)."""
        self.notices.append(self.ui(key, **params))

    def emit(
        self,
        text: str,
        rows: list[list[Button]],
        *,
        image: str = "",
        awaits_text: bool = False,
    ) -> None:
        """Queue a message, putting any pending notices (re-ask, stale button...) in front of it."""
        if self.notices:
            text = "\n\n".join([*self.notices, text]) if text else "\n\n".join(self.notices)
            self.notices.clear()
        self.messages.append(
            OutgoingMessage(
                text=text,
                image=image,
                buttons=tuple(tuple(row) for row in rows if row),
                awaits_text=awaits_text,
            )
        )
