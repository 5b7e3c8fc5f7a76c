"""The engine: given the flows, a session and what the resident did, the new session and replies.

Pure: no I/O, no clock of its own (the caller passes ``now``), no channel. Every turn works on a
copy of the session, so the caller can store the result atomically or throw it away.

This module holds the :class:`Engine` (the flows it runs, and one turn from start to
:class:`Reply`); the turn itself is a :class:`~bot.engine.turn.Turn` that the engine's modules
work on: ``events`` (what the resident did), ``navigation`` (moving through steps and flows),
``steps`` (what each kind of step does), ``screens`` (what the resident sees), ``texts``,
``timers`` (reminders, expiry), ``pinning`` (flows edited under a resident), ``routing``
(typed words that mean a flow), ``understanding`` (typed words that mean a button, and help when
the bot keeps missing), ``caution`` (a secret typed into the chat) and ``buttons`` (every
payload).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from bot.core import payloads
from bot.core.errors import FlowRuntimeError
from bot.core.session import (
    Expire,
    FinishedRun,
    FlowFault,
    FollowUpDue,
    FollowUpJob,
    Frame,
    Session,
    StaffAlert,
    TimerEvent,
)
from bot.core.types import Command, IncomingEvent, Opened, OutgoingMessage, Press, Text
from bot.engine import buttons, caution, events, navigation, pinning, screens, timers
from bot.engine.turn import Turn
from bot.flows.compiled import CompiledFlow
from bot.flows.schema import DEFAULT_LANGUAGE, Step
from bot.i18n.catalog import Catalog
from bot.routing import Router
from bot.routing.intents import Intents

__all__ = ["VERSIONS_KEPT", "Engine", "Reply"]

log = logging.getLogger(__name__)

# Earlier contents of each flow kept for residents still running them (see pinning.py).
VERSIONS_KEPT = 8


@dataclass(frozen=True, slots=True)
class Reply:
    """What a turn produced: the session to store, the messages to send, the runs that ended."""

    session: Session
    messages: tuple[OutgoingMessage, ...]
    finished: tuple[FinishedRun, ...]
    alerts: tuple[StaffAlert, ...] = ()
    # Reminders to schedule, and whether the resident's pending ones are cancelled.
    followups: tuple[FollowUpJob, ...] = ()
    cancel_followups: bool = False
    # Flows that failed in this turn (the resident was taken to the menu): for the admins.
    faults: tuple[FlowFault, ...] = ()


class Engine:
    """Runs flows for residents. One engine per loaded set of flows; it holds no sessions."""

    def __init__(
        self,
        flows: Mapping[str, CompiledFlow],
        catalog: Catalog,
        *,
        default_language: str = DEFAULT_LANGUAGE,
        context: Mapping[str, Any] | None = None,
        welcome_flow: str = "",
        router: Router | None = None,
        intents: Intents | None = None,
        archive: Mapping[tuple[str, str], CompiledFlow] | None = None,
    ) -> None:
        self.flows = dict(flows)
        # Earlier contents of flows, by (flow id, digest), for residents pinned to them.
        self.archive: dict[tuple[str, str], CompiledFlow] = dict(archive or {})
        self.catalog = catalog
        self.default_language = default_language
        self.context = dict(context or {})
        # Which flow typed words mean (None: only exact titles and trigger phrases are found).
        self.router = router
        # What typed words mean at a step ("ko dc": the trouble button); None: exact words only.
        self.intents = intents
        # Button tokens by (flow id, digest, step): see signature().
        self._signatures: dict[tuple[str, str, str], str] = {}
        # Run once before a resident's first flow (how to address them, the privacy notice...).
        self.welcome_flow = welcome_flow if welcome_flow in self.flows else ""
        self.menu_flows = sorted(
            (
                flow
                for flow in self.flows.values()
                if flow.flow.menu and flow.id != self.welcome_flow
            ),
            key=lambda flow: (flow.flow.order, flow.flow.title.get(DEFAULT_LANGUAGE)),
        )

    # --- the public entry points -----------------------------------------------------------------

    def keep_versions_of(self, previous: Engine) -> None:
        """Hold the contents ``previous`` ran that this engine replaces, for pinned residents.

        Called on a new engine before it serves anyone. At most :data:`VERSIONS_KEPT` earlier
        contents per flow are held, newest first; a resident pinned to one dropped (or to one
        from before a restart) gets the rules that need no old version (pinning.py).
        """
        held = dict(previous.archive)
        for flow in previous.flows.values():
            held[(flow.id, flow.digest)] = flow
        kept: dict[str, int] = {}
        archive: dict[tuple[str, str], CompiledFlow] = {}
        # Newest first: the previous engine's live flows, then its archive in the order kept.
        ordered = [*reversed(list(held.items()))]
        for (flow_id, digest), flow in ordered:
            live = self.flows.get(flow_id)
            if live is not None and live.digest == digest:
                continue
            if kept.get(flow_id, 0) >= VERSIONS_KEPT:
                continue
            kept[flow_id] = kept.get(flow_id, 0) + 1
            archive[(flow_id, digest)] = flow
        self.archive = dict(reversed(list(archive.items())))

    def flow_of(self, frame: Frame) -> CompiledFlow:
        """The content ``frame`` runs: the live flow, or the earlier one it is pinned to."""
        live = self.flows.get(frame.flow_id)
        if live is not None and (not frame.digest or frame.digest == live.digest):
            return live
        held = self.archive.get((frame.flow_id, frame.digest))
        if held is not None:
            return held
        if live is not None:
            return live
        raise FlowRuntimeError("missing_flow", flow_id=frame.flow_id, step=frame.step)

    def expires_after(self, session: Session) -> float | None:
        """How long ``session`` may stay idle before its flow expires (None: not in a flow)."""
        return timers.expires_after(self.flows, session.stack)

    def new_session(self, *, lang_hint: str = "") -> Session:
        """A fresh session for someone the bot has not met (in their phone's language if known)."""
        hinted = lang_hint if lang_hint in self.catalog.languages else ""
        return Session(lang=hinted or self.default_language)

    def handle(
        self,
        session: Session | None,
        event: IncomingEvent | TimerEvent,
        *,
        now: float,
        lang_hint: str = "",
        credit: dict[str, Any] | None = None,
        owned: bool = False,
    ) -> Reply:
        """Apply ``event`` to (a copy of) ``session`` and return the result.

        ``lang_hint`` (the language of the resident's phone, say) picks the language of someone
        new; it never overrides a language a resident chose. ``credit`` says who gets credit for
        a flow started in this turn (a volunteer's QR poster); during a visit, the visit does.
        ``owned`` says the caller hands over ``session`` (freshly read, used by no one else), so
        it is changed in place instead of copied first.
        """
        if session is None:
            current = self.new_session(lang_hint=lang_hint)
        else:
            current = session if owned else session.copy()
        if not current.lang:
            current.lang = self.default_language
        turn = Turn(engine=self, session=current, now=now, credit=dict(credit or {}))
        timer = isinstance(event, FollowUpDue | Expire)
        if not timer:
            # Anything the resident does cancels the reminders still waiting for them.
            turn.cancel_followups = True
            current.active_at = now
            # Extra buttons of the last reply are valid for this event only.
            turn.offers, current.offers = list(current.offers), []
        # A code or a password typed into the chat: warned about first, whatever comes next.
        warning = caution.secret_warning(turn, event.text) if isinstance(event, Text) else None
        try:
            # Expiry only files the place away (checked again when the resident comes back).
            outcome = (
                pinning.Outcome.CARRY_ON
                if isinstance(event, Expire)
                else pinning.reconcile(turn, timer=timer, command=isinstance(event, Command))
            )
            if outcome is pinning.Outcome.CARRY_ON:
                self._dispatch(turn, event)
        except FlowRuntimeError as exc:
            self._recover(turn, exc)
        if warning is not None:
            turn.messages.insert(0, warning)
        return _reply(turn, now)

    def enter_at(self, session: Session | None, flow_id: str, step_id: str, *, now: float) -> Reply:
        """Hand a resident back into a guide at a chosen step (a person who helped them says
        "carry on from the photo step"): what they had in progress is recorded as left, the
        guide starts again at ``step_id`` (a step the guide has; else the menu and a fault)."""
        current = self.new_session() if session is None else session.copy()
        if not current.lang:
            current.lang = self.default_language
        turn = Turn(engine=self, session=current, now=now)
        turn.cancel_followups = True
        try:
            flow = self.flows.get(flow_id)
            if flow is None:
                raise FlowRuntimeError("missing_flow", flow_id=flow_id, step=step_id)
            flow.step(step_id)
            navigation.abandon_all(turn)
            current.stack.append(navigation.new_frame(turn, flow))
            current.screen = "flow"
            navigation.enter(turn, step_id)
        except FlowRuntimeError as exc:
            self._recover(turn, exc)
        return _reply(turn, now)

    def _dispatch(self, turn: Turn, event: IncomingEvent | TimerEvent) -> None:
        current = turn.session
        if isinstance(event, FollowUpDue):
            timers.on_follow_up(turn, event)
        elif isinstance(event, Expire):
            timers.on_expire(turn, event)
        elif current.screen == "expired" and not isinstance(event, Command):
            if isinstance(event, Press) and event.payload in (payloads.CONTINUE, payloads.RESTART):
                timers.resume_expired(turn, event.payload)
            else:
                timers.offer_return(turn)
        elif isinstance(event, Press):
            events.on_press(turn, event.payload)
        elif isinstance(event, Command):
            events.on_command(turn, event.name.lower(), event.arg.strip())
        elif isinstance(event, Text):
            events.on_text(turn, event.text)
        elif isinstance(event, Opened):
            if event.lang in self.catalog.languages:
                current.lang = event.lang
            events.on_opened(turn)

    def _recover(self, turn: Turn, exc: FlowRuntimeError) -> None:
        """A flow failed mid-turn: a kind word and the menu for the resident, a fault for admins.

        Whatever the turn had said or scheduled is dropped (it came from the failing flow); the
        runs in progress are recorded as left, so reports still show where the resident was.
        """
        flow = self.flows.get(exc.flow_id)
        fault = FlowFault(
            code=exc.code,
            flow_id=exc.flow_id,
            step=exc.step,
            path=exc.path or (flow.path if flow is not None else ""),
            line=flow.lines.get(exc.step, 1) if flow is not None else 1,
            detail=exc.detail,
        )
        log.warning(
            "%s:%d: flow %s, step %s: %s (%s); the resident was taken to the menu",
            fault.path or "-",
            fault.line,
            fault.flow_id,
            fault.step or "-",
            fault.code,
            fault.detail or "-",
        )
        turn.faults.append(fault)
        turn.messages.clear()
        turn.notices.clear()
        turn.followups.clear()
        turn.dry = False
        navigation.abandon_all(turn)
        turn.session.offers = []
        turn.notice("flow.fault")
        screens.show_menu(turn, with_prompt=False)

    # --- for the engine's modules ----------------------------------------------------------------

    def current(self, session: Session) -> tuple[Frame, Step]:
        """The top frame of ``session`` and the step it is at (in the content it runs)."""
        frame = session.stack[-1]
        return frame, self.flow_of(frame).step(frame.step)

    def signature(self, frame: Frame, step: Step) -> str:
        """The button token of the frame's step, worked out once per content of the flow."""
        key = (frame.flow_id, frame.digest, frame.step)
        token = self._signatures.get(key)
        if token is None:
            token = buttons.step_signature(frame.flow_id, frame.step, step)
            self._signatures[key] = token
        return token


def _reply(turn: Turn, now: float) -> Reply:
    """The end of a turn: the session one turn older, and everything the turn produced."""
    current = turn.session
    current.turn += 1
    current.updated_at = now
    return Reply(
        session=current,
        messages=tuple(turn.messages),
        finished=tuple(turn.finished),
        alerts=tuple(turn.alerts),
        followups=tuple(turn.followups),
        cancel_followups=turn.cancel_followups,
        faults=tuple(turn.faults),
    )
