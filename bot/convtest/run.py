"""Running conversation tests against the real engine, and what they reached on the way.

Each test is one new resident talking to an :class:`~bot.app.assistant.Assistant` over an in-memory
storage, so a test goes through exactly what a Telegram resident goes through: the stored session,
the welcome flow, stale-button checks, typed words matched to buttons.
"""

from __future__ import annotations

import logging
import unicodedata
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from bot.app.assistant import Assistant
from bot.app.staff.desk import StaffDesk
from bot.app.tryout import TimeTravel
from bot.config import ReminderSettings
from bot.convtest.coverage import Coverage
from bot.convtest.files import ConversationTest, ConvStep, Expect
from bot.core import payloads
from bot.core.matching import fold
from bot.core.session import Session
from bot.core.types import (
    Button,
    Command,
    IncomingEvent,
    Opened,
    OutgoingMessage,
    Press,
    SessionKey,
    Text,
)
from bot.engine import buttons
from bot.engine.runner import Engine
from bot.storage.base import TurnRecord
from bot.storage.memory import MemoryStorage

__all__ = ["ConversationResult", "Failure", "normalise", "run_tests"]

# Back and Menu are under almost every message; ``buttons:`` in a test lists the others.
_ALWAYS_THERE = frozenset({payloads.BACK, payloads.MENU})
# The profile mark the engine sets once a resident has been through the welcome flow.
_WELCOMED = "welcomed"


def normalise(text: str) -> str:
    """One space for any run of whitespace, and one Unicode form for accented letters.

    Editors save "ệ" either as one character or as "e" plus two marks; both look the same to an
    admin, so both must match. Diacritics themselves still count: "cai" does not match "cài".
    """
    return " ".join(unicodedata.normalize("NFC", text).split())


@dataclass(frozen=True, slots=True, kw_only=True)
class Failure:
    """Where a test stopped and why: ``code`` and ``params`` pick the sentence."""

    line: int
    column: int
    index: int
    action: str
    code: str
    params: dict[str, Any] = field(default_factory=dict)
    said: tuple[str, ...] = ()
    offered: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class ConversationResult:
    """One test and how it went."""

    test: ConversationTest
    failure: Failure | None = None

    @property
    def passed(self) -> bool:
        """True when every step and the outcome were as expected."""
        return self.failure is None


async def run_tests(
    engine: Engine,
    tests: Sequence[ConversationTest],
    *,
    reminders: ReminderSettings | None = None,
) -> tuple[list[ConversationResult], Coverage]:
    """Run every test, each with a resident of its own; return the results and the coverage.

    ``reminders`` are the settings a ``wait`` obeys (quiet hours, grace), the default ones if None.
    """
    coverage = Coverage()
    settings = reminders or ReminderSettings()
    results = [await _Conversation(engine, test, coverage, settings).run() for test in tests]
    return results, coverage


class _Clock:
    """Five seconds pass between two things a resident does: time moves, but predictably.

    It starts on a weekday at 15:00 in Vietnam, outside quiet hours; ``wait`` moves it ahead.
    """

    def __init__(self) -> None:
        self.now = 1_800_000_000.0

    def __call__(self) -> float:
        self.now += 5
        return self.now

    def move_to(self, at: float) -> None:
        self.now = max(self.now, at)


class _Conversation:
    """One test being run."""

    def __init__(
        self,
        engine: Engine,
        test: ConversationTest,
        coverage: Coverage,
        reminders: ReminderSettings,
    ) -> None:
        self.storage = MemoryStorage()
        self.engine = engine
        self.test = test
        self.coverage = coverage
        clock = _Clock()
        # With the staff desk, as residents meet the bot: a request for a person opens a ticket.
        desk = StaffDesk(self.storage)
        self.assistant = Assistant(engine, self.storage, clock=clock, desk=desk)
        self.key = SessionKey("test", "resident")
        self.time = TimeTravel(self.assistant, self.storage, reminders, self.key, clock)
        self.last: tuple[OutgoingMessage, ...] = ()
        self.session: Session | None = None

    async def run(self) -> ConversationResult:
        test = self.test
        profile: dict[str, Any] = {} if test.welcome == "run" else {_WELCOMED: True}
        if test.xung_ho:
            profile["xung_ho"] = test.xung_ho
        await self.storage.save(
            TurnRecord(key=self.key, session=Session(lang=test.lang, profile=profile))
        )
        self.session = await self.storage.load(self.key)
        for index, step in enumerate(test.steps, 1):
            failure = await self._do(index, step)
            if failure is not None:
                return await self._result(failure)
        return await self._result(await self._check_outcome())

    async def _result(self, failure: Failure | None) -> ConversationResult:
        for record in await self.storage.runs():
            self.coverage.add_steps(record.run.flow_id, record.run.lang, record.run.path)
        return ConversationResult(test=self.test, failure=failure)

    def _fail(self, index: int, move: ConvStep, code: str, **params: Any) -> Failure:
        return Failure(
            line=move.line,
            column=move.column,
            index=index,
            action=move.action,
            code=code,
            params=params,
            said=tuple(message.text for message in self.last),
            offered=tuple(button.label for button in _all_buttons(self.last)),
        )

    async def _do(self, index: int, step: ConvStep) -> Failure | None:
        if step.expect is not None:
            return self._check(index, step, step.expect)
        if step.action == "wait":
            return await self._wait(index, step)
        event: IncomingEvent
        if step.action == "start":
            event = Command("start", step.value)
        elif step.action == "open":
            event = Opened()
        elif step.action == "send":
            event = Text(step.value)
        elif step.action == "command":
            name, _space, arg = step.value.partition(" ")
            event = Command(name, arg.strip())
        else:
            button = _find_button(self.last, step.value)
            if button is None:
                return self._fail(index, step, "convtest.fail.no_button", label=step.value)
            if not button.payload:
                return self._fail(index, step, "convtest.fail.link_button", label=button.label)
            event = Press(button.payload)
        self._count_choice(event)
        with _engine_problems() as problems:
            handled = await self.assistant.handle(self.key, event)
        self.last = handled.messages
        return await self._after(index, step, problems, failed=handled.failed)

    async def _wait(self, index: int, step: ConvStep) -> Failure | None:
        """Time passes: the last reminder sent meanwhile is what the bot said last (if any came)."""
        with _engine_problems() as problems:
            waited = await self.time.wait(step.seconds)
        if waited.sent:  # else the resident still sees what the bot said before
            self.last = waited.last
        return await self._after(index, step, problems, failed=False)

    async def _after(
        self, index: int, step: ConvStep, problems: list[str], *, failed: bool
    ) -> Failure | None:
        """Note the steps the resident is in; a problem the bot logged fails the test."""
        self.session = session = await self.storage.load(self.key)
        if session is not None:
            for frame in session.stack:
                self.coverage.add_steps(frame.flow_id, session.lang, frame.path)
        if problems or failed:
            detail = problems[0] if problems else "-"
            return self._fail(index, step, "convtest.fail.internal", detail=detail)
        return None

    def _count_choice(self, event: IncomingEvent) -> None:
        """Note which flow choice ``event`` takes, whether pressed or typed as words."""
        session = self.session
        if session is None or not session.stack:
            return
        payload = ""
        if isinstance(event, Press):
            payload = event.payload
        elif isinstance(event, Text) and fold(event.text):
            typed = fold(event.text)
            payload = next(
                (
                    b.payload
                    for b in _all_buttons(self.last)
                    if b.payload and fold(b.label) == typed
                ),
                "",
            )
        if not payload.startswith(payloads.CHOICE):
            return
        _c, token, index = payload.split(":")
        frame = session.stack[-1]
        flow = self.engine.flows.get(frame.flow_id)
        if flow is None or frame.step not in flow.flow.steps:
            return
        if token == buttons.step_signature(frame.flow_id, frame.step, flow.step(frame.step)):
            self.coverage.add_choice(frame.flow_id, session.lang, frame.step, int(index))

    def _check(self, index: int, step: ConvStep, expect: Expect) -> Failure | None:
        said = normalise("\n".join(message.text for message in self.last))
        for fragment in expect.says:
            if normalise(fragment) not in said:
                return self._fail(index, step, "convtest.fail.says", expected=fragment)
        for fragment in expect.not_says:
            if normalise(fragment) in said:
                return self._fail(index, step, "convtest.fail.said", unwanted=fragment)
        every = [normalise(b.label) for b in _all_buttons(self.last)]
        if expect.buttons is not None:
            shown = [
                normalise(b.label)
                for b in _all_buttons(self.last)
                if b.payload not in _ALWAYS_THERE
            ]
            if shown != [normalise(label) for label in expect.buttons]:
                return self._fail(
                    index, step, "convtest.fail.buttons", expected=_bracket(expect.buttons)
                )
        for label in expect.buttons_include:
            if normalise(label) not in every:
                return self._fail(index, step, "convtest.fail.button_missing", label=label)
        if expect.at:
            session = self.session
            # At the menu the paused flow is still stacked, but the resident is not at its step.
            if session is None or not session.stack or session.screen != "flow":
                screen = session.screen if session else "new"
                return self._fail(
                    index,
                    step,
                    "convtest.fail.not_in_flow",
                    expected=expect.at,
                    screen_code=f"convtest.screen.{screen}",
                )
            frame = session.stack[-1]
            if frame.step != expect.at:
                return self._fail(
                    index,
                    step,
                    "convtest.fail.at",
                    expected=expect.at,
                    actual=frame.step,
                    flow=frame.flow_id,
                )
        return None

    async def _check_outcome(self) -> Failure | None:
        test = self.test
        if not test.outcome:
            return None
        line, column = test.outcome_at
        end = ConvStep(action="expect", line=line, column=column)
        runs = [r.run for r in await self.storage.runs() if r.run.flow_id == test.flow]
        session = self.session
        running = [f for f in session.stack if f.flow_id == test.flow] if session else []
        # The last finished run counts: a test may restart the flow and stop in the new run.
        if runs and runs[-1].outcome != test.outcome:
            return self._fail(
                0,
                end,
                "convtest.fail.outcome",
                flow=test.flow,
                actual=runs[-1].outcome,
                expected=test.outcome,
            )
        if not runs and running:
            return self._fail(
                0,
                end,
                "convtest.fail.not_ended",
                flow=test.flow,
                step=running[-1].step,
                expected=test.outcome,
            )
        if not runs:
            return self._fail(
                0, end, "convtest.fail.not_started", flow=test.flow, expected=test.outcome
            )
        return None


def _all_buttons(messages: Sequence[OutgoingMessage]) -> list[Button]:
    return [button for message in messages for button in message.all_buttons()]


def _bracket(labels: Sequence[str]) -> str:
    return " ".join(f"[{label}]" for label in labels) if labels else "-"


def _find_button(messages: Sequence[OutgoingMessage], label: str) -> Button | None:
    """The button with exactly this label; else the one whose words match it as typed.

    The second rule lets a test write "Quay lại" for "⬅️ Quay lại", as a resident may type it.
    """
    shown = _all_buttons(messages)
    wanted = normalise(label)
    for button in shown:
        if normalise(button.label) == wanted:
            return button
    folded = fold(label)
    close = [button for button in shown if folded and fold(button.label) == folded]
    return close[0] if len(close) == 1 else None


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.found: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        detail = record.getMessage()
        if record.exc_info and record.exc_info[1] is not None:
            detail += f" ({record.exc_info[1]!r})"
        self.found.append(detail)


@contextmanager
def _engine_problems() -> Iterator[list[str]]:
    """Collect what the bot logs as a problem during one turn, instead of printing tracebacks.

    A broken template or a failing condition is logged and hidden from residents; in a test it
    must fail the test, said in one sentence.
    """
    logger = logging.getLogger("bot")
    handler = _Collect()
    propagate = logger.propagate
    logger.addHandler(handler)
    logger.propagate = False
    try:
        yield handler.found
    finally:
        logger.removeHandler(handler)
        logger.propagate = propagate
