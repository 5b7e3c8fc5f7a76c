"""A generated commune: four villages, households of one to four people, a few hundred guide runs
over three weeks — and the tallies a leader would work out by hand from the same records.

The tallies (:class:`Tallies`) are counted here plainly from the generated lists, one rule at a
time, never by the report's code, so a report that disagrees with them is the report's mistake.
The records go into a database through tests/reports/seed.py's :func:`fill`.
"""

from __future__ import annotations

import random
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from tests.reports.seed import FULL, Commune, at, session_state

VN = timezone(timedelta(hours=7))
VILLAGES = ("Thôn Đông", "Thôn Tây", "Thôn Bắc", "Xóm Mới")
# Thôn Bắc has no target; only Thôn Đông and Xóm Mới have one for demo_pay.
TARGETS = {
    "Thôn Đông": {"demo_install": 60, "demo_pay": 40},
    "Thôn Tây": {"demo_install": 1250},
    "Xóm Mới": {"demo_pay": 30},
}
FIRST_DAY = date(2026, 1, 26)  # a Monday; three weeks to Sunday 15 February
DAYS = 21
NOW = at(2, 15, 20)
FLOWS = ("demo_install", "demo_pay")
# What a volunteer records, more often 'done' (a person may get two outcomes on two visits).
OUTCOMES = ("done", "done", "done", "later", "police", "no_smartphone", "waiting_sms", "declined")
PATHS = {
    ("demo_install", "completed"): FULL,
    ("demo_install", "abandoned"): ["phone", "store"],
    ("demo_install", "referred"): ["phone", "no_phone"],
    ("demo_pay", "completed"): ["ask", "done"],
    ("demo_pay", "abandoned"): ["ask"],
}


def _moment(rng: random.Random) -> float:
    """Any minute of the three weeks, night included (so some fall on another day in UTC)."""
    day = FIRST_DAY + timedelta(days=rng.randrange(DAYS))
    return at(day.month, day.day, rng.randrange(24), rng.randrange(60))


def _day(epoch: float) -> date:
    return datetime.fromtimestamp(epoch, VN).date()


def percent(part: int, whole: int) -> Decimal:
    """Two decimals, half up, as a leader rounds by hand."""
    return (Decimal(part) * 100 / whole).quantize(Decimal("0.01"), ROUND_HALF_UP)


@dataclass
class Tallies:
    """What the report must say, counted from the records."""

    helped: dict[tuple[str, str], int] = field(default_factory=lambda: defaultdict(int))
    people: dict[tuple[str, str], int] = field(default_factory=lambda: defaultdict(int))
    alone: dict[tuple[str, str], int] = field(default_factory=lambda: defaultdict(int))
    qr: dict[str, tuple[int, int]] = field(default_factory=dict)  # code -> (opened, completed)
    days: dict[tuple[date, str], int] = field(default_factory=lambda: defaultdict(int))

    def commune(self, flow_id: str) -> tuple[int, int, Decimal]:
        """Helped in the villages with a target for ``flow_id``, their targets, the percentage."""
        with_target = [v for v in VILLAGES if flow_id in TARGETS.get(v, {})]
        helped = sum(self.helped[(v, flow_id)] for v in with_target)
        target = sum(TARGETS[v][flow_id] for v in with_target)
        return helped, target, percent(helped, target)


def generate(seed: int = 2026) -> tuple[Commune, Tallies]:
    """The commune's records, and their tallies."""
    rng = random.Random(seed)
    tallies = Tallies()
    volunteers = [(i + 1, f"VOL{i + 1}AA", f"Người {i + 1}", v, 1) for i, v in enumerate(VILLAGES)]
    village_of = {vid: village for vid, _code, _name, village, _active in volunteers}
    households: list[tuple[Any, ...]] = []
    visits: list[tuple[Any, ...]] = []
    outcomes: list[tuple[Any, ...]] = []
    first_done: dict[tuple[int, int, str], float] = {}
    for vid, _code, _name, village, _active in volunteers:
        for _ in range(15):
            home = len(households) + 1
            households.append((home, vid, village, f"Hộ {home}"))
            for member in range(1, rng.randint(1, 4) + 1):
                for flow_id in FLOWS:
                    for _ in range(rng.choice((0, 1, 1, 2))):
                        when = _moment(rng)
                        visits.append((len(visits) + 1, vid, home, village, when - 600))
                        outcome = rng.choice(OUTCOMES)
                        outcomes.append(
                            (len(visits), home, vid, village, flow_id, outcome, when, member)
                        )
                        key = (home, member, flow_id)
                        if outcome == "done" and (key not in first_done or when < first_done[key]):
                            first_done[key] = when
    for (home, _member, flow_id), when in first_done.items():
        village = households[home - 1][2]
        tallies.people[(village, flow_id)] += 1
        tallies.days[(_day(when), flow_id)] += 1
    runs: list[tuple[Any, ...]] = []
    credit: dict[tuple[str, str], tuple[str, float]] = {}
    opened = {code: [0, 0] for _vid, code, *_ in volunteers}
    for n in range(240):
        user = f"r{n}"
        for _ in range(rng.choice((1, 1, 2))):
            flow_id = rng.choice(FLOWS)
            outcome = rng.choice(("completed", "completed", "completed", "abandoned", "referred"))
            if (flow_id, outcome) not in PATHS:
                outcome = "completed"
            vid = rng.choice([None, None, None, *village_of])
            mode = "self" if vid is None else "referred"
            # Half the poster runs carry their village, half leave it to the volunteer's.
            place = village_of[vid] if vid is not None and rng.random() < 0.5 else ""
            start = _moment(rng)
            runs.append(
                (
                    user,
                    flow_id,
                    mode,
                    vid,
                    place,
                    outcome,
                    start,
                    120,
                    PATHS[(flow_id, outcome)],
                    "",
                )
            )
            if vid is not None:
                opened[volunteers[vid - 1][1]][0] += 1
                opened[volunteers[vid - 1][1]][1] += outcome == "completed"
    for row in sorted(runs, key=lambda r: r[6]):  # oldest first: the earliest poster run wins
        user, flow_id, mode, vid, _place, outcome, start = row[:7]
        if outcome != "completed":
            continue
        village = village_of[vid] if vid is not None else ""
        known = credit.get((user, flow_id))
        if known is None or (not known[0] and village):
            credit[(user, flow_id)] = (village, start)
    for (_user, flow_id), (village, start) in credit.items():
        tallies.alone[(village, flow_id)] += 1
        tallies.days[(_day(start), flow_id)] += 1
    sessions = []
    for n in range(30):
        vid = rng.choice([None, *village_of])
        credited = {} if vid is None else {"mode": "referred", "volunteer_id": vid}
        frame = {
            "flow": "demo_install",
            "v": 1,
            "step": "store",
            "t0": _moment(rng),
            "path": ["phone", "store"],
            "credit": credited,
        }
        sessions.append((f"s{n}", session_state([frame], NOW), NOW))
        if vid is not None:
            opened[volunteers[vid - 1][1]][0] += 1
    for key in set(tallies.people) | set(tallies.alone):
        tallies.helped[key] = tallies.people[key] + tallies.alone[key]
    tallies.qr = {code: (o, c) for code, (o, c) in opened.items()}
    commune = Commune(volunteers, households, visits, outcomes, runs, sessions)
    return commune, tallies
