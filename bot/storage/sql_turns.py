"""Sessions and the turns that change them, in both SQL backends: the
:class:`~bot.storage.base.SessionStore` role and :class:`~bot.storage.base.RunLog`'s pseudonyms.

A turn is one transaction (:func:`save_turn`): the update key, the session with its revision
check, follow-ups, the run log, alerts and the outbox, kept together or not at all; a turn with
a companion (a volunteer driving a household member's guide) saves both sessions so.
"""

from __future__ import annotations

import json
import secrets
from typing import Any, ClassVar

from bot.core.errors import StaleSession
from bot.core.privacy import mask, pseudonym
from bot.core.session import FinishedRun, FollowUpJob, Session, StaffAlert
from bot.core.types import SessionKey
from bot.storage.codec import job_to_json, message_to_json
from bot.storage.records import AlreadyProcessed, SavedReplies, StoredSession, TurnRecord
from bot.storage.sql import Steps, count, insert, many, one
from bot.storage.sql_processes import ProcessTables
from bot.storage.sql_tickets import apply_changes

__all__ = [
    "RUN_COLUMNS",
    "SessionTables",
    "alert_row",
    "followup_row",
    "load_secret",
    "run_row",
    "save_turn",
    "save_turns",
    "stale",
    "stored_session",
]

_SECRET = "SELECT value FROM meta WHERE key = 'pseudonym_secret'"


# The columns of a turn's rows, and the row of each (PostgreSQL's one-statement turn writes the
# same rows: bot/storage/postgres_turn.py).
RUN_COLUMNS = (
    "user_ref",
    "channel",
    "flow_id",
    "flow_version",
    "lang",
    "started_at",
    "ended_at",
    "outcome",
    "path",
    "parent_flow",
    "mode",
    "volunteer_id",
    "village",
    "visit_id",
)
_INSERT_RUN = (
    f"INSERT INTO runs ({', '.join(RUN_COLUMNS)}) VALUES ({', '.join('?' * len(RUN_COLUMNS))})"
)


def run_row(user: str, channel: str, run: FinishedRun) -> tuple[Any, ...]:
    """The ``runs`` row of a finished guidance session (``user``: its pseudonym)."""
    return (
        user,
        channel,
        run.flow_id,
        run.flow_version,
        run.lang,
        run.started_at,
        run.ended_at,
        run.outcome,
        json.dumps(list(run.path)),
        run.parent_flow,
        run.mode,
        run.volunteer_id,
        run.village,
        run.visit_id,
    )


def followup_row(key: SessionKey, job: FollowUpJob, created_at: float) -> tuple[Any, ...]:
    """The ``followups`` row (channel, user_id, job, due, created_at) of a reminder."""
    return (key.channel, key.user_id, job_to_json(job), job.due, created_at)


def alert_row(key: SessionKey, alert: StaffAlert) -> tuple[Any, ...]:
    """The ``staff_alerts`` row (channel, user_id, flow_id, step, text, at) of an alert."""
    return (key.channel, key.user_id, alert.flow_id, alert.step, alert.text, alert.at)


def stored_session(row: tuple[str, int] | None) -> StoredSession:
    """A session as read: its JSON and revision, or nothing stored (revision 0)."""
    if row is None:
        return StoredSession(session=None, revision=0)
    return StoredSession(session=Session.from_json(row[0]), revision=row[1])


def stale(key: SessionKey) -> StaleSession:
    """The error of a save that found the session changed since it was read."""
    return StaleSession(f"{key.channel}: the session changed since it was read")


def save_turn(
    turn: TurnRecord, user: str, state: str, claim: tuple[str, float] | None = None
) -> Steps[tuple[list[int], int]]:
    """The statements of one turn: returns its outbox ids and the session's new revision.

    With ``claim`` (this process and the end of its lease, on a database several processes
    share) the replies are saved claimed by this process when nothing older waits for their
    chat: the process that committed them sends them without claiming them again.
    """
    key = turn.key
    session = turn.session
    if turn.update_key:
        # The key is unique: a redelivered update (in this process or another) inserts nothing.
        fresh = yield count(
            "INSERT INTO processed_updates (update_key, at) VALUES (?, ?) ON CONFLICT DO NOTHING",
            (turn.update_key, session.updated_at),
        )
        if not fresh:
            raise AlreadyProcessed(turn.update_key)
    row = yield one(
        "SELECT revision FROM sessions WHERE channel = ? AND user_id = ?",
        (key.channel, key.user_id),
    )
    current = int(row[0]) if row else 0
    if turn.revision is not None and turn.revision != current:
        raise stale(key)
    # SQLite holds its write lock since the transaction began, so nobody saved since the read
    # above. PostgreSQL lets another process save meanwhile: the write below then waits for it
    # and changes nothing, because the stored revision is no longer the one read.
    saved = yield count(
        "INSERT INTO sessions (channel, user_id, state, updated_at, active_at, revision) "
        "VALUES (?, ?, ?, ?, ?, ?) "
        "ON CONFLICT (channel, user_id) DO UPDATE SET state = excluded.state, "
        "updated_at = excluded.updated_at, active_at = excluded.active_at, "
        "revision = excluded.revision WHERE sessions.revision = ?",
        (
            key.channel,
            key.user_id,
            state,
            session.updated_at,
            session.active_at,
            current + 1,
            current,
        ),
    )
    if not saved:
        raise stale(key)
    resident = (key.channel, key.user_id)
    if turn.fired_followup is not None:
        yield count("DELETE FROM followups WHERE id = ?", (turn.fired_followup,))
    if turn.cancel_followups:
        yield count("DELETE FROM followups WHERE channel = ? AND user_id = ?", resident)
    if turn.reachable:
        yield count("DELETE FROM unreachable WHERE channel = ? AND user_id = ?", resident)
    if turn.followups:
        yield many(
            "INSERT INTO followups (channel, user_id, job, due, created_at) VALUES (?, ?, ?, ?, ?)",
            [followup_row(key, job, session.updated_at) for job in turn.followups],
        )
    if turn.finished:
        yield many(
            _INSERT_RUN,
            [run_row(user, key.channel, run) for run in turn.finished],
        )
    if turn.alerts:
        yield many(
            "INSERT INTO staff_alerts (channel, user_id, flow_id, step, text, at) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            [alert_row(key, alert) for alert in turn.alerts],
        )
    outbox_ids = SavedReplies()
    to = turn.outbox_to or key
    holder, lease_until = "", 0.0
    if claim is not None and turn.outbox:
        older = yield one(
            "SELECT 1 FROM outbox WHERE channel = ? AND user_id = ? AND sent_at IS NULL LIMIT 1",
            (to.channel, to.user_id),
        )
        if older is None:
            (holder, lease_until), outbox_ids.claimed = claim, True
    for message in turn.outbox:
        outbox_id = yield insert(
            "INSERT INTO outbox (channel, user_id, message, created_at, holder, lease_until) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            (
                to.channel,
                to.user_id,
                message_to_json(message),
                session.updated_at,
                holder,
                lease_until,
            ),
        )
        outbox_ids.append(int(outbox_id))
    if turn.tickets:
        yield from apply_changes(turn.tickets)
    if turn.admin_actions:
        yield many(
            "INSERT INTO admin_actions (actor, action, detail, allowed, at) VALUES (?, ?, ?, ?, ?)",
            [
                (a.actor, a.action, mask(a.detail)[:500], int(a.allowed), a.at)
                for a in turn.admin_actions
            ],
        )
    for other, message in turn.relay:
        yield insert(
            "INSERT INTO outbox (channel, user_id, message, created_at) VALUES (?, ?, ?, ?)",
            (other.channel, other.user_id, message_to_json(message), session.updated_at),
        )
    return outbox_ids, current + 1


def save_turns(
    turn: TurnRecord,
    user: str,
    state: str,
    companion: tuple[str, str] | None,
    claim: tuple[str, float] | None = None,
) -> Steps[tuple[list[int], int, int]]:
    """A turn and its companion's (``companion``: its pseudonym and state), in one transaction:
    the outbox ids and the new revision of each session (0 for no companion)."""
    ids, revision = yield from save_turn(turn, user, state, claim)
    if turn.companion is None or companion is None:
        return ids, revision, 0
    _ids, second = yield from save_turn(turn.companion, *companion)
    return ids, revision, second


def load_secret() -> Steps[str]:
    """The key of the pseudonyms, made the first time (once, whichever process comes first)."""
    row = yield one(_SECRET)
    if row is None:
        yield count(
            "INSERT INTO meta (key, value) VALUES ('pseudonym_secret', ?) ON CONFLICT DO NOTHING",
            (secrets.token_hex(32),),
        )
        row = yield one(_SECRET)
    return str(row[0])


class SessionTables(ProcessTables):
    """Sessions, turns and update keys; a backend with a session cache overrides the two
    ``_cache_*`` methods (and ``forget_cached``)."""

    _secret: bytes = b""
    # The query of idle_sessions (it reads the session's JSON, which each dialect does its own
    # way): channel and user_id of sessions in a flow, active before ?, at most ? of them.
    _IDLE_SESSIONS: ClassVar[str]

    def _cache_get(self, key: SessionKey) -> tuple[str, int] | None:
        """The cached state and revision of ``key`` (None: read the database)."""
        return None

    def _cache_put(self, key: SessionKey, state: str, revision: int) -> None:
        """Remember a session just read or saved."""

    async def _open_secret(self) -> None:
        self._secret = bytes.fromhex(await self._atomic(load_secret()))

    def user_ref(self, key: SessionKey) -> str:
        """The keyed pseudonym under which ``key``'s runs are logged."""
        return pseudonym(self._secret, str(key))

    async def load(self, key: SessionKey) -> Session | None:
        """The stored session of ``key``, or None for someone new."""
        return (await self.read(key)).session

    async def read(self, key: SessionKey) -> StoredSession:
        """The stored session of ``key`` and its revision (0 for someone new)."""
        cached = self._cache_get(key)
        if cached is None:
            row = await self._one(
                "SELECT state, revision FROM sessions WHERE channel = ? AND user_id = ?",
                (key.channel, key.user_id),
            )
            if row is None:
                return stored_session(None)
            cached = (str(row[0]), int(row[1]))
            self._cache_put(key, *cached)
        return stored_session(cached)

    async def save(self, turn: TurnRecord) -> list[int]:
        """Write the whole turn in one durable transaction (see :class:`TurnRecord`).

        Returns the outbox ids of its replies, in order.
        """
        user = self.user_ref(turn.key) if turn.finished else ""
        state = turn.session.to_json()
        other = turn.companion
        companion = None
        if other is not None:
            pseudonym_of = self.user_ref(other.key) if other.finished else ""
            companion = (pseudonym_of, other.session.to_json())
        claim = None
        if self.shared:
            claim = (self._holder(), turn.session.updated_at + self.outbox_lease)
        try:
            ids, revision, second = await self._atomic(
                save_turns(turn, user, state, companion, claim)
            )
        except StaleSession:
            # Another process saved one of them: both are read afresh next time.
            self.forget_cached(turn.key)
            if other is not None:
                self.forget_cached(other.key)
            raise
        self._cache_put(turn.key, state, revision)
        if other is not None and companion is not None:
            self._cache_put(other.key, companion[1], second)
        return ids

    async def is_processed(self, update_key: str) -> bool:
        """True when a turn with this key was saved."""
        found = await self._one(
            "SELECT 1 FROM processed_updates WHERE update_key = ?", (update_key,)
        )
        return found is not None

    async def prune_processed(self, before: float) -> int:
        """Forget update keys saved before ``before``."""
        return await self._count("DELETE FROM processed_updates WHERE at < ?", (before,))

    async def idle_sessions(self, before: float, *, limit: int = 200) -> list[SessionKey]:
        """Residents in the middle of a flow whose last activity was before ``before``."""
        found = await self._all(self._IDLE_SESSIONS, (before, limit))
        return [SessionKey(r[0], r[1]) for r in found]
