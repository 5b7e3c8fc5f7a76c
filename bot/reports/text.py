"""Reports as plain text: aligned tables for a terminal, and a short summary for Telegram."""

from __future__ import annotations

import textwrap
import unicodedata
from collections.abc import Sequence

from bot.reports.model import FlowStats, FunnelStep, Report, VillageFlow
from bot.reports.period import local_time
from bot.reports.shown import (
    improve_all_text,
    improve_text,
    run_outcomes_text,
    shown_flows,
    shown_steps,
    shown_volunteers,
    step_text,
    visit_outcomes_text,
    week_text,
)
from bot.reports.tickets import summary_line, text_lines
from bot.reports.timeline import Tally, by_day, by_week
from bot.reports.wording import (
    day,
    duration,
    flow_title,
    integer,
    percent_text,
    period_text,
    village_name,
    word,
)

__all__ = ["SUMMARY_LIMIT", "render_table", "render_text_summary"]

# Telegram allows 4096 characters a message; the rest is room for the bot's own words.
SUMMARY_LIMIT = 3500
_TITLE_WIDTH = 40
_NOTE_WIDTH = 96


def _width(text: str) -> int:
    """Columns a text takes in a terminal (a combining accent takes none)."""
    return sum(0 if unicodedata.combining(ch) else 1 for ch in text)


def _clip(text: str, width: int) -> str:
    text = unicodedata.normalize("NFC", text)
    return text if _width(text) <= width else text[: width - 1].rstrip() + "…"


def _table(
    headers: Sequence[str], rows: Sequence[Sequence[str]], numbers: range | Sequence[int]
) -> list[str]:
    """Columns padded to their widest cell; the ``numbers`` columns align right (so numbers line
    up by their last digit), the others left."""
    cells = [list(headers), *[list(row) for row in rows]]
    widths = [max(_width(row[i]) for row in cells) for i in range(len(headers))]
    lines = []
    for row in cells:
        parts = []
        for i, cell in enumerate(row):
            pad = " " * (widths[i] - _width(cell))
            parts.append(pad + cell if i in numbers else cell + pad)
        lines.append("  ".join(parts).rstrip())
    lines.insert(1, "  ".join("-" * w for w in widths))
    return lines


def _note(text: str) -> list[str]:
    """An explanatory paragraph, wrapped to fit a terminal."""
    return textwrap.wrap(text, _NOTE_WIDTH)


def _heading(text: str) -> list[str]:
    return ["", text.upper(), "=" * _width(text)]


def _header(report: Report, lang: str) -> list[str]:
    period = report.period
    title = word("report", lang) + (f" — {period.commune}" if period.commune else "")
    when = local_time(period.generated_at, period.zone)
    lines = [title, f"{word('period', lang)}: {period_text(period.since, period.until, lang)}"]
    if period.village is not None:
        lines.append(f"{word('village_filter', lang)}: {village_name(period.village, lang)}")
    lines.append(f"{word('generated', lang)}: {day(when.date(), lang)} {when:%H:%M}")
    return lines


def _progress_row(place: str, row: VillageFlow, lang: str) -> list[str]:
    return [
        place,
        _clip(flow_title(row.title, lang), _TITLE_WIDTH),
        integer(row.households, lang),
        integer(row.people, lang),
        integer(row.residents, lang),
        integer(row.helped, lang),
        integer(row.target, lang) if row.target is not None else word("none", lang),
        percent_text(row.percent, lang),
    ]


def _progress(report: Report, lang: str) -> list[str]:
    lines = [*_heading(word("progress", lang)), *_note(word("progress_note", lang)), ""]
    rows = [
        _progress_row(village_name(place.village, lang), row, lang)
        for place in report.villages
        for row in place.flows
    ]
    rows += [_progress_row(word("commune_total", lang), row, lang) for row in report.totals]
    if not rows:
        return [*lines, word("no_progress", lang)]
    headers = ["village", "flow", "households", "people", "residents", "helped", "target"]
    lines += _table([word(h, lang) for h in [*headers, "percent"]], rows, numbers=range(2, 8))
    for row in report.totals:
        if row.outside:
            outside = word("outside", lang, count=integer(row.outside, lang))
            lines.append(
                f"  {word('commune_total', lang)} · {flow_title(row.title, lang)}: {outside}"
            )
    return lines


def _tally_rows(rows: Sequence[tuple[str, Tally]], lang: str) -> list[list[str]]:
    return [
        [when, integer(t.helped, lang), integer(t.started, lang), integer(t.completed, lang)]
        for when, t in rows
        if not t.empty
    ]


def _over_time(report: Report, lang: str) -> list[str]:
    lines = [*_heading(word("over_time", lang)), *_note(word("over_time_note", lang)), ""]
    lines.append(week_text(report, lang))
    numbers = ("helped", "started", "completed")
    for title, first, rows in (
        ("by_day", "day", [(day(d, lang), t) for d, t in by_day(report)]),
        ("by_week", "week", [(day(d, lang), t) for d, t in by_week(report)]),
    ):
        shown = _tally_rows(rows, lang)
        lines += ["", word(title, lang) + ":"]
        headers = [word(first, lang), *(word(n, lang) for n in numbers)]
        lines += _table(headers, shown, numbers=range(1, 4)) if shown else [word("no_days", lang)]
    return lines


def _flows(report: Report, lang: str) -> list[str]:
    lines = [*_heading(word("flows", lang)), *_note(word("flows_note", lang)), ""]
    started, folded = shown_flows(report)
    if not started:
        return [*lines, word("no_flows", lang)]
    headers = ["flow", "started", "in_progress", "completed", "rate", "median", "subflow"]
    rows = [
        [
            _clip(flow_title(f.title, lang), _TITLE_WIDTH),
            integer(f.started, lang),
            integer(f.in_progress, lang),
            integer(f.completed, lang),
            percent_text(f.completion_rate, lang),
            duration(f.median_seconds, lang),
            integer(f.subflow_runs, lang),
        ]
        for f in started
    ]
    lines += _table([word(h, lang) for h in headers], rows, numbers=range(1, 7))
    return lines + ([word("folded_flows", lang, count=folded)] if folded else [])


def _step_rows(steps: Sequence[FunnelStep], lang: str, indent: str = "") -> list[list[str]]:
    rows = []
    for step in steps:
        rows.append(
            [
                indent + _clip(step_text(step, lang), _TITLE_WIDTH),
                integer(step.reached, lang),
                integer(step.left, lang),
                integer(step.help_presses, lang) if step.has_help else "",
            ]
        )
        inner = [s for s in step.inside if not s.empty]
        if inner:
            rows.append([f"{indent}  ↳ {word('inside', lang)}:", "", "", ""])
            rows += _step_rows(inner, lang, indent + "    ")
    return rows


def _funnel(flow: FlowStats, lang: str) -> list[str]:
    lines = ["", flow_title(flow.title, lang)]
    ended = run_outcomes_text(flow.finished, lang) or word("none", lang)
    lines.append(f"  {word('started', lang)}: {integer(flow.started, lang)} — {ended}")
    main, rest, folded = shown_steps(flow)
    rows = [[word("main_path", lang) + ":", "", "", ""], *_step_rows(main, lang, "  ")]
    if rest:
        rows += [[word("branches", lang) + ":", "", "", ""], *_step_rows(rest, lang, "  ")]
    headers = [word(h, lang) for h in ("step", "reached", "left", "help")]
    lines += ["  " + line for line in _table(headers, rows, numbers=range(1, 4))]
    if folded:
        lines.append("  " + word("folded_steps", lang, count=folded))
    if flow.left_before_start:
        lines.append("  " + word("left_before_start", lang, count=flow.left_before_start))
    improve = improve_text(flow, lang)
    if improve is not None:
        lines.append("  → " + improve)
    return lines


def _volunteers(report: Report, lang: str) -> list[str]:
    lines = _heading(word("volunteers", lang))
    busy, idle = shown_volunteers(report)
    folded = [word("idle_volunteers", lang, codes=idle)] if idle else []
    if not busy:
        return [*lines, *(folded or [word("no_volunteers", lang)])]
    headers = ["code", "name", "village", "visits", "households_visited", "pending", "qr"]
    rows = [
        [
            v.code,
            _clip(v.name + ("" if v.active else " " + word("inactive", lang)), 24),
            village_name(v.village, lang),
            integer(v.visits, lang),
            integer(v.households_visited, lang),
            integer(v.pending_households, lang),
            f"{integer(v.qr_completed, lang)}/{integer(v.qr_started, lang)}",
        ]
        for v in busy
    ]
    lines += _table([word(h, lang) for h in headers], rows, numbers=range(3, 7))
    for v in busy:
        if v.outcomes:
            lines.append(f"  {v.code}: {visit_outcomes_text(report, v.outcomes, lang)}")
    return lines + folded


def _improve(report: Report, lang: str) -> list[str]:
    """The one step across all guides that admins should improve first, if any."""
    text = improve_all_text(report, lang)
    return [] if text is None else [text]


def render_table(report: Report, lang: str = "vi") -> str:
    """The whole report as aligned plain text, for a terminal or a text file."""
    lines = _header(report, lang) + _improve(report, lang)
    lines += _progress(report, lang)
    lines += _over_time(report, lang)
    lines += _flows(report, lang)
    lines += [*_heading(word("funnel", lang)), *_note(word("funnel_note", lang))]
    shown, _folded = shown_flows(report)
    for flow in shown:
        lines += _funnel(flow, lang)
    if not shown:
        lines.append(word("no_flows", lang))
    lines += _volunteers(report, lang)
    lines += text_lines(report.tickets, lang, _heading)
    return "\n".join(lines) + "\n"


def _progress_lines(rows: Sequence[tuple[str, VillageFlow]], lang: str) -> list[str]:
    lines = []
    for place, row in rows:
        line = f"• {place} · {flow_title(row.title, lang)}: {integer(row.helped, lang)}"
        if row.target is not None:
            line += f"/{integer(row.target, lang)} ({percent_text(row.percent, lang)})"
        if row.outside:
            line += " — " + word("outside", lang, count=integer(row.outside, lang))
        lines.append(line)
    return lines


def render_text_summary(report: Report, lang: str = "vi") -> str:
    """A short summary for a Telegram message (plain text, under :data:`SUMMARY_LIMIT`).

    The commune totals come first and the village lines last, so a long list of villages is
    what gets cut (with a pointer to the full report), never the headline numbers.
    """
    period = report.period
    lines = ["📊 " + _header(report, lang)[0]]
    lines.append(f"{word('period', lang)}: {period_text(period.since, period.until, lang)}")
    if period.village is not None:
        lines.append(f"{word('village_filter', lang)}: {village_name(period.village, lang)}")
    body: list[str] = []
    if report.totals:
        body += ["", word("progress", lang) + ":"]
        body += _progress_lines([(word("commune_total", lang), r) for r in report.totals], lang)
    body += ["", week_text(report, lang)]
    started, _folded = shown_flows(report)
    body += ["", word("flows", lang) + ":" if started else word("no_flows", lang)]
    for f in started:
        line = word(
            "flow_summary",
            lang,
            title=flow_title(f.title, lang),
            started=integer(f.started, lang),
            completed=integer(f.completed, lang),
            rate=percent_text(f.completion_rate, lang),
        )
        if f.median_seconds is not None:
            line += word("median_summary", lang, median=duration(f.median_seconds, lang))
        body.append("• " + line)
    if report.improve_first is not None:
        body += ["", *_improve(report, lang)]
    if report.volunteers:
        summary = word(
            "volunteer_summary",
            lang,
            count=len(report.volunteers),
            visits=integer(sum(v.visits for v in report.volunteers), lang),
            pending=integer(sum(v.pending_households for v in report.volunteers), lang),
        )
        body += ["", f"{word('volunteers', lang)}: {summary}"]
    if report.tickets.total:
        body += ["", summary_line(report.tickets, lang)]
    villages = [(village_name(p.village, lang), r) for p in report.villages for r in p.flows]
    if villages:
        body += ["", word("progress", lang) + ":", *_progress_lines(villages, lang)]
    text = "\n".join(lines)
    more = "\n" + word("more", lang)
    for line in body:
        if len(text) + 1 + len(line) + len(more) > SUMMARY_LIMIT:
            return text + more
        text += "\n" + line
    return text
