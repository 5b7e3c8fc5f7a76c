"""What every human-readable rendering shows the same way (the table, HTML, the summary).

All-zero rows are folded away here — a funnel step nobody reached, a guide nobody started, a
day with nothing — and what was folded is counted, so a leader knows it is not missing. The
CSV keeps every row: a spreadsheet wants its zeros.
"""

from __future__ import annotations

from collections.abc import Mapping

from bot.reports.model import FlowStats, FunnelStep, Report, VolunteerStats
from bot.reports.timeline import week_against_last
from bot.reports.wording import day, flow_title, integer, run_outcome, visit_outcome, word

__all__ = [
    "improve_all_text",
    "improve_text",
    "run_outcomes_text",
    "shown_flows",
    "shown_steps",
    "shown_volunteers",
    "step_text",
    "visit_outcomes_text",
    "week_text",
]


def step_text(step: FunnelStep, lang: str) -> str:
    """A step as a leader reads it: its first words (never its id)."""
    return step.label.get(lang) or step.label.get("vi") or next(iter(step.label.values()), "…")


def shown_steps(flow: FlowStats) -> tuple[list[FunnelStep], list[FunnelStep], int]:
    """The main path's steps, the other steps, and how many steps were folded (all zero)."""
    main = [s for s in flow.funnel if s.main and not s.empty]
    rest = [s for s in flow.funnel if not s.main and not s.empty]
    return main, rest, sum(s.empty for s in flow.funnel)


def shown_flows(report: Report) -> tuple[list[FlowStats], int]:
    """The guides someone started in the period, and how many others were folded."""
    started = [f for f in report.flows if f.started]
    return started, len(report.flows) - len(started)


def shown_volunteers(report: Report) -> tuple[list[VolunteerStats], str]:
    """The volunteers with anything in the period (or still pending), and the codes of the
    others, folded into one line ("K7M2QX Lan, ...")."""
    busy: list[VolunteerStats] = []
    idle: list[VolunteerStats] = []
    for v in report.volunteers:
        counts = (v.visits, v.pending_households, v.qr_started, sum(v.outcomes.values()))
        (busy if any(counts) else idle).append(v)
    return busy, ", ".join(f"{v.code} {v.name}".strip() for v in idle)


def improve_text(flow: FlowStats, lang: str) -> str | None:
    """ "Improve first: step "…" (2 left, 2 "it didn't work")", or None."""
    worst = flow.step(flow.improve_first) if flow.improve_first else None
    if worst is None:
        return None
    return word(
        "improve", lang, step=step_text(worst, lang), left=worst.left, help=worst.help_presses
    )


def improve_all_text(report: Report, lang: str) -> str | None:
    """The one step across all guides that admins should improve first, or None."""
    if report.improve_first is None:
        return None
    flow, step = report.improve_first
    return word("improve_all", lang, flow=flow_title(flow.title, lang), step=step_text(step, lang))


def run_outcomes_text(counts: Mapping[str, int], lang: str) -> str:
    """ "xong 5, bỏ dở 3": how runs ended, zeros left out."""
    return ", ".join(f"{run_outcome(k, lang)} {integer(n, lang)}" for k, n in counts.items() if n)


def visit_outcomes_text(report: Report, counts: Mapping[str, int], lang: str) -> str:
    """ "✅ Đã xong 2, 🔁 Quay lại sau 2": what a volunteer recorded, in the bot's own words."""
    names = report.outcome_names
    return ", ".join(
        f"{visit_outcome(names, k, lang)} {integer(n, lang)}" for k, n in counts.items() if n
    )


def week_text(report: Report, lang: str) -> str:
    """This week against the last: helped, started, completed."""
    monday, this, last = week_against_last(report)
    return word(
        "week_against_last",
        lang,
        day=day(monday, lang),
        helped=integer(this.helped, lang),
        started=integer(this.started, lang),
        completed=integer(this.completed, lang),
        helped_before=integer(last.helped, lang),
        started_before=integer(last.started, lang),
        completed_before=integer(last.completed, lang),
    )
