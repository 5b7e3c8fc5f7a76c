"""A report as one self-contained HTML page: opens offline, reads well on a phone, prints.

Everything is inline — CSS, and bars drawn with CSS widths — and only the phone's own fonts are
used, so the file can be sent on Zalo or Telegram and opened anywhere without a network.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from html import escape

from bot.reports.model import FlowStats, FunnelStep, Report, VillageFlow, VolunteerStats
from bot.reports.period import local_time
from bot.reports.shown import (
    improve_all_text,
    improve_text,
    shown_flows,
    shown_steps,
    shown_volunteers,
    step_text,
    week_text,
)
from bot.reports.tickets import html_section
from bot.reports.timeline import Tally, by_day, by_week
from bot.reports.wording import (
    day,
    duration,
    flow_title,
    integer,
    percent_text,
    period_text,
    run_outcome,
    village_name,
    visit_outcome,
    word,
)

__all__ = ["REPORT_CSS", "render_html", "render_sections"]

_CSS = """
:root { color-scheme: light; }
* { box-sizing: border-box; }
body { margin: 0; background: #f4f5f7; color: #1b1b1b; font-size: 18px; line-height: 1.45;
  font-family: system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", "DejaVu Sans",
  Arial, sans-serif; -webkit-text-size-adjust: 100%; }
main { max-width: 920px; margin: 0 auto; padding: 14px; }
h1 { font-size: 1.55em; line-height: 1.2; margin: .3em 0 .2em; }
h2 { font-size: 1.3em; margin: 1.3em 0 .3em; padding-bottom: .15em;
  border-bottom: 4px solid #c8102e; }
h3 { font-size: 1.1em; margin: 0 0 .4em; }
.meta, .note { color: #4a4a4a; font-size: .9em; margin: .2em 0; }
.card { background: #fff; border-radius: 12px; padding: 14px 16px; margin: 12px 0;
  box-shadow: 0 1px 3px rgba(0, 0, 0, .15); }
.item { margin: 12px 0; }
.item .label { font-weight: 600; }
.line { display: flex; flex-wrap: wrap; justify-content: space-between; gap: 4px 12px; }
.big { font-size: 1.25em; font-weight: 700; font-variant-numeric: tabular-nums; }
.bar { height: 22px; background: #e3e6ea; border-radius: 11px; overflow: hidden; margin: 4px 0; }
.bar > span { display: block; height: 100%; background: #1e7b3c; border-radius: 11px; }
.bar.low > span { background: #c2410c; }
.bar.mid > span { background: #b58105; }
.bar.steps > span { background: #2563eb; }
.stats { display: grid; grid-template-columns: repeat(auto-fit, minmax(130px, 1fr)); gap: 8px;
  margin: 8px 0; }
.stat { background: #f4f5f7; border-radius: 8px; padding: 6px 10px; }
.stat b { display: block; font-size: 1.3em; font-variant-numeric: tabular-nums; }
.step { margin: 10px 0; padding: 6px 8px; border-radius: 8px; }
.step.worst { background: #fff4e5; outline: 3px solid #d97706; }
.step .say { font-weight: 600; }
.inside { margin: 6px 0 0 14px; padding-left: 10px; border-left: 4px solid #c7d2fe; }
.inside .step { margin: 6px 0; padding: 2px 4px; }
h4 { font-size: 1em; margin: 14px 0 4px; color: #374151; }
.tags span { display: inline-block; margin: 2px 6px 2px 0; padding: 1px 8px; border-radius: 10px;
  background: #eef0f3; font-size: .9em; }
.tags .left { background: #fde2e1; }
.tags .help { background: #fdf0c8; }
.improve { font-weight: 700; color: #9a3412; }
@media (min-width: 720px) { body { font-size: 19px; } }
@media print { body { background: #fff; } .card { box-shadow: none; border: 1px solid #bbb; }
  .card, .step { break-inside: avoid; } }
"""


# The same look for the web console's numbers page (served as its own stylesheet there).
REPORT_CSS = _CSS


def _bar(share: Decimal | float | None, kind: str = "") -> str:
    """A bar filled to ``share`` percent (capped at 100: over target is a full bar)."""
    width = 0.0 if share is None else max(0.0, min(100.0, float(share)))
    css = f"bar {kind}".strip()
    # data-share: the web console sets the width from it (its strict CSP refuses style="...").
    return (
        f'<div class="{css}" role="presentation" data-share="{width:.2f}">'
        f'<span style="width:{width:.2f}%"></span></div>'
    )


def _progress_kind(value: Decimal | None) -> str:
    if value is None or value >= 80:
        return ""
    return "mid" if value >= 50 else "low"


def _progress_item(row: VillageFlow, lang: str) -> str:
    title = escape(flow_title(row.title, lang))
    helped = integer(row.helped, lang)
    if row.target is not None:
        amount = f"{helped} / {integer(row.target, lang)} · {percent_text(row.percent, lang)}"
    else:
        amount = helped
    split = (
        f"{word('households', lang)} {integer(row.households, lang)} · "
        f"{word('people', lang)} {integer(row.people, lang)} · "
        f"{word('residents', lang)} {integer(row.residents, lang)}"
    )
    if row.outside:
        split += " · " + word("outside", lang, count=integer(row.outside, lang))
    bar = _bar(row.percent, _progress_kind(row.percent)) if row.target is not None else ""
    return (
        f'<div class="item"><div class="line"><span class="label">{title}</span>'
        f'<span class="big">{escape(amount)}</span></div>{bar}'
        f'<div class="note">{escape(split)}</div></div>'
    )


def _progress(report: Report, lang: str) -> list[str]:
    parts = [f"<h2>{escape(word('progress', lang))}</h2>"]
    parts.append(f'<p class="note">{escape(word("progress_note", lang))}</p>')
    groups = [(word("commune_total", lang), report.totals)] if report.totals else []
    groups += [(village_name(p.village, lang), p.flows) for p in report.villages]
    if not any(rows for _, rows in groups):
        return [*parts, f'<p class="card">{escape(word("no_progress", lang))}</p>']
    for name, rows in groups:
        if rows:
            items = "".join(_progress_item(row, lang) for row in rows)
            parts.append(f'<section class="card"><h3>{escape(name)}</h3>{items}</section>')
    return parts


def _tally_items(rows: Sequence[tuple[date, Tally]], lang: str) -> str:
    """Days or weeks with anything in them, each a bar of residents helped (against the most)."""
    shown = [(when, t) for when, t in rows if not t.empty]
    if not shown:
        return f'<p class="note">{escape(word("no_days", lang))}</p>'
    top = max(t.helped for _, t in shown) or 1
    items = []
    for when, t in shown:
        numbers = (
            f"{word('helped', lang)} {integer(t.helped, lang)} · "
            f"{word('started', lang)} {integer(t.started, lang)} · "
            f"{word('completed', lang)} {integer(t.completed, lang)}"
        )
        items.append(
            f'<div class="item"><div class="line"><span class="label">{escape(day(when, lang))}'
            f"</span><span>{escape(numbers)}</span></div>{_bar(100 * t.helped / top)}</div>"
        )
    return "".join(items)


def _over_time(report: Report, lang: str) -> list[str]:
    return [
        f"<h2>{escape(word('over_time', lang))}</h2>",
        f'<p class="note">{escape(word("over_time_note", lang))}</p>',
        f'<p class="card big">{escape(week_text(report, lang))}</p>',
        f'<section class="card"><h3>{escape(word("by_day", lang))}</h3>'
        f"{_tally_items(by_day(report), lang)}</section>",
        f'<section class="card"><h3>{escape(word("by_week", lang))}</h3>'
        f"{_tally_items(by_week(report), lang)}</section>",
    ]


def _stat(label: str, value: str) -> str:
    return f'<div class="stat"><b>{escape(value)}</b>{escape(label)}</div>'


def _flow_card(flow: FlowStats, lang: str) -> str:
    stats = "".join(
        (
            _stat(word("started", lang), integer(flow.started, lang)),
            _stat(word("completed", lang), integer(flow.completed, lang)),
            _stat(word("rate", lang), percent_text(flow.completion_rate, lang)),
            _stat(word("median", lang), duration(flow.median_seconds, lang)),
        )
    )
    tags = "".join(
        f"<span>{escape(run_outcome(name, lang))}: {integer(n, lang)}</span>"
        for name, n in flow.finished.items()
        if n and name != "completed"
    )
    if flow.in_progress:
        tags += (
            f"<span>{escape(word('in_progress', lang))}: {integer(flow.in_progress, lang)}</span>"
        )
    if flow.subflow_runs:
        tags += f"<span>{escape(word('subflow', lang))}: {integer(flow.subflow_runs, lang)}</span>"
    return (
        f'<section class="card"><h3>{escape(flow_title(flow.title, lang))}</h3>'
        f'{_bar(flow.completion_rate)}<div class="stats">{stats}</div>'
        f'<div class="tags">{tags}</div></section>'
    )


def _step_item(step: FunnelStep, lang: str, top: int, worst: str | None) -> str:
    tags = [f"<span>{escape(word('reached', lang))}: {integer(step.reached, lang)}</span>"]
    if step.left:
        left = integer(step.left, lang)
        tags.append(f'<span class="left">{escape(word("left", lang))}: {left}</span>')
    if step.help_presses:
        tags.append(
            f'<span class="help">{escape(word("help", lang))}: '
            f"{integer(step.help_presses, lang)}</span>"
        )
    inner = [s for s in step.inside if not s.empty]
    nested = ""
    if inner:
        inner_top = max(s.reached for s in inner) or 1
        rows = "".join(_step_item(s, lang, inner_top, None) for s in inner)
        nested = f'<div class="inside"><h4>↳ {escape(word("inside", lang))}</h4>{rows}</div>'
    css = "step worst" if step.step_id == worst else "step"
    return (
        f'<div class="{css}"><span class="say">{escape(step_text(step, lang))}</span>'
        f"{_bar(100 * step.reached / top, 'steps')}"
        f'<div class="tags">{"".join(tags)}</div>{nested}</div>'
    )


def _funnel_card(flow: FlowStats, lang: str) -> str:
    main, rest, folded = shown_steps(flow)
    top = max((step.reached for step in flow.funnel), default=0) or 1
    parts = [f"<h4>{escape(word('main_path', lang))}</h4>"]
    parts += [_step_item(step, lang, top, flow.improve_first) for step in main]
    if rest:
        parts.append(f"<h4>{escape(word('branches', lang))}</h4>")
        parts += [_step_item(step, lang, top, flow.improve_first) for step in rest]
    notes = [escape(word("folded_steps", lang, count=folded))] if folded else []
    if flow.left_before_start:
        notes.append(escape(word("left_before_start", lang, count=flow.left_before_start)))
    improve = improve_text(flow, lang)
    if improve is not None:
        notes.append(f'<span class="improve">→ {escape(improve)}</span>')
    footer = "".join(f'<p class="note">{note}</p>' for note in notes)
    return (
        f'<section class="card"><h3>{escape(flow_title(flow.title, lang))}</h3>'
        f"{''.join(parts)}{footer}</section>"
    )


def _volunteer_card(report: Report, v: VolunteerStats, lang: str) -> str:
    name = v.name + ("" if v.active else " " + word("inactive", lang))
    stats = "".join(
        (
            _stat(word("visits", lang), integer(v.visits, lang)),
            _stat(word("households_visited", lang), integer(v.households_visited, lang)),
            _stat(word("pending", lang), integer(v.pending_households, lang)),
            _stat(
                word("qr", lang),
                f"{integer(v.qr_completed, lang)}/{integer(v.qr_started, lang)}",
            ),
        )
    )
    tags = "".join(
        f"<span>{escape(visit_outcome(report.outcome_names, code, lang))}: "
        f"{integer(n, lang)}</span>"
        for code, n in v.outcomes.items()
    )
    head = f"{v.code} · {name} · {village_name(v.village, lang)}"
    return (
        f'<section class="card"><h3>{escape(head)}</h3><div class="stats">{stats}</div>'
        f'<div class="tags">{tags}</div></section>'
    )


def render_html(report: Report, lang: str = "vi") -> str:
    """The whole report as one HTML page (no external file, font or script)."""
    title, body = render_sections(report, lang)
    return (
        f'<!DOCTYPE html>\n<html lang="{escape(lang)}">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{escape(title)}</title>\n<style>{_CSS}</style>\n</head>\n<body>\n<main>\n"
        + body
        + "\n</main>\n</body>\n</html>\n"
    )


def render_sections(report: Report, lang: str = "vi") -> tuple[str, str]:
    """The report's title and its sections as HTML (the file report's body, and the console's
    numbers page: one rendering of the same figures)."""
    period = report.period
    title = word("report", lang) + (f" — {period.commune}" if period.commune else "")
    when = local_time(period.generated_at, period.zone)
    meta = [f"{word('period', lang)}: {period_text(period.since, period.until, lang)}"]
    if period.village is not None:
        meta.append(f"{word('village_filter', lang)}: {village_name(period.village, lang)}")
    meta.append(f"{word('generated', lang)}: {day(when.date(), lang)} {when:%H:%M}")
    body = [f"<h1>{escape(title)}</h1>"]
    body += [f'<p class="meta">{escape(line)}</p>' for line in meta]
    improve = improve_all_text(report, lang)
    if improve is not None:
        body.append(f'<p class="card improve">{escape(improve)}</p>')
    body += _progress(report, lang)
    body += _over_time(report, lang)
    started, folded = shown_flows(report)
    body.append(f"<h2>{escape(word('flows', lang))}</h2>")
    body.append(f'<p class="note">{escape(word("flows_note", lang))}</p>')
    body += [_flow_card(f, lang) for f in started] or [
        f'<p class="card">{escape(word("no_flows", lang))}</p>'
    ]
    if folded:
        body.append(f'<p class="note">{escape(word("folded_flows", lang, count=folded))}</p>')
    if started:
        body.append(f"<h2>{escape(word('funnel', lang))}</h2>")
        body.append(f'<p class="note">{escape(word("funnel_note", lang))}</p>')
        body += [_funnel_card(f, lang) for f in started]
    body.append(f"<h2>{escape(word('volunteers', lang))}</h2>")
    busy, idle = shown_volunteers(report)
    body += [_volunteer_card(report, v, lang) for v in busy]
    if idle:
        body.append(f'<p class="note">{escape(word("idle_volunteers", lang, codes=idle))}</p>')
    elif not busy:
        body.append(f'<p class="card">{escape(word("no_volunteers", lang))}</p>')
    body += html_section(report.tickets, lang)
    return title, "\n".join(body)
