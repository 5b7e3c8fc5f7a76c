"""A report as one CSV file in "long" form: one number per row, a ``section`` column saying which
part of the report it belongs to. Long form keeps one file and one header whatever the report
holds, and a spreadsheet's pivot table turns it into any table a leader wants.

Columns (docs/reports.md lists every section and metric): section, flow_id, flow_title, village,
volunteer, step, step_title, day, metric, value. Values are plain machine numbers (``90.29``,
``57057``); ``metric`` names are English and stable, titles and village names follow ``--lang``.
Unlike the other renderings, nothing is folded away: a spreadsheet wants its zeros.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator

from bot.reports.model import FlowStats, FunnelStep, Report, VillageFlow
from bot.reports.period import local_time
from bot.reports.shown import step_text
from bot.reports.tickets import csv_rows
from bot.reports.wording import flow_title, village_name, word

__all__ = ["CSV_COLUMNS", "render_csv"]

CSV_COLUMNS = (
    "section",
    "flow_id",
    "flow_title",
    "village",
    "volunteer",
    "step",
    "step_title",
    "day",
    "metric",
    "value",
)

_Row = tuple[str, str, str, str, str, str, str, str, str, str]


def _number(value: object) -> str:
    return "" if value is None else str(value)


def _period_rows(report: Report) -> Iterator[_Row]:
    period = report.period
    generated = local_time(period.generated_at, period.zone).isoformat(timespec="seconds")
    for metric, value in (
        ("since", period.since.isoformat() if period.since else ""),
        ("until", period.until.isoformat() if period.until else ""),
        ("village", period.village if period.village is not None else ""),
        ("commune", period.commune),
        ("generated_at", generated),
        ("timezone", str(period.zone)),
    ):
        yield ("period", "", "", "", "", "", "", "", metric, value)


def _flow_rows(flow: FlowStats, lang: str) -> Iterator[_Row]:
    title = flow_title(flow.title, lang)
    metrics: list[tuple[str, object]] = [
        ("started", flow.started),
        ("in_progress", flow.in_progress),
        *((f"outcome_{name}", n) for name, n in flow.finished.items()),
        ("completion_rate_percent", flow.completion_rate),
        ("median_seconds_completed", flow.median_seconds),
        ("subflow_runs", flow.subflow_runs),
        ("left_before_start", flow.left_before_start),
    ]
    for metric, value in metrics:
        yield ("flow", flow.flow_id, title, "", "", "", "", "", metric, _number(value))
    for step in flow.funnel:
        section = "funnel" if step.main else "branch"
        yield from _step_rows(section, flow.flow_id, title, step.step_id, step, lang)
        for inner in step.inside:
            where = f"{step.step_id}.{inner.step_id}"
            yield from _step_rows("inside", flow.flow_id, title, where, inner, lang)
    worst = flow.step(flow.improve_first) if flow.improve_first else None
    if worst is not None:
        named = step_text(worst, lang)
        yield (
            "improve",
            flow.flow_id,
            title,
            "",
            "",
            worst.step_id,
            named,
            "",
            "trouble",
            str(worst.trouble),
        )


def _step_rows(
    section: str, flow_id: str, title: str, where: str, step: FunnelStep, lang: str
) -> Iterator[_Row]:
    named = step_text(step, lang)
    for metric, count in (
        ("reached", step.reached),
        ("left", step.left),
        ("help_presses", step.help_presses),
    ):
        yield (section, flow_id, title, "", "", where, named, "", metric, str(count))


def _progress_rows(section: str, place: str, row: VillageFlow, lang: str) -> Iterator[_Row]:
    for metric, value in (
        ("households", row.households),
        ("people", row.people),
        ("residents", row.residents),
        ("helped", row.helped),
        ("target", row.target),
        ("percent", row.percent),
        *((("outside_targets", row.outside),) if section == "commune" else ()),
    ):
        yield (
            section,
            row.flow_id,
            flow_title(row.title, lang),
            place,
            "",
            "",
            "",
            "",
            metric,
            _number(value),
        )


def render_csv(report: Report, lang: str = "vi") -> str:
    """The report as CSV text (header first); see the module docstring for the columns."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    writer.writerows(_period_rows(report))
    for place in report.villages:
        for row in place.flows:
            writer.writerows(
                _progress_rows("village", village_name(place.village, lang), row, lang)
            )
    for row in report.totals:
        writer.writerows(_progress_rows("commune", word("commune_total", lang), row, lang))
    for flow in report.flows:
        writer.writerows(_flow_rows(flow, lang))
    titles = {flow.flow_id: flow_title(flow.title, lang) for flow in report.flows}
    for when in report.timeline:
        name = titles.get(when.flow_id, when.flow_id)
        for metric, count in (
            ("helped", when.helped),
            ("started", when.started),
            ("completed", when.completed),
        ):
            writer.writerow(
                (
                    "day",
                    when.flow_id,
                    name,
                    "",
                    "",
                    "",
                    "",
                    when.day.isoformat(),
                    metric,
                    str(count),
                )
            )
    for v in report.volunteers:
        counts: list[tuple[str, object]] = [
            ("active", int(v.active)),
            ("visits", v.visits),
            ("households_visited", v.households_visited),
            *((f"outcome_{name}", n) for name, n in v.outcomes.items()),
            ("pending_households", v.pending_households),
            ("pending_services", v.pending_services),
            ("qr_started", v.qr_started),
            ("qr_completed", v.qr_completed),
        ]
        for metric, value in [("name", v.name), *counts]:
            writer.writerow(
                ("volunteer", "", "", v.village, v.code, "", "", "", metric, _number(value))
            )
    writer.writerows(csv_rows(report.tickets, lang))
    return out.getvalue()
