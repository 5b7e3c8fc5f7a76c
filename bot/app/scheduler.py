"""The bot writing first: follow-ups when they fall due, expiry of idle flows, morning lists.

Everything it acts on lives in the database, so restarts and crashes lose nothing, and each action
is a turn with its own durable key ("fu:<id>", "exp:..."): if two bot processes share the database
and both pick the same follow-up, only one commit succeeds — each reminder is sent at most once.

Quiet hours (default 21:00–07:00, Vietnam time): nothing is sent; what falls due then is treated
as due at the end of the quiet hours. A follow-up missed while the bot was down is sent on
restart if it is still relevant (the resident is still where it expects them) and at most
``grace_hours`` late (counted from that effective due time); otherwise it is dropped.

The morning rush: at 07:00 every follow-up that fell due overnight is due at once. They are
released one after another, at most ``per_second`` a second, each sent before the next is
carried out, and not urgent (residents writing meanwhile are answered first, bot.app.limits).
A backlog that is not through when the quiet hours begin again stops there; by the next morning
it is more than ``grace_hours`` late, so it is dropped (counted in the log), never sent at night
nor a day late.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, fields
from typing import Protocol
from zoneinfo import ZoneInfo

from bot.app.assistant import Assistant
from bot.app.staff.wording import morning_lines
from bot.config import ReminderSettings
from bot.core.session import Expire, FollowUpDue, Session
from bot.core.staff import REVISIT_OUTCOMES, HouseholdStatus, ServiceStatus, Volunteer
from bot.core.types import OutgoingMessage, SessionKey
from bot.storage.base import PendingFollowUp, ScheduleStore

__all__ = ["OneResident", "ResidentStore", "ScheduleStore", "Scheduler", "Tick", "is_quiet"]

log = logging.getLogger(__name__)
# Follow-ups carried out in one pass; a full pass is followed by the next one at once.
BATCH = 100

AfterTurn = Callable[[SessionKey], Awaitable[None]]
SendTo = Callable[[SessionKey, OutgoingMessage], Awaitable[bool]]


@dataclass(frozen=True, slots=True)
class Tick:
    """What one pass of the scheduler did."""

    fired: int = 0
    dropped: int = 0
    expired: int = 0
    morning_lists: int = 0

    def __add__(self, other: Tick) -> Tick:
        return Tick(*(getattr(self, f.name) + getattr(other, f.name) for f in fields(Tick)))


def _minutes(text: str) -> int:
    hours, minutes = text.split(":")
    return int(hours) * 60 + int(minutes)


def is_quiet(settings: ReminderSettings, at: float) -> bool:
    """True when ``at`` falls in the quiet hours of ``settings`` (local time, across midnight):
    the bot writes first to nobody then, residents or staff."""
    local = dt.datetime.fromtimestamp(at, ZoneInfo(settings.timezone))
    minute = local.hour * 60 + local.minute
    start, end = _minutes(settings.quiet_start), _minutes(settings.quiet_end)
    return (minute >= start or minute < end) if start > end else start <= minute < end


class Scheduler:
    """Looks for work every few seconds; every decision uses the injected clock."""

    def __init__(
        self,
        assistant: Assistant,
        storage: ScheduleStore,
        settings: ReminderSettings,
        *,
        clock: Callable[[], float] = time.time,
        after_turn: AfterTurn | None = None,
        send_to: SendTo | None = None,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        pace_clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.assistant = assistant
        # The pace of the reminders (per_second): its own clock, as the injected one may jump.
        self.sleep = sleep
        self.pace_clock = pace_clock
        self._next_slot = 0.0
        self.storage = storage
        self.settings = settings
        self.clock = clock
        self.after_turn = after_turn
        self.send_to = send_to
        self.zone = ZoneInfo(settings.timezone)

    # --- time of day -----------------------------------------------------------------------------

    def local(self, at: float) -> dt.datetime:
        """``at`` as local wall-clock time."""
        return dt.datetime.fromtimestamp(at, self.zone)

    def is_quiet(self, at: float) -> bool:
        """True between quiet_start and quiet_end (local time, across midnight)."""
        return is_quiet(self.settings, at)

    def effective_due(self, due: float) -> float:
        """When something due at ``due`` may really be sent: the end of quiet hours if needed."""
        if not self.is_quiet(due):
            return due
        local = self.local(due)
        end = _minutes(self.settings.quiet_end)
        morning = local.replace(hour=end // 60, minute=end % 60, second=0, microsecond=0)
        if morning <= local:
            morning += dt.timedelta(days=1)
        return morning.timestamp()

    # --- one pass --------------------------------------------------------------------------------

    async def tick(self) -> Tick:
        """Fire due follow-ups, expire idle flows, send due morning lists."""
        now = self.clock()
        fired = dropped = 0
        if not self.is_quiet(now):
            fired, dropped = await self._follow_ups(now)
        expired = await self._expire(now)
        morning = 0 if self.is_quiet(now) else await self._morning_lists(now)
        return Tick(fired=fired, dropped=dropped, expired=expired, morning_lists=morning)

    async def _pace(self) -> None:
        """Wait for the next reminder's slot: at most ``per_second`` a second."""
        now = self.pace_clock()
        self._next_slot = max(self._next_slot, now) + 1 / self.settings.per_second
        if self._next_slot - now > 1 / self.settings.per_second:
            await self.sleep(self._next_slot - now - 1 / self.settings.per_second)

    async def _follow_ups(self, now: float) -> tuple[int, int]:
        fired = dropped = 0
        grace = self.settings.grace_hours * 3600
        # Claimed: several processes (or one taking over from a leader that died) never carry
        # out the same follow-up at once; its durable key makes it once even then.
        for pending in await self.storage.claim_followups(now, now=now, limit=BATCH):
            if self.is_quiet(self.clock()):
                break  # the quiet hours began during the backlog: the rest waits (and expires)
            due = self.effective_due(pending.job.due)
            if due > now:
                continue  # fell due in quiet hours: waits for the morning
            if now - due > grace or not await self.storage.is_reachable(pending.key):
                await self.storage.drop_followup(pending.id)
                dropped += 1
                continue
            await self._pace()
            handled = await self.assistant.handle(
                pending.key,
                FollowUpDue(pending.job),
                update_key=f"fu:{pending.id}",
                outbox=True,
                fired_followup=pending.id,
            )
            if handled.duplicate:
                # Carried out already (by another process): make sure it is gone.
                await self.storage.drop_followup(pending.id)
                continue
            if handled.messages:
                fired += 1
                if self.after_turn is not None:
                    # A household member's reminder waits in their volunteer's chat's outbox.
                    await self.after_turn(handled.to or pending.key)
            else:
                dropped += 1  # the resident had moved on: nothing to remind
        return fired, dropped

    async def catch_up(self, until: float, move_to: Callable[[float], None]) -> Tick:
        """The passes a running bot makes until ``until``, for time that jumps forward.

        A conversation test's ``wait:`` and ``/wait`` in ``trolyso chat --try`` move their clock
        at once; ``move_to`` sets it to each moment something falls due on the way (a follow-up,
        after quiet hours; an idle flow's expiry), a pass runs there, and a last one at ``until``.
        """
        done = Tick()
        tried: set[float] = set()
        while (moment := await self._next_moment(until)) is not None and moment not in tried:
            tried.add(moment)
            move_to(moment)
            done += await self.tick()
        move_to(until)
        return done + await self.tick()

    async def _next_moment(self, until: float) -> float | None:
        """The first moment up to ``until`` when a pass has something to do, if any."""
        moments = [self.effective_due(p.job.due) for p in await self.storage.due_followups(until)]
        moments += [at for _key, _session, at in await self._idle(until)]
        due = [moment for moment in moments if moment <= until]
        return min(due) if due else None

    async def _idle(self, now: float) -> list[tuple[SessionKey, Session, float]]:
        """Sessions left idle in a flow past its ``expire_after`` at ``now``, and since when."""
        engine = self.assistant.engine
        shortest = min(
            (flow.flow.expire_seconds for flow in engine.flows.values()), default=14 * 86400.0
        )
        found = []
        for key in await self.storage.idle_sessions(now - shortest):
            session = await self.storage.load(key)
            if session is None:
                continue
            limit = engine.expires_after(session)
            if limit is None or now - session.active_at < limit:
                continue
            found.append((key, session, session.active_at + limit))
        return found

    async def _expire(self, now: float) -> int:
        expired = 0
        for key, session, _at in await self._idle(now):
            handled = await self.assistant.handle(
                key, Expire(), update_key=f"exp:{key}:{session.active_at}"
            )
            if not handled.duplicate and not handled.failed:
                expired += 1
        return expired

    async def _morning_lists(self, now: float) -> int:
        if self.send_to is None:
            return 0
        local = self.local(now)
        if local.hour * 60 + local.minute < _minutes(self.settings.morning_list_at):
            return 0
        day = local.date().isoformat()
        end_of_day = (
            local.replace(hour=0, minute=0, second=0, microsecond=0) + dt.timedelta(days=1)
        ).timestamp()
        after = self.settings.revisit_after_days
        engine = self.assistant.engine
        sent = 0
        for volunteer in await self.storage.volunteers():
            if not volunteer.active:
                continue
            due = []
            for status in await self.storage.households_of(volunteer.id):
                services = [
                    s
                    for s in status.services
                    if s.outcome in REVISIT_OUTCOMES
                    and s.at + after.get(s.outcome, 1.0) * 86400 <= end_of_day
                ]
                if services:
                    due.append((status, services))
            if not due:
                continue  # nothing to say: no message at all
            if not await self.storage.claim_morning_list(volunteer.id, day, at=now):
                continue  # already sent today (by this or another process)
            own = await self.storage.load(volunteer.key)
            lang = own.lang if own is not None and own.lang else engine.default_language
            if await self.send_to(volunteer.key, self._morning_message(lang, due)):
                await self.storage.morning_list_sent(volunteer.id, day)
                sent += 1
            else:
                await self.storage.unclaim_morning_list(volunteer.id, day)
        return sent

    def _morning_message(
        self, lang: str, due: list[tuple[HouseholdStatus, list[ServiceStatus]]]
    ) -> OutgoingMessage:
        """A volunteer's morning list, in the language they use."""
        catalog = self.assistant.engine.catalog

        def say(key: str, /, **params: object) -> str:
            return catalog.text(key, lang, **params)

        lines = morning_lines(say, lambda flow_id: self._title(flow_id, lang), due)
        return OutgoingMessage(text="\n".join(lines))

    def _title(self, flow_id: str, lang: str) -> str:
        flow = self.assistant.engine.flows.get(flow_id)
        return flow.flow.title.get(lang) if flow is not None else flow_id

    async def run(self) -> None:
        """Tick every ``tick_seconds`` until cancelled (at once again after a full batch: a
        morning's backlog goes out at its pace, not a batch every ``tick_seconds``)."""
        while True:
            done = Tick()
            try:
                done = await self.tick()
            except Exception:
                log.exception("the scheduler could not finish a pass")
            if done.dropped:
                log.info("%d reminders dropped (too late, or nobody to remind)", done.dropped)
            if done.fired + done.dropped < BATCH:
                await asyncio.sleep(self.settings.tick_seconds)


class ResidentStore(Protocol):
    """What :class:`OneResident` needs from storage (both storages provide it)."""

    async def pending_followups(self, key: SessionKey) -> list[PendingFollowUp]: ...
    async def drop_followup(self, followup_id: int) -> None: ...
    async def is_reachable(self, key: SessionKey) -> bool: ...
    async def load(self, key: SessionKey) -> Session | None: ...


class OneResident:
    """A :class:`ScheduleStore` that shows the scheduler one resident only, and no volunteers.

    Time that jumps for an admin trying a flow (a conversation test, ``trolyso chat --try``)
    must not fire anyone else's reminders, even in a database residents share.
    """

    def __init__(self, storage: ResidentStore, key: SessionKey) -> None:
        self.storage = storage
        self.key = key

    async def due_followups(self, before: float, *, limit: int = 100) -> list[PendingFollowUp]:
        """The resident's follow-ups due before ``before``, earliest first."""
        pending = await self.storage.pending_followups(self.key)
        return [p for p in pending if p.job.due <= before][:limit]

    async def claim_followups(
        self, before: float, *, now: float, limit: int = 100
    ) -> list[PendingFollowUp]:
        """The resident's due follow-ups (trying a flow is one person in one process)."""
        return await self.due_followups(before, limit=limit)

    async def drop_followup(self, followup_id: int) -> None:
        """Forget a follow-up that is no longer relevant."""
        await self.storage.drop_followup(followup_id)

    async def is_reachable(self, key: SessionKey) -> bool:
        """Whether the resident may be written to."""
        return await self.storage.is_reachable(key)

    async def idle_sessions(self, before: float, *, limit: int = 200) -> list[SessionKey]:
        """The resident, when in a flow and last active before ``before``."""
        session = await self.storage.load(self.key)
        idle = session is not None and bool(session.stack) and 0 < session.active_at < before
        return [self.key] if idle else []

    async def load(self, key: SessionKey) -> Session | None:
        """The resident's session."""
        return await self.storage.load(key)

    async def volunteers(self) -> list[Volunteer]:
        """No volunteers: morning lists are not part of trying a flow."""
        return []

    async def households_of(self, volunteer_id: int) -> list[HouseholdStatus]:
        """No households either."""
        return []

    async def claim_morning_list(self, volunteer_id: int, day: str, *, at: float) -> bool:
        """Never claimed."""
        return False

    async def morning_list_sent(self, volunteer_id: int, day: str) -> None:
        """Nothing was claimed."""

    async def unclaim_morning_list(self, volunteer_id: int, day: str) -> None:
        """Nothing to undo."""
