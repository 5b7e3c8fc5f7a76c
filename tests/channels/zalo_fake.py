"""A fake Zalo OA API on 127.0.0.1 for the Zalo channel's tests, shaped like the real one.

``POST /v3.0/oa/message/cs`` takes customer-service messages with an ``access_token`` header
(checked, and refused with Zalo's -216 once expired), checks their shape and Zalo's limits and
keeps them; ``POST /v4/oa/access_token`` renews a pair once per refresh token (a used one is
refused, as Zalo does); ``POST /v2.0/oa/upload/image`` takes a jpg or png of at most 1 MB
and gives its ``attachment_id`` (forgotten by :meth:`FakeZaloOA.forget_uploads`, as Zalo does
after 7 days). Errors can be injected in order (:meth:`FakeZaloOA.fail_next`). It also
signs events as Zalo does and posts them to the bot's webhook (:meth:`FakeZaloOA.event`).
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import aiohttp
from aiohttp import web

from bot.channels.zalo.events import SIGNATURE_HEADER, sign
from bot.config import ZaloSettings

APP_ID = "3608465249409039"
OA_ID = "388613280878808645"
APP_SECRET = "app-secret-for-tests-only"
OA_SECRET = "oa-secret-for-tests-only"
FIRST_REFRESH = "refresh-0"
TOKEN_KEY = "Ka75CTmjUWqp84OhumyZoG9TRe8H6A6zRFBZ3egsWms="  # encrypts the kept tokens (a Fernet key, for tests only)
BUTTON_TYPES = {"oa.query.hide", "oa.query.show", "oa.open.url", "oa.open.phone"}


@dataclass
class Sent:
    """One message the OA accepted."""

    user_id: str
    text: str
    buttons: list[dict[str, Any]]
    token: str
    image: str = ""  # a picture message's url or attachment_id


@dataclass
class FakeZaloOA:
    """The OA API, its token service and the residents' follow state."""

    clock: Callable[[], float]
    lifetime: float = 90000.0
    sent: list[Sent] = field(default_factory=list)
    renewals: int = 0
    refused_refresh: int = 0
    unfollowed: set[str] = field(default_factory=set)
    failures: list[tuple[int, dict[str, Any]]] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    base: str = ""
    uploads: dict[str, bytes] = field(default_factory=dict)  # attachment_id -> the file
    upload_count: int = 0
    renew_delay: float = 0.0  # how long the token service takes to answer (a slow Zalo)
    upload_delay: float = 0.0  # and the upload
    _tokens: dict[str, float] = field(default_factory=dict)  # access token -> expires at
    _refresh: set[str] = field(default_factory=lambda: {FIRST_REFRESH})
    _runner: web.AppRunner | None = None
    _count: int = 0

    async def start(self) -> FakeZaloOA:
        app = web.Application()
        app.router.add_post("/v3.0/oa/message/cs", self._message)
        app.router.add_post("/v4/oa/access_token", self._renew)
        app.router.add_post("/v2.0/oa/upload/image", self._upload)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self.base = f"http://127.0.0.1:{port}"
        return self

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    def settings(self, **extra: Any) -> ZaloSettings:
        """Settings of a bot that talks to this fake."""
        values: dict[str, Any] = {
            "app_id": APP_ID,
            "oa_id": OA_ID,
            "app_secret": APP_SECRET,
            "oa_secret_key": OA_SECRET,
            "refresh_token": FIRST_REFRESH,
            "token_key": TOKEN_KEY,
            "port": 0,
            "api_base": self.base,
            "oauth_url": self.base + "/v4/oa/access_token",
            **extra,
        }
        return ZaloSettings(**values)

    def expire_all(self) -> None:
        """Every access token given so far stops working now."""
        for token in self._tokens:
            self._tokens[token] = 0.0

    def forget_uploads(self) -> None:
        """Every attachment_id given so far is unknown from now on (Zalo keeps them 7 days)."""
        self.uploads.clear()

    def fail_next(self, status: int, answer: dict[str, Any] | None = None) -> None:
        """The next message gets this answer instead of being accepted."""
        self.failures.append((status, answer or {}))

    def to(self, user_id: str) -> list[Sent]:
        return [s for s in self.sent if s.user_id == user_id]

    # --- the API ---------------------------------------------------------------------------------

    async def _message(self, request: web.Request) -> web.Response:
        token = request.headers.get("access_token", "")
        if self._tokens.get(token, -1.0) <= self.clock():
            return web.json_response({"error": -216, "message": "Access token is invalid"})
        if self.failures:
            status, answer = self.failures.pop(0)
            return web.json_response(answer, status=status)
        body = await request.json()
        user = body["recipient"]["user_id"]
        if user in self.unfollowed:
            return web.json_response({"error": -213, "message": "User has not followed OA"})
        message = body["message"]
        text = message.get("text", "")
        payload = message.get("attachment", {}).get("payload", {})
        buttons = payload.get("buttons", [])
        elements = payload.get("elements", [])
        image = next((str(e.get("url") or e.get("attachment_id") or "") for e in elements), "")
        if any("attachment_id" in e and e["attachment_id"] not in self.uploads for e in elements):
            return web.json_response({"error": -100, "message": "attachment_id was expired"})
        problem = (
            "a text longer than 2000 characters" if len(text) > 2000
            else "more than 5 buttons" if len(buttons) > 5
            else "an unknown button type" if any(b["type"] not in BUTTON_TYPES for b in buttons)
            else "no text" if not text and "elements" not in payload
            else "a picture by both url and attachment_id"
            if any("url" in e and "attachment_id" in e for e in elements)
            else ""
        )  # fmt: skip
        if problem:  # kept for the test to see: the bot's retries must not hide it
            self.problems.append(problem)
            return web.json_response({"error": -201, "message": "Parameters invalid"})
        self.sent.append(Sent(user, text, buttons, token, image))
        self._count += 1
        return web.json_response(
            {
                "error": 0,
                "message": "Success",
                "data": {"message_id": f"m{self._count}", "user_id": user},
            }
        )

    async def _upload(self, request: web.Request) -> web.Response:
        token = request.headers.get("access_token", "")
        if self._tokens.get(token, -1.0) <= self.clock():
            return web.json_response({"error": -216, "message": "Access token is invalid"})
        form = await request.post()
        if self.upload_delay:
            await asyncio.sleep(self.upload_delay)
        upload = form.get("file")
        if not isinstance(upload, web.FileField):
            self.problems.append("an upload without its file field")
            return web.json_response({"error": -201, "message": "file is invalid!"})
        content = upload.file.read()
        if not upload.filename.lower().endswith((".jpg", ".jpeg", ".png")) or len(content) > 1e6:
            self.problems.append("a picture Zalo does not take")
            return web.json_response({"error": -210, "message": "Parameter exceeds allowable limit"})
        self.upload_count += 1
        attachment = f"att-{self.upload_count}"
        self.uploads[attachment] = content
        return web.json_response(
            {"data": {"attachment_id": attachment}, "error": 0, "message": "Success"}
        )

    async def _renew(self, request: web.Request) -> web.Response:
        form = await request.post()
        if self.renew_delay:
            await asyncio.sleep(self.renew_delay)  # a second renewal now would race this one
        if request.headers.get("secret_key") != APP_SECRET or form.get("app_id") != APP_ID:
            return web.json_response({"error": -14014, "message": "Invalid secret key"})
        refresh = str(form.get("refresh_token", ""))
        if form.get("grant_type") != "refresh_token" or refresh not in self._refresh:
            self.refused_refresh += 1
            return web.json_response({"error": -14020, "message": "Invalid refresh token"})
        self._refresh.discard(refresh)  # single use
        self.renewals += 1
        access, new_refresh = f"access-{self.renewals}", f"refresh-{self.renewals}"
        self._tokens[access] = self.clock() + self.lifetime
        self._refresh.add(new_refresh)
        return web.json_response(
            {
                "access_token": access,
                "refresh_token": new_refresh,
                "expires_in": str(int(self.lifetime)),
            }
        )

    # --- events to the bot -----------------------------------------------------------------------

    def text_event(self, user_id: str, text: str, msg_id: str) -> dict[str, Any]:
        return {
            "app_id": APP_ID,
            "sender": {"id": user_id},
            "user_id_by_app": "55" + user_id,
            "recipient": {"id": OA_ID},
            "event_name": "user_send_text",
            "message": {"text": text, "msg_id": msg_id},
            "timestamp": str(int(self.clock() * 1000)),
        }

    def follow_event(self, user_id: str, name: str = "follow") -> dict[str, Any]:
        return {
            "oa_id": OA_ID,
            "follower": {"id": user_id},
            "user_id_by_app": "55" + user_id,
            "event_name": name,
            "source": "oa_profile",
            "app_id": APP_ID,
            "timestamp": str(int(self.clock() * 1000)),
        }

    async def event(
        self, url: str, data: dict[str, Any], *, signature: str | None = "", secret: str = OA_SECRET
    ) -> int:
        """Post an event as Zalo does (signed with ``secret``; ``signature=None``: unsigned)."""
        body = json.dumps(data, ensure_ascii=False).encode()
        headers = {"Content-Type": "application/json"}
        if signature is not None:
            settings = ZaloSettings(app_id=APP_ID, oa_secret_key=secret)
            headers[SIGNATURE_HEADER] = signature or sign(settings, body, data["timestamp"])
        async with aiohttp.ClientSession() as http, http.post(url, data=body, headers=headers) as r:
            return r.status
