"""A leaders' report as plain data: every number already computed, nothing about how to show it.

:func:`bot.reports.build.build_report` fills it in; the renderers (table, CSV, HTML, the short
Telegram summary) only format it. Residents appear only as counts: no pseudonym, no household
label ever reaches this model.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, tzinfo
from decimal import ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo

from bot.config import DEFAULT_TIMEZONE
from bot.core.staff import SETTLED_OUTCOMES, VISIT_OUTCOMES
from bot.flows.schema import RUN_OUTCOMES
from bot.reports.period import local_date
from bot.reports.tickets import TicketStats

__all__ = [
    "FLOW_OUTCOMES",
    "PENDING_EXCLUDED",
    "VISIT_OUTCOMES",
    "DayCount",
    "FlowStats",
    "FunnelStep",
    "Period",
    "Report",
    "VillageFlow",
    "VillageProgress",
    "VolunteerStats",
    "percent",
]

# How a flow run ends (runs.outcome), in the order reports list them.
FLOW_OUTCOMES = RUN_OUTCOMES
# What a volunteer records at the end of a flow during a visit (visit_outcomes.outcome), and the
# outcomes that leave nothing pending: the staff desk's own definitions.
PENDING_EXCLUDED = SETTLED_OUTCOMES


def percent(part: int, whole: int | None) -> Decimal | None:
    """``part`` of ``whole`` in percent, rounded half-up to two decimals (None without a whole).

    Decimal rather than float so 57,057 of 63,191 is exactly 90.29, as a leader computes it.
    """
    if not whole:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.01"), ROUND_HALF_UP)


@dataclass(frozen=True, slots=True, kw_only=True)
class Period:
    """What the report covers: whole days in the commune's time zone, both ends included."""

    since: date | None
    until: date | None
    village: str | None
    generated_at: float
    commune: str = ""
    zone: tzinfo = field(default_factory=lambda: ZoneInfo(DEFAULT_TIMEZONE))

    @property
    def last_day(self) -> date:
        """The day "this week" is counted up to: the period's end, or today if that is sooner."""
        today = local_date(self.generated_at, self.zone)
        return min(self.until, today) if self.until is not None else today


@dataclass(frozen=True, slots=True, kw_only=True)
class FunnelStep:
    """One step of a flow: how many runs reached it, left there, or pressed "it didn't work".

    ``label`` is what a leader reads (the step's first words, or the guide it runs); the id is
    for CSV and admins only. A step that runs another guide lists, in ``inside``, where in that
    guide the runs went and left.
    """

    step_id: str
    label: dict[str, str]
    reached: int
    left: int
    help_presses: int
    has_help: bool
    # On the way most residents take to the end that completes the flow (see funnel.py).
    main: bool = True
    inside: tuple[FunnelStep, ...] = ()

    @property
    def trouble(self) -> int:
        """Leaves plus help presses: how much this step gets in residents' way."""
        return self.left + self.help_presses

    @property
    def empty(self) -> bool:
        """Nobody reached, left or asked for help here: a row the renderers fold away."""
        return not (self.reached or self.left or self.help_presses)


@dataclass(frozen=True, slots=True, kw_only=True)
class FlowStats:
    """One flow's runs in the period (root runs only: a sub-flow counts for its caller)."""

    flow_id: str
    title: dict[str, str]
    finished: dict[str, int]
    in_progress: int
    median_seconds: int | None  # of completed runs, rounded to whole seconds
    subflow_runs: int
    funnel: tuple[FunnelStep, ...] = ()
    left_before_start: int = 0
    improve_first: str | None = None

    @property
    def started(self) -> int:
        """Finished runs of any outcome plus sessions still in this flow."""
        return sum(self.finished.values()) + self.in_progress

    @property
    def completed(self) -> int:
        """Runs that reached an ``end: completed`` step."""
        return self.finished.get("completed", 0)

    @property
    def completion_rate(self) -> Decimal | None:
        """Completed out of started, in percent."""
        return percent(self.completed, self.started)

    def step(self, step_id: str) -> FunnelStep | None:
        """The funnel entry of ``step_id``, if the flow has that step."""
        return next((s for s in self.funnel if s.step_id == step_id), None)


@dataclass(frozen=True, slots=True, kw_only=True)
class VillageFlow:
    """Residents helped with one flow in one village, against the leaders' target.

    ``people`` are the accounts volunteers recorded done during visits, in ``households``
    households; ``residents`` finished it on their own. In the commune's totals, all three are
    those of the villages that have a target for the flow (so the percentage compares like with
    like), and ``outside`` counts the residents helped in the other villages.
    """

    flow_id: str
    title: dict[str, str]
    households: int
    people: int
    residents: int
    target: int | None
    outside: int = 0

    @property
    def helped(self) -> int:
        """Accounts: people done during visits plus residents who finished it themselves."""
        return self.people + self.residents

    @property
    def percent(self) -> Decimal | None:
        """Helped out of the target, in percent (None without a target)."""
        return percent(self.helped, self.target)


@dataclass(frozen=True, slots=True, kw_only=True)
class VillageProgress:
    """One village (``""`` for residents whose village is not known)."""

    village: str
    flows: tuple[VillageFlow, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class VolunteerStats:
    """One volunteer's work in the period; households only as counts.

    ``qr_started`` counts the runs opened from the volunteer's poster, finished or still going,
    as a guide's "started" does; ``qr_completed`` those of them completed.
    """

    code: str
    name: str
    village: str
    active: bool
    visits: int
    households_visited: int
    outcomes: dict[str, int]
    pending_households: int
    pending_services: int
    qr_started: int
    qr_completed: int


@dataclass(frozen=True, slots=True, kw_only=True)
class DayCount:
    """One flow on one day (the commune's calendar): the same three numbers as the rest of the
    report, so the days of a period add up to its totals."""

    day: date
    flow_id: str
    helped: int = 0
    started: int = 0
    completed: int = 0


@dataclass(frozen=True, slots=True, kw_only=True)
class Report:
    """Everything a leader reads, for one period (and maybe one village)."""

    period: Period
    flows: tuple[FlowStats, ...]
    villages: tuple[VillageProgress, ...]
    totals: tuple[VillageFlow, ...]
    volunteers: tuple[VolunteerStats, ...]
    timeline: tuple[DayCount, ...] = ()
    # language -> outcome code -> the words the bot uses for it (the volunteers' buttons).
    outcome_names: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    # Residents' requests for a person (bot.reports.tickets).
    tickets: TicketStats = field(default_factory=TicketStats)

    @property
    def improve_first(self) -> tuple[FlowStats, FunnelStep] | None:
        """Across all flows, the step with the most leaves plus help presses."""
        best: tuple[FlowStats, FunnelStep] | None = None
        for flow in self.flows:
            for step in flow.funnel:
                if step.trouble and (best is None or step.trouble > best[1].trouble):
                    best = (flow, step)
        return best
