"""Getting updates in: long polling and the webhook server, both confirming only committed work.

Polling: a batch is processed (chats in parallel, each chat in order) before the next
``getUpdates`` call confirms it. Webhook: Telegram gets its 200 only after the turn is committed;
without the secret header (or with a wrong one) a request is refused and never processed.
When the database cannot be used (another program holds its lock, the disk is full) nothing is
confirmed: polling keeps its offset and fetches the same updates again after a pause, the
webhook answers 503 so Telegram sends them again; turns already saved are recognised then.
"""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import json
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web

from bot.app.turns import ChatOrder
from bot.channels.served import Confirming, listen
from bot.channels.telegram.adapter import Adapter, Skipped, read_update, update_id_of
from bot.channels.telegram.errors import ApiFailure
from bot.core.errors import StorageUnavailable
from bot.core.privacy import mask

__all__ = ["SECRET_HEADER", "Poller", "WebhookServer", "backoff_delay"]

log = logging.getLogger(__name__)
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
ALLOWED_UPDATES = ["message", "callback_query", "my_chat_member"]
# The longest wait between two getUpdates that failed in a row.
MAX_BACKOFF = 30.0
# A webhook body larger than this is refused unread (an update is a few kilobytes).
MAX_WEBHOOK_BODY = 1_000_000


class Poller:
    """Long polling that never confirms an update before its turn is committed."""

    def __init__(
        self,
        adapter: Adapter,
        *,
        timeout: int = 25,
        order: ChatOrder | None = None,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        backoff: float = 0.5,
        leading: Callable[[], Awaitable[bool]] | None = None,
    ) -> None:
        self.adapter = adapter
        self.timeout = timeout
        # Asked before each getUpdates when several processes share the database: only the
        # one that leads polls (Telegram answers a second poller with 409).
        self.leading = leading
        # After a failed getUpdates: wait this long, doubled at each failure in a row (to 30 s).
        self.backoff = backoff
        self.order = order or ChatOrder()
        self.sleep = sleep
        self._stopping = asyncio.Event()
        self.offset: int | None = None
        self._unsaved = 0  # batches in a row the database could not save

    def stop(self) -> None:
        """Finish the batch in hand, confirm it, and return from :meth:`run`."""
        self._stopping.set()

    async def run(self) -> None:
        """Poll until :meth:`stop`; whatever Telegram answers, wait a little and ask again."""
        failures = 0
        last_kind = ""
        while not self._stopping.is_set():
            if self.leading is not None and not await self.leading():
                return  # another process polls now: what this one confirmed is confirmed
            fetch = asyncio.ensure_future(self.adapter.fetch(self.offset, self.timeout))
            stop = asyncio.ensure_future(self._stopping.wait())
            done, _ = await asyncio.wait({fetch, stop}, return_when=asyncio.FIRST_COMPLETED)
            if fetch not in done:
                fetch.cancel()
                stop.cancel()
                break
            stop.cancel()
            try:
                updates = fetch.result()
            except Exception as exc:  # the process never stops for Telegram's sake
                failures += 1
                delay = backoff_delay(failures, self.backoff)
                kind = _failure_kind(exc)
                # One line per kind of failure; the same again only at debug level.
                level = logging.DEBUG if kind == last_kind else logging.WARNING
                log.log(level, "getUpdates failed (%s); trying again in %.3g s", kind, delay)
                last_kind = kind
                with contextlib.suppress(TimeoutError):  # a stop ends the wait at once
                    await asyncio.wait_for(self._stopping.wait(), delay)
                continue
            if failures:
                log.info("getUpdates works again after %d failures", failures)
                last_kind = ""
            failures = 0
            if updates and not await self.process_batch(updates):
                # Not saved: the same updates are fetched again (the offset did not move).
                self._unsaved += 1
                await self.sleep(min(30.0, 0.5 * 2 ** min(self._unsaved, 6)))
            else:
                self._unsaved = 0
        await self._confirm()

    async def process_batch(self, updates: list[Any]) -> bool:
        """Handle a batch: chats in parallel, each chat in order; then move the offset on.

        False when the database could not save some turn: then the offset stays, so the whole
        batch comes again (the turns that were saved are recognised and not done twice).
        """
        unsaved: set[int | None] = set()
        await asyncio.gather(*(self._one(update, unsaved) for update in updates))
        if unsaved:
            return False
        self.offset = max(self.adapter.update_id(u) for u in updates) + 1
        return True

    async def _one(self, update: Any, unsaved: set[int | None]) -> None:
        if isinstance(update, Skipped):
            return  # unreadable (logged when read): confirmed with the batch, never handled
        chat = self.adapter.chat_id(update)

        async def work() -> None:
            if chat in unsaved:  # an earlier update of this chat waits: keep the chat's order
                return
            try:
                await self.adapter.process(update)
            except StorageUnavailable:
                unsaved.add(chat)

        try:
            await self.order.run(chat, work)
        except Exception:
            # Logged and skipped: an update that always fails must not stop every other chat.
            log.exception("an update could not be handled")

    async def _confirm(self) -> None:
        """Tell Telegram the last batch is done, so it is not served again after a restart."""
        if self.offset is None:
            return
        try:
            await self.adapter.fetch(self.offset, 0)
        except Exception:
            log.info("could not confirm the last updates; they will be skipped as duplicates")


class WebhookServer:
    """An aiohttp server: Telegram's webhook, and a health check for the reverse proxy."""

    def __init__(
        self,
        adapter: Adapter,
        *,
        secret: str,
        path: str,
        host: str,
        port: int,
        order: ChatOrder | None = None,
        healthy: Callable[[], bool] = lambda: True,
    ) -> None:
        if not secret:
            raise ValueError("a webhook needs a secret token")
        # False while the database cannot save turns: /healthz then answers 503.
        self.healthy = healthy
        self.adapter = adapter
        self.secret = secret.encode()
        self.path = path
        self.host = host
        self.port = port
        self.order = order or ChatOrder()
        self._runner: web.AppRunner | None = None
        self.confirming = Confirming()

    def app(self) -> web.Application:
        """The aiohttp application (also usable with aiohttp's test client)."""
        app = web.Application(client_max_size=MAX_WEBHOOK_BODY)
        app.router.add_post(self.path, self._webhook)
        app.router.add_get("/healthz", self._health)
        return app

    async def start(self) -> int:
        """Start listening; returns the port (useful when 0 asked for a free one)."""
        self._runner, self.port = await listen(self.app(), self.host, self.port)
        return self.port

    async def stop(self, grace: float = 30.0) -> None:
        """Stop taking requests, let the ones being handled finish, then close."""
        if self._runner is None:
            return
        await self.confirming.close(self._runner, grace=grace)
        self._runner = None

    @property
    def in_flight(self) -> int:
        """Updates being handled now."""
        return self.confirming.in_flight

    async def _health(self, request: web.Request) -> web.Response:
        if not self.healthy():
            return web.json_response(
                {"status": "unhealthy", "reason": "database", "in_flight": self.in_flight},
                status=503,
            )
        return web.json_response({"status": "ok", "in_flight": self.in_flight})

    async def _webhook(self, request: web.Request) -> web.Response:
        given = request.headers.get(SECRET_HEADER)
        if given is None:
            return web.Response(status=401, text="missing secret token")
        # (aiohttp keeps bytes that are not UTF-8 as surrogates: such a header is just wrong.)
        if not hmac.compare_digest(given.encode("utf-8", "surrogateescape"), self.secret):
            return web.Response(status=403, text="wrong secret token")
        if (request.content_length or 0) > MAX_WEBHOOK_BODY:
            return _too_large()  # refused before a byte of it is read
        try:
            data = json.loads(await request.read())  # reads at most MAX_WEBHOOK_BODY
        except web.HTTPRequestEntityTooLarge:
            return _too_large()
        except ValueError:
            return web.Response(status=400, text="not a Telegram update")
        if update_id_of(data) is None:
            return web.Response(status=400, text="not a Telegram update")
        update = read_update(data, self.adapter.parse)
        if isinstance(update, Skipped):
            # Unreadable (logged): answered, so Telegram does not send it again and again.
            return web.Response(status=200, text="skipped")
        # 200 only once committed; 503/500 make Telegram send it again (its id is committed only
        # with its turn, so what was saved is recognised then).
        return await self.confirming.answer(
            lambda: self.order.run(
                self.adapter.chat_id(update), lambda: self.adapter.process(update)
            ),
            what="an update",
        )


def backoff_delay(failures: int, first: float) -> float:
    """How long to wait after ``failures`` failed getUpdates in a row: ``first``, doubling."""
    return min(MAX_BACKOFF, first * 2.0 ** min(failures - 1, 16))


def _too_large() -> web.Response:
    response = web.Response(status=413, text="too large for a Telegram update")
    response.force_close()  # the rest of the body is not read
    return response


def _failure_kind(exc: Exception) -> str:
    """What went wrong with a getUpdates, in one short line without anyone's data."""
    if isinstance(exc, ApiFailure | TimeoutError | OSError):
        text = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
        return mask(text[:160]) or type(exc).__name__
    # A framework's own exception may quote the whole answer: only its name is kept.
    return type(exc).__name__
