"""Plain records about staff work: volunteers, invites, households, visits and admin actions."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from bot.core.matching import fold
from bot.core.privacy import mask
from bot.core.types import SessionKey

__all__ = [
    "REVISIT_ORDER",
    "REVISIT_OUTCOMES",
    "SETTLED_OUTCOMES",
    "VISIT_CHANNEL",
    "VISIT_OUTCOMES",
    "AdminAction",
    "Handover",
    "HandoverCheck",
    "Household",
    "HouseholdStatus",
    "InviteCheck",
    "Member",
    "ServiceStatus",
    "Visit",
    "Volunteer",
    "member_key",
    "member_label",
    "member_of",
    "volunteer_name",
]

# What a volunteer records for a person at the end of a guide done during a visit.
VISIT_OUTCOMES = (
    "done",
    "waiting_sms",
    "police",
    "no_smartphone",
    "no_chip_id",
    "declined",
    "later",
)
# These put the household on the volunteer's list of places to go back to, in this order (the
# morning list groups them so: the commune police first, it takes the longest to arrange).
REVISIT_ORDER = ("police", "waiting_sms", "later")
REVISIT_OUTCOMES = frozenset(REVISIT_ORDER)
# A service whose latest outcome is one of these needs nothing more: every other outcome
# (later, police, no_smartphone, no_chip_id, or a code added later) leaves it pending.
SETTLED_OUTCOMES = frozenset({"done", "declined"})

InviteCheck = Literal["ok", "wrong", "used", "expired", "already"]
# A hand-over link opened: taken now, never made (or forged), opened before, or too old.
HandoverCheck = Literal["ok", "wrong", "used", "expired"]

# Names are short by design: enough to tell people apart on a phone screen, too short for much else.
MEMBER_LABEL_LENGTH = 40
VOLUNTEER_NAME_LENGTH = 40


def member_label(label: str) -> tuple[str, str]:
    """A person's label as kept (spaces folded, anything like an ID or phone masked, short)
    and the key it is compared by (no accents, case or spacing)."""
    kept = mask(" ".join(label.split()))[:MEMBER_LABEL_LENGTH]
    return kept, fold(kept)


def volunteer_name(name: str) -> str:
    """A volunteer's name as kept: spaces folded, anything like an ID or phone masked, short."""
    return mask(" ".join(name.split()))[:VOLUNTEER_NAME_LENGTH]

# The channel of the sessions a volunteer runs for household members ("visit:12-2" is the second
# person of household 12): each person has their own place, answers, address and reminders.
VISIT_CHANNEL = "visit"


def member_key(household_id: int, number: int) -> SessionKey:
    """The session of a household's ``number``-th person."""
    return SessionKey(VISIT_CHANNEL, f"{household_id}-{number}")


def member_of(key: SessionKey) -> tuple[int, int] | None:
    """The (household id, person number) a visit session belongs to; None for anyone else."""
    if key.channel != VISIT_CHANNEL:
        return None
    household, _, number = key.user_id.partition("-")
    if not (household.isascii() and household.isdigit() and number.isascii() and number.isdigit()):
        return None
    return int(household), int(number)


@dataclass(frozen=True, slots=True, kw_only=True)
class Volunteer:
    """A youth-union (or veterans') volunteer who joined with an invite code."""

    id: int
    key: SessionKey
    name: str
    village: str
    commune: str
    code: str  # public: printed on their QR posters, so sessions are credited to them
    active: bool
    joined_at: float


@dataclass(frozen=True, slots=True, kw_only=True)
class Household:
    """A household as one volunteer labels it ("Hộ 12, ông Ba"), within a village."""

    id: int
    volunteer_id: int
    village: str
    label: str


@dataclass(frozen=True, slots=True, kw_only=True)
class Member:
    """A person of a household, by number within it; ``label`` is a short name the volunteer
    gave ("Bác Tư"), empty until named (shown as "người 1")."""

    household_id: int
    number: int
    label: str


@dataclass(frozen=True, slots=True, kw_only=True)
class Visit:
    """One visit of a volunteer to a household (a household is visited on several days)."""

    id: int
    volunteer_id: int
    household_id: int
    village: str
    started_at: float


@dataclass(frozen=True, slots=True, kw_only=True)
class ServiceStatus:
    """The latest recorded outcome of one service (flow) for one person of a household."""

    flow_id: str
    outcome: str
    at: float
    member: int = 1  # the person's number in the household
    note: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class HouseholdStatus:
    """A household, its people, and where each service stands for each person."""

    household: Household
    services: tuple[ServiceStatus, ...]
    members: tuple[Member, ...] = ()

    @property
    def revisit(self) -> tuple[ServiceStatus, ...]:
        """Services the volunteer should come back for ("later", "needs the commune police")."""
        return tuple(s for s in self.services if s.outcome in REVISIT_OUTCOMES)


@dataclass(frozen=True, slots=True, kw_only=True)
class AdminAction:
    """Something an admin did, or tried to do without the right: who, what, when."""

    actor: str
    action: str
    detail: str
    allowed: bool
    at: float


@dataclass(frozen=True, slots=True, kw_only=True)
class Handover:
    """A hand-over link a volunteer showed: whose guide it continues on the resident's own
    phone (a household's person), from which visit, until when. Its token is kept only hashed
    and names nobody."""

    household_id: int
    member: int
    visit_id: int
    volunteer_id: int
    created_at: float
    expires_at: float
