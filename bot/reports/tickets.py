"""Residents' requests for a person in leaders' reports: how many, where, about which guide, how
fast a person first answered (median and 90th percentile), how they ended, and the steps that
send most people to a person — the steps to fix first.

A ticket appears only as counts and times: no resident, no message of the conversation. The
text, HTML and CSV reports each show it with the helpers here.
"""

from __future__ import annotations

import math
import statistics
from collections import Counter
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from html import escape

from bot.core.matching import fold
from bot.core.tickets import CLOSE_OUTCOMES, Ticket
from bot.flows.compiled import CompiledFlow
from bot.reports.wording import duration, integer, village_name

__all__ = [
    "TicketStats",
    "csv_rows",
    "html_section",
    "summary_line",
    "text_lines",
    "ticket_stats",
]

# The steps listed as "fix first", at most.
TOP_STEPS = 5

_WORDS = {
    "vi": {
        "heading": "Yêu cầu gặp người",
        "note": (
            "Mỗi yêu cầu: một người dân muốn được người thật giúp (qua bot). Trả lời đầu tiên = "
            "từ lúc người dân yêu cầu đến tin nhắn đầu tiên của người giúp."
        ),
        "total": "Số yêu cầu: {total} · đã có người trả lời: {answered}",
        "first_answer": "Thời gian đến trả lời đầu tiên: trung vị {median}, 90% trong vòng {p90}",
        "no_answer_yet": "Chưa yêu cầu nào được trả lời.",
        "by_village": "Theo thôn",
        "by_flow": "Theo hướng dẫn",
        "outcomes": "Kết quả",
        "steps": "Các bước khiến nhiều người cần người giúp nhất (nên sửa trước)",
        "none": "Không có yêu cầu nào trong thời gian này.",
        "open": "đang chờ",
        "taken": "đang được giúp",
        "done": "đã giải quyết",
        "referred": "đã chuyển nơi khác",
        "no_answer": "không liên lạc được",
        "no_flow": "(không gắn hướng dẫn)",
        "step": "bước {step}",
    },
    "en": {
        "heading": "Requests for a person",
        "note": (
            "Each request: a resident who wanted a person to help them (through the bot). First "
            "answer = from the request to the helper's first message."
        ),
        "total": "Requests: {total} · answered by a person: {answered}",
        "first_answer": "Time to first answer: median {median}, 90% within {p90}",
        "no_answer_yet": "No request was answered yet.",
        "by_village": "By village",
        "by_flow": "By guide",
        "outcomes": "Outcome",
        "steps": "The steps that send most people to a person (fix these first)",
        "none": "No requests in this period.",
        "open": "waiting",
        "taken": "being helped",
        "done": "solved",
        "referred": "sent elsewhere",
        "no_answer": "couldn't reach them",
        "no_flow": "(no guide)",
        "step": "step {step}",
    },
}
OUTCOME_ORDER = ("open", "taken", *CLOSE_OUTCOMES)


def _word(key: str, lang: str, **params: object) -> str:
    words = _WORDS.get(lang, _WORDS["vi"])
    return words[key].format(**params) if params else words[key]


@dataclass(frozen=True, slots=True, kw_only=True)
class TicketStats:
    """Requests for a person in the period (and village) of a report."""

    total: int = 0
    answered: int = 0
    first_answer_median: float | None = None
    first_answer_p90: float | None = None
    by_village: tuple[tuple[str, int], ...] = ()
    # (flow id, its title per language, count)
    by_flow: tuple[tuple[str, Mapping[str, str], int], ...] = ()
    outcomes: tuple[tuple[str, int], ...] = ()
    # (flow id, its title per language, step id, the step's first words per language, count):
    # most first
    top_steps: tuple[tuple[str, Mapping[str, str], str, Mapping[str, str], int], ...] = ()


def _p90(values: Sequence[float]) -> float:
    """The 90th percentile by nearest rank: 90% of the values are at most this."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(0.9 * len(ordered)) - 1)]


def ticket_stats(
    tickets: Sequence[Ticket], flows: Mapping[str, CompiledFlow], village: str | None = None
) -> TicketStats:
    """The counts and times of ``tickets`` (those of ``village`` only, when given)."""
    if village is not None:
        tickets = [t for t in tickets if fold(t.village) == fold(village)]
    if not tickets:
        return TicketStats()
    waits = [t.first_answer_at - t.opened_at for t in tickets if t.first_answer_at is not None]

    def title(flow_id: str) -> Mapping[str, str]:
        flow = flows.get(flow_id)
        return dict(flow.flow.title.texts) if flow is not None else {"vi": flow_id, "en": flow_id}

    def said(flow_id: str, step_id: str) -> Mapping[str, str]:
        # Imported here: the funnel's module needs the report model, which holds TicketStats.
        from bot.reports.funnel import step_label

        flow = flows.get(flow_id)
        return step_label(flow.flow.steps.get(step_id) if flow is not None else None)

    villages = Counter(t.village for t in tickets)
    guides = Counter(t.flow_id for t in tickets)
    ended = Counter(t.outcome if t.status == "closed" else t.status for t in tickets)
    steps = Counter((t.flow_id, t.step) for t in tickets if t.flow_id and t.step)
    return TicketStats(
        total=len(tickets),
        answered=len(waits),
        first_answer_median=statistics.median(waits) if waits else None,
        first_answer_p90=_p90(waits) if waits else None,
        by_village=tuple(sorted(villages.items(), key=lambda kv: (-kv[1], kv[0]))),
        by_flow=tuple(
            (flow_id, title(flow_id), n)
            for flow_id, n in sorted(guides.items(), key=lambda kv: (-kv[1], kv[0]))
        ),
        outcomes=tuple((code, ended[code]) for code in OUTCOME_ORDER if ended[code])
        + tuple((code, n) for code, n in sorted(ended.items()) if code not in OUTCOME_ORDER),
        top_steps=tuple(
            (flow_id, title(flow_id), step, said(flow_id, step), n)
            for (flow_id, step), n in sorted(steps.items(), key=lambda kv: (-kv[1], kv[0]))[
                :TOP_STEPS
            ]
        ),
    )


def _guide(title: Mapping[str, str], flow_id: str, lang: str) -> str:
    if not flow_id:
        return _word("no_flow", lang)
    return title.get(lang) or title.get("vi") or flow_id


def _step(label: Mapping[str, str], step_id: str, lang: str) -> str:
    """A step as a leader reads it: its first words (its id only when it says nothing)."""
    text = label.get(lang) or label.get("vi")
    return f"“{text}”" if text else _word("step", lang, step=step_id)


def _outcome(code: str, lang: str) -> str:
    words = _WORDS.get(lang, _WORDS["vi"])
    return words.get(code, code)


def _groups(stats: TicketStats, lang: str) -> list[tuple[str, list[str]]]:
    """The report's sections as (heading, lines), shared by text and HTML."""
    head = [
        _word(
            "total", lang, total=integer(stats.total, lang), answered=integer(stats.answered, lang)
        )
    ]
    if stats.first_answer_median is not None:
        head.append(
            _word(
                "first_answer",
                lang,
                median=duration(stats.first_answer_median, lang),
                p90=duration(stats.first_answer_p90, lang),
            )
        )
    else:
        head.append(_word("no_answer_yet", lang))
    return [
        ("", head),
        (
            _word("by_village", lang),
            [f"{village_name(v, lang)}: {integer(n, lang)}" for v, n in stats.by_village],
        ),
        (
            _word("by_flow", lang),
            [f"{_guide(t, f, lang)}: {integer(n, lang)}" for f, t, n in stats.by_flow],
        ),
        (
            _word("outcomes", lang),
            [f"{_outcome(c, lang)}: {integer(n, lang)}" for c, n in stats.outcomes],
        ),
        (
            _word("steps", lang),
            [
                f"{_guide(t, f, lang)} · {_step(label, s, lang)}: {integer(n, lang)}"
                for f, t, s, label, n in stats.top_steps
            ],
        ),
    ]


def text_lines(stats: TicketStats, lang: str, heading: Callable[[str], list[str]]) -> list[str]:
    """The section of the plain-text report (``heading`` draws a heading as the report does)."""
    lines = [*heading(_word("heading", lang)), _word("note", lang), ""]
    if not stats.total:
        return [*lines, _word("none", lang)]
    for title, items in _groups(stats, lang):
        if title:
            lines += ["", title + ":"]
        lines += [("• " if title else "") + item for item in items]
    return lines


def summary_line(stats: TicketStats, lang: str) -> str:
    """One line for the short summary (the bot's /report): how many, and how fast answered."""
    line = _word("heading", lang) + ": " + _word(
        "total", lang, total=integer(stats.total, lang), answered=integer(stats.answered, lang)
    )
    if stats.first_answer_median is not None:
        line += " · " + _word(
            "first_answer",
            lang,
            median=duration(stats.first_answer_median, lang),
            p90=duration(stats.first_answer_p90, lang),
        )
    return line


def html_section(stats: TicketStats, lang: str) -> list[str]:
    """The section of the HTML report."""
    body = [
        f"<h2>{escape(_word('heading', lang))}</h2>",
        f'<p class="note">{escape(_word("note", lang))}</p>',
    ]
    if not stats.total:
        return [*body, f'<p class="card">{escape(_word("none", lang))}</p>']
    for title, items in _groups(stats, lang):
        head = f"<h3>{escape(title)}</h3>" if title else ""
        rows = "".join(f"<li>{escape(item)}</li>" for item in items)
        body.append(f'<section class="card">{head}<ul>{rows}</ul></section>')
    return body


_Row = tuple[str, str, str, str, str, str, str, str, str, str]


def csv_rows(stats: TicketStats, lang: str) -> Iterator[_Row]:
    """The rows of the CSV report (section ``tickets``; times in seconds)."""

    def row(
        metric: str,
        value: object,
        *,
        flow: str = "",
        title: str = "",
        village: str = "",
        step: str = "",
    ) -> _Row:
        shown = "" if value is None else str(value)
        return ("tickets", flow, title, village, "", step, "", "", metric, shown)

    yield row("total", stats.total)
    yield row("answered", stats.answered)
    median, p90 = stats.first_answer_median, stats.first_answer_p90
    yield row("first_answer_median_seconds", None if median is None else round(median))
    yield row("first_answer_p90_seconds", None if p90 is None else round(p90))
    for village, n in stats.by_village:
        yield row("by_village", n, village=village_name(village, lang))
    for flow_id, title, n in stats.by_flow:
        yield row("by_flow", n, flow=flow_id, title=_guide(title, flow_id, lang))
    for code, n in stats.outcomes:
        yield row(f"outcome_{code}", n)
    for flow_id, title, step, label, n in stats.top_steps:
        yield (
            "tickets",
            flow_id,
            _guide(title, flow_id, lang),
            "",
            "",
            step,
            label.get(lang) or label.get("vi", ""),
            "",
            "step",
            str(n),
        )
