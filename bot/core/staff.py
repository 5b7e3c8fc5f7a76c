"""Plain records about staff work: volunteers, invites, households, visits and admin actions."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from bot.core.types import SessionKey

__all__ = [
    "REVISIT_OUTCOMES",
    "SETTLED_OUTCOMES",
    "VISIT_OUTCOMES",
    "AdminAction",
    "Household",
    "HouseholdStatus",
    "InviteCheck",
    "ServiceStatus",
    "Visit",
    "Volunteer",
]

# What a volunteer records at the end of a guide done with a household.
VISIT_OUTCOMES = ("done", "police", "no_smartphone", "no_chip_id", "declined", "later")
# These put the household on the volunteer's list of places to go back to.
REVISIT_OUTCOMES = frozenset({"police", "later"})
# A service whose latest outcome is one of these needs nothing more: every other outcome
# (later, police, no_smartphone, no_chip_id, or a code added later) leaves it pending.
SETTLED_OUTCOMES = frozenset({"done", "declined"})

InviteCheck = Literal["ok", "wrong", "used", "expired", "already"]


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
class Visit:
    """One visit of a volunteer to a household (a household is visited on several days)."""

    id: int
    volunteer_id: int
    household_id: int
    village: str
    started_at: float


@dataclass(frozen=True, slots=True, kw_only=True)
class ServiceStatus:
    """The latest recorded outcome of one service (flow) for a household."""

    flow_id: str
    outcome: str
    at: float


@dataclass(frozen=True, slots=True, kw_only=True)
class HouseholdStatus:
    """A household and where each of its services stands."""

    household: Household
    services: tuple[ServiceStatus, ...]

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
