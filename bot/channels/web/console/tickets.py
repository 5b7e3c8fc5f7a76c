"""Tickets in the console: residents' requests for a person — list, take, answer, close.

The same actions as ``/tickets``, ``/take``, ``/close`` in a staff chat (:mod:`bot.app.tickets`):
each is saved with :meth:`bot.app.tickets.Action.record` as one turn of the officer's own staff
session, so it is exactly-once like a chat's; the resident's messages go through the outbox of
their own channel, sent at once by that channel (``app.notices.flush_soon``). The officer acts as
the chat they logged in from (``/login`` in Telegram): that chat is where the resident's answers
reach them too. A link made with ``trolyso admin login-link`` has no chat, so it can read the
tickets but not take one.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from aiohttp import web

from bot.app import tickets
from bot.channels.web.console.html import e
from bot.core.errors import StaleSession
from bot.core.tickets import CLOSE_OUTCOMES, Ticket
from bot.core.types import SessionKey

if TYPE_CHECKING:
    from bot.channels.web.console.app import Console, Request

__all__ = ["Tickets"]


def _chat_of(actor: str) -> SessionKey | None:
    """The staff chat a login came from ("telegram:9001"); None for a server-made link."""
    channel, _, user_id = actor.partition(":")
    if channel in ("", "cli", "console", "visit") or not user_id:
        return None
    return SessionKey(channel, user_id)


class Tickets:
    """``/admin/tickets`` and its actions, for officers and volunteers (a volunteer acts as
    their own chat, as on the bot, and sees their village's requests first)."""

    def __init__(self, console: Console) -> None:
        self.console = console

    def add_routes(self, router: web.UrlDispatcher) -> None:
        """The tickets' routes."""
        guard = self.console.guard
        router.add_get("/admin/tickets", guard(self._list, "tickets"))
        router.add_post("/admin/tickets/{id}/{verb}", guard(self._act, "tickets"))

    async def _helper(self, request: Request) -> tickets.Helper | None:
        grant = request.session.grant
        if grant.role == "volunteer":
            volunteer = await self.console.storage.volunteer_by_id(grant.volunteer_id or 0)
            if volunteer is None or not volunteer.active:
                return None
            return tickets.Helper(
                key=volunteer.key,
                name=volunteer.name,
                lang=request.lang,
                village=volunteer.village,
            )
        key = _chat_of(grant.actor)
        if key is None:
            return None
        name = grant.name or request.text("role.officer")
        return tickets.Helper(key=key, name=name, lang=request.lang, officer=True)

    async def _list(self, request: Request, said: str = "") -> web.StreamResponse:
        console = self.console
        engine = console.app.assistant.engine
        storage = console.storage
        helper = await self._helper(request)
        open_ones = await tickets.list_open(storage, helper)
        csrf = e(request.session.csrf)
        body = [f"<h1>{e(request.text('tickets.heading'))}</h1>"]
        if said:
            body.append(f'<p class="notice" role="status" id="notice">{e(said)}</p>')
        if helper is None:
            body.append(f'<p class="note">{e(request.text("tickets.no_chat"))}</p>')
        if not open_ones:
            body.append(f'<p id="no-tickets">{e(request.text("tickets.none"))}</p>')
        for ticket in open_ones:
            notes = await storage.ticket_notes(ticket.id)
            text = tickets.ticket_text(engine, ticket, notes, request.lang)
            forms = self._forms(helper, request, ticket, csrf)
            body.append(
                f'<section class="card ticket" id="ticket-{ticket.id}">'
                f'<pre class="ticket-text">{e(text)}</pre>{forms}'
                "</section>"
            )
        return request.page(request.text("tickets.heading"), "".join(body), wide=True)

    def _forms(
        self, helper: tickets.Helper | None, request: Request, ticket: Ticket, csrf: str
    ) -> str:
        if helper is None:
            return ""
        base = f"/admin/tickets/{ticket.id}"
        hidden = f'<input type="hidden" name="csrf" value="{csrf}">'
        outcomes = "".join(
            f'<option value="{o}">{e(request.text("tickets.outcome_" + o))}</option>'
            for o in CLOSE_OUTCOMES
        )
        return (
            '<div class="ticket-actions">'
            f'<form method="post" action="{base}/take">{hidden}'
            f'<button type="submit" data-take="{ticket.id}">{e(request.text("tickets.take"))}'
            "</button></form>"
            f'<form method="post" action="{base}/answer" class="answer">{hidden}'
            f'<textarea name="text" rows="2" maxlength="1000" required '
            f'aria-label="{e(request.text("tickets.answer"))}"></textarea>'
            f'<button type="submit" data-answer="{ticket.id}">'
            f"{e(request.text('tickets.answer'))}</button></form>"
            f'<form method="post" action="{base}/close">{hidden}'
            f'<select name="outcome">{outcomes}</select>'
            f'<input name="note" maxlength="300" placeholder="{e(request.text("tickets.note"))}">'
            f'<button type="submit" data-close="{ticket.id}">{e(request.text("tickets.close"))}'
            "</button></form></div>"
        )

    async def _act(self, request: Request) -> web.StreamResponse:
        helper = await self._helper(request)
        text = request.http.match_info["id"]
        verb = request.http.match_info["verb"]
        ticket_id = int(text) if text.isascii() and text.isdigit() and len(text) < 10 else 0
        if helper is None or verb not in ("take", "answer", "close") or not ticket_id:
            return await self._list(request, request.text("tickets.no_chat"))
        form = await request.http.post()
        console = self.console
        engine = console.app.assistant.engine
        storage = console.storage
        now = console.clock()
        if verb == "take":
            action = await tickets.take(storage, engine, helper, ticket_id, now=now)
        elif verb == "answer":
            words = str(form.get("text", "")).strip()
            if not words:
                return await self._list(request)
            action = await tickets.answer(storage, engine, helper, ticket_id, words, now=now)
        else:
            outcome = str(form.get("outcome", ""))
            note = str(form.get("note", ""))
            action = await tickets.close(storage, engine, helper, ticket_id, outcome, note, now=now)
        said = "\n".join(message.text for message in action.said)
        if action.ok and verb == "answer":
            said = request.text("tickets.sent")
        if action.ok:
            # What the chat would have said to the officer is shown here instead.
            action.said = []
            stored = await storage.read(helper.key)
            session = stored.session or engine.new_session(lang_hint=helper.lang)
            try:
                await action.record(storage, helper, session, now=now, revision=stored.revision)
            except StaleSession:  # the officer wrote in their chat at that very moment
                return await self._list(request, request.text("tickets.again"))
            for key in {resident for resident, _message in action.relay}:
                console.app.notices.flush_soon(key)
        await console.log(request, f"ticket.{verb}", f"#{ticket_id}", allowed=action.ok)
        return await self._list(request, said)
