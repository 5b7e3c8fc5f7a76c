"""The storage contract: one protocol per role, together the :class:`Storage` a backend provides.

Each part of the application asks only for the roles it uses (the scheduler a
:class:`ScheduleStore`, the staff desk a :class:`StaffStore`, reports :class:`ReportQueries`);
a backend (memory for tests, SQLite by default) implements all of them, and the conformance
suite (tests/storage/test_conformance.py) holds every backend to the same behaviour.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from bot.core.session import Session
from bot.core.staff import (
    AdminAction,
    Handover,
    HandoverCheck,
    Household,
    HouseholdStatus,
    InviteCheck,
    Member,
    Visit,
    Volunteer,
)
from bot.core.tickets import Ticket
from bot.core.types import SessionKey
from bot.storage.channel_state import ChannelStateStore
from bot.storage.processes import Processes
from bot.storage.records import (
    PURGE_TABLES,
    AlertRecord,
    AlreadyProcessed,
    FlowVersion,
    HouseholdService,
    OpenRun,
    OutboxRecord,
    OutcomeCount,
    PendingFollowUp,
    PersonOutcome,
    RunRecord,
    RunRow,
    StoredSession,
    TurnRecord,
    VisitCount,
    VolunteerRow,
)
from bot.storage.ticket_store import TicketStore

__all__ = [
    "PURGE_TABLES",
    "AlertRecord",
    "AlreadyProcessed",
    "DeskStore",
    "FileCache",
    "FlowVersion",
    "FlowVersionStore",
    "FollowUpStore",
    "HouseholdService",
    "MorningLists",
    "OpenRun",
    "OutboxRecord",
    "OutboxStore",
    "OutcomeCount",
    "PendingFollowUp",
    "PersonOutcome",
    "Processes",
    "PurgeStore",
    "ReportQueries",
    "RunLog",
    "RunRecord",
    "RunRow",
    "ScheduleStore",
    "SessionStore",
    "StaffStore",
    "Storage",
    "StoredSession",
    "TicketStore",
    "TurnRecord",
    "VisitCount",
    "VolunteerRow",
]


class SessionStore(Protocol):
    """Sessions and the turns that change them.

    ``save`` is atomic and durable: when it returns, the whole turn is stored.
    """

    async def load(self, key: SessionKey) -> Session | None:
        """The stored session of ``key``, or None for someone new."""

    async def read(self, key: SessionKey) -> StoredSession:
        """The stored session of ``key`` with its revision, for a save that must not overwrite
        a newer one (``TurnRecord.revision``)."""

    async def save(self, turn: TurnRecord) -> list[int]:
        """Store a turn in one transaction; :class:`AlreadyProcessed` for a redelivered update,
        :class:`~bot.core.errors.StaleSession` when ``turn.revision`` is no longer the stored one.

        Returns the outbox ids of the turn's replies, in order.
        """

    async def is_processed(self, update_key: str) -> bool:
        """True when a turn with this ``update_key`` was saved."""

    async def prune_processed(self, before: float) -> int:
        """Forget update keys saved before ``before`` (channels reuse ids after a while)."""

    async def idle_sessions(self, before: float, *, limit: int = 200) -> list[SessionKey]:
        """Residents in the middle of a flow whose last activity was before ``before``."""


class RunLog(Protocol):
    """Finished guidance sessions (under a keyed pseudonym) and staff alerts."""

    def user_ref(self, key: SessionKey) -> str:
        """The keyed pseudonym under which ``key``'s runs are logged."""

    async def runs(self) -> list[RunRecord]:
        """Every logged run, oldest first."""

    async def alerts(self, *, pending_only: bool = True) -> list[AlertRecord]:
        """Staff alerts, oldest first (by default only those not delivered yet)."""

    async def mark_delivered(self, alert_id: int, *, at: float) -> None:
        """Record that an alert reached the staff."""


class OutboxStore(Protocol):
    """Replies committed with their turn and not delivered yet, and who cannot be reached."""

    async def pending_outbox(self, key: SessionKey | None = None) -> list[OutboxRecord]:
        """Replies not delivered yet (for ``key``, or everyone), oldest first."""

    async def mark_sent(self, ids: Sequence[int], *, at: float, dropped: bool = False) -> None:
        """Record replies as delivered (or given up, when the resident cannot be reached)."""

    async def set_reachable(self, key: SessionKey, reachable: bool, *, at: float) -> None:
        """Record that a resident blocked the bot (False) or wrote again (True)."""

    async def is_reachable(self, key: SessionKey) -> bool:
        """False once a resident blocked the bot, until they write again."""

    async def unreachable(self) -> set[SessionKey]:
        """Everyone who blocked the bot."""


class FollowUpStore(Protocol):
    """Scheduled reminders (saved with the turn that schedules them)."""

    async def due_followups(self, before: float, *, limit: int = 100) -> list[PendingFollowUp]:
        """Follow-ups due before ``before``, earliest first."""

    async def pending_followups(self, key: SessionKey) -> list[PendingFollowUp]:
        """A resident's scheduled follow-ups, earliest first."""

    async def drop_followup(self, followup_id: int) -> None:
        """Forget a follow-up that is no longer relevant."""

    async def drop_followups(self, key: SessionKey) -> None:
        """Forget every follow-up of a resident (they blocked the bot)."""


class MorningLists(Protocol):
    """Volunteers' morning lists already sent: each one once a day, whichever process sends."""

    async def claim_morning_list(self, volunteer_id: int, day: str, *, at: float) -> bool:
        """True when this process may send a volunteer's list for ``day``: nobody claimed it,
        or the process that claimed it did not say it was sent within
        :data:`~bot.storage.processes.MORNING_LIST_LEASE` (it died)."""

    async def morning_list_sent(self, volunteer_id: int, day: str) -> None:
        """The claimed list went out: it is never claimed again that day."""

    async def unclaim_morning_list(self, volunteer_id: int, day: str) -> None:
        """Undo a claim whose message could not be sent, so the next pass tries again."""


class StaffStore(Protocol):
    """The staff records the desk reads and writes.

    A household's people are numbered within it (1, 2...) and may be given a short label; an
    outcome is recorded for one person (``member``), and :meth:`households_of` gives the latest
    one per person and service. :meth:`forget` of a volunteer also deletes the names of their
    households and people, their notes, the guides in progress they ran for those people (but
    those a resident took over with a hand-over link) and their hand-over links (not what the
    visits came to).
    """

    async def create_invite(
        self,
        code_hash: str,
        *,
        village: str,
        commune: str,
        created_by: str,
        at: float,
        expires_at: float,
    ) -> None: ...
    async def redeem_invite(
        self, code_hash: str, key: SessionKey, *, name: str, at: float
    ) -> tuple[InviteCheck, Volunteer | None]: ...
    async def volunteer_for(self, key: SessionKey) -> Volunteer | None: ...
    async def volunteer_by_code(self, code: str) -> Volunteer | None: ...
    async def volunteer_by_id(self, volunteer_id: int) -> Volunteer | None: ...
    async def rename_volunteer(self, volunteer_id: int, name: str) -> str: ...
    async def volunteers(self) -> list[Volunteer]: ...
    async def deactivate_volunteer(self, volunteer_id: int, *, at: float) -> bool: ...
    async def activate_volunteer(self, volunteer_id: int) -> bool: ...
    async def household(
        self, volunteer_id: int, village: str, label: str, *, at: float
    ) -> Household: ...
    async def household_by_id(self, household_id: int) -> Household | None: ...
    async def members(self, household_id: int) -> list[Member]: ...
    async def add_member(self, household_id: int, label: str, *, at: float) -> Member: ...
    async def name_member(self, household_id: int, number: int, label: str) -> Member | None: ...
    async def start_visit(self, volunteer_id: int, household: Household, *, at: float) -> Visit: ...
    async def end_visit(self, visit_id: int, *, at: float) -> None: ...
    async def record_outcome(
        self, visit_id: int, flow_id: str, outcome: str, *, note: str, at: float, member: int = 1
    ) -> None: ...
    async def households_of(self, volunteer_id: int) -> list[HouseholdStatus]: ...
    # Hand-over links (a person's guide continued on their own phone): stored by the hash of
    # the token only; used once, atomically, before ``expires_at`` (by the chat pseudonym
    # ``by``, which may open it again).
    async def create_handover(
        self,
        token_hash: str,
        *,
        household_id: int,
        member: int,
        visit_id: int,
        volunteer_id: int,
        at: float,
        expires_at: float,
    ) -> None: ...
    async def claim_handover(
        self, token_hash: str, *, by: str, at: float
    ) -> tuple[HandoverCheck, Handover | None]: ...
    # The sessions of the household members a volunteer runs guides for ("visit:<id>-<n>").
    async def read(self, key: SessionKey) -> StoredSession: ...
    async def record_admin_action(self, action: AdminAction) -> None: ...
    async def admin_actions(self) -> list[AdminAction]: ...
    async def forget(self, key: SessionKey, user_ref: str) -> dict[str, int]: ...
    def user_ref(self, key: SessionKey) -> str: ...


class DeskStore(StaffStore, TicketStore, Protocol):
    """What the staff desk uses: the staff records and the tickets."""


class ScheduleStore(Protocol):
    """What the scheduler needs from storage."""

    async def due_followups(self, before: float, *, limit: int = 100) -> list[PendingFollowUp]: ...
    async def claim_followups(
        self, before: float, *, now: float, limit: int = 100
    ) -> list[PendingFollowUp]: ...
    async def drop_followup(self, followup_id: int) -> None: ...
    async def is_reachable(self, key: SessionKey) -> bool: ...
    async def idle_sessions(self, before: float, *, limit: int = 200) -> list[SessionKey]: ...
    async def load(self, key: SessionKey) -> Session | None: ...
    async def volunteers(self) -> list[Volunteer]: ...
    async def households_of(self, volunteer_id: int) -> list[HouseholdStatus]: ...
    async def claim_morning_list(self, volunteer_id: int, day: str, *, at: float) -> bool: ...
    async def morning_list_sent(self, volunteer_id: int, day: str) -> None: ...
    async def unclaim_morning_list(self, volunteer_id: int, day: str) -> None: ...


class ReportQueries(Protocol):
    """Plain rows for leaders' reports and QR posters; :mod:`bot.reports` decides what they mean.

    Time windows are half-open ``[start, end)`` in epoch seconds; ``None`` means "no bound".
    """

    async def runs_started(self, start: float | None, end: float | None) -> list[RunRow]:
        """Finished runs (root and sub-flow) that started in the window, oldest first; a run's
        village is its own (a visit or a poster recorded it) or else its volunteer's."""

    async def open_runs(self, start: float | None, end: float | None) -> list[OpenRun]:
        """The outermost flow of every session in the middle of one, if it started in the
        window (a sub-flow on top of it belongs to the flow that called it)."""

    async def volunteer_rows(self) -> list[VolunteerRow]:
        """Every volunteer, active or not, by village then code."""

    async def active_volunteer(self, code: str) -> VolunteerRow | None:
        """The active volunteer whose public code is ``code`` (any case, spaces around)."""

    async def visit_counts(self, start: float | None, end: float | None) -> list[VisitCount]:
        """Per volunteer: visits started in the window and the distinct households visited."""

    async def outcome_counts(self, start: float | None, end: float | None) -> list[OutcomeCount]:
        """Per volunteer and outcome code: outcomes recorded in the window."""

    async def household_services(self, end: float | None) -> list[HouseholdService]:
        """The latest outcome of every (household, flow) recorded before ``end`` (by time, then
        by order of recording), under the volunteer who registered the household."""

    async def person_outcomes(self, start: float | None, end: float | None) -> list[PersonOutcome]:
        """Every outcome recorded in the window for each person of a household (a person is an
        account: ``(household_id, member)``), oldest first (by time, then order of recording),
        under the volunteer who registered the household and in its village."""

    async def tickets_opened(self, start: float | None, end: float | None) -> list[Ticket]:
        """Residents' requests for a person opened in the window, oldest first."""


class PurgeStore(Protocol):
    """Forgetting what is older than the retention period; the tables are :data:`PURGE_TABLES`."""

    async def count_old(self, cutoff: float) -> dict[str, int]:
        """How many rows of each table :meth:`purge_old` would delete."""

    async def purge_old(self, cutoff: float) -> dict[str, int]:
        """Delete every record older than ``cutoff`` at once; returns the count per table."""


class FlowVersionStore(Protocol):
    """The versions of flows the bot loaded (reports tell edits apart by digest)."""

    async def record_flow_versions(self, versions: Sequence[FlowVersion]) -> int:
        """Remember loaded flow versions not seen before; returns how many were new."""

    async def flow_versions(self) -> list[FlowVersion]:
        """Every flow version ever loaded, oldest first."""


class FileCache(Protocol):
    """A channel's ids for uploaded files (Telegram's file_id), by our reference."""

    async def cached_file(self, ref: str) -> str | None:
        """The remembered id, or None."""

    async def cache_file(self, ref: str, file_id: str) -> None:
        """Remember a channel's id for an uploaded file."""


class Storage(
    SessionStore,
    RunLog,
    OutboxStore,
    Processes,
    FollowUpStore,
    MorningLists,
    StaffStore,
    ReportQueries,
    PurgeStore,
    FlowVersionStore,
    FileCache,
    ChannelStateStore,
    TicketStore,
    Protocol,
):
    """Everything a backend provides: every role above (and a channel's own named values,
    :mod:`bot.storage.channel_state`), plus opening and closing."""

    async def open(self) -> None:
        """Create or migrate the store; call once before anything else."""

    async def close(self) -> None:
        """Finish writing and release the store (safe to call twice)."""
