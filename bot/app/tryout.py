"""Admins trying flows: time that jumps forward, so a reminder due tomorrow can be tried now.

A conversation test's ``wait: 3 days`` and ``/wait 1d`` in ``trolyso chat --try`` (or with a
draft folder) move one resident's clock ahead, then make the passes the scheduler makes on the
way (:meth:`bot.app.scheduler.Scheduler.catch_up`): due follow-ups are sent, quiet hours hold them
back, idle flows expire. Only the terminal chat offers ``/wait``: on Telegram it is an unknown
command, as residents must never move their own clock.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from bot.app.assistant import Assistant
from bot.app.scheduler import OneResident, ResidentStore, Scheduler, Tick
from bot.config import ReminderSettings
from bot.core.messages import describe
from bot.core.types import OutgoingMessage, SessionKey
from bot.flows.schema import parse_duration
from bot.storage.base import OutboxRecord

__all__ = ["MovableClock", "TimeTravel", "TryClock", "WaitCommand", "Waited"]


class MovableClock(Protocol):
    """A clock that time travel can move forward (never back)."""

    @property
    def now(self) -> float:
        """The time now, without counting as a reading."""
        ...

    def __call__(self) -> float: ...

    def move_to(self, at: float) -> None:
        """Make it ``at`` (no change when that has passed already)."""
        ...


class TryClock:
    """The terminal chat's clock while an admin tries things: the real time plus what /wait adds."""

    def __init__(self, base: Callable[[], float] = time.time) -> None:
        self.base = base
        self.ahead = 0.0

    @property
    def now(self) -> float:
        """The time now, as the bot sees it."""
        return self.base() + self.ahead

    def __call__(self) -> float:
        return self.now

    def move_to(self, at: float) -> None:
        """Jump ahead to ``at``."""
        self.ahead = max(self.ahead, at - self.base())


class _TravelStore(ResidentStore, Protocol):
    async def pending_outbox(self, key: SessionKey | None = None) -> list[OutboxRecord]: ...
    async def mark_sent(self, ids: Sequence[int], *, at: float, dropped: bool = False) -> None: ...


Sent = tuple[float, tuple[OutgoingMessage, ...]]


@dataclass(frozen=True, slots=True)
class Waited:
    """What happened while time passed: what the bot sent, and when held-back reminders go."""

    sent: tuple[Sent, ...] = ()  # (when, messages) of each reminder sent, in order
    tick: Tick = field(default_factory=Tick)
    held: tuple[float, ...] = ()

    @property
    def last(self) -> tuple[OutgoingMessage, ...]:
        """The last reminder's messages: what the resident now sees (nothing if none came)."""
        return self.sent[-1][1] if self.sent else ()


class TimeTravel:
    """One resident's time moved forward, with the scheduler's passes on the way."""

    def __init__(
        self,
        assistant: Assistant,
        storage: _TravelStore,
        settings: ReminderSettings,
        key: SessionKey,
        clock: MovableClock,
    ) -> None:
        self.storage = storage
        self.key = key
        self.clock = clock
        self.scheduler = Scheduler(
            assistant,
            OneResident(storage, key),
            settings,
            clock=clock,
            after_turn=self._delivered,
        )
        self._sent: list[Sent] = []

    async def _delivered(self, key: SessionKey) -> None:
        """What the scheduler left in the outbox is 'delivered' here: kept to be shown."""
        pending = await self.storage.pending_outbox(key)
        await self.storage.mark_sent([record.id for record in pending], at=self.clock.now)
        if pending:
            self._sent.append((self.clock.now, tuple(record.message for record in pending)))

    async def wait(self, seconds: float) -> Waited:
        """Let ``seconds`` pass; what the bot sent meanwhile, and reminders held by quiet hours."""
        self._sent = []
        until = self.clock.now + seconds
        tick = await self.scheduler.catch_up(until, self.clock.move_to)
        effective = self.scheduler.effective_due
        held = sorted(
            effective(p.job.due)
            for p in await self.storage.pending_followups(self.key)
            if p.job.due <= until < effective(p.job.due)
        )
        return Waited(sent=tuple(self._sent), tick=tick, held=tuple(held))


class WaitCommand:
    """``/wait 1d`` in the terminal chat: notes for the admin, and each reminder sent meanwhile."""

    def __init__(self, travel: TimeTravel, settings: ReminderSettings) -> None:
        self.travel = travel
        self.settings = settings

    async def __call__(self, arg: str, lang: str) -> list[str | tuple[OutgoingMessage, ...]]:
        """What to show, in order: a note (text) or the messages of a reminder."""
        if not arg.strip():
            return [describe("try.wait_usage", {}, lang)]
        seconds = parse_duration(arg)
        if not seconds:
            return [describe("wait.bad_duration", {"value": arg}, lang)]
        waited = await self.travel.wait(seconds)
        scheduler = self.travel.scheduler
        now = self.travel.clock.now
        shown: list[str | tuple[OutgoingMessage, ...]] = [
            describe("try.waited", {"duration": arg, "now": _when(scheduler, now)}, lang)
        ]
        for at, messages in waited.sent:
            shown += [describe("try.sent_at", {"at": _when(scheduler, at)}, lang), messages]
        if waited.tick.expired:
            shown.append(describe("try.expired", {}, lang))
        for at in waited.held:
            quiet = f"{self.settings.quiet_start}–{self.settings.quiet_end}"
            more = _duration(at - now)
            params = {"quiet": quiet, "at": _when(scheduler, at), "more": more}
            shown.append(describe("try.held", params, lang))
        if len(shown) == 1:
            shown.append(describe("try.nothing_due", {}, lang))
        return shown


def _when(scheduler: Scheduler, at: float) -> str:
    return scheduler.local(at).strftime("%H:%M %d/%m/%Y")


def _duration(seconds: float) -> str:
    """A /wait argument that reaches ``seconds`` from now: whole hours, or minutes under two."""
    minutes = max(1, math.ceil(seconds / 60))
    return f"{math.ceil(minutes / 60)}h" if minutes >= 120 else f"{minutes}m"
