"""The tables of :class:`~bot.storage.memory.MemoryStorage`: plain dicts and lists, shared by its
parts (sessions and delivery, staff records, reports and purges)."""

from __future__ import annotations

from dataclasses import dataclass

from bot.core.privacy import pseudonym
from bot.core.staff import AdminAction, Household, Member, Visit, Volunteer
from bot.core.types import SessionKey
from bot.storage.records import (
    AlertRecord,
    FlowVersion,
    OutboxRecord,
    PendingFollowUp,
    RunRecord,
)

__all__ = ["MemberRow", "MemoryTables", "OutcomeRow", "SessionRow"]


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
        self._processed: dict[str, float] = {}
        self._unreachable: set[SessionKey] = set()
        self._files: dict[str, str] = {}
        self._versions: list[FlowVersion] = []
        self._followups: list[PendingFollowUp] = []
        self._followup_ids = 0
        self._morning: set[tuple[int, str]] = set()
        self._volunteers: dict[int, Volunteer] = {}
        self._invites: dict[str, InviteRow] = {}
        self._households: dict[int, tuple[Household, str]] = {}  # id -> (household, label key)
        self._household_created: dict[int, float] = {}
        self._members: dict[tuple[int, int], MemberRow] = {}  # (household id, number)
        self._visits: dict[int, Visit] = {}
        self._visit_ended: dict[int, float] = {}
        self._outcomes: list[OutcomeRow] = []
        self._admin: list[AdminAction] = []
        self._secret = b"memory"

    def user_ref(self, key: SessionKey) -> str:
        """The keyed pseudonym under which ``key``'s runs are logged."""
        return pseudonym(self._secret, str(key))
