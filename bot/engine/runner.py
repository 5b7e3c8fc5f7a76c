"""The engine: given the flows, a session and what the resident did, the new session and replies.

Pure: no I/O, no clock of its own (the caller passes ``now``), no channel. Every turn works on a
copy of the session, so the caller can store the result atomically or throw it away.
"""

from __future__ import annotations

import copy
import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from bot.core.errors import FlowRuntimeError
from bot.core.matching import fold
from bot.core.privacy import mask_value, shown
from bot.core.sandbox import Renderable, render
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
from bot.core.types import (
    Button,
    Command,
    IncomingEvent,
    Opened,
    OutgoingMessage,
    Press,
    Text,
)
from bot.engine import buttons, pinning, routing, timers
from bot.engine.inputs import check_answer
from bot.engine.timers import CONTINUE, RESTART
from bot.flows.compiled import CompiledFlow
from bot.flows.schema import DEFAULT_LANGUAGE, Step
from bot.i18n.catalog import Catalog
from bot.routing import Router, match_label

__all__ = ["Engine", "Reply"]

log = logging.getLogger(__name__)

# A flow that passes lint never needs this many steps without waiting; the limit only protects
# residents from a loop slipped past it.
_MAX_STEPS_PER_TURN = 100
ABANDONED = "abandoned"
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


@dataclass(slots=True)
class _Turn:
    """The working state of one turn."""

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
        return timers.expires_after(self, session.stack)

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
        turn = _Turn(session=current, now=now, credit=dict(credit or {}))
        timer = isinstance(event, FollowUpDue | Expire)
        if not timer:
            # Anything the resident does cancels the reminders still waiting for them.
            turn.cancel_followups = True
            current.active_at = now
            # Extra buttons of the last reply are valid for this event only.
            turn.offers, current.offers = list(current.offers), []
        try:
            # Expiry only files the place away (checked again when the resident comes back).
            outcome = (
                pinning.Outcome.CARRY_ON
                if isinstance(event, Expire)
                else pinning.reconcile(self, turn, timer=timer, command=isinstance(event, Command))
            )
            if outcome is pinning.Outcome.CARRY_ON:
                self._dispatch(turn, event)
        except FlowRuntimeError as exc:
            self._recover(turn, exc)
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

    def _dispatch(self, turn: _Turn, event: IncomingEvent | TimerEvent) -> None:
        current = turn.session
        if isinstance(event, FollowUpDue):
            timers.on_follow_up(self, turn, event)
        elif isinstance(event, Expire):
            timers.on_expire(self, turn, event)
        elif current.screen == "expired" and not isinstance(event, Command):
            if isinstance(event, Press) and event.payload in (CONTINUE, RESTART):
                timers.resume_expired(self, turn, event.payload)
            else:
                timers.offer_return(self, turn)
        elif isinstance(event, Press):
            self._on_press(turn, event.payload)
        elif isinstance(event, Command):
            self._on_command(turn, event.name.lower(), event.arg.strip())
        elif isinstance(event, Text):
            self._on_text(turn, event.text)
        elif isinstance(event, Opened):
            if event.lang in self.catalog.languages:
                current.lang = event.lang
            self._on_opened(turn)

    def _recover(self, turn: _Turn, exc: FlowRuntimeError) -> None:
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
        self._abandon_all(turn)
        turn.session.offers = []
        turn.notices.append(self._ui(turn, "flow.fault"))
        self._show_menu(turn, with_prompt=False)

    # --- events ----------------------------------------------------------------------------------

    def _on_opened(self, turn: _Turn) -> None:
        session = turn.session
        if session.screen == "new":
            self._show_menu(turn, greet=True)
        elif session.stack:
            session.screen = "flow"
            turn.notices.append(self._ui(turn, "menu.welcome_back"))
            self._show_step(turn)
        else:
            self._show_menu(turn)

    def _on_command(self, turn: _Turn, name: str, arg: str) -> None:
        if name == "start":
            if arg:
                self._start_by_name(turn, arg)
            else:
                self._on_opened(turn)
        elif name == "menu":
            self._show_menu(turn)
        elif name == "back":
            self._go_back(turn)
        elif name == "restart":
            self._restart(turn)
        elif name in ("lang", "language"):
            if arg in self.catalog.languages:
                if turn.session.screen != "lang":
                    turn.session.resume_screen = turn.session.screen
                self._set_language(turn, arg)
            else:
                self._ask_language(turn)
        elif name in ("stop_reminders", "reminders_on"):
            timers.set_reminders(self, turn, name == "reminders_on")
            self._show_current(turn)
        elif name == "help":
            turn.notices.append(self._ui(turn, "command.help"))
            self._show_current(turn)
        else:
            turn.notices.append(self._ui(turn, "command.unknown", name=shown(name, 30)))
            self._show_current(turn)

    def _on_press(self, turn: _Turn, payload: str) -> None:
        session = turn.session
        always = {buttons.MENU, buttons.LANGUAGE} | ({buttons.BACK} if session.stack else set())
        if payload in turn.offers and payload.startswith((routing.SWITCH, routing.STAY)):
            self._switch(turn, payload)
            return
        valid = (
            payload in always
            or payload in turn.offers
            or self._current_choice(session, payload)
            or payload in self._offered(session)
        )
        if not valid:
            turn.notices.append(self._ui(turn, "flow.stale_button"))
            self._show_current(turn)
            return
        self._act(turn, payload)

    def _current_choice(self, session: Session, payload: str) -> bool:
        """True for a button of the step on screen — checked without drawing the screen."""
        if session.screen != "flow" or not session.stack or not payload.startswith(("c:", "h:")):
            return False
        frame, step = self._current(session)
        token = self._signature(frame, step)
        if payload.startswith("h:"):
            return step.help is not None and payload == buttons.help_button(token)
        _c, _, rest = payload.partition(":")
        given, _, index = rest.partition(":")
        return (
            given == token
            and index.isascii()
            and index.isdigit()
            and len(index) <= 3
            and int(index) < len(step.choices or [])
        )

    def _act(self, turn: _Turn, payload: str) -> None:
        """Carry out a (checked) button payload."""
        session = turn.session
        if payload == buttons.MENU:
            self._show_menu(turn)
        elif payload == buttons.BACK:
            self._go_back(turn)
        elif payload == buttons.LANGUAGE:
            self._ask_language(turn)
        elif payload == buttons.RESUME:
            session.screen = "flow"
            self._show_step(turn)
        elif payload == buttons.AGAIN:
            self._start_flow(turn, session.last_flow)
        elif payload.startswith("l:"):
            self._set_language(turn, payload[2:])
        elif payload.startswith("f:"):
            self._start_flow(turn, payload[2:])
        elif payload.startswith("c:"):
            frame, step = self._current(session)
            index = int(payload.rsplit(":", 1)[1])
            assert step.choices is not None
            choice = step.choices[index]
            for name, value in choice.set.items():
                frame.vars[name] = mask_value(value)
            for name, value in choice.remember.items():
                session.profile[name] = mask_value(value)
            self._advance(turn, choice.go)
        elif payload.startswith("h:"):
            _frame, step = self._current(session)
            assert step.help is not None
            self._advance(turn, step.help.go)

    def _on_text(self, turn: _Turn, text: str) -> None:
        session = turn.session
        offered = self._offered_buttons(session)
        in_flow = session.screen == "flow" and bool(session.stack)
        if in_flow and self._current(session)[1].ask is not None:
            # A typed answer is expected: only the exact words of a button (Back, Menu...)
            # count as pressing it; anything else is the answer.
            wanted = fold(text)
            for button in offered:
                if wanted and fold(button.label) == wanted:
                    self._act(turn, button.payload)
                    return
            frame, step = self._current(session)
            self._answer(turn, frame, step, text)
            return
        index = match_label(text, [button.label for button in offered])
        if index is not None:
            self._act(turn, offered[index].payload)
            return
        if in_flow:
            if not routing.offer_switch(self, turn, text):
                turn.notices.append(self._ui(turn, "flow.press_button"))
                self._show_step(turn)
            return
        if session.screen == "lang":
            self._ask_language(turn)
            return
        if self.router is None:
            flow = self._find_by_words(fold(text))
            if flow is not None:
                self._start_flow(turn, flow.id)
                return
        routing.route_at_menu(self, turn, text)

    def _switch(self, turn: _Turn, payload: str) -> None:
        """The resident took up the offer to go to another flow (or to stay)."""
        session = turn.session
        flow = self.flows.get(payload[len(routing.SWITCH) :])
        if payload == routing.STAY or flow is None or not session.stack:
            if session.stack:
                session.screen = "flow"
            self._show_current(turn)
            return
        frame = self._new_frame(turn, flow)
        frame.detour = True
        session.stack.append(frame)
        session.screen = "flow"
        self._enter(turn, flow.flow.start)

    def _answer(self, turn: _Turn, frame: Frame, step: Step, text: str) -> None:
        assert step.ask is not None and step.go is not None
        answer = check_answer(step.ask, text)
        if not answer.ok:
            flow = self.flow_of(frame)
            template = flow.text(frame.step, "retry", turn.session.lang)
            if template is not None:  # the flow's own words know the question best
                retry = self._render(turn, template, frame)
            else:
                retry = self._ui(turn, answer.retry_key, **answer.retry_params)
            self._emit(
                turn,
                retry,
                self._step_buttons(turn, frame, step, with_choices=False),
                awaits_text=True,
            )
            return
        if not step.ask.sensitive:
            frame.vars[step.ask.save_as] = mask_value(answer.value)
        self._advance(turn, step.go)

    # --- moving through steps --------------------------------------------------------------------

    def _advance(self, turn: _Turn, target: str) -> None:
        """Leave the current waiting step for ``target``, remembering it for Back."""
        frame = turn.session.stack[-1]
        frame.history.append(frame.step)
        self._enter(turn, target)

    def _enter(self, turn: _Turn, step_id: str) -> None:
        """Enter ``step_id`` of the top frame and keep going until a step waits or the flow ends."""
        session = turn.session
        for _ in range(_MAX_STEPS_PER_TURN):
            frame = session.stack[-1]
            flow = self.flow_of(frame)
            step = flow.step(step_id)
            frame.step = step_id
            frame.path.append(step_id)
            if step.notify is not None and not turn.going_back:
                self._alert(turn, flow, frame)
            kind = step.kind
            if kind == "when":
                step_id = self._decide(turn, flow, frame, step)
                continue
            if kind == "flow":
                assert step.flow is not None
                frame.step_kind = kind
                child = self.flows.get(step.flow)
                if child is None:
                    raise FlowRuntimeError(
                        "missing_flow",
                        flow_id=flow.id,
                        step=step_id,
                        path=flow.path,
                        detail=step.flow,
                    )
                session.stack.append(self._new_frame(turn, child))
                step_id = child.flow.start
                continue
            if kind in ("choices", "ask"):
                frame.step_kind = kind
                session.screen = "flow"
                self._show_step(turn)
                timers.schedule(self, turn, frame, step)
                return
            if step.say is not None:
                self._emit_say(turn, flow, frame, step, [])
            if kind == "say":
                assert step.go is not None
                step_id = step.go
                continue
            # kind == "end"
            assert step.end is not None
            next_step = self._finish_frame(turn, step.end)
            if next_step is None:
                return
            step_id = next_step
        raise self._fault_at(
            session.stack[-1], "loop", f"more than {_MAX_STEPS_PER_TURN} steps without waiting"
        )

    def _decide(self, turn: _Turn, flow: CompiledFlow, frame: Frame, step: Step) -> str:
        context = self._context(turn, frame)
        for index, condition in enumerate(step.when or []):
            try:
                if flow.conditions[(frame.step, index)](**context):
                    return condition.go
            except Exception:  # a condition that cannot be evaluated counts as false
                log.warning(
                    "flow %s step %s: condition %r failed",
                    flow.id,
                    frame.step,
                    condition.if_,
                    exc_info=True,
                )
        assert step.go is not None
        return step.go

    def _finish_frame(self, turn: _Turn, outcome: str) -> str | None:
        """End the top frame; return the parent's next step, or None when the root flow ended."""
        session = turn.session
        frame = session.stack.pop()
        parent = session.stack[-1] if session.stack else None
        turn.finished.append(self._record(turn, frame, outcome, parent))
        if parent is None:
            session.screen = "ended"
            session.last_flow = frame.flow_id
            self._emit_end_buttons(turn)
            return None
        if frame.flow_id == self.welcome_flow:
            session.profile["welcomed"] = True
        parent.vars["last_outcome"] = outcome
        if frame.detour:
            # Back to the step the resident left to follow this flow.
            title = self.flow_of(parent).flow.title.get(session.lang)
            turn.notices.append(self._ui(turn, "route.back_to", title=title))
            return parent.step
        if parent.resume_at:
            # The welcome flow ran before this flow's first step: now enter that step.
            target, parent.resume_at = parent.resume_at, ""
            return target
        parent_step = self.flow_of(parent).step(parent.step)
        assert parent_step.go is not None
        return parent_step.go

    def _go_back(self, turn: _Turn) -> None:
        session = turn.session
        while session.stack:
            frame = session.stack[-1]
            if frame.history:
                target = frame.history.pop()
                session.screen = "flow"
                turn.going_back = True
                self._enter(turn, target)
                return
            if len(session.stack) == 1:
                break
            # At the first step of a sub-flow: Back leaves it for the calling flow's previous step.
            session.stack.pop()
        if session.stack:
            self._show_menu(turn)
        else:
            self._show_current(turn)

    def _restart(self, turn: _Turn) -> None:
        session = turn.session
        if session.stack:
            self._start_flow(turn, session.stack[0].flow_id)
        elif session.screen == "ended" and session.last_flow in self.flows:
            self._start_flow(turn, session.last_flow)
        else:
            turn.notices.append(self._ui(turn, "flow.no_current"))
            self._show_menu(turn, with_prompt=False)

    def _start_by_name(self, turn: _Turn, name: str) -> None:
        flow_id = name.strip().lower()
        if flow_id in self.flows:
            self._start_flow(turn, flow_id)
        else:
            turn.notices.append(self._ui(turn, "menu.unknown_flow", name=shown(name, 40)))
            self._show_menu(turn, with_prompt=False)

    def _start_flow(self, turn: _Turn, flow_id: str) -> None:
        flow = self.flows.get(flow_id)
        if flow is None:
            turn.notices.append(self._ui(turn, "flow.gone"))
            self._show_menu(turn, with_prompt=False)
            return
        self._abandon_all(turn)
        session = turn.session
        frame = self._new_frame(turn, flow)
        session.stack.append(frame)
        session.screen = "flow"
        if (
            self.welcome_flow
            and flow_id != self.welcome_flow
            and not session.profile.get("welcomed")
        ):
            frame.resume_at = flow.flow.start
            welcome = self.flows[self.welcome_flow]
            session.stack.append(self._new_frame(turn, welcome))
            self._enter(turn, welcome.flow.start)
            return
        self._enter(turn, flow.flow.start)

    def _new_frame(self, turn: _Turn, flow: CompiledFlow) -> Frame:
        session = turn.session
        if session.stack:  # a sub-flow counts for whoever the calling flow counts for
            credit = dict(session.stack[-1].credit)
        elif session.visit:
            visit = session.visit
            credit = {
                "mode": "assisted",
                "volunteer_id": visit.get("volunteer_id"),
                "village": visit.get("village", ""),
                "visit_id": visit.get("id"),
            }
        else:
            credit = dict(turn.credit)
        return Frame(
            flow_id=flow.id,
            version=flow.version,
            step=flow.flow.start,
            started_at=turn.now,
            digest=flow.digest,
            credit=credit,
        )

    def _abandon_all(self, turn: _Turn, *, at: float | None = None) -> None:
        """Record every unfinished flow as left at its current step, innermost first."""
        session = turn.session
        while session.stack:
            frame = session.stack.pop()
            parent = session.stack[-1] if session.stack else None
            turn.finished.append(self._record(turn, frame, ABANDONED, parent, at=at))

    def _record(
        self,
        turn: _Turn,
        frame: Frame,
        outcome: str,
        parent: Frame | None,
        *,
        at: float | None = None,
    ) -> FinishedRun:
        return FinishedRun(
            flow_id=frame.flow_id,
            flow_version=frame.version,
            lang=turn.session.lang,
            started_at=frame.started_at,
            ended_at=turn.now if at is None else max(at, frame.started_at),
            outcome=outcome,
            path=tuple(frame.path),
            parent_flow=parent.flow_id if parent else "",
            mode=str(frame.credit.get("mode", "self")),
            volunteer_id=frame.credit.get("volunteer_id"),
            village=str(frame.credit.get("village", "")),
            visit_id=frame.credit.get("visit_id"),
        )

    # --- showing things --------------------------------------------------------------------------

    def _current(self, session: Session) -> tuple[Frame, Step]:
        frame = session.stack[-1]
        return frame, self.flow_of(frame).step(frame.step)

    def _show_current(self, turn: _Turn) -> None:
        screen = turn.session.screen
        if screen == "flow" and turn.session.stack:
            self._show_step(turn)
        elif screen == "lang":
            self._ask_language(turn)
        elif screen == "ended":
            self._emit_end_buttons(turn)
        elif screen == "expired":
            timers.offer_return(self, turn)
        else:
            self._show_menu(turn, with_prompt=True)

    def _show_step(self, turn: _Turn) -> None:
        frame, step = self._current(turn.session)
        flow = self.flow_of(frame)
        self._emit_say(
            turn,
            flow,
            frame,
            step,
            self._step_buttons(turn, frame, step),
            awaits_text=step.ask is not None,
        )

    def _step_buttons(
        self, turn: _Turn, frame: Frame, step: Step, *, with_choices: bool = True
    ) -> list[list[Button]]:
        lang = turn.session.lang
        token = self._signature(frame, step)
        rows: list[list[Button]] = []
        if with_choices:
            for index, choice in enumerate(step.choices or []):
                rows.append(
                    [Button(label=choice.label.get(lang), payload=buttons.choice(token, index))]
                )
        if step.help is not None:
            label = step.help.label.get(lang) if step.help.label else self._ui(turn, "button.help")
            rows.append([Button(label=label, payload=buttons.help_button(token))])
        rows.append(
            [
                Button(label=self._ui(turn, "button.back"), payload=buttons.BACK),
                Button(label=self._ui(turn, "button.menu"), payload=buttons.MENU),
            ]
        )
        return rows

    def _emit_say(
        self,
        turn: _Turn,
        flow: CompiledFlow,
        frame: Frame,
        step: Step,
        rows: list[list[Button]],
        *,
        awaits_text: bool = False,
    ) -> None:
        template = flow.text(frame.step, "say", turn.session.lang)
        # Only the buttons matter when the engine looks at what is on screen (``dry``).
        text = self._render(turn, template, frame) if template is not None and not turn.dry else ""
        if step.link is not None:
            link = Button(label=step.link.label.get(turn.session.lang), url=step.link.url)
            rows = [[link], *rows]
        self._emit(turn, text, rows, image=flow.images.get(frame.step, ""), awaits_text=awaits_text)

    def _emit_end_buttons(self, turn: _Turn) -> None:
        rows = [
            [Button(label=self._ui(turn, "button.again"), payload=buttons.AGAIN)],
            [Button(label=self._ui(turn, "button.menu"), payload=buttons.MENU)],
        ]
        last = turn.messages[-1] if turn.messages else None
        if last is not None and not last.buttons and not turn.notices:
            # Put the buttons under the flow's last words rather than in a message of their own.
            turn.messages[-1] = OutgoingMessage(
                text=last.text, image=last.image, buttons=tuple(tuple(row) for row in rows)
            )
        else:
            self._emit(turn, self._ui(turn, "flow.finished"), rows)

    def _show_menu(self, turn: _Turn, *, greet: bool = False, with_prompt: bool = True) -> None:
        session = turn.session
        lang = session.lang
        session.screen = "menu"
        rows: list[list[Button]] = []
        if session.stack:
            title = self.flow_of(session.stack[0]).flow.title.get(lang)
            rows.append(
                [Button(label=self._ui(turn, "button.resume", title=title), payload=buttons.RESUME)]
            )
        for flow in self.menu_flows:
            rows.append([Button(label=flow.flow.title.get(lang), payload=buttons.start(flow.id))])
        rows.append([Button(label=self._ui(turn, "button.language"), payload=buttons.LANGUAGE)])
        if greet:
            turn.notices.append(self._ui(turn, "menu.greeting"))
        text = self._ui(turn, "menu.prompt") if with_prompt or not turn.notices else ""
        self._emit(turn, text, rows)

    def _ask_language(self, turn: _Turn) -> None:
        session = turn.session
        if session.screen != "lang":
            session.resume_screen = session.screen
        session.screen = "lang"
        rows = [
            [Button(label=self.catalog.text("language.name", code), payload=buttons.language(code))]
            for code in self.catalog.languages
        ]
        self._emit(turn, self._ui(turn, "language.ask"), rows)

    def _set_language(self, turn: _Turn, code: str) -> None:
        session = turn.session
        session.lang = code
        back_to = session.resume_screen
        session.screen = back_to if back_to in ("flow", "ended") else "menu"
        if session.screen == "flow" and not session.stack:
            session.screen = "menu"
        turn.notices.append(self._ui(turn, "language.changed"))
        self._show_current(turn)

    def _emit(
        self,
        turn: _Turn,
        text: str,
        rows: list[list[Button]],
        *,
        image: str = "",
        awaits_text: bool = False,
    ) -> None:
        """Queue a message, putting any pending notices (re-ask, stale button...) in front of it."""
        if turn.notices:
            text = "\n\n".join([*turn.notices, text]) if text else "\n\n".join(turn.notices)
            turn.notices.clear()
        turn.messages.append(
            OutgoingMessage(
                text=text,
                image=image,
                buttons=tuple(tuple(row) for row in rows if row),
                awaits_text=awaits_text,
            )
        )

    # --- the buttons on screen now ---------------------------------------------------------------

    def _offered_buttons(self, session: Session) -> list[Button]:
        """The action buttons the resident can see on the current screen."""
        # A shallow copy is enough: drawing the screen only sets top-level fields (the screen).
        turn = _Turn(session=copy.copy(session), now=session.updated_at, dry=True)
        self._show_current(turn)
        return [
            button
            for message in turn.messages
            for button in message.all_buttons()
            if button.payload
        ]

    def _signature(self, frame: Frame, step: Step) -> str:
        """The button token of the frame's step, worked out once per content of the flow."""
        key = (frame.flow_id, frame.digest, frame.step)
        token = self._signatures.get(key)
        if token is None:
            token = buttons.step_signature(frame.flow_id, frame.step, step)
            self._signatures[key] = token
        return token

    def _offered(self, session: Session) -> set[str]:
        return {button.payload for button in self._offered_buttons(session)}

    def _find_by_words(self, folded: str) -> CompiledFlow | None:
        """A flow whose title or trigger phrase appears in the text."""
        if not folded:
            return None
        padded = f" {folded} "
        for flow in self.menu_flows:
            phrases = [*flow.flow.title.texts.values()]
            for lang_phrases in flow.flow.triggers.values():
                phrases.extend(lang_phrases)
            for phrase in phrases:
                if f" {fold(phrase)} " in padded:
                    return flow
        return None

    # --- texts -----------------------------------------------------------------------------------

    def _context(self, turn: _Turn, frame: Frame | None) -> dict[str, Any]:
        """What templates see: settings, the profile, then this flow's answers."""
        session = turn.session
        context: dict[str, Any] = dict(self.context)
        context["lang"] = session.lang
        context["last_outcome"] = None
        context.update(session.profile)
        if not context.get("xung_ho"):
            context["xung_ho"] = "bạn" if session.lang == DEFAULT_LANGUAGE else "you"
        if frame is not None:
            flow = self.flows.get(frame.flow_id)
            if flow is None or (frame.digest and frame.digest != flow.digest):
                flow = self.archive.get((frame.flow_id, frame.digest), flow)
            if flow is not None:
                for name in flow.variables:
                    context.setdefault(name, None)
            context.update(frame.vars)
        return context

    def _alert(self, turn: _Turn, flow: CompiledFlow, frame: Frame) -> None:
        """Queue a step's ``notify`` text for staff, in the bot's default language."""
        template = flow.text(frame.step, "notify", self.default_language)
        if template is None:
            return
        try:
            text = render(template, self._context(turn, frame))
        except Exception as exc:
            log.warning(
                "%s: step %s: the notify text could not be made (%s: %s)",
                flow.path,
                frame.step,
                type(exc).__name__,
                exc,
            )
            text = f"{flow.id}/{frame.step}"
        turn.alerts.append(StaffAlert(text=text, flow_id=flow.id, step=frame.step, at=turn.now))

    def _render(self, turn: _Turn, template: Renderable, frame: Frame) -> str:
        if isinstance(template, str):
            return template
        try:
            return render(template, self._context(turn, frame))
        except Exception as exc:
            # The resident is taken to the menu and the admins are told (see _recover).
            raise self._fault_at(frame, "template", f"{type(exc).__name__}: {exc}") from exc

    def _fault_at(self, frame: Frame, code: str, detail: str) -> FlowRuntimeError:
        """The error for a failure at ``frame``'s step, naming its file."""
        return FlowRuntimeError(
            code,
            flow_id=frame.flow_id,
            step=frame.step,
            path=self.flow_of(frame).path,
            detail=detail,
        )

    def _ui(self, turn: _Turn, key: str, **params: Any) -> str:
        static = self.catalog.static(key, turn.session.lang)
        if static is not None:
            return static
        context = self._context(turn, None)
        context.update(params)
        try:
            return self.catalog.text(key, turn.session.lang, **context)
        except Exception:
            log.exception("locale text %s could not be shown", key)
            return self.catalog.text("flow.broken", DEFAULT_LANGUAGE, xung_ho="bạn")
