"""Residents helped per village and for the commune, against the leaders' targets.

- "Helped" in a village = the people (accounts) of its households a volunteer recorded as 'done'
  for the flow there, plus distinct residents who completed the flow on their own — from a
  volunteer's QR poster (village of that volunteer) or with no volunteer at all (village
  unknown). Each person and each resident counts once per flow, however many times they did it;
  a household of four with one of them done is one account helped.
- The commune's percentage for a flow counts only the villages that have a target for it: 10
  helped in the one village with a target of 40 is 25%, whatever other villages did (they are
  shown beside it, as "outside the targets"). The unknown village is never in the commune.
"""

from __future__ import annotations

import unicodedata
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from bot.flows.compiled import CompiledFlow
from bot.flows.schema import DEFAULT_LANGUAGE
from bot.reports.model import VillageFlow, VillageProgress
from bot.storage.base import PersonOutcome, RunRow

__all__ = [
    "Credit",
    "DonePerson",
    "commune_totals",
    "credited_residents",
    "done_people",
    "name_key",
    "title",
    "village_progress",
]

# Runs a resident did alone (from a poster or not). Assisted runs are credited through the
# volunteer's recorded outcome instead, so a household is never counted for both.
_RESIDENT_MODES = frozenset({"self", "referred"})


@dataclass(frozen=True, slots=True)
class Credit:
    """Where a resident's completed flow is counted, and when (the run that earned it started)."""

    village: str
    at: float


@dataclass(frozen=True, slots=True)
class DonePerson:
    """A household's person recorded as done for a flow: when first, and in which village."""

    flow_id: str
    household_id: int
    village: str
    at: float


def done_people(outcomes: Sequence[PersonOutcome], start: float | None) -> list[DonePerson]:
    """Each (flow, person) first recorded 'done' at or after ``start``, once (``outcomes`` oldest
    first): a person helped again on another visit is still one account."""
    first: dict[tuple[str, int, int], DonePerson] = {}
    for row in outcomes:
        key = (row.flow_id, row.household_id, row.member)
        if row.outcome == "done" and key not in first and (start is None or row.at >= start):
            first[key] = DonePerson(row.flow_id, row.household_id, row.village, row.at)
    return list(first.values())


def name_key(name: str) -> tuple[str, str]:
    """Sort Vietnamese names as a reader expects: "Thôn Đông" between D and E, not after Z."""
    bare = "".join(ch for ch in unicodedata.normalize("NFD", name) if not unicodedata.combining(ch))
    return bare.replace("đ", "d").replace("Đ", "D").casefold(), name


def title(flows: Mapping[str, CompiledFlow], flow_id: str) -> dict[str, str]:
    """A flow's title in every language it has (its id when the flow is no longer loaded)."""
    flow = flows.get(flow_id)
    return dict(flow.flow.title.texts) if flow is not None else {DEFAULT_LANGUAGE: flow_id}


def credited_residents(runs: Sequence[RunRow]) -> dict[tuple[str, str], Credit]:
    """(flow, resident) -> the village credited for it: each resident once per flow.

    A resident who finished a flow several times counts once. If any of those runs came from a
    volunteer's poster, the earliest such village gets the credit; otherwise the unknown
    village ("") does. Runs are already oldest first.
    """
    credit: dict[tuple[str, str], Credit] = {}
    for run in runs:
        if run.parent_flow or run.outcome != "completed" or run.mode not in _RESIDENT_MODES:
            continue
        key = (run.flow_id, run.user_ref)
        place = run.village if run.mode == "referred" else ""
        if key not in credit or (not credit[key].village and place):
            credit[key] = Credit(place, run.started_at)
    return credit


def village_progress(
    order: Sequence[str],
    flows: Mapping[str, CompiledFlow],
    targets: Mapping[str, Mapping[str, int]],
    done: Sequence[DonePerson],
    credits: Mapping[tuple[str, str], Credit],
) -> tuple[VillageProgress, ...]:
    """Every village with a target or someone helped: known villages by name, unknown last."""
    people: Counter[tuple[str, str]] = Counter((d.village, d.flow_id) for d in done)
    homes = {(d.village, d.flow_id, d.household_id) for d in done}
    households: Counter[tuple[str, str]] = Counter((v, f) for v, f, _ in homes)
    residents: Counter[tuple[str, str]] = Counter(
        (credit.village, flow_id) for (flow_id, _user), credit in credits.items()
    )
    names = set(targets) | {v for v, _ in households} | {v for v, _ in residents}
    ordered = sorted((name for name in names if name), key=name_key)
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
                title=title(flows, flow_id),
                households=households[(name, flow_id)],
                people=people[(name, flow_id)],
                residents=residents[(name, flow_id)],
                target=goals.get(flow_id),
            )
            for flow_id in sorted(flow_ids, key=lambda f: (rank.get(f, len(rank)), f))
        )
        progress.append(VillageProgress(village=name, flows=rows))
    return tuple(progress)


def commune_totals(
    order: Sequence[str],
    flows: Mapping[str, CompiledFlow],
    villages: Sequence[VillageProgress],
) -> tuple[VillageFlow, ...]:
    """The commune, one row per flow: the villages with a target for it added up against the
    sum of their targets, the others' helped residents apart (``outside``). A flow no village
    has a target for adds up every known village, with no target."""
    rows: dict[str, list[VillageFlow]] = {}
    for place in villages:
        if place.village:  # a resident who used the bot alone may not live in the commune
            for row in place.flows:
                rows.setdefault(row.flow_id, []).append(row)
    rank = {flow_id: i for i, flow_id in enumerate(order)}
    totals = []
    for flow_id in sorted(rows, key=lambda f: (rank.get(f, len(rank)), f)):
        targeted = [row for row in rows[flow_id] if row.target is not None]
        counted = targeted or rows[flow_id]
        totals.append(
            VillageFlow(
                flow_id=flow_id,
                title=title(flows, flow_id),
                households=sum(row.households for row in counted),
                people=sum(row.people for row in counted),
                residents=sum(row.residents for row in counted),
                target=sum(row.target or 0 for row in targeted) if targeted else None,
                outside=sum(row.helped for row in rows[flow_id] if row.target is None)
                if targeted
                else 0,
            )
        )
    return tuple(totals)
