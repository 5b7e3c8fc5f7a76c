"""Turning the database and the loaded flows into a :class:`~bot.reports.model.Report`.

The definitions live here (docs/reports.md explains them for leaders):

- A run belongs to the period in which it *started*; a volunteer's visit likewise; an outcome
  recorded during a visit belongs to the day it was recorded.
- Flow counts use root runs only (``parent_flow == ''``): a flow run inside another flow
  (``flow:`` steps, the welcome flow) is part of its caller's run; it is shown once per flow as
  "runs inside another flow", outside every rate.
- "Helped" in a village = distinct households with a 'done' outcome for the flow there, plus
  distinct residents who completed the flow on their own — from a volunteer's QR poster
  (village of that volunteer) or with no volunteer at all (village unknown). Each household and
  each resident counts once per flow, however many times they did it.
"""

from __future__ import annotations

import statistics
import time
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from datetime import date

from bot.config import Settings
from bot.flows.compiled import CompiledFlow
from bot.flows.schema import DEFAULT_LANGUAGE
from bot.reports.funnel import build_funnel
from bot.reports.model import (
    FLOW_OUTCOMES,
    PENDING_EXCLUDED,
    VISIT_OUTCOMES,
    FlowStats,
    Period,
    Report,
    VillageFlow,
    VillageProgress,
    VolunteerStats,
)
from bot.reports.period import day_end, day_start
from bot.storage.base import (
    DoneHousehold,
    HouseholdService,
    OpenRun,
    OutcomeCount,
    ReportQueries,
    RunRow,
    VisitCount,
    VolunteerRow,
)

__all__ = ["ReportSource", "build_report"]

# Runs a resident did alone (from a poster or not). Assisted runs are credited through the
# volunteer's recorded outcome instead, so a household is never counted for both.
_RESIDENT_MODES = frozenset({"self", "referred"})


# What reports need from the storage: its report queries (every backend provides them).
ReportSource = ReportQueries


async def build_report(
    storage: ReportSource,
    flows: Mapping[str, CompiledFlow],
    settings: Settings,
    since: date | None = None,
    until: date | None = None,
    village: str | None = None,
    *,
    now: float | None = None,
) -> Report:
    """Compute the report for ``since``..``until`` (whole days, both included; None = open).

    ``village`` keeps only that village: its runs, its progress and its volunteers. ``flows``
    are the loaded flows (titles, step order, help buttons); runs of a flow no longer loaded
    still count, under the flow's id.
    """
    start, end = day_start(since), day_end(until)
    runs = await storage.runs_started(start, end)
    opened = await storage.open_runs(start, end)
    done = await storage.done_households(start, end)
    people = await storage.volunteer_rows()
    visits = await storage.visit_counts(start, end)
    outcomes = await storage.outcome_counts(start, end)
    services = await storage.household_services(end)

    def here(place: str) -> bool:
        return village is None or place == village

    order = _flow_order(flows, runs, opened)
    flow_stats = _flow_stats(
        order,
        flows,
        [r for r in runs if here(r.village)],
        [o for o in opened if here(o.village)],
    )
    all_villages = _village_progress(order, flows, settings.targets, done, runs)
    villages = tuple(v for v in all_villages if here(v.village))
    volunteers = _volunteer_stats(
        [p for p in people if here(p.village)], visits, outcomes, services, runs
    )
    return Report(
        period=Period(
            since=since,
            until=until,
            village=village,
            generated_at=time.time() if now is None else now,
            commune=settings.commune.name,
        ),
        flows=flow_stats,
        villages=villages,
        totals=() if village is not None else _totals(order, flows, villages),
        volunteers=volunteers,
    )


def _name_key(name: str) -> tuple[str, str]:
    """Sort Vietnamese names as a reader expects: "Thôn Đông" between D and E, not after Z."""
    bare = "".join(ch for ch in unicodedata.normalize("NFD", name) if not unicodedata.combining(ch))
    return bare.replace("đ", "d").replace("Đ", "D").casefold(), name


def _title(flows: Mapping[str, CompiledFlow], flow_id: str) -> dict[str, str]:
    flow = flows.get(flow_id)
    return dict(flow.flow.title.texts) if flow is not None else {DEFAULT_LANGUAGE: flow_id}


def _flow_order(
    flows: Mapping[str, CompiledFlow], runs: Sequence[RunRow], opened: Sequence[OpenRun]
) -> list[str]:
    """Menu flows as residents see them, then any other flow that has root runs."""
    menu = sorted(
        (f for f in flows.values() if f.flow.menu),
        key=lambda f: (f.flow.order, f.flow.title.get(DEFAULT_LANGUAGE)),
    )
    order = [f.id for f in menu]
    used = {r.flow_id for r in runs if not r.parent_flow} | {o.flow_id for o in opened}
    order.extend(sorted(used - set(order)))
    return order


def _flow_stats(
    order: Sequence[str],
    flows: Mapping[str, CompiledFlow],
    runs: Sequence[RunRow],
    opened: Sequence[OpenRun],
) -> tuple[FlowStats, ...]:
    roots: dict[str, list[RunRow]] = defaultdict(list)
    inside: Counter[str] = Counter()
    for run in runs:
        if run.parent_flow:
            inside[run.flow_id] += 1
        else:
            roots[run.flow_id].append(run)
    going: dict[str, list[OpenRun]] = defaultdict(list)
    for open_run in opened:
        going[open_run.flow_id].append(open_run)
    stats: list[FlowStats] = []
    for flow_id in order:
        finished = roots[flow_id]
        counts = Counter(run.outcome for run in finished)
        durations = [r.ended_at - r.started_at for r in finished if r.outcome == "completed"]
        compiled = flows.get(flow_id)
        funnel, before_start, worst = build_funnel(
            compiled.flow if compiled is not None else None,
            [r.path for r in finished] + [o.path for o in going[flow_id]],
            [r.path for r in finished if r.outcome == "abandoned"],
        )
        stats.append(
            FlowStats(
                flow_id=flow_id,
                title=_title(flows, flow_id),
                finished=_in_order(counts, FLOW_OUTCOMES, zeros=True),
                in_progress=len(going[flow_id]),
                # Whole seconds: a leader reads minutes; sub-second noise would only distract.
                median_seconds=round(statistics.median(durations)) if durations else None,
                subflow_runs=inside[flow_id],
                funnel=funnel,
                left_before_start=before_start,
                improve_first=worst,
            )
        )
    return tuple(stats)


def _in_order(
    counts: Mapping[str, int], known: Sequence[str], *, zeros: bool = False
) -> dict[str, int]:
    """Counts in the order reports list outcomes (with the known ones at 0 too when ``zeros``),
    then any outcome code added later, by name."""
    ordered = {name: counts.get(name, 0) for name in known if zeros or counts.get(name)}
    ordered.update(sorted((k, n) for k, n in counts.items() if k not in known and n))
    return ordered


def _credited_residents(runs: Sequence[RunRow]) -> dict[tuple[str, str], str]:
    """(flow, resident) -> the village credited for it: each resident once per flow.

    A resident who finished a flow several times counts once. If any of those runs came from a
    volunteer's poster, the earliest such village gets the credit; otherwise the unknown
    village ("") does. Runs are already oldest first.
    """
    credit: dict[tuple[str, str], str] = {}
    for run in runs:
        if run.parent_flow or run.outcome != "completed" or run.mode not in _RESIDENT_MODES:
            continue
        key = (run.flow_id, run.user_ref)
        place = run.village if run.mode == "referred" else ""
        if key not in credit or (not credit[key] and place):
            credit[key] = place
    return credit


def _village_progress(
    order: Sequence[str],
    flows: Mapping[str, CompiledFlow],
    targets: Mapping[str, Mapping[str, int]],
    done: Sequence[DoneHousehold],
    runs: Sequence[RunRow],
) -> tuple[VillageProgress, ...]:
    households: Counter[tuple[str, str]] = Counter((d.village, d.flow_id) for d in done)
    residents: Counter[tuple[str, str]] = Counter(
        (place, flow_id) for (flow_id, _user), place in _credited_residents(runs).items()
    )
    names = set(targets) | {v for v, _ in households} | {v for v, _ in residents}
    # Known villages by name, the unknown one last.
    ordered = sorted((name for name in names if name), key=_name_key)
    ordered += [""] if "" in names else []
    rank = {flow_id: i for i, flow_id in enumerate(order)}
    progress: list[VillageProgress] = []
    for name in ordered:
        goals = targets.get(name, {})
        flow_ids = set(goals) | {f for v, f in households if v == name}
        flow_ids |= {f for v, f in residents if v == name}
        rows = tuple(
            VillageFlow(
                flow_id=flow_id,
                title=_title(flows, flow_id),
                households=households[(name, flow_id)],
                residents=residents[(name, flow_id)],
                target=goals.get(flow_id),
            )
            for flow_id in sorted(flow_ids, key=lambda f: (rank.get(f, len(rank)), f))
        )
        progress.append(VillageProgress(village=name, flows=rows))
    return tuple(progress)


def _totals(
    order: Sequence[str],
    flows: Mapping[str, CompiledFlow],
    villages: Sequence[VillageProgress],
) -> tuple[VillageFlow, ...]:
    """The commune: every known village added up (the unknown village is not in the commune:
    a resident who used the bot alone may live anywhere)."""
    sums: dict[str, list[int]] = {}
    goals: dict[str, int] = {}
    for place in villages:
        if not place.village:
            continue
        for row in place.flows:
            total = sums.setdefault(row.flow_id, [0, 0])
            total[0] += row.households
            total[1] += row.residents
            if row.target is not None:
                goals[row.flow_id] = goals.get(row.flow_id, 0) + row.target
    rank = {flow_id: i for i, flow_id in enumerate(order)}
    return tuple(
        VillageFlow(
            flow_id=flow_id,
            title=_title(flows, flow_id),
            households=h,
            residents=r,
            target=goals.get(flow_id),
        )
        for flow_id, (h, r) in sorted(sums.items(), key=lambda i: (rank.get(i[0], len(rank)), i[0]))
    )


def _volunteer_stats(
    people: Sequence[VolunteerRow],
    visits: Sequence[VisitCount],
    outcomes: Sequence[OutcomeCount],
    services: Sequence[HouseholdService],
    runs: Sequence[RunRow],
) -> tuple[VolunteerStats, ...]:
    by_visit = {v.volunteer_id: v for v in visits}
    recorded: dict[int, Counter[str]] = defaultdict(Counter)
    for item in outcomes:
        recorded[item.volunteer_id][item.outcome] += item.count
    pending: dict[int, list[HouseholdService]] = defaultdict(list)
    for service in services:
        if service.outcome not in PENDING_EXCLUDED:
            pending[service.volunteer_id].append(service)
    qr: dict[int, Counter[str]] = defaultdict(Counter)
    for run in runs:
        if run.mode == "referred" and not run.parent_flow and run.volunteer_id is not None:
            qr[run.volunteer_id]["runs"] += 1
            qr[run.volunteer_id]["completed"] += run.outcome == "completed"
    stats: list[VolunteerStats] = []
    for person in sorted(people, key=lambda p: (_name_key(p.village), p.code)):
        visit = by_visit.get(person.id)
        mine = pending[person.id]
        busy = visit is not None or recorded[person.id] or qr[person.id]
        if not person.active and not busy:
            continue  # someone who left and did nothing in the period: not worth a line
        stats.append(
            VolunteerStats(
                code=person.code,
                name=person.name,
                village=person.village,
                active=person.active,
                visits=visit.visits if visit else 0,
                households_visited=visit.households if visit else 0,
                outcomes=_in_order(recorded[person.id], VISIT_OUTCOMES),
                pending_households=len({s.household_id for s in mine}),
                pending_services=len(mine),
                qr_runs=qr[person.id]["runs"],
                qr_completed=qr[person.id]["completed"],
            )
        )
    return tuple(stats)
