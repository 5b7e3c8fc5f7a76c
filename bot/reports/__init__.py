"""Leaders' reports: residents helped per village against targets, flows, funnels, volunteers.

Build a :class:`Report` from the database once, then render it as a terminal table, CSV, one
self-contained HTML page, a short Telegram message, or the Đề án 06 tally (docs/reports.md
explains every number)::

    report = await build_report(storage, engine.flows, settings, since, until, village)
    text = render_text_summary(report, "vi")
"""

from bot.reports.build import ReportSource, build_report
from bot.reports.campaign import render_campaign_csv
from bot.reports.csv_out import CSV_COLUMNS, render_csv
from bot.reports.html import render_html
from bot.reports.model import (
    DayCount,
    FlowStats,
    FunnelStep,
    Period,
    Report,
    VillageFlow,
    VillageProgress,
    VolunteerStats,
)
from bot.reports.text import SUMMARY_LIMIT, render_table, render_text_summary
from bot.reports.villages import known_villages, resolve_village

__all__ = [
    "CSV_COLUMNS",
    "SUMMARY_LIMIT",
    "DayCount",
    "FlowStats",
    "FunnelStep",
    "Period",
    "Report",
    "ReportSource",
    "VillageFlow",
    "VillageProgress",
    "VolunteerStats",
    "build_report",
    "known_villages",
    "render_campaign_csv",
    "render_csv",
    "render_html",
    "render_table",
    "render_text_summary",
    "resolve_village",
]
