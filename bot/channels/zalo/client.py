"""A thin client of the OA API on aiohttp, and Zalo's answers as the kinds of bot.core.errors.

Thin on purpose: the bot needs three calls (send a customer-service message, upload a picture,
renew the access token), and the OA SDKs on PyPI are small, little-maintained wrappers of the
same requests that would add a dependency and hide the answers the delivery must classify.

Zalo answers HTTP 200 with ``{"error": <code>, "message": ...}``; the codes that mean "the
token expired", "the resident cannot be written to", "too fast" and "outside the window" are
settings (docs/zalo.md). No token is ever logged: it travels in a header, never in a URL.
"""

from __future__ import annotations

import logging
from typing import Any

import aiohttp

from bot.config import ZaloSettings
from bot.core.errors import Rejected, RetryLater, Transient, Unreachable

__all__ = ["OutsideWindow", "TokenExpired", "TokenRefused", "UploadExpired", "ZaloClient"]

log = logging.getLogger(__name__)


class TokenExpired(Transient):
    """Zalo no longer accepts the access token: renew it and try again."""


class OutsideWindow(Rejected):
    """Zalo says the resident last wrote too long ago for the OA to write to them."""


class UploadExpired(Rejected):
    """Zalo no longer knows an uploaded picture's id (it keeps uploads 7 days): upload again."""


class TokenRefused(Transient):
    """Zalo refused to renew the access token (the refresh token is used up or wrong)."""


class ZaloClient:
    """The OA API's three requests, over one aiohttp session."""

    def __init__(self, settings: ZaloSettings) -> None:
        self.settings = settings
        self._http: aiohttp.ClientSession | None = None

    def _session(self) -> aiohttp.ClientSession:
        if self._http is None or self._http.closed:
            timeout = aiohttp.ClientTimeout(total=self.settings.request_timeout)
            self._http = aiohttp.ClientSession(timeout=timeout)
        return self._http

    async def close(self) -> None:
        """Close the connections."""
        if self._http is not None:
            await self._http.close()
            self._http = None

    async def send(self, body: dict[str, Any], access_token: str) -> dict[str, Any]:
        """Send one customer-service message; raises the kinds of :mod:`bot.core.errors`."""
        return await self._post(self.settings.message_path, access_token, json=body)

    async def upload_image(self, content: bytes, filename: str, access_token: str) -> str:
        """Upload a picture (jpg or png); the ``attachment_id`` Zalo gives it."""
        form = aiohttp.FormData()
        kind = "image/png" if filename.lower().endswith(".png") else "image/jpeg"
        form.add_field("file", content, filename=filename, content_type=kind)
        answer = await self._post(self.settings.upload_image_path, access_token, data=form)
        attachment = (answer.get("data") or {}).get("attachment_id")
        if not attachment:
            raise Rejected("Zalo accepted the picture but gave no attachment_id")
        return str(attachment)

    async def _post(self, path: str, access_token: str, **payload: Any) -> dict[str, Any]:
        """One OA API request with the token in its header; Zalo's answer, classified."""
        url = self.settings.api_base.rstrip("/") + path
        try:
            async with self._session().post(
                url, headers={"access_token": access_token}, **payload
            ) as response:
                status, retry_after = response.status, response.headers.get("Retry-After", "")
                answer = await response.json(content_type=None) if status == 200 else None
        except (aiohttp.ClientError, TimeoutError, ValueError) as exc:
            raise Transient(f"Zalo did not answer ({type(exc).__name__})") from None
        if status == 429:
            raise RetryLater(float(retry_after) if retry_after.isdigit() else 1.0)
        if status >= 500:
            raise Transient(f"Zalo answered HTTP {status}")
        if status in (401, 403):
            raise Unreachable(f"Zalo answered HTTP {status}")
        if status != 200 or not isinstance(answer, dict):
            raise Rejected(f"Zalo answered HTTP {status}")
        return self._classified(answer)

    def _classified(self, answer: dict[str, Any]) -> dict[str, Any]:
        code = int(answer.get("error", 0) or 0)
        if code == 0:
            return answer
        # Only the code and Zalo's own short reason: never the message sent.
        why = f"Zalo error {code}: {str(answer.get('message', ''))[:80]}"
        settings = self.settings
        if code in settings.expired_token_errors:
            raise TokenExpired(why)
        if code in settings.unreachable_errors:
            raise Unreachable(why)
        if code in settings.rate_limit_errors:
            raise RetryLater(settings.rate_limit_wait_seconds)
        if code in settings.outside_window_errors:
            raise OutsideWindow(why)
        if code in settings.expired_upload_errors:
            raise UploadExpired(why)
        raise Rejected(why)

    async def renew(self, refresh_token: str) -> dict[str, Any]:
        """A new access token and refresh token for ``refresh_token`` (which is then used up)."""
        settings = self.settings
        form = {
            "refresh_token": refresh_token,
            "app_id": settings.app_id,
            "grant_type": "refresh_token",
        }
        try:
            async with self._session().post(
                settings.oauth_url, data=form, headers={"secret_key": settings.app_secret}
            ) as response:
                status = response.status
                answer = await response.json(content_type=None) if status == 200 else None
        except (aiohttp.ClientError, TimeoutError, ValueError) as exc:
            raise Transient(f"Zalo's token service did not answer ({type(exc).__name__})") from None
        if status != 200 or not isinstance(answer, dict):
            raise Transient(f"Zalo's token service answered HTTP {status}")
        if not answer.get("access_token") or not answer.get("refresh_token"):
            code = answer.get("error", "?")
            raise TokenRefused(f"Zalo refused to renew the access token (error {code})")
        return answer
