"""The web chat's HTTP side (aiohttp): the page, its script and style, WebSocket and a fallback.

aiohttp is already here (aiogram's HTTP client and the Telegram webhook use it), so the web chat
adds no framework. Everything the page needs is served from here (no external address at all);
every answer carries a strict Content-Security-Policy. The resident's token travels in the first
WebSocket message or in a header, never in an address or a cookie, and every request that
changes something must come from the page's own origin. Nothing personal is logged: no access
log, no resident token, no typed words.

Routes: ``/`` the page; ``/static/app.js`` and ``/static/app.css``; ``/media/<name>`` pictures of
steps; ``/ws`` the WebSocket; ``/api/send`` and ``/api/poll`` the same over plain HTTP (where a
proxy or a network blocks WebSocket); ``/healthz``.
"""

from __future__ import annotations

import asyncio
import contextlib
import gzip
import json
import logging
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from aiohttp import WSMsgType, web

from bot.channels.web.page import page_html
from bot.channels.web.protocol import BadMessage, parse_incoming, resident_of
from bot.channels.web.throttle import Throttle
from bot.core.errors import StorageUnavailable

if TYPE_CHECKING:
    from bot.channels.web.channel import WebChannel

__all__ = ["WebServer"]

log = logging.getLogger(__name__)
STATIC = Path(__file__).with_name("static")
_STATIC_TYPES = {"app.js": "text/javascript", "app.css": "text/css"}
_MEDIA_TYPES = {
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".webp": "image/webp",
}
CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' https:; "
    "connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
POLL_SECONDS = 25.0  # a long poll waits this long for a reply before answering "nothing yet"
MAX_REQUEST = 8 * 1024  # bytes of one request or WebSocket message


class WebServer:
    """Serves the page and takes residents' messages for a :class:`WebChannel`."""

    def __init__(self, channel: WebChannel) -> None:
        self.channel = channel
        settings = channel.settings
        self.residents = Throttle(rate=settings.messages_per_second, burst=5)
        # Everything one address asks for (pages, polls, messages): a school's shared Wi-Fi
        # is many residents, so it is generous.
        rate = settings.address_requests_per_second
        self.addresses = Throttle(rate=rate, burst=max(1, int(rate * 2)))
        self.port: int | None = None
        self._runner: web.AppRunner | None = None
        self._static = {name: _compressed(STATIC / name) for name in _STATIC_TYPES}
        self._sockets: set[web.WebSocketResponse] = set()

    def app(self) -> web.Application:
        """The aiohttp application (tests may serve it themselves)."""
        app = web.Application(client_max_size=MAX_REQUEST, middlewares=[self._guard])
        app.router.add_get("/", self._page)
        app.router.add_get("/static/{name}", self._static_file)
        app.router.add_get("/media/{name}", self._media)
        app.router.add_get("/ws", self._websocket)
        app.router.add_post("/api/send", self._send)
        app.router.add_get("/api/poll", self._poll)
        app.router.add_get("/healthz", self._health)
        app.router.add_get("/favicon.ico", self._no_icon)
        if self.channel.console is not None:
            self.channel.console.add_routes(app.router)
        return app

    async def start(self) -> None:
        """Listen on the configured host and port (port 0: any free port, see :attr:`port`)."""
        settings = self.channel.settings
        # No access log: it would keep every resident's address and timing.
        self._runner = web.AppRunner(self.app(), access_log=None, handle_signals=False)
        await self._runner.setup()
        site = web.TCPSite(self._runner, settings.host, settings.port)
        await site.start()
        addresses = self._runner.addresses
        self.port = int(addresses[0][1]) if addresses else settings.port

    async def stop_connections(self) -> None:
        """Close every page's connection (each reconnects and asks for what it missed)."""
        for socket in list(self._sockets):
            with contextlib.suppress(Exception):
                await socket.close()

    async def stop(self) -> None:
        """Close the pages' connections (they reconnect to the next run) and stop listening."""
        await self.stop_connections()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    # --- what every answer gets -------------------------------------------------------------------

    @web.middleware
    async def _guard(
        self, request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
    ) -> web.StreamResponse:
        if not self.addresses.allow(self._address(request)):
            return _json({"error": "slow_down"}, status=429)
        try:
            response = await handler(request)
        except web.HTTPException as exc:
            _secured(exc.headers)
            raise
        except Exception:  # never a traceback to the page
            log.exception("the web chat could not answer a request")
            response = _json({"error": "server"}, status=500)
        _secured(response.headers)
        return response

    def _address(self, request: web.Request) -> str:
        """Whom the rate limit counts: the proxy's word for it only when told to trust it."""
        if self.channel.settings.trust_proxy:
            forwarded = request.headers.get("X-Forwarded-For", "")
            if forwarded:
                return forwarded.split(",")[-1].strip()
        return request.remote or ""

    def _same_origin(self, request: web.Request, *, required: bool) -> bool:
        """A state change only from the page itself (no other site can make a browser send it)."""
        origin = request.headers.get("Origin")
        if origin is None:
            return not required
        allowed = {request.host}
        public = self.channel.settings.public_url
        if public:
            allowed.add(urlsplit(public).netloc)
        return urlsplit(origin).netloc in allowed

    # --- the page ---------------------------------------------------------------------------------

    async def _page(self, request: web.Request) -> web.StreamResponse:
        default = self.channel.assistant.engine.default_language
        lang = "en" if request.query.get("lang") == "en" else default
        body = page_html(self.channel.catalog, lang)
        response = web.Response(text=body, content_type="text/html", charset="utf-8")
        response.enable_compression()
        return response

    async def _static_file(self, request: web.Request) -> web.StreamResponse:
        name = request.match_info["name"]
        if name not in self._static:
            raise web.HTTPNotFound()
        plain, packed = self._static[name]
        accepts_gzip = "gzip" in request.headers.get("Accept-Encoding", "")
        response = web.Response(
            body=packed if accepts_gzip else plain, content_type=_STATIC_TYPES[name]
        )
        if accepts_gzip:
            response.headers["Content-Encoding"] = "gzip"
        response.headers["Cache-Control"] = "public, max-age=3600"
        response.headers["Vary"] = "Accept-Encoding"
        return response

    async def _media(self, request: web.Request) -> web.StreamResponse:
        path = self.channel.images.file(request.match_info["name"])
        if path is None or not path.is_file():
            raise web.HTTPNotFound()
        response = web.FileResponse(path)
        response.content_type = _MEDIA_TYPES.get(path.suffix.lower(), "application/octet-stream")
        response.headers["Cache-Control"] = "public, max-age=86400"
        return response

    async def _no_icon(self, request: web.Request) -> web.StreamResponse:
        return web.Response(status=204)  # no icon to download on a slow connection

    async def _health(self, request: web.Request) -> web.StreamResponse:
        ok = self.channel.healthy
        return _json({"ok": ok}, status=200 if ok else 503)

    # --- messages over WebSocket ------------------------------------------------------------------

    async def _websocket(self, request: web.Request) -> web.StreamResponse:
        if not self._same_origin(request, required=False):
            raise web.HTTPForbidden()
        socket = web.WebSocketResponse(heartbeat=25.0, max_msg_size=MAX_REQUEST)
        await socket.prepare(request)
        self._sockets.add(socket)
        pusher: asyncio.Task[None] | None = None
        try:
            hello = await socket.receive_json(timeout=30)
            resident = resident_of(hello.get("resident") if isinstance(hello, dict) else None)
            since = _number(hello.get("since"))
            mailbox = self.channel.mailbox
            if hello.get("epoch") != mailbox.epoch:
                since = 0  # numbers from an earlier run mean nothing now
            lang = await self.channel.language_of(resident)
            await socket.send_json({"type": "welcome", "epoch": mailbox.epoch, "lang": lang})
            pusher = asyncio.ensure_future(self._push(socket, resident, since))
            async for frame in socket:
                if frame.type != WSMsgType.TEXT:
                    break
                answer = await self._message(resident, _loads(frame.data), hello.get("lang"))
                await socket.send_json(answer)
        except (BadMessage, TypeError, ValueError, TimeoutError):
            with contextlib.suppress(Exception):
                await socket.send_json({"type": "error", "code": "bad_hello"})
        finally:
            if pusher is not None:
                pusher.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await pusher
            self._sockets.discard(socket)
            await socket.close()
        return socket

    async def _push(self, socket: web.WebSocketResponse, resident: str, since: int) -> None:
        """Send the resident's replies after ``since`` to this page as they come, in order."""
        mailbox = self.channel.mailbox
        while not socket.closed:
            for reply in await mailbox.wait(resident, since, timeout=POLL_SECONDS):
                await socket.send_json(
                    {"type": "reply", "seq": reply.seq, "message": reply.message}
                )
                since = reply.seq

    async def _message(self, resident: str, data: object, lang: object) -> dict[str, Any]:
        """One message from a page: checked, limited, committed; what to tell the page."""
        message_id = data.get("id") if isinstance(data, dict) else None
        try:
            incoming = parse_incoming(data)
        except BadMessage as exc:
            return {"type": "refused", "id": message_id, "code": exc.code}
        if not self.residents.allow(resident):
            return {"type": "retry", "id": incoming.id, "code": "slow_down"}
        try:
            await self.channel.take(resident, incoming, lang_hint=lang if lang == "en" else "")
        except StorageUnavailable:
            # Asked to wait already (a reply says so); the page sends it again a little later.
            return {"type": "retry", "id": incoming.id, "code": "busy"}
        return {"type": "ack", "id": incoming.id}

    # --- the same over plain HTTP -----------------------------------------------------------------

    def _resident(self, request: web.Request) -> str:
        try:
            return resident_of(request.headers.get("X-Resident"))
        except BadMessage:
            raise web.HTTPBadRequest() from None

    async def _send(self, request: web.Request) -> web.StreamResponse:
        # JSON with a custom header: a form on another site cannot send this (no preflight
        # would pass), and the origin must be the page's own.
        if not self._same_origin(request, required=True) or request.content_type != (
            "application/json"
        ):
            raise web.HTTPForbidden()
        resident = self._resident(request)
        try:
            data = await request.json()
        except (ValueError, UnicodeDecodeError):
            return _json({"type": "refused", "code": "bad_message"}, status=400)
        answer = await self._message(resident, data, request.headers.get("X-Lang"))
        return _json(answer)

    async def _poll(self, request: web.Request) -> web.StreamResponse:
        resident = self._resident(request)
        mailbox = self.channel.mailbox
        since = _number(request.query.get("since"))
        if request.query.get("epoch") != mailbox.epoch:
            since = 0
        # wait=0: the page is (re)connecting and wants to know at once that the bot is there.
        wait = 0.0 if request.query.get("wait") == "0" else POLL_SECONDS
        replies = await mailbox.wait(resident, since, timeout=wait)
        lang = await self.channel.language_of(resident)
        return _json(
            {
                "epoch": mailbox.epoch,
                "lang": lang,
                "replies": [{"seq": r.seq, "message": r.message} for r in replies],
            }
        )


def _secured(headers: Any) -> None:
    """The headers every answer carries: only the bot's own script, never in a frame."""
    headers.setdefault("Content-Security-Policy", CSP)
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("Referrer-Policy", "no-referrer")
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("Cache-Control", "no-store")


def _json(data: dict[str, Any], *, status: int = 200) -> web.Response:
    return web.Response(
        text=json.dumps(data, ensure_ascii=False), status=status, content_type="application/json"
    )


def _loads(text: str) -> object:
    try:
        return json.loads(text)
    except ValueError:
        return None


def _number(value: object) -> int:
    """A reply number the page sent (anything else counts as 0: everything kept is sent)."""
    try:
        number = int(str(value))
    except ValueError:
        return 0
    return number if 0 <= number < 2**53 else 0


def _compressed(path: Path) -> tuple[bytes, bytes]:
    """A static file as it is and gzipped (once, at start)."""
    plain = path.read_bytes()
    return plain, gzip.compress(plain, 9)
