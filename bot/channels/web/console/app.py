"""The web console at ``/admin``: login, sessions, roles and CSRF, in front of its pages.

Served by the web chat's own aiohttp server (``trolyso web`` / ``trolyso run``). Every page
needs a session: without one a page redirects to ``/admin/login`` and a JSON endpoint answers
401. The session cookie is HttpOnly, SameSite=Strict, limited to ``/admin``, expires with the
session, and is Secure whenever the console is reached over https. Every form carries the
session's CSRF token (JSON requests carry it in ``X-CSRF-Token``); a post without it is refused
and written to the admin log as refused, like every action.
"""

from __future__ import annotations

import asyncio
import gzip
import hmac
import logging
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from urllib.parse import urlsplit

from aiohttp import web

from bot.app.access import (
    SESSION_SECONDS,
    ConsoleSession,
    end_session,
    open_session,
    redeem_link,
    session_of,
)
from bot.app.compose import App
from bot.channels.web.console.html import layout, message_page, page
from bot.channels.web.throttle import Throttle
from bot.config import Settings
from bot.core.console_messages import console_text
from bot.core.staff import AdminAction

__all__ = ["COOKIE", "Console", "Request", "redirect"]

log = logging.getLogger(__name__)
COOKIE = "trolyso_console"
LANG_COOKIE = "trolyso_console_lang"
STATIC = Path(__file__).with_name("static")
_STATIC_TYPES = {
    "console.css": "text/css",
    "console.js": "text/javascript",
    "diagram.js": "text/javascript",
    "report.css": "text/css",
    "mermaid-12.3.0.min.js": "text/javascript",
}
# Who may open what: the page's group -> the roles allowed.
ALLOWED = {
    "numbers": {"officer", "leader"},
    "flows": {"officer"},
    "people": {"officer"},
    "households": {"volunteer"},
    "tickets": {"officer", "volunteer"},
}
HOME = {"officer": "/admin/numbers", "leader": "/admin/numbers", "volunteer": "/admin/households"}
Handler = Callable[["Request"], Awaitable[web.StreamResponse]]
Route = Callable[[web.Request], Awaitable[web.StreamResponse]]


class Request:
    """One request with its session: the role, the language, the CSRF token."""

    def __init__(self, http: web.Request, session: ConsoleSession, lang: str) -> None:
        self.http = http
        self.session = session
        self.lang = lang

    @property
    def role(self) -> str:
        """The logged-in person's role."""
        return self.session.grant.role

    @property
    def actor(self) -> str:
        """Who it is, as the admin log names them."""
        return "console:" + self.session.grant.actor

    def text(self, key: str, **params: object) -> str:
        """A console text in this request's language."""
        return console_text(key, self.lang, **params)

    def page(self, title: str, body: str, *, status: int = 200, wide: bool = False) -> web.Response:
        """A whole page in the console's frame (navigation for this role, log-out form)."""
        return page(
            layout(title, body, lang=self.lang, role=self.role, csrf=self.session.csrf, wide=wide),
            status=status,
        )


class Console:
    """The console's routes and their guards, on the web chat's application."""

    def __init__(self, settings: Settings, app: App, *, clock: Callable[[], float] = time.time):
        self.settings = settings
        self.app = app
        self.storage = app.storage
        self.clock = clock
        # Login attempts per address: a handful a minute is plenty for a person.
        self.attempts = Throttle(rate=5 / 60, burst=5)
        self._static: dict[str, tuple[bytes, bytes]] = {}
        from bot.channels.web.console.library import Library
        from bot.channels.web.console.numbers import Numbers
        from bot.channels.web.console.people import People
        from bot.channels.web.console.tickets import Tickets

        self.numbers = Numbers(self)
        self.library = Library(self)
        self.people = People(self)
        self.tickets = Tickets(self)

    async def close(self) -> None:
        """Release the simulator's database."""
        await self.library.simulator.close()

    def add_routes(self, router: web.UrlDispatcher) -> None:
        """Put the console's routes on the web chat's application."""
        router.add_get("/admin", self._home)
        router.add_get("/admin/", self._home)
        router.add_get("/admin/login", self._login_page)
        router.add_post("/admin/login", self._login)
        router.add_post("/admin/logout", self.guard(self._logout, None))
        router.add_get("/admin/static/{name}", self._static_file)
        router.add_get("/admin/lang/{code}", self._set_lang)
        self.numbers.add_routes(router)
        self.library.add_routes(router)
        self.people.add_routes(router)
        self.tickets.add_routes(router)
        router.add_get("/admin/{rest:.*}", self.guard(self._not_found, None))

    # --- guards ------------------------------------------------------------------------------

    def guard(self, handler: Handler, group: str | None, *, api: bool = False) -> Route:
        """``handler`` for a logged-in person of the group's roles; a POST needs the CSRF token."""

        async def guarded(http: web.Request) -> web.StreamResponse:
            lang = self._lang(http)
            session = await self._session(http)
            if session is None:
                if api:
                    return web.json_response({"error": "login"}, status=401)
                return redirect("/admin/login")
            request = Request(http, session, lang if lang in ("vi", "en") else "vi")
            if http.method == "POST" and not await self._csrf_ok(http, session, api=api):
                await self.log(request, "csrf", http.path, allowed=False)
                if api:
                    return web.json_response({"error": "csrf"}, status=403)
                return request.page(request.text("csrf"), _p(request.text("csrf")), status=403)
            if group is not None and request.role not in ALLOWED[group]:
                await self.log(request, "forbidden", http.path, allowed=False)
                if api:
                    return web.json_response({"error": "forbidden"}, status=403)
                return request.page(
                    request.text("forbidden"), _p(request.text("forbidden")), status=403
                )
            try:
                return await handler(request)
            except web.HTTPException:
                raise
            except Exception:  # never a traceback in the page: the log has the details
                log.exception("the console could not answer %s", http.path)
                if api:
                    return web.json_response({"error": "server"}, status=500)
                text = request.text("server_error")
                return request.page(text, _p(text), status=500)

        return guarded

    async def _session(self, http: web.Request) -> ConsoleSession | None:
        """The request's live session; a volunteer deactivated since logging in has none."""
        session = await session_of(self.storage, http.cookies.get(COOKIE, ""), now=self.clock())
        grant = session.grant if session is not None else None
        if grant is not None and grant.role == "volunteer":
            volunteer = await self.storage.volunteer_by_id(grant.volunteer_id or 0)
            if volunteer is None or not volunteer.active:
                return None
        if grant is not None and grant.role == "officer" and not self._still_admin(grant.actor):
            return None
        return session

    def _still_admin(self, actor: str) -> bool:
        """An officer who logged in from a chat (``/login``) is still one of the configured
        admins: someone taken out of ``telegram.admin_ids`` or ``zalo.admin_ids`` loses the
        console at their next page, not when the session ends. Links made on the server
        (``trolyso admin login-link``) name no chat and stand until they expire."""
        channel, chat, user = actor.partition(":")
        if not chat or channel not in ("telegram", "zalo"):
            return True
        admins = {str(i) for i in self.settings.telegram.admin_ids} if channel == "telegram" else (
            {str(i) for i in self.settings.zalo.admin_ids} if self.settings.zalo else set()
        )
        return user in admins

    async def _csrf_ok(self, http: web.Request, session: ConsoleSession, *, api: bool) -> bool:
        if not self._same_origin(http):
            return False
        if api:
            sent = http.headers.get("X-CSRF-Token", "")
        else:
            try:
                form = await http.post()
            except ValueError:
                return False
            value = form.get("csrf", "")
            sent = value if isinstance(value, str) else ""
        return bool(sent) and hmac.compare_digest(sent, session.csrf)

    def _same_origin(self, http: web.Request) -> bool:
        origin = http.headers.get("Origin")
        if origin is None or origin == "null":
            return origin is None  # old browsers send none; "null" is a sandboxed frame
        allowed = {http.host}
        public = self._web_public()
        if public:
            allowed.add(urlsplit(public).netloc)
        return urlsplit(origin).netloc in allowed

    def _address(self, http: web.Request) -> str:
        """Whom the login's rate limit counts (the proxy's word for it only when trusted)."""
        web_settings = self.settings.web
        forwarded = http.headers.get("X-Forwarded-For", "")
        if web_settings is not None and web_settings.trust_proxy and forwarded:
            return forwarded.split(",")[-1].strip()
        return http.remote or ""

    def _web_public(self) -> str:
        return self.settings.web.public_url if self.settings.web is not None else ""

    def _secure(self, http: web.Request) -> bool:
        """Whether the browser reached us over https (then the cookie is only sent over https)."""
        web_settings = self.settings.web
        proxied = web_settings is not None and web_settings.trust_proxy
        forwarded = http.headers.get("X-Forwarded-Proto", "") if proxied else ""
        return http.secure or forwarded == "https" or self._web_public().startswith("https:")

    async def log(self, request: Request, action: str, detail: str, *, allowed: bool) -> None:
        """Write what the person did (or tried) to the admin log."""
        await self.storage.record_admin_action(
            AdminAction(
                actor=request.actor,
                action=f"console.{action}",
                detail=detail[:200],
                allowed=allowed,
                at=self.clock(),
            )
        )

    # --- login and logout --------------------------------------------------------------------

    def _lang(self, http: web.Request) -> str:
        chosen = http.query.get("lang") or http.cookies.get(LANG_COOKIE, "")
        return chosen if chosen in ("vi", "en") else self.settings.language

    async def _set_lang(self, http: web.Request) -> web.StreamResponse:
        code = http.match_info["code"]
        session = await self._session(http)
        response = redirect(HOME[session.grant.role] if session else "/admin/login")
        if code in ("vi", "en"):
            response.set_cookie(
                LANG_COOKIE,
                code,
                max_age=365 * 86400,
                path="/admin",
                httponly=True,
                samesite="Strict",
                secure=self._secure(http),
            )
        return response

    async def _home(self, http: web.Request) -> web.StreamResponse:
        session = await self._session(http)
        return redirect(HOME[session.grant.role] if session else "/admin/login")

    async def _login_page(self, http: web.Request) -> web.StreamResponse:
        lang = self._lang(http)
        token = http.query.get("t", "")
        title = console_text("login.title", lang)
        if not token:
            return page(message_page(title, console_text("login.how", lang), lang))
        # A button, not an automatic login: link previews (Telegram fetches every link sent)
        # must not use the link up.
        body = (
            f"<p>{_e(console_text('login.press', lang))}</p>"
            '<form method="post" action="/admin/login">'
            f'<input type="hidden" name="t" value="{_e(token)}">'
            f'<button type="submit" class="primary">{_e(console_text("login.button", lang))}'
            "</button></form>"
        )
        return page(message_page(title, body, lang, raw=True))

    async def _login(self, http: web.Request) -> web.StreamResponse:
        lang = self._lang(http)
        title = console_text("login.title", lang)
        if not self.attempts.allow(self._address(http)):
            body = console_text("login.slow_down", lang)
            return page(message_page(title, body, lang), status=429)
        if not self._same_origin(http):
            return page(message_page(title, console_text("csrf", lang), lang), status=403)
        try:
            form = await http.post()
        except ValueError:
            form = None
        value = form.get("t", "") if form is not None else ""
        now = self.clock()
        grant = await redeem_link(self.storage, value if isinstance(value, str) else "", now=now)
        if grant is None:
            await self.storage.record_admin_action(
                AdminAction(
                    actor="console:?",
                    action="console.login",
                    detail="link refused",
                    allowed=False,
                    at=now,
                )
            )
            body = console_text("login.failed", lang)
            return page(message_page(title, body, lang), status=403)
        cookie, _session = await open_session(self.storage, grant, now=now)
        await self.storage.record_admin_action(
            AdminAction(
                actor="console:" + grant.actor,
                action="console.login",
                detail=f"role={grant.role}",
                allowed=True,
                at=now,
            )
        )
        response = redirect(HOME[grant.role])
        response.set_cookie(
            COOKIE,
            cookie,
            max_age=SESSION_SECONDS,
            path="/admin",
            httponly=True,
            samesite="Strict",
            secure=self._secure(http),
        )
        return response

    async def _logout(self, request: Request) -> web.StreamResponse:
        await end_session(self.storage, request.http.cookies.get(COOKIE, ""), now=self.clock())
        await self.log(request, "logout", "", allowed=True)
        response = redirect("/admin/login")
        response.del_cookie(COOKIE, path="/admin")
        return response

    async def _not_found(self, request: Request) -> web.StreamResponse:
        return request.page(request.text("not_found"), _p(request.text("not_found")), status=404)

    async def _static_file(self, http: web.Request) -> web.StreamResponse:
        name = http.match_info["name"]
        if name not in _STATIC_TYPES:
            raise web.HTTPNotFound()
        if name not in self._static:
            if name == "report.css":  # the HTML report's own look, one stylesheet for both
                from bot.reports.html import REPORT_CSS

                plain = REPORT_CSS.encode("utf-8")
            else:
                plain = (STATIC / name).read_bytes()
            # Compressed once (Mermaid is 5.5 MB, 1.5 MB gzipped), off the event loop.
            packed = await asyncio.to_thread(gzip.compress, plain, 6)
            self._static[name] = (plain, packed)
        plain, packed = self._static[name]
        gzipped = "gzip" in http.headers.get("Accept-Encoding", "")
        response = web.Response(body=packed if gzipped else plain, content_type=_STATIC_TYPES[name])
        if gzipped:
            response.headers["Content-Encoding"] = "gzip"
        response.headers["Vary"] = "Accept-Encoding"
        response.headers["Cache-Control"] = "private, max-age=3600"
        return response


def redirect(location: str) -> web.Response:
    """See the page at ``location`` (after a form: reloading it does not post again)."""
    return web.Response(status=303, headers={"Location": location})


def _e(text: str) -> str:
    from html import escape

    return escape(text, quote=True)


def _p(text: str) -> str:
    return f"<p>{_e(text)}</p>"
