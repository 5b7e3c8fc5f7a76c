"""The flow library as it runs, each flow's diagram, and the simulator beside it.

The list is the running engine's flows (title, version, digest, last checked, sources), when
each was loaded, and what ``trolyso lint`` finds in the files now, with file:line; the reload
status compares the two. The diagram is ``trolyso graph``'s Mermaid text, drawn in the page by
the vendored Mermaid build (``static/mermaid-12.3.0.min.js``, no CDN).
"""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING, Any

from aiohttp import web

from bot.app.compose import check_content
from bot.channels.web.console.html import DIAGRAM_CSP, e, layout, page, table
from bot.channels.web.console.simulator import WAITS, Simulator
from bot.core.errors import FlowError
from bot.core.problems import Problem
from bot.flows.compiled import CompiledFlow
from bot.flows.graph import to_mermaid
from bot.reports.period import local_time
from bot.reports.wording import flow_title

if TYPE_CHECKING:
    from bot.channels.web.console.app import Console, Request

__all__ = ["Library"]

log = logging.getLogger(__name__)
_ID_CHARS = frozenset("abcdefghijklmnopqrstuvwxyz0123456789_-")


def _flow_id(value: object) -> str:
    """A flow id as sent by a page ("" for anything that cannot be one)."""
    text = value if isinstance(value, str) else ""
    return text if 0 < len(text) <= 64 and set(text) <= _ID_CHARS else ""


class Library:
    """``/admin/flows``, ``/admin/flows/{id}`` and the simulator's ``/admin/api/try``."""

    def __init__(self, console: Console) -> None:
        self.console = console
        self.simulator = Simulator(console.settings, clock=console.clock)

    def add_routes(self, router: web.UrlDispatcher) -> None:
        """The library's routes, for officers."""
        guard = self.console.guard
        router.add_get("/admin/flows", guard(self._list, "flows"))
        router.add_get("/admin/flows/{flow_id}", guard(self._flow, "flows"))
        router.add_post("/admin/api/try", guard(self._try, "flows", api=True))

    def _check(self) -> tuple[bool, list[Problem]]:
        """What lint finds in the files now (drafts too), and whether the live files load to
        something else than what runs (an edit the hot reload has not taken yet)."""
        settings = self.console.settings
        fresh, problems = check_content(settings)
        drafts = self.simulator.drafts
        if drafts is not None:
            problems += [p for p in check_content(settings, drafts=drafts)[1] if p not in problems]
        running = self.console.app.assistant.engine.flows
        pending = fresh is not None and {i: f.digest for i, f in fresh.flows.items()} != {
            i: f.digest for i, f in running.items()
        }
        return pending, problems

    async def _list(self, request: Request) -> web.StreamResponse:
        console = self.console
        engine = console.app.assistant.engine
        pending, problems = await asyncio.to_thread(self._check)
        loaded = {(v.flow_id, v.digest): v for v in await console.storage.flow_versions()}
        rows = []
        for flow in sorted(engine.flows.values(), key=lambda f: (f.flow.order, f.id)):
            mine = [p for p in problems if p.path and _same_file(p.path, flow.path)]
            errors = sum(p.is_error for p in mine)
            lint = (
                request.text("flows.problems", errors=errors, warnings=len(mine) - errors)
                if mine
                else request.text("flows.ok")
            )
            version = loaded.get((flow.id, flow.digest))
            at = local_time(version.loaded_at, console.settings.zone) if version else None
            sources = " ".join(_source(s) for s in flow.flow.sources)
            rows.append(
                (
                    f'<a href="/admin/flows/{e(flow.id)}">{e(flow.id)}</a>',
                    e(flow_title(dict(flow.flow.title.texts), request.lang)),
                    e(flow.version),
                    f"<code>{e(flow.digest[:12])}</code>",
                    e(flow.flow.checked.isoformat()),
                    e(f"{at:%d/%m %H:%M}" if at else "-"),
                    sources,
                    f'<span class="{"bad" if errors else "ok"}">{e(lint)}</span>',
                )
            )
        head = [
            request.text(k)
            for k in (
                "flows.id",
                "flows.name",
                "flows.version",
                "flows.digest",
                "flows.checked",
                "flows.loaded",
                "flows.sources",
                "flows.lint",
            )
        ]
        body = [f"<h1>{e(request.text('flows.heading'))}</h1>"]
        if any(p.is_error for p in problems):
            status, css = request.text("reload.refused"), "bad"
        else:
            status, css = request.text("reload.pending" if pending else "reload.same"), "ok"
        body.append(f'<p class="status {css}" id="reload">{e(status)}</p>')
        if self.simulator.drafts is not None:
            body.append(f"<p>{e(request.text('flows.drafts', folder=self.simulator.drafts))}</p>")
        body.append(table(head, rows, css="flows"))
        body.append(f"<h2>{e(request.text('flows.all_problems'))}</h2>")
        if problems:
            items = "".join(
                f'<li class="{"bad" if p.is_error else "warn"}"><code>{e(p.render(request.lang))}'
                "</code></li>"
                for p in problems
            )
            body.append(f'<ul class="problems" id="problems">{items}</ul>')
        else:
            body.append(f'<p id="problems">{e(request.text("flows.no_problems"))}</p>')
        return request.page(request.text("nav.flows"), "".join(body), wide=True)

    async def _tried_flows(self) -> dict[str, CompiledFlow]:
        try:
            return dict((await self.simulator.app()).assistant.engine.flows)
        except FlowError:  # a broken draft: the live flows are still shown
            return dict(self.console.app.assistant.engine.flows)

    async def _flow(self, request: Request) -> web.StreamResponse:
        flow_id = _flow_id(request.http.match_info["flow_id"])
        flows = await self._tried_flows()
        flow = flows.get(flow_id)
        if flow is None:
            return request.page(
                request.text("not_found"), f"<p>{e(request.text('not_found'))}</p>", status=404
            )
        catalog = self.console.app.assistant.engine.catalog
        help_label = catalog.text("button.help", "vi", xung_ho="bạn")
        diagram = to_mermaid(flow.flow, help_label=help_label)
        title = flow_title(dict(flow.flow.title.texts), request.lang)
        langs = "".join(
            f'<option value="{code}"{" selected" if code == request.lang else ""}>{code}</option>'
            for code in ("vi", "en")
        )
        body = (
            f"<h1>{e(title)} <small><code>{e(flow.id)}</code> v{e(flow.version)}</small></h1>"
            '<div class="split">'
            f'<section class="card diagram-card"><h2>{e(request.text("flows.diagram"))}</h2>'
            f'<pre class="mermaid" id="diagram">{e(diagram)}</pre></section>'
            f'<section class="card sim" id="sim" data-flow="{e(flow.id)}">'
            f"<h2>{e(request.text('sim.heading'))}</h2>"
            f'<p class="note">{e(request.text("sim.note"))}</p>'
            f'<div class="sim-tools"><label>{e(request.text("sim.lang"))} '
            f'<select id="sim-lang">{langs}</select></label>'
            f'<button type="button" id="sim-start" class="primary">'
            f"{e(request.text('sim.start'))}</button></div>"
            f'<p class="at" id="sim-at" data-template="{e(request.text("sim.at", step="{}"))}">'
            "</p>"
            '<div class="transcript" id="sim-log" aria-live="polite"></div>'
            '<form id="sim-form" class="sim-form" autocomplete="off">'
            f'<input id="sim-say" maxlength="500" placeholder="{e(request.text("sim.say"))}" '
            f'aria-label="{e(request.text("sim.say"))}">'
            f'<button type="submit">{e(request.text("sim.send"))}</button></form>'
            + _waits(request)
            + f'<p class="problem" id="sim-error" hidden '
            f'data-broken="{e(request.text("sim.broken"))}" '
            f'data-error="{e(request.text("sim.error"))}">{e(request.text("sim.error"))}</p>'
            "</section></div>"
        )
        html = layout(
            title,
            body,
            lang=request.lang,
            role=request.role,
            csrf=request.session.csrf,
            wide=True,
            scripts=("mermaid-12.3.0.min.js", "diagram.js"),
        )
        return page(html, csp=DIAGRAM_CSP)

    async def _try(self, request: Request) -> web.StreamResponse:
        try:
            data = await request.http.json()
        except (ValueError, UnicodeDecodeError):
            data = None
        answer = await self._answer(request, data)
        if answer is None:
            return web.json_response({"error": "bad_request"}, status=400)
        return web.json_response(answer, status=409 if "error" in answer else 200)

    async def _answer(self, request: Request, data: object) -> dict[str, Any] | None:
        if not isinstance(data, dict):
            return None
        flow_id = _flow_id(data.get("flow"))
        lang = data.get("lang") if data.get("lang") in ("vi", "en") else "vi"
        action = data.get("action")
        value = data.get("value")
        conversation = data.get("conversation")
        if not flow_id or flow_id not in await self._tried_flows():
            return None
        simulator, actor = self.simulator, request.session.grant.actor
        try:
            await simulator.app()
        except FlowError:  # the drafts have errors: the flows page lists them
            return {"error": "flows_broken"}
        if action == "start":
            await self.console.log(request, "try", flow_id, allowed=True)
            return await simulator.start(actor, flow_id, str(lang))
        if not (isinstance(conversation, str) and len(conversation) == 16):
            return None
        if not all(c in "0123456789abcdef" for c in conversation) or not isinstance(value, str):
            return None
        if action == "press" and 0 < len(value) <= 200:
            return await simulator.press(actor, conversation, flow_id, str(lang), value)
        if action == "say" and value.strip():
            return await simulator.say(actor, conversation, flow_id, str(lang), value)
        if action == "wait" and value in WAITS:  # the buttons (typed /wait goes through say)
            return await simulator.wait(actor, conversation, flow_id, str(lang), value)
        return None


def _waits(request: Request) -> str:
    """The buttons that let time pass in the simulator (to try a guide's reminders)."""
    buttons = "".join(
        f'<button type="button" data-wait="{w}">{e(request.text("sim.wait_" + w))}</button>'
        for w in WAITS
    )
    return f'<div class="sim-wait" id="sim-wait">{e(request.text("sim.wait"))} {buttons}</div>'


def _source(source: str) -> str:
    """A flow's source: a link when it is a web address (only http and https), else its text."""
    from urllib.parse import urlsplit

    parts = urlsplit(source)
    if parts.scheme in ("http", "https") and parts.netloc:
        return f'<a href="{e(source)}" rel="noreferrer" target="_blank">{e(parts.netloc)}</a>'
    return e(source[:60])


def _same_file(one: str, other: str) -> bool:
    from pathlib import Path

    try:
        return Path(one).resolve() == Path(other).resolve()
    except OSError:
        return False
