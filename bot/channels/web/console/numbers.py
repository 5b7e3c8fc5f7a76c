"""The leaders' numbers as live pages: the very report ``trolyso report`` prints.

The figures come from :func:`bot.reports.build.build_report` and are drawn by
:func:`bot.reports.html.render_sections` (the HTML report's own rendering); the CSV download is
:func:`bot.reports.csv_out.render_csv`. Nothing is counted here: one source of truth.
"""

from __future__ import annotations

import re
from datetime import date
from typing import TYPE_CHECKING

from aiohttp import web

from bot.channels.web.console.html import e
from bot.reports.build import build_report
from bot.reports.csv_out import render_csv
from bot.reports.html import render_sections
from bot.reports.model import Report
from bot.reports.period import parse_day
from bot.reports.villages import known_villages, resolve_village

if TYPE_CHECKING:
    from bot.channels.web.console.app import Console, Request

__all__ = ["Numbers"]

_BAR_STYLE = re.compile(r' style="width:[0-9.]+%"')


class Numbers:
    """``/admin/numbers`` (the report, with its filters) and ``/admin/numbers.csv``."""

    def __init__(self, console: Console) -> None:
        self.console = console

    def add_routes(self, router: web.UrlDispatcher) -> None:
        """The numbers' routes, for officers and leaders."""
        guard = self.console.guard
        router.add_get("/admin/numbers", guard(self._page, "numbers"))
        router.add_get("/admin/numbers.csv", guard(self._csv, "numbers"))

    async def _filters(
        self, request: Request
    ) -> tuple[date | None, date | None, str | None, list[str], list[str]]:
        """The period and village asked for, the known villages, and what was wrong."""
        query = request.http.query
        problems: list[str] = []
        days: list[date | None] = []
        for name in ("since", "until"):
            typed = query.get(name, "").strip()
            parsed = parse_day(typed) if typed else None
            if typed and parsed is None:
                problems.append(request.text("numbers.bad_day", value=typed[:30]))
            days.append(parsed)
        since, until = days
        if since is not None and until is not None and since > until:
            problems.append(request.text("numbers.order"))
            since, until = until, since
        storage = self.console.storage
        known = await known_villages(storage, self.console.settings)
        village: str | None = None
        typed_village = query.get("village", "").strip()
        if typed_village:
            village = resolve_village(typed_village, known)
            if village is None:
                shown = ", ".join(known) or "-"
                problems.append(
                    request.text("numbers.unknown_village", village=typed_village[:60], known=shown)
                )
        return since, until, village, known, problems

    async def _report(self, since: date | None, until: date | None, village: str | None) -> Report:
        console = self.console
        flows = console.app.assistant.engine.flows
        return await build_report(console.storage, flows, console.settings, since, until, village)

    async def _page(self, request: Request) -> web.StreamResponse:
        since, until, village, known, problems = await self._filters(request)
        report = await self._report(since, until, village)
        title, sections = render_sections(report, request.lang)
        # The file report draws its bars with style="width:..%"; the console's CSP refuses
        # inline styles, so the same width is set by console.js from data-share.
        sections = _BAR_STYLE.sub("", sections)
        query = request.http.query_string
        options = [f'<option value="">{e(request.text("numbers.all"))}</option>'] + [
            f'<option value="{e(name)}"{" selected" if name == village else ""}>{e(name)}</option>'
            for name in known
        ]
        form = (
            '<form class="filters noprint" method="get" action="/admin/numbers">'
            f'<label>{e(request.text("numbers.since"))}<input type="date" name="since" '
            f'value="{e(since.isoformat() if since else "")}"></label>'
            f'<label>{e(request.text("numbers.until"))}<input type="date" name="until" '
            f'value="{e(until.isoformat() if until else "")}"></label>'
            f'<label>{e(request.text("numbers.village"))}<select name="village">'
            f"{''.join(options)}</select></label>"
            f'<button type="submit">{e(request.text("numbers.show"))}</button>'
            f'<a class="button" id="csv" href="/admin/numbers.csv?{e(query)}">'
            f"{e(request.text('numbers.csv'))}</a>"
            f'<button type="button" data-print>{e(request.text("numbers.print"))}</button>'
            "</form>"
        )
        notes = "".join(f'<p class="problem" role="alert">{e(p)}</p>' for p in problems)
        body = f'{form}{notes}<div class="report" id="report">{sections}</div>'
        return request.page(title, body)

    async def _csv(self, request: Request) -> web.StreamResponse:
        since, until, village, _known, _problems = await self._filters(request)
        report = await self._report(since, until, village)
        period = f"{since or ''}..{until or ''} {village or ''}".strip()
        await self.console.log(request, "csv", period, allowed=True)
        # Excel reads Vietnamese letters in a CSV only when the file starts with a BOM.
        body = "\ufeff" + render_csv(report, request.lang)
        response = web.Response(text=body, content_type="text/csv", charset="utf-8")
        response.headers["Content-Disposition"] = 'attachment; filename="trolyso-report.csv"'
        return response
