"""People: the volunteers (invite codes, deactivation, villages), the households waiting for the
commune police, a volunteer's own households, and the admin log.

The same storage calls as the Telegram desk's ``/invite``, ``/volunteers``, ``/deactivate`` and
``/police``; every change is written to the admin log.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from aiohttp import web

from bot.app.staff.joining import INVITE_DAYS, create_invite
from bot.app.staff.wording import people_of
from bot.channels.web.console.html import e, table
from bot.core.matching import fold
from bot.core.staff import HouseholdStatus, Volunteer
from bot.reports.period import local_time
from bot.reports.wording import flow_title

if TYPE_CHECKING:
    from bot.channels.web.console.app import Console, Request

__all__ = ["People"]


class People:
    """``/admin/people``, ``/admin/police``, ``/admin/households`` and ``/admin/log``."""

    def __init__(self, console: Console) -> None:
        self.console = console

    def add_routes(self, router: web.UrlDispatcher) -> None:
        """The people pages: volunteers and police for officers, households for a volunteer."""
        guard = self.console.guard
        router.add_get("/admin/people", guard(self._volunteers, "people"))
        router.add_post("/admin/volunteers/{id}/deactivate", guard(self._deactivate, "people"))
        router.add_post("/admin/volunteers/{id}/activate", guard(self._activate, "people"))
        router.add_post("/admin/invites", guard(self._invite, "people"))
        router.add_get("/admin/police", guard(self._police, "people"))
        router.add_get("/admin/log", guard(self._log, "people"))
        router.add_get("/admin/households", guard(self._households, "households"))

    def _day(self, at: float) -> str:
        return f"{local_time(at, self.console.settings.zone):%d/%m/%Y}"

    def _flow(self, flow_id: str, lang: str) -> str:
        flow = self.console.app.assistant.engine.flows.get(flow_id)
        return flow_title(dict(flow.flow.title.texts), lang) if flow is not None else flow_id

    async def _volunteers(self, request: Request, notice: str = "") -> web.StreamResponse:
        volunteers = await self.console.storage.volunteers()
        csrf = e(request.session.csrf)
        rows = [self._row(request, v, csrf) for v in volunteers]
        head = [
            "#",
            request.text("people.code"),
            request.text("people.name"),
            request.text("people.village"),
            request.text("people.state"),
            "",
        ]
        body = [f"<h1>{e(request.text('people.heading'))}</h1>"]
        if notice:
            body.append(f'<p class="notice" role="status" id="notice">{notice}</p>')
        body.append(
            table(head, rows, css="people") if rows else f"<p>{e(request.text('people.none'))}</p>"
        )
        body.append(
            f"<h2>{e(request.text('people.invite'))}</h2>"
            '<form method="post" action="/admin/invites" class="filters">'
            f'<input type="hidden" name="csrf" value="{csrf}">'
            f"<label>{e(request.text('people.village'))}"
            '<input name="village" maxlength="60" required></label>'
            f'<label>{e(request.text("people.commune"))}<input name="commune" maxlength="60">'
            f'</label><button type="submit">{e(request.text("people.invite"))}</button></form>'
        )
        return request.page(request.text("people.heading"), "".join(body), wide=True)

    def _row(self, request: Request, v: Volunteer, csrf: str) -> tuple[str, ...]:
        state = request.text("people.active" if v.active else "people.inactive")
        verb, css = ("deactivate", "danger") if v.active else ("activate", "")
        action = (
            f'<form method="post" action="/admin/volunteers/{v.id}/{verb}">'
            f'<input type="hidden" name="csrf" value="{csrf}">'
            f'<button type="submit" class="{css}" data-{verb}="{v.id}">'
            f"{e(request.text('people.' + verb))}</button></form>"
        )
        return (
            e(v.id),
            f"<code>{e(v.code)}</code>",
            e(v.name or "-"),
            e(v.village),
            f'<span class="{"ok" if v.active else "bad"}">{e(state)}</span>',
            action,
        )

    async def _deactivate(self, request: Request) -> web.StreamResponse:
        return await self._change(request, "deactivate")

    async def _activate(self, request: Request) -> web.StreamResponse:
        return await self._change(request, "activate")

    async def _change(self, request: Request, verb: str) -> web.StreamResponse:
        text = request.http.match_info["id"]
        volunteer_id = int(text) if text.isascii() and text.isdigit() and len(text) < 10 else 0
        storage = self.console.storage
        done = False
        if volunteer_id > 0 and verb == "deactivate":
            done = await storage.deactivate_volunteer(volunteer_id, at=self.console.clock())
        elif volunteer_id > 0:
            done = await storage.activate_volunteer(volunteer_id)
        await self.console.log(request, verb, f"#{volunteer_id}", allowed=True)
        key = f"people.{verb}d" if done else "people.unchanged"
        return await self._volunteers(request, e(request.text(key, id=volunteer_id)))

    async def _invite(self, request: Request) -> web.StreamResponse:
        form = await request.http.post()
        village = " ".join(str(form.get("village", "")).split())[:60]
        commune = " ".join(str(form.get("commune", "")).split())[:60]
        if not village:
            return await self._volunteers(request, e(request.text("people.invite_village")))
        code = await create_invite(
            self.console.storage,
            village=village,
            commune=commune,
            created_by=request.actor,
            at=self.console.clock(),
        )
        await self.console.log(request, "invite", f"village={village}", allowed=True)
        notice = request.text("people.invite_ok", village=village, code=code, days=INVITE_DAYS)
        return await self._volunteers(request, e(notice))

    async def _police(self, request: Request) -> web.StreamResponse:
        storage = self.console.storage
        rows: list[tuple[tuple[str, str, int], tuple[str, ...]]] = []
        for volunteer in await storage.volunteers():
            for status in await storage.households_of(volunteer.id):
                labels = people_of(status)
                household = status.household
                for service in status.services:
                    if service.outcome != "police":
                        continue
                    person = labels.get(service.member, "") or f"#{service.member}"
                    order = (fold(household.village), fold(household.label), service.member)
                    rows.append(
                        (
                            order,
                            (
                                e(household.label or f"#{household.id}"),
                                e(household.village),
                                e(person),
                                e(self._flow(service.flow_id, request.lang)),
                                e(self._day(service.at)),
                                e(volunteer.name or volunteer.code),
                                e(service.note),
                            ),
                        )
                    )
        head = [
            request.text(k)
            for k in (
                "police.household",
                "people.village",
                "police.person",
                "police.service",
                "police.since",
                "police.volunteer",
                "police.note",
            )
        ]
        body = f"<h1>{e(request.text('police.heading'))}</h1>"
        if rows:
            body += table(head, [row for _order, row in sorted(rows)], css="police")
        else:
            body += f"<p>{e(request.text('police.none'))}</p>"
        return request.page(request.text("police.heading"), body, wide=True)

    async def _households(self, request: Request) -> web.StreamResponse:
        volunteer_id = request.session.grant.volunteer_id
        statuses: list[HouseholdStatus] = []
        if volunteer_id is not None:
            statuses = await self.console.storage.households_of(volunteer_id)
        body = f"<h1>{e(request.text('households.heading'))}</h1>"
        if not statuses:
            return request.page(
                request.text("nav.households"),
                body + f"<p>{e(request.text('households.none'))}</p>",
            )
        for status in statuses:
            labels = people_of(status)
            items = "".join(
                f"<li>{e(labels.get(s.member, '') or f'#{s.member}')}: "
                f"{e(self._flow(s.flow_id, request.lang))} — {e(s.outcome)} "
                f"({e(self._day(s.at))}){' · ' + e(s.note) if s.note else ''}</li>"
                for s in status.services
            )
            body += (
                f'<section class="card"><h3>{e(status.household.label)} · '
                f"{e(status.household.village)}</h3><ul>{items}</ul></section>"
            )
        return request.page(request.text("nav.households"), body)

    async def _log(self, request: Request) -> web.StreamResponse:
        """The admin log, newest first (the last 300 lines): who did what, and what was refused."""
        actions = (await self.console.storage.admin_actions())[-300:]
        zone = self.console.settings.zone
        rows = [
            (
                e(f"{local_time(a.at, zone):%d/%m/%Y %H:%M}"),
                e(a.actor),
                e(a.action),
                e(a.detail),
                f'<span class="{"ok" if a.allowed else "bad"}">'
                f"{e(request.text('log.allowed' if a.allowed else 'log.refused'))}</span>",
            )
            for a in reversed(actions)
        ]
        head = [
            request.text(k) for k in ("log.at", "log.who", "log.what", "log.detail", "log.result")
        ]
        body = f"<h1>{e(request.text('log.heading'))}</h1>" + table(head, rows, css="log")
        return request.page(request.text("log.heading"), body, wide=True)
