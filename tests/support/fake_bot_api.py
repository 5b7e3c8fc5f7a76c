"""A local fake of the Telegram Bot API, for driving a bot end to end without network.

The real HTTP clients of aiogram 3 and python-telegram-bot 22 talk to it::

    async with FakeBotAPI() as api:
        bot = aiogram.Bot(api.token, session=AiohttpSession(api=api.aiogram_server()))
        ptb_bot = telegram.Bot(api.token, base_url=api.ptb_base_url,
                               base_file_url=api.ptb_base_file_url)
        api.push_update(message_update(42, "/start"))       # served by getUpdates
        [reply] = await api.wait_for("sendMessage")
        api.fail("sendMessage", status=429, retry_after=1)  # next sendMessage gets a 429

Every request is recorded as a :class:`~tests.support.fake_bot_requests.Call`. What the
methods return is implemented in :mod:`tests.support.fake_bot_methods`, on the state kept
by :class:`~tests.support.fake_bot_state.BotState`. Run it as a separate process with
``python -m tests.support.fake_bot_api --port 0``: it prints its URL on the first line of
stdout and can be controlled over HTTP under ``/_fake/`` (see :func:`_admin_routes` and
:class:`tests.support.fake_bot_process.FakeBotAPIProcess`).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import copy
import inspect
import json
import logging
import signal
import sys
import time
from collections.abc import Callable
from typing import Any, Self

from aiohttp import ClientError, ClientSession, ClientTimeout, web

from tests.support.fake_bot_methods import HANDLERS, canonical_method
from tests.support.fake_bot_requests import Call, Fault, method_key, read_params, same_chat
from tests.support.fake_bot_state import ApiError, BotState
from tests.support.telegram_updates import DEFAULT_BOT_USERNAME

log = logging.getLogger(__name__)

# aiogram checks the "<digits>:<secret>" shape and takes Bot.id from the digits.
DEFAULT_TOKEN = "1000:AAFakeTokenForTroLySoTests_0123456789"
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
BLOCKED = "Forbidden: bot was blocked by the user"
DEFAULT_DESCRIPTIONS = {
    400: "Bad Request",
    401: "Unauthorized",
    403: BLOCKED,
    404: "Not Found",
    409: "Conflict: terminated by other getUpdates request; "
    "make sure that only one bot instance is running",
    500: "Internal Server Error",
    502: "Bad Gateway",
}
# Methods a user who blocked the bot makes fail with 403.
_TO_CHAT_PREFIXES = ("send", "copy", "forward", "edit")
_TEXT_METHODS = frozenset({"sendMessage", "editMessageText"})


class RawAnswer(Exception):
    """An injected answer that is not Telegram's JSON (see :meth:`FakeBotAPI.fail`)."""

    def __init__(self, status: int, body: str) -> None:
        super().__init__(body[:40])
        self.status = status
        self.body = body


def _envelope(status: int, description: str, retry_after: int | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {"ok": False, "error_code": status, "description": description}
    if retry_after is not None:
        body["parameters"] = {"retry_after": retry_after}
    return body


class FakeBotAPI(BotState):
    """The fake server. ``token=None`` accepts any token; otherwise others get 401."""

    def __init__(
        self,
        token: str | None = DEFAULT_TOKEN,
        *,
        username: str = DEFAULT_BOT_USERNAME,
        host: str = "127.0.0.1",
        port: int = 0,
    ) -> None:
        super().__init__(token, username)
        self.token = token
        self.host = host
        self.port = port
        self.calls: list[Call] = []
        self.webhook_deliveries: list[tuple[str, dict[str, Any], int]] = []
        self._faults: list[Fault] = []
        self._delays: list[Fault] = []
        self._blocked: set[str] = set()
        self._changed = asyncio.Event()
        self._runner: web.AppRunner | None = None

    # ---- lifecycle ----------------------------------------------------------------------

    async def start(self) -> Self:
        """Listen on ``host:port`` (port 0: a free one, see :attr:`port`)."""
        app = web.Application(client_max_size=60 * 1024 * 1024)  # Telegram allows 50 MB
        app.router.add_route("*", "/bot{token}/{method}", self._handle_api)
        app.router.add_get("/file/bot{token}/{path:.+}", self._handle_file)
        _admin_routes(self, app)
        # handler_cancellation: a client that gives up (timeout) cancels its handler, like
        # a dropped connection; a short shutdown_timeout keeps stop() fast.
        self._runner = web.AppRunner(
            app, access_log=None, handler_cancellation=True, shutdown_timeout=0.5
        )
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, self.port)
        await site.start()
        self.port = self._runner.addresses[0][1]
        self.closing.clear()
        return self

    async def stop(self) -> None:
        """Release waiting long polls and delays, then close the server."""
        self.closing.set()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> Self:
        return await self.start()

    async def __aexit__(self, *exc_info: object) -> None:
        await self.stop()

    @property
    def url(self) -> str:
        """Base URL, e.g. ``http://127.0.0.1:PORT``."""
        return f"http://{self.host}:{self.port}"

    def aiogram_server(self) -> Any:
        """A ``TelegramAPIServer`` for ``AiohttpSession(api=...)``."""
        from aiogram.client.telegram import TelegramAPIServer

        return TelegramAPIServer.from_base(self.url)

    @property
    def ptb_base_url(self) -> str:
        """For ptb's ``base_url``: ptb appends the token, then ``/{method}``."""
        return f"{self.url}/bot"

    @property
    def ptb_base_file_url(self) -> str:
        return f"{self.url}/file/bot"

    # ---- HTTP handlers ------------------------------------------------------------------

    async def _handle_api(self, request: web.Request) -> web.Response:
        method = canonical_method(request.match_info["method"])
        try:
            params = await read_params(request)
        except ValueError as error:
            return web.json_response(_envelope(400, f"Bad Request: {error}"), status=400)
        call = Call(method, params, request.match_info["token"], time.time())
        self.calls.append(call)
        try:
            call.result = await self._execute(call)
            body: dict[str, Any] = {"ok": True, "result": call.result}
        except RawAnswer as answer:
            call.failed_status, call.description = answer.status, "raw answer"
            return web.Response(text=answer.body, status=answer.status, content_type="text/html")
        except ApiError as error:
            call.failed_status, call.description = error.status, error.description
            body = _envelope(error.status, error.description, error.retry_after)
        except asyncio.CancelledError:
            call.failed_status, call.description = 499, "client closed request"
            raise
        finally:
            call.done = True
            self._notify()
        return web.json_response(body, status=call.failed_status or 200, dumps=_dumps)

    async def _execute(self, call: Call) -> Any:
        if self.token is not None and call.token != self.token:
            raise ApiError(401, "Unauthorized")
        if delay := self._take(self._delays, call):
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.closing.wait(), delay.seconds)
        if fault := self._take(self._faults, call):
            if fault.raw is not None:
                raise RawAnswer(fault.status, fault.raw)
            raise ApiError(fault.status, fault.description, fault.retry_after)
        if call.method.startswith(_TO_CHAT_PREFIXES) and str(call.chat_id) in self._blocked:
            raise ApiError(403, BLOCKED)
        handler = HANDLERS.get(call.method)
        if handler is None:
            raise ApiError(404, "Not Found: method not found")
        try:
            result = handler(self, call.params)
            return await result if inspect.isawaitable(result) else result
        except (KeyError, TypeError, ValueError, AttributeError) as error:
            # Malformed parameters: answer like Telegram instead of crashing the request.
            log.warning("fake Bot API: bad %s params %r: %r", call.method, call.params, error)
            raise ApiError(400, f"Bad Request: invalid parameters ({error!r})") from error

    async def _handle_file(self, request: web.Request) -> web.Response:
        content = self.file_by_path(request.match_info["path"])
        if content is None:
            return web.json_response(_envelope(404, "Not Found"), status=404)
        return web.Response(body=content, content_type="application/octet-stream")

    def _notify(self) -> None:
        self._changed.set()
        self._changed = asyncio.Event()

    @staticmethod
    def _take(faults: list[Fault], call: Call) -> Fault | None:
        fault = next((f for f in faults if f.matches(call)), None)
        if fault is not None and fault.times is not None:
            fault.times -= 1
            if fault.times <= 0:
                faults.remove(fault)
        return fault

    # ---- updates ------------------------------------------------------------------------

    def push_update(self, update: dict[str, Any]) -> int:
        """Queue an update for getUpdates; returns its (possibly new) update_id."""
        update = copy.deepcopy(update)
        self.note_update(update)
        return self.updates.push(update)

    def pending_updates(self) -> list[dict[str, Any]]:
        """Updates not yet confirmed by a getUpdates offset."""
        return self.updates.pending()

    @property
    def confirmed_offset(self) -> int:
        """The highest offset a getUpdates call confirmed (0 if none)."""
        return self.updates.confirmed_offset

    async def deliver_webhook(
        self,
        url: str,
        update: dict[str, Any],
        *,
        secret_token: str | None = None,
        timeout: float = 10,
    ) -> int:
        """POST ``update`` to ``url`` as Telegram does; returns the HTTP status."""
        update = copy.deepcopy(update)
        self.updates.assign_id(update)
        self.note_update(update)
        headers = {SECRET_HEADER: secret_token} if secret_token else {}
        async with (
            ClientSession(timeout=ClientTimeout(total=timeout)) as session,
            session.post(
                url, data=_dumps(update), headers={**headers, "Content-Type": "application/json"}
            ) as response,
        ):
            status = response.status
        self.webhook_deliveries.append((url, update, status))
        return status

    async def deliver_to_registered_webhook(self, update: dict[str, Any]) -> int:
        """Deliver to the URL (and secret) the bot registered with setWebhook."""
        if not self.webhook_url:
            raise AssertionError("no webhook registered (setWebhook was not called)")
        return await self.deliver_webhook(
            self.webhook_url, update, secret_token=self.webhook_secret
        )

    # ---- fault injection ----------------------------------------------------------------

    def fail(
        self,
        method: str,
        *,
        status: int,
        description: str | None = None,
        retry_after: int | None = None,
        times: int | None = 1,
        chat_id: int | str | None = None,
        raw: str | None = None,
    ) -> Fault:
        """Make the next ``times`` calls of ``method`` ("*" = any; None = forever),
        optionally only to ``chat_id``, fail with ``status``; with ``raw``, the answer's body is
        that text (content type text/html) instead of Telegram's JSON."""
        if status == 429 and retry_after is None:
            retry_after = 1  # Telegram always says how long to wait
        if description is None:
            description = (
                f"Too Many Requests: retry after {retry_after}"
                if status == 429
                else DEFAULT_DESCRIPTIONS.get(status, "Error")
            )
        fault = Fault(method_key(method), chat_id, times, status, description, retry_after, raw=raw)
        self._faults.append(fault)
        return fault

    def delay(
        self, method: str, seconds: float, times: int | None = 1, chat_id: int | str | None = None
    ) -> Fault:
        """Hold the next ``times`` answers to ``method`` for ``seconds`` (client timeouts)."""
        fault = Fault(method_key(method), chat_id, times, seconds=seconds)
        self._delays.append(fault)
        return fault

    def block_user(self, chat_id: int | str) -> None:
        """Every send/edit to ``chat_id`` fails with 403 "bot was blocked by the user"."""
        self._blocked.add(str(chat_id))

    def unblock_user(self, chat_id: int | str) -> None:
        self._blocked.discard(str(chat_id))

    # ---- assertions helpers -------------------------------------------------------------

    def calls_to(self, method: str, chat_id: int | str | None = None) -> list[Call]:
        """All calls (failed ones too) of ``method``, optionally to one chat."""
        key = method_key(method)
        return [
            c
            for c in self.calls
            if key in ("*", c.method.lower()) and (chat_id is None or same_chat(chat_id, c.chat_id))
        ]

    def sent_texts(self, chat_id: int | str) -> list[str]:
        """Texts of successful sendMessage/editMessageText to ``chat_id`` and the captions
        of successful media sends/edits, in call order, as the bot sent them."""
        texts = []
        for call in self.calls:
            if not call.ok or not same_chat(chat_id, call.chat_id):
                continue
            field = "text" if call.method in _TEXT_METHODS else "caption"
            if call.params.get(field):
                texts.append(str(call.params[field]))
        return texts

    async def wait_for(
        self,
        method: str,
        predicate: Callable[[Call], bool] | None = None,
        *,
        count: int = 1,
        timeout: float = 5.0,
        chat_id: int | str | None = None,
        include_failed: bool = False,
    ) -> list[Call]:
        """Wait until ``count`` answered calls of ``method`` match ``predicate``; return
        all matching calls. Only successful calls count unless ``include_failed``."""
        deadline = time.monotonic() + timeout
        while True:
            matching = [
                c
                for c in self.calls_to(method, chat_id)
                if c.done and (include_failed or c.ok) and (predicate is None or predicate(c))
            ]
            remaining = deadline - time.monotonic()
            if len(matching) >= count:
                return matching
            if remaining <= 0:
                seen = "\n".join(f"  {c}" for c in self.calls) or "  (none)"
                raise AssertionError(
                    f"expected {count} matching {method} call(s) within {timeout}s, "
                    f"got {len(matching)}; calls seen:\n{seen}"
                )
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._changed.wait(), remaining)

    def reset(self) -> None:
        """Forget calls, faults, blocks, updates, messages, commands and the webhook."""
        self.calls.clear()
        self.webhook_deliveries.clear()
        self._faults.clear()
        self._delays.clear()
        self._blocked.clear()
        self.reset_state()


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


def _admin_routes(api: FakeBotAPI, app: web.Application) -> None:
    """``/_fake/...``: control a fake running in another process (JSON in, JSON out)."""

    async def body(request: web.Request) -> Any:
        return await request.json() if request.body_exists else {}

    def ok(result: Any = True, status: int = 200) -> web.Response:
        return web.json_response(
            {"ok": status == 200, "result": result}, status=status, dumps=_dumps
        )

    async def push(request: web.Request) -> web.Response:
        payload = await body(request)
        updates = payload if isinstance(payload, list) else [payload]
        return ok([api.push_update(update) for update in updates])

    async def pending(request: web.Request) -> web.Response:
        return ok(
            {
                "pending": api.pending_updates(),
                "confirmed_offset": api.confirmed_offset,
                "poll_conflicts": api.poll_conflicts,
            }
        )

    async def calls(request: web.Request) -> web.Response:
        method = request.query.get("method", "*")
        return ok([c.to_json() for c in api.calls_to(method, request.query.get("chat_id"))])

    async def wait(request: web.Request) -> web.Response:
        args = await body(request)
        try:
            found = await api.wait_for(
                args["method"],
                count=args.get("count", 1),
                timeout=args.get("timeout", 5.0),
                chat_id=args.get("chat_id"),
                include_failed=args.get("include_failed", False),
            )
        except AssertionError as error:
            return ok(str(error), status=408)
        return ok([c.to_json() for c in found])

    async def sent_texts(request: web.Request) -> web.Response:
        return ok(api.sent_texts(request.query["chat_id"]))

    async def fail(request: web.Request) -> web.Response:
        args = await body(request)
        api.fail(args.pop("method"), **args)
        return ok()

    async def delay(request: web.Request) -> web.Response:
        args = await body(request)
        api.delay(args.pop("method"), **args)
        return ok()

    async def block(request: web.Request) -> web.Response:
        api.block_user((await body(request))["chat_id"])
        return ok()

    async def unblock(request: web.Request) -> web.Response:
        api.unblock_user((await body(request))["chat_id"])
        return ok()

    async def reset(request: web.Request) -> web.Response:
        api.reset()
        return ok()

    async def webhook(request: web.Request) -> web.Response:
        return ok({"url": api.webhook_url, "secret_token": api.webhook_secret})

    async def deliver(request: web.Request) -> web.Response:
        url = request.query.get("url")
        if not url:
            return ok(await api.deliver_to_registered_webhook(await body(request)))
        # To one process of several behind a load balancer, with the registered secret; a
        # process that is down is status 0 (Telegram tries again later).
        try:
            status = await api.deliver_webhook(
                url, await body(request), secret_token=api.webhook_secret
            )
        except (ClientError, OSError, TimeoutError):
            status = 0
        return ok(status)

    app.router.add_post("/_fake/updates", push)
    app.router.add_get("/_fake/updates", pending)
    app.router.add_get("/_fake/calls", calls)
    app.router.add_post("/_fake/wait", wait)
    app.router.add_get("/_fake/sent_texts", sent_texts)
    app.router.add_post("/_fake/fail", fail)
    app.router.add_post("/_fake/delay", delay)
    app.router.add_post("/_fake/block", block)
    app.router.add_post("/_fake/unblock", unblock)
    app.router.add_post("/_fake/reset", reset)
    app.router.add_get("/_fake/webhook", webhook)
    app.router.add_post("/_fake/webhook/deliver", deliver)


async def _serve(args: argparse.Namespace) -> None:
    token = None if args.token == "any" else args.token
    api = FakeBotAPI(token, username=args.username, host=args.host, port=args.port)
    await api.start()
    # The first stdout line is the contract with the parent process: flush it at once.
    print(api.url, flush=True)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    await stop.wait()
    await api.stop()


def main(argv: list[str] | None = None) -> None:
    """``python -m tests.support.fake_bot_api [--port 0] [--token T|any]``."""
    parser = argparse.ArgumentParser(description="Fake Telegram Bot API server")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--token", default=DEFAULT_TOKEN, help='"any" accepts every token')
    parser.add_argument("--username", default=DEFAULT_BOT_USERNAME)
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr)
    asyncio.run(_serve(parser.parse_args(argv)))


if __name__ == "__main__":
    main()
