"""The tables of :class:`~bot.storage.memory.MemoryStorage`: plain dicts and lists, shared by its
parts (sessions and delivery, staff records, reports and purges)."""

from __future__ import annotations

from dataclasses import dataclass

from bot.core.privacy import pseudonym
from bot.core.staff import AdminAction, Handover, Household, Member, Visit, Volunteer
from bot.core.tickets import Ticket, TicketNote
from bot.core.types import SessionKey
from bot.storage.records import (
    AlertRecord,
    FlowVersion,
    OutboxRecord,
    PendingFollowUp,
    RunRecord,
)

__all__ = ["HandoverRow", "MemberRow", "MemoryTables", "OutcomeRow", "SessionRow"]


@dataclass(slots=True, kw_only=True)
class SessionRow:
    """A stored session: its JSON (the one codec, :mod:`bot.core.session`) and revision."""

    state: str
    revision: int
    updated_at: float
    active_at: float


@dataclass(frozen=True, slots=True, kw_only=True)
class OutcomeRow:
    """An outcome recorded during a visit."""

    id: int
    visit_id: int
    household_id: int
    volunteer_id: int
    village: str
    flow_id: str
    outcome: str
    note: str
    at: float
    member: int = 1


@dataclass(slots=True, kw_only=True)
class InviteRow:
    """An invite: only the hash of its code."""

    village: str
    commune: str
    created_by: str
    expires_at: float
    used_by: int | None = None


@dataclass(slots=True, kw_only=True)
class HandoverRow:
    """A hand-over link: only the hash of its token is the key; when it was used, if it was."""

    handover: Handover
    used_at: float | None = None
    used_by: str = ""


@dataclass(slots=True, kw_only=True)
class MemberRow:
    """A person of a household: the person, the key their label is compared by, since when."""

    member: Member
    label_key: str
    created_at: float


class MemoryTables:
    """Every table, empty."""

    def __init__(self) -> None:
        self._sessions: dict[SessionKey, SessionRow] = {}
        self._runs: list[RunRecord] = []
        self._alerts: list[AlertRecord] = []
        self._outbox: list[OutboxRecord] = []
        self._outbox_ids = 0
        self._outbox_at: dict[int, float] = {}  # when each waiting reply was committed
        self._processed: dict[str, float] = {}
        self._unreachable: set[SessionKey] = set()
        self._files: dict[str, str] = {}
        self._versions: list[FlowVersion] = []
        self._followups: list[PendingFollowUp] = []
        self._followup_ids = 0
        # (volunteer, day) -> the end of the claim's lease; 0: sent
        self._morning: dict[tuple[int, str], float] = {}
        self._volunteers: dict[int, Volunteer] = {}
        self._invites: dict[str, InviteRow] = {}
        self._handovers: dict[str, HandoverRow] = {}
        self._households: dict[int, tuple[Household, str]] = {}  # id -> (household, label key)
        self._household_created: dict[int, float] = {}
        self._members: dict[tuple[int, int], MemberRow] = {}  # (household id, number)
        self._visits: dict[int, Visit] = {}
        self._visit_ended: dict[int, float] = {}
        self._outcomes: list[OutcomeRow] = []
        self._admin: list[AdminAction] = []
        self._tickets: dict[int, Ticket] = {}
        self._notes: list[TicketNote] = []
        self._duty: dict[str, bool] = {}
        self._secret = b"memory"

    def user_ref(self, key: SessionKey) -> str:
        """The keyed pseudonym under which ``key``'s runs are logged."""
        return pseudonym(self._secret, str(key))

    # --- what purges find old in households (as bot/storage/sql_purge.py's rules) ---------------

    def _idle_households(self, cutoff: float) -> dict[str, list[object]]:
        """Visits, people and households with nothing recent about them: their ids."""
        recent_visits = {
            v.household_id
            for v in self._visits.values()
            if self._visit_ended.get(v.id, v.started_at) >= cutoff
        }
        recent_outcomes = [o for o in self._outcomes if o.at >= cutoff]
        active = {key.user_id for key, row in self._sessions.items() if row.updated_at >= cutoff}

        def guide_recent(household_id: int, number: int | None = None) -> bool:
            prefix = f"{household_id}-"
            return any(
                u == f"{prefix}{number}" if number is not None else u.startswith(prefix)
                for u in active
            )

        visits: list[object] = [
            v.id
            for v in self._visits.values()
            if self._visit_ended.get(v.id, v.started_at) < cutoff
            and not any(o.visit_id == v.id for o in recent_outcomes)
        ]
        people: list[object] = [
            (h, n)
            for (h, n), row in self._members.items()
            if row.created_at < cutoff
            and not any(o.household_id == h and o.member == n for o in recent_outcomes)
            and h not in recent_visits
            and not guide_recent(h, n)
        ]
        households: list[object] = [
            h
            for h in self._households
            if self._household_created.get(h, 0.0) < cutoff
            and h not in recent_visits
            and not any(o.household_id == h for o in recent_outcomes)
            and not any(k[0] == h and r.created_at >= cutoff for k, r in self._members.items())
            and not guide_recent(h)
        ]
        return {"visits": visits, "household_members": people, "households": households}

    def _forget_idle(self, old: dict[str, list[object]]) -> None:
        """Delete what :meth:`_idle_households` found."""
        visits = set(old["visits"])
        people = set(old["household_members"])
        households = set(old["households"])
        self._visits = {i: v for i, v in self._visits.items() if i not in visits}
        self._visit_ended = {i: at for i, at in self._visit_ended.items() if i not in visits}
        self._members = {k: row for k, row in self._members.items() if k not in people}
        self._households = {i: h for i, h in self._households.items() if i not in households}
        self._household_created = {
            i: at for i, at in self._household_created.items() if i not in households
        }
