"""The Đề án 06 campaign tally as CSV: per village, received applications, activated accounts,
the target and the percentage reached — the figures a commune sends up ("57.057/63.191, 90,29%").

The district's exact template is not public, so the guides that count and the columns (which,
in what order, under which header) are settings: ``reports.campaign`` in config.yaml
(:class:`bot.config.CampaignSettings`; docs/reports.md lists the columns). The numbers are the
report's own "helped" (people done during visits plus residents who finished alone), so
they match every other rendering of the same report.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

from bot.config import CampaignSettings
from bot.reports.model import Report, VillageFlow, percent
from bot.reports.wording import word

__all__ = ["render_campaign_csv"]


@dataclass(frozen=True, slots=True)
class _Line:
    """One line of the tally; its field names are the column names of the settings."""

    village: str
    applications: int
    accounts: int
    target: int | None
    percent: Decimal | None


def _counted(settings: CampaignSettings) -> str:
    """The flow whose target and percentage the tally shows."""
    if settings.target_of == "accounts":
        return settings.accounts_flow
    return settings.applications_flow


def _village(name: str, rows: Mapping[str, VillageFlow], settings: CampaignSettings) -> _Line:
    """One village's line (``rows``: its progress per flow)."""

    def helped(flow_id: str) -> int:
        row = rows.get(flow_id)
        return row.helped if row is not None else 0

    goal = rows.get(_counted(settings))
    target = goal.target if goal is not None else None
    return _Line(
        village=name,
        applications=helped(settings.applications_flow),
        accounts=helped(settings.accounts_flow),
        target=target,
        percent=percent(helped(_counted(settings)), target),
    )


def _commune(
    report: Report, settings: CampaignSettings, lines: Sequence[_Line], lang: str
) -> _Line:
    """The commune's line: the villages added up; the target and percentage are the report's
    commune totals (only the villages with a target count toward the percentage)."""
    total = next((row for row in report.totals if row.flow_id == _counted(settings)), None)
    return _Line(
        village=word("commune_total", lang),
        applications=sum(line.applications for line in lines),
        accounts=sum(line.accounts for line in lines),
        target=total.target if total is not None else None,
        percent=total.percent if total is not None else None,
    )


def render_campaign_csv(report: Report, settings: CampaignSettings, lang: str = "vi") -> str:
    """The tally as CSV text: the header row from ``settings.columns``, one row per known
    village, then the commune's (when the report is not about one village). Numbers are plain
    (``90.29``); an empty cell is no target."""
    lines = [
        _village(place.village, {row.flow_id: row for row in place.flows}, settings)
        for place in report.villages
        if place.village  # residents of no known village are in no village's tally
    ]
    if report.totals:
        lines.append(_commune(report, settings, lines, lang))
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(settings.columns.values())
    for line in lines:
        values = (getattr(line, column) for column in settings.columns)
        writer.writerow("" if value is None else str(value) for value in values)
    return out.getvalue()
