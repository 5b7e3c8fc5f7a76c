"""The plain records the storage contract speaks in (every backend returns these)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from bot.core.errors import StorageError
from bot.core.session import FinishedRun, FollowUpJob, Session, StaffAlert
from bot.core.staff import AdminAction
from bot.core.tickets import TicketChange
from bot.core.types import OutgoingMessage, SessionKey

__all__ = [
    "PURGE_TABLES",
    "AlertRecord",
    "AlreadyProcessed",
    "FlowVersion",
    "HouseholdService",
    "OpenRun",
    "OutboxRecord",
    "OutcomeCount",
    "PendingFollowUp",
    "PersonOutcome",
    "RunRecord",
    "RunRow",
    "SavedReplies",
    "StoredSession",
    "TurnRecord",
    "VisitCount",
    "VolunteerRow",
]

# What ``purge`` deletes when it is old, in the order admins see it (each backend has one rule
# per table saying which rows are old; the same rule counts and deletes):
# - runs: by when they ended; a run still going is in the sessions, not here.
# - visit_outcomes: the row holds the volunteer's note, so deleting it deletes the note.
# - visits: by when they ended (or began, if never ended), unless an outcome of theirs is kept.
# - household_members, households: their labels hold names, so they go when nothing about them
#   is recent any more (no outcome, visit, person added or guide in progress within the
#   retention): a household still on a volunteer's list to go back to keeps its name.
# - outbox: only replies already sent or dropped; one still waiting would be a lost message.
# - sessions: a resident idle that long starts afresh, which is what they would expect anyway.
# - admin_actions: the admin log, refused attempts included (they name a chat account).
# - handovers: a volunteer's hand-over links, by when they stopped working (used or expired).
# - ticket_notes: the conversation relayed between a resident and staff, by when it was said.
# - tickets: closed ones, by when they were closed (an open one is still someone's request).
PURGE_TABLES: tuple[str, ...] = (
    "runs",
    "visit_outcomes",
    "visits",
    "household_members",
    "households",
    "staff_alerts",
    "outbox",
    "processed_updates",
    "sessions",
    "admin_actions",
    "handovers",
    "ticket_notes",
    "tickets",
)


class AlreadyProcessed(StorageError):
    """The update that caused this turn was processed before (a redelivery): nothing was saved."""


@dataclass(frozen=True, slots=True, kw_only=True)
class TurnRecord:
    """Everything one turn changes, saved together or not at all.

    ``update_key`` names the channel update that caused the turn (a Telegram update id): saving a
    second turn with the same key fails with :class:`AlreadyProcessed`. ``outbox`` holds the
    replies still to be delivered, so a crash after the commit does not lose them.
    """

    key: SessionKey
    session: Session
    finished: Sequence[FinishedRun] = ()
    alerts: Sequence[StaffAlert] = ()
    outbox: Sequence[OutgoingMessage] = ()
    update_key: str = ""
    # Reminders: the resident's pending ones are cancelled first, then these are scheduled.
    cancel_followups: bool = False
    followups: Sequence[FollowUpJob] = ()
    # The follow-up this turn carried out (it is removed with the turn).
    fired_followup: int | None = None
    # The revision the session was read at (``Storage.read``): the save fails with
    # StaleSession when another process saved a newer one meanwhile. None: no check.
    revision: int | None = None
    # Who the outbox replies go to, when not ``key`` itself: a household member's reminder is
    # sent to the volunteer who runs their guide.
    outbox_to: SessionKey | None = None
    # Another session's turn saved in the same transaction: the household member whose guide a
    # volunteer drives from their own chat (the volunteer's turn has the update key and the
    # replies; the member's has their session, runs, reminders and alerts).
    companion: TurnRecord | None = None
    # What the turn did to tickets (a resident's request opened, a message relayed, a ticket
    # taken or closed), saved with it.
    tickets: Sequence[TicketChange] = ()
    # Replies for other chats than ``key``'s, stored in their outbox with this turn: a staff
    # member's answer goes to the resident's chat, a resident's message to the staff member's.
    relay: Sequence[tuple[SessionKey, OutgoingMessage]] = ()
    # Lines of the admin log the turn writes (a ticket taken or closed), with it or not at all.
    admin_actions: Sequence[AdminAction] = ()
    # The resident wrote (the turn answers their update): if they had blocked the bot, they can
    # be written to again. The backend learns it with the turn, rather than being asked before
    # every update whether they had.
    reachable: bool = False


@dataclass(frozen=True, slots=True, kw_only=True)
class StoredSession:
    """A session as read, with its revision (0: nobody saved one yet)."""

    session: Session | None
    revision: int


@dataclass(frozen=True, slots=True, kw_only=True)
class RunRecord:
    """A finished guidance session as stored: the run plus who (pseudonymous) and where."""

    user: str
    channel: str
    run: FinishedRun


@dataclass(frozen=True, slots=True, kw_only=True)
class AlertRecord:
    """A stored staff alert: who raised it (to answer on the same channel) and what it says."""

    id: int
    key: SessionKey
    alert: StaffAlert
    delivered: bool


@dataclass(frozen=True, slots=True, kw_only=True)
class OutboxRecord:
    """A reply committed with its turn and not delivered yet."""

    id: int
    key: SessionKey
    message: OutgoingMessage


class SavedReplies(list[int]):
    """The outbox ids of a saved turn's replies, in order. ``claimed``: a backend several
    processes share saved them already claimed by this process, and nothing older waits for
    that resident, so they may be sent as they are (no claim of their own)."""

    claimed: bool = False


@dataclass(frozen=True, slots=True, kw_only=True)
class FlowVersion:
    """A version of a flow the bot loaded: reports tell edits apart by ``digest``."""

    flow_id: str
    version: int
    digest: str
    loaded_at: float


@dataclass(frozen=True, slots=True, kw_only=True)
class PendingFollowUp:
    """A scheduled reminder as stored."""

    id: int
    key: SessionKey
    job: FollowUpJob


@dataclass(frozen=True, slots=True, kw_only=True)
class RunRow:
    """A finished run, with the village it is credited to already worked out."""

    user_ref: str
    flow_id: str
    started_at: float
    ended_at: float
    outcome: str
    path: tuple[str, ...]
    parent_flow: str
    mode: str
    volunteer_id: int | None
    village: str


@dataclass(frozen=True, slots=True, kw_only=True)
class OpenRun:
    """The outermost flow of a session still in progress (read from the session's JSON)."""

    flow_id: str
    started_at: float
    path: tuple[str, ...]
    village: str
    # Who it is credited to, as for a finished run (RunRow.mode): a poster's opening counts for
    # its volunteer while the resident is still in the guide, not only once they finish.
    mode: str = "self"
    volunteer_id: int | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class VolunteerRow:
    """A volunteer as reports show them (their public code, never their chat id)."""

    id: int
    code: str
    name: str
    village: str
    active: bool


@dataclass(frozen=True, slots=True, kw_only=True)
class VisitCount:
    """How many visits a volunteer started in the window, and to how many households."""

    volunteer_id: int
    visits: int
    households: int


@dataclass(frozen=True, slots=True, kw_only=True)
class OutcomeCount:
    """How many outcomes of one kind a volunteer recorded in the window."""

    volunteer_id: int
    outcome: str
    count: int


@dataclass(frozen=True, slots=True, kw_only=True)
class HouseholdService:
    """The latest outcome of one service (flow) for one household, as of the window's end."""

    volunteer_id: int
    household_id: int
    village: str
    flow_id: str
    outcome: str


@dataclass(frozen=True, slots=True, kw_only=True)
class PersonOutcome:
    """One outcome recorded for one person of a household (an account, for campaign targets).

    A person is ``(household_id, member)``: the household's ``member``-th person.
    """

    volunteer_id: int
    household_id: int
    member: int
    village: str
    flow_id: str
    outcome: str
    at: float
