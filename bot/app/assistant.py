"""Serving residents: load a session, run the engine, store the result, hand back the replies.

Channels call :meth:`Assistant.handle` and send what it returns; they never touch sessions or the
engine. One resident's events are handled one at a time, in order; different residents run
concurrently.
"""

from __future__ import annotations

import asyncio
import logging
import time
import weakref
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass

from bot.app.staff.desk import DeskReply, StaffDesk
from bot.core.errors import LockNeeded, StaleSession, StorageUnavailable
from bot.core.problems import Problem
from bot.core.session import Expire, FlowFault, FollowUpDue, TimerEvent
from bot.core.staff import member_of
from bot.core.types import IncomingEvent, OutgoingMessage, SessionKey
from bot.engine.runner import Engine, Reply
from bot.storage.base import AlreadyProcessed, Storage, StoredSession, TurnRecord

__all__ = ["Assistant", "FaultSink", "Handled", "fault_problem"]

log = logging.getLogger(__name__)

# Replies that are never stored in the outbox (see Handled.private).
Private = tuple[OutgoingMessage, ...]
# A saved turn: its reply, outbox ids, whom its outbox is for, the other chat a word of it waits
# for, its private replies, and the record as saved.
_Saved = tuple[Reply, list[int], SessionKey | None, SessionKey | None, Private, TurnRecord]
# Told once about each flow that failed at run time (the console prints it, Telegram tells the
# admin chats).
FaultSink = Callable[[FlowFault], Awaitable[None]]


def fault_problem(fault: FlowFault) -> Problem:
    """A fault as a problem admins read like lint's: file, step, what failed, what to do."""
    return Problem(
        path=fault.path or fault.flow_id,
        code=f"runtime.{fault.code}",
        params={"detail": fault.detail or fault.step},
        line=fault.line,
        step=fault.step,
    )


@dataclass(frozen=True, slots=True)
class Handled:
    """What handling one event gave: the replies, and whether they wait in the outbox."""

    messages: tuple[OutgoingMessage, ...] = ()
    in_outbox: bool = False
    # The outbox ids of ``messages`` when they were stored there, in order.
    outbox_ids: tuple[int, ...] = ()
    duplicate: bool = False
    failed: bool = False
    # The database could not be used (locked, full): nothing was saved, the event may be retried.
    unsaved: bool = False
    # Whose chat the replies in the outbox go to, when not the one handled: a household
    # member's reminder goes to the volunteer who runs their guide.
    to: SessionKey | None = None
    # Several processes: the replies were saved claimed by this one, nothing older waiting.
    claimed: bool = False
    # Another chat a message of this turn waits for in the outbox (a volunteer told that the
    # person they helped goes on on their own phone): the channel asks for it to be sent.
    notify: SessionKey | None = None
    # Replies that hold a secret (a volunteer's hand-over link): never stored, sent directly
    # after ``messages``; lost with a crash, when the volunteer simply asks for another.
    private: tuple[OutgoingMessage, ...] = ()


class Assistant:
    """The engine and the storage working together for every channel."""

    def __init__(
        self,
        engine: Engine,
        storage: Storage,
        *,
        clock: Callable[[], float] = time.time,
        desk: StaffDesk | None = None,
        on_fault: FaultSink | None = None,
        elsewhere: Callable[[SessionKey], Awaitable[None]] | None = None,
        relay_to: Callable[[SessionKey], None] | None = None,
        on_tickets: Callable[[], None] | None = None,
    ) -> None:
        self.engine = engine
        # Sends what waits in another chat's outbox through that chat's channel (the staff
        # notices' flush): a turn in one chat may leave a word for another.
        self.elsewhere = elsewhere
        # After a turn that relayed messages to other chats (a staff member's answer for the
        # resident, in the resident's channel): send them from there, in the background.
        self.relay_to = relay_to
        # After a turn that changed tickets: tell the staff who must hear of it.
        self.on_tickets = on_tickets
        self.on_fault = on_fault
        # Faults already told, for the engine they happened in (a reload may fix or renew them).
        self._told: set[tuple[str, str, str, str]] = set()
        self._told_for: Engine | None = None
        self.storage = storage
        self.clock = clock
        # Volunteers' and admins' commands, in front of the engine (None: residents only).
        self.desk = desk
        self._locks: weakref.WeakValueDictionary[SessionKey, asyncio.Lock] = (
            weakref.WeakValueDictionary()
        )
        # Turns that save a household member's session, one at a time (one process only).
        self._visits = asyncio.Lock()

    def _lock(self, key: SessionKey) -> asyncio.Lock:
        lock = self._locks.get(key)
        if lock is None:
            lock = asyncio.Lock()
            self._locks[key] = lock
        return lock

    async def handle(
        self,
        key: SessionKey,
        event: IncomingEvent | TimerEvent,
        *,
        update_key: str = "",
        outbox: bool = False,
        lang_hint: str = "",
        fired_followup: int | None = None,
        name_hint: str = "",
        wrote: bool = False,
    ) -> Handled:
        """Apply ``event`` for ``key``; the new state is on disk before the replies are returned.

        ``update_key`` names the channel update behind the event: a redelivered update changes
        nothing and comes back with ``duplicate`` set. With ``outbox`` the replies are also stored
        with the turn, for the channel to deliver and mark sent (so a crash after the commit
        cannot lose them). A timer event (a follow-up, an expiry) goes straight to the engine;
        ``fired_followup`` names the stored follow-up it carries out, removed with the turn.
        ``name_hint`` is the name of the channel's profile: the staff desk keeps it for a
        volunteer (nothing is kept for a resident). ``wrote``: the event is the resident's own
        update, so the turn also records that they can be written to again (see
        :attr:`TurnRecord.reachable`).

        When something fails (a bug, a full disk) the resident gets a short apology, their stored
        place is left as it was, and the details go to the log, never to the resident.
        """
        engine = self.engine  # a reload swaps self.engine; this turn keeps the one it started with
        hints, fired = (lang_hint, name_hint, wrote), fired_followup
        args = (engine, key, event, update_key, outbox, hints, fired)
        async with self._lock(key):
            try:
                try:
                    done = await self._scoped(*args, locked=False)
                except StaleSession as first:
                    # Another turn saved a session of this one (another process's turn of the
                    # same resident, a household member's by another volunteer) after it was
                    # read here, or the turn had to write before its save without the lock
                    # (LockNeeded: see Processes.turn_scope). Nothing it did was kept, so it is
                    # computed again on the newer session, under the lock, staff desk included;
                    # a second clash: not saved, the update comes again.
                    try:
                        done = await self._scoped(*args, locked=True)
                    except StaleSession:
                        if not isinstance(first, LockNeeded):
                            raise
                        # The first try only asked for the lock: this was the first clash.
                        done = await self._scoped(*args, locked=True)
                if isinstance(done, Handled):
                    return done
                reply, ids, to, notify, private, record = done
            except AlreadyProcessed:
                return Handled(duplicate=True)
            except (StorageUnavailable, StaleSession) as exc:
                # Expected on a bad day (another program holds the lock, the disk is full): the
                # channel says it once and retries; no traceback.
                log.debug("not saved for %s: %s", key.channel, exc)
                lang = engine.default_language
                text = engine.catalog.text("flow.broken", lang, xung_ho="bạn")
                return Handled(messages=(OutgoingMessage(text=text),), failed=True, unsaved=True)
            except Exception:
                log.exception("could not handle an event for %s", key.channel)
                lang = engine.default_language
                text = engine.catalog.text("flow.broken", lang, xung_ho="bạn")
                return Handled(messages=(OutgoingMessage(text=text),), failed=True)
        if reply.faults:
            await self._tell(engine, reply.faults)
        self._after(record)
        return Handled(
            messages=reply.messages,
            in_outbox=outbox,
            outbox_ids=tuple(ids),
            to=to,
            claimed=getattr(ids, "claimed", False),
            notify=notify,
            private=private,
        )

    async def _scoped(
        self,
        engine: Engine,
        key: SessionKey,
        event: IncomingEvent | TimerEvent,
        update_key: str,
        outbox: bool,
        hints: tuple[str, str, bool],
        fired_followup: int | None,
        *,
        locked: bool,
    ) -> Handled | _Saved:
        """One attempt at the turn, whole or not at all (``locked``: see
        :meth:`~bot.storage.processes.Processes.turn_scope`).

        On a database several processes share, the storage's turn scope holds the resident's
        lock across processes and keeps every write of the turn (the staff desk's too) in one
        transaction, undone if the turn fails. In one process the desk writes as it goes: turns
        that touch a household member's session (a visit, a member's reminder) then run one at
        a time here, so none can clash and none is computed twice.
        """
        args = (engine, key, event, update_key, outbox, hints, fired_followup)
        async with self.storage.turn_scope(key, locked=locked):
            if self.storage.shared or self.desk is None:
                return await self._turn(*args)
            stored = await self.storage.read(key)
            if not (member_of(key) or (stored.session is not None and stored.session.visit)):
                return await self._turn(*args, stored=stored)
            async with self._visits:
                return await self._turn(*args)

    async def _turn(
        self,
        engine: Engine,
        key: SessionKey,
        event: IncomingEvent | TimerEvent,
        update_key: str,
        outbox: bool,
        hints: tuple[str, str, bool],
        fired_followup: int | None,
        *,
        stored: StoredSession | None = None,
    ) -> Handled | _Saved:
        """Read the session (unless ``stored`` was just read), compute the turn and save it with
        the revision it was read at (``hints``: the language and the name the channel gives)."""
        lang_hint, name_hint, wrote = hints
        # A redelivered update is recognised when its turn is saved (its key is already
        # there): checking first would cost a read on every single update.
        if stored is None:
            stored = await self.storage.read(key)
        session = stored.session
        now = self.clock()
        companion: TurnRecord | None = None
        to: SessionKey | None = None
        notify: SessionKey | None = None
        private: Private = ()
        answer: DeskReply | None = None
        if self.desk is not None and isinstance(event, FollowUpDue) and member_of(key):
            # A household member's reminder: for the volunteer who runs their guide.
            reply, to = await self.desk.reminder(key, session, event, engine=engine, now=now)
        elif self.desk is None or isinstance(event, FollowUpDue | Expire):
            reply = engine.handle(session, event, now=now, lang_hint=lang_hint, owned=True)
        else:
            answer = await self.desk.turn(
                key,
                session,
                event,
                engine=engine,
                now=now,
                lang_hint=lang_hint,
                name_hint=name_hint,
            )
            reply, private = answer.reply, answer.private
            if answer.forget:
                # Nothing is saved for this turn: the whole point is to keep nothing.
                store = self.desk.store
                await store.forget(key, store.user_ref(key))
                if answer.forget_also is not None:
                    await store.forget(answer.forget_also, store.user_ref(answer.forget_also))
                return Handled(messages=reply.messages)
            if answer.member is not None:
                member = answer.member
                companion = TurnRecord(
                    key=member.key,
                    session=member.reply.session,
                    finished=member.reply.finished,
                    alerts=member.reply.alerts,
                    cancel_followups=member.reply.cancel_followups,
                    followups=member.reply.followups,
                    revision=member.revision,
                    outbox=member.notice if outbox else (),
                    outbox_to=member.notice_to,
                )
                if member.notice and outbox:
                    notify = member.notice_to
        record = TurnRecord(
            key=key,
            session=reply.session,
            finished=reply.finished,
            alerts=reply.alerts,
            outbox=reply.messages if outbox else (),
            update_key=update_key,
            cancel_followups=reply.cancel_followups,
            followups=reply.followups,
            fired_followup=fired_followup,
            revision=stored.revision,
            outbox_to=to,
            companion=companion,
            tickets=answer.tickets if answer is not None else (),
            relay=answer.relay if answer is not None else (),
            admin_actions=answer.log if answer is not None else (),
            reachable=wrote,
        )
        ids = await self.storage.save(record)
        return reply, ids, to, notify, private, record

    def _after(self, record: TurnRecord) -> None:
        """Once a turn is saved: what it relayed to other chats leaves from their channels, and
        staff hear of the tickets it changed."""
        if self.relay_to is not None:
            for key in dict.fromkeys(other for other, _message in record.relay):
                self.relay_to(key)
        if record.tickets and self.on_tickets is not None:
            self.on_tickets()

    async def _tell(self, engine: Engine, faults: Sequence[FlowFault]) -> None:
        """Pass each fault on to the admins once per loaded engine; a failing sink is logged."""
        if self._told_for is not engine:
            self._told, self._told_for = set(), engine
        for fault in faults:
            seen = (fault.path or fault.flow_id, fault.step, fault.code, fault.detail)
            if seen in self._told:
                continue
            self._told.add(seen)
            if self.on_fault is None:
                continue
            try:
                await self.on_fault(fault)
            except Exception as exc:
                log.warning("could not tell the admins about a broken flow: %r", exc)

    async def language_of(self, key: SessionKey) -> str:
        """The language ``key`` is using (the default for someone new)."""
        session = await self.storage.load(key)
        return (
            session.lang if session is not None and session.lang else self.engine.default_language
        )
