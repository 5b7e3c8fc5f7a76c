"""Turning the database and the loaded flows into a :class:`~bot.reports.model.Report`.

The definitions live here and beside it (docs/reports.md explains them for leaders):

- A run belongs to the period in which it *started*; a volunteer's visit likewise; an outcome
  recorded during a visit belongs to the day it was recorded — days in the commune's time zone.
- Flow counts use root runs only (``parent_flow == ''``): a flow run inside another flow
  (``flow:`` steps, the welcome flow) is part of its caller's run; it is shown once per flow as
  "runs inside another flow", outside every rate, and inside the caller's funnel at its step.
- Residents helped per village and for the commune: :mod:`bot.reports.progress`; the funnel:
  :mod:`bot.reports.funnel`; days and weeks: :mod:`bot.reports.timeline`.
"""

from __future__ import annotations

import statistics
import time
from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from datetime import date

from bot.config import Settings
from bot.flows.compiled import CompiledFlow
from bot.flows.schema import DEFAULT_LANGUAGE, LANGUAGES, Flow
from bot.i18n.catalog import Catalog, load_catalog
from bot.reports.funnel import Inside, build_funnel
from bot.reports.model import (
    FLOW_OUTCOMES,
    PENDING_EXCLUDED,
    VISIT_OUTCOMES,
    FlowStats,
    Period,
    Report,
    VolunteerStats,
)
from bot.reports.period import day_end, day_start
from bot.reports.progress import (
    commune_totals,
    credited_residents,
    done_people,
    name_key,
    title,
    village_progress,
)
from bot.reports.tickets import ticket_stats
from bot.reports.timeline import build_timeline
from bot.storage.base import (
    OpenRun,
    OutcomeCount,
    PersonOutcome,
    ReportQueries,
    RunRow,
    VisitCount,
    VolunteerRow,
)

__all__ = ["ReportSource", "build_report", "outcome_names"]

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
    catalog: Catalog | None = None,
) -> Report:
    """Compute the report for ``since``..``until`` (whole days, both included; None = open).

    ``village`` keeps only that village (its exact name: :func:`bot.reports.villages.
    resolve_village` finds it from what a leader typed): its runs, its progress and its
    volunteers. ``flows`` are the loaded flows (titles, step order, help buttons); runs of a
    flow no longer loaded still count, under the flow's id. ``catalog`` gives the words of the
    volunteers' outcomes (the bot's own; read from ``settings.locales_dir`` when not given).
    """
    zone = settings.zone
    start, end = day_start(since, zone), day_end(until, zone)
    runs = await storage.runs_started(start, end)
    opened = await storage.open_runs(start, end)
    # Every person's outcomes up to the end: who was done in the period, and what still waits.
    persons = await storage.person_outcomes(None, end)
    done = done_people(persons, start)
    people = await storage.volunteer_rows()
    visits = await storage.visit_counts(start, end)
    outcomes = await storage.outcome_counts(start, end)
    requests = await storage.tickets_opened(start, end)

    def here(place: str) -> bool:
        return village is None or place == village

    runs_here = [r for r in runs if here(r.village)]
    opened_here = [o for o in opened if here(o.village)]
    order = _flow_order(flows, runs, opened)
    credits = credited_residents(runs)
    all_villages = village_progress(order, flows, settings.targets, done, credits)
    villages = tuple(v for v in all_villages if here(v.village))
    volunteers = _volunteer_stats(
        [p for p in people if here(p.village)], visits, outcomes, persons, runs, opened
    )
    return Report(
        period=Period(
            since=since,
            until=until,
            village=village,
            generated_at=time.time() if now is None else now,
            commune=settings.commune.name,
            zone=zone,
        ),
        flows=_flow_stats(order, flows, runs_here, opened_here),
        villages=villages,
        totals=() if village is not None else commune_totals(order, flows, villages),
        volunteers=volunteers,
        timeline=build_timeline(zone, done, credits, runs_here, opened_here, here),
        outcome_names=outcome_names(
            catalog or load_catalog(settings.locales_dir)[0],
            {o.outcome for o in outcomes} | {p.outcome for p in persons},
        ),
        tickets=ticket_stats(requests, flows, village),
    )


def outcome_names(catalog: Catalog | None, recorded: set[str]) -> dict[str, dict[str, str]]:
    """language -> outcome code -> the words of the volunteer's button for it ("✅ Đã xong"):
    one vocabulary for the bot and its reports. A code with no words keeps its code."""
    codes = [*VISIT_OUTCOMES, *sorted(recorded - set(VISIT_OUTCOMES))]
    names: dict[str, dict[str, str]] = {}
    for lang in LANGUAGES:
        names[lang] = {}
        for code in codes:
            key = f"staff.outcome_{code}"
            text = catalog.text(key, lang) if catalog is not None else key
            names[lang][code] = code if text == key else text
    return names


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


def _inside_runs(
    flow: Flow, roots: Sequence[RunRow], runs: Sequence[RunRow]
) -> dict[str, list[RunRow]]:
    """Step id of ``flow`` -> the runs of the guide that step ran, one per root run passing it.

    A sub-flow's run names its caller's flow, not the run: it is matched to the root run of the
    same resident it started during, and to that run's steps of the guide in order (a flow may
    run one guide from two steps). A run whose caller is still going is not matched.
    """
    callers = {step_id: step.flow for step_id, step in flow.steps.items() if step.flow}
    if not callers:
        return {}
    mine: dict[str, list[RunRow]] = defaultdict(list)
    for run in runs:
        if run.parent_flow == flow.id:
            mine[run.user_ref].append(run)
    found: dict[str, list[RunRow]] = defaultdict(list)
    for root in roots:
        during = [
            r for r in mine[root.user_ref] if root.started_at <= r.started_at <= root.ended_at
        ]
        for step_id in (s for s in root.path if s in callers):
            match = next((r for r in during if r.flow_id == callers[step_id]), None)
            if match is not None:
                during.remove(match)
                found[step_id].append(match)
    return found


def _inside(
    flow: Flow | None,
    flows: Mapping[str, CompiledFlow],
    roots: Sequence[RunRow],
    runs: Sequence[RunRow],
) -> dict[str, Inside]:
    if flow is None:
        return {}
    inside = {}
    for step_id, called in _inside_runs(flow, roots, runs).items():
        guide = flows.get(called[0].flow_id)
        inside[step_id] = Inside(
            flow=guide.flow if guide is not None else None,
            paths=[r.path for r in called],
            left_paths=[r.path for r in called if r.outcome == "abandoned"],
        )
    return inside


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

    def guide_title(flow_id: str, lang: str) -> str:
        names = title(flows, flow_id)
        return names.get(lang) or names.get(DEFAULT_LANGUAGE) or flow_id

    stats: list[FlowStats] = []
    for flow_id in order:
        finished = roots[flow_id]
        counts = Counter(run.outcome for run in finished)
        durations = [r.ended_at - r.started_at for r in finished if r.outcome == "completed"]
        compiled = flows.get(flow_id)
        flow = compiled.flow if compiled is not None else None
        funnel, before_start, worst = build_funnel(
            flow,
            [r.path for r in finished] + [o.path for o in going[flow_id]],
            [r.path for r in finished if r.outcome == "abandoned"],
            inside=_inside(flow, flows, finished, runs),
            guide_title=guide_title,
        )
        stats.append(
            FlowStats(
                flow_id=flow_id,
                title=title(flows, flow_id),
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


def _poster_runs(runs: Sequence[RunRow], opened: Sequence[OpenRun]) -> dict[int, Counter[str]]:
    """Volunteer id -> runs opened from their poster ("started": finished or still going) and
    how many of them completed."""
    qr: dict[int, Counter[str]] = defaultdict(Counter)
    for run in runs:
        if run.mode == "referred" and not run.parent_flow and run.volunteer_id is not None:
            qr[run.volunteer_id]["started"] += 1
            qr[run.volunteer_id]["completed"] += run.outcome == "completed"
    for going in opened:
        if going.mode == "referred" and going.volunteer_id is not None:
            qr[going.volunteer_id]["started"] += 1
    return qr


def _volunteer_stats(
    people: Sequence[VolunteerRow],
    visits: Sequence[VisitCount],
    outcomes: Sequence[OutcomeCount],
    persons: Sequence[PersonOutcome],
    runs: Sequence[RunRow],
    opened: Sequence[OpenRun],
) -> tuple[VolunteerStats, ...]:
    by_visit = {v.volunteer_id: v for v in visits}
    recorded: dict[int, Counter[str]] = defaultdict(Counter)
    for item in outcomes:
        recorded[item.volunteer_id][item.outcome] += item.count
    # Each person's latest outcome per service (oldest first, so the last one stays): in a
    # household of four, one done does not settle the three others.
    latest = {(p.household_id, p.member, p.flow_id): p for p in persons}
    pending: dict[int, list[PersonOutcome]] = defaultdict(list)
    for waiting in latest.values():
        if waiting.outcome not in PENDING_EXCLUDED:
            pending[waiting.volunteer_id].append(waiting)
    qr = _poster_runs(runs, opened)
    stats: list[VolunteerStats] = []
    for person in sorted(people, key=lambda p: (name_key(p.village), p.code)):
        visit = by_visit.get(person.id)
        mine = pending[person.id]  # (person, service) pairs still waiting
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
                qr_started=qr[person.id]["started"],
                qr_completed=qr[person.id]["completed"],
            )
        )
    return tuple(stats)
