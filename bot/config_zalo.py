"""The ``zalo:`` settings group: a commune's Zalo Official Account (OA).

Everything Zalo could change without telling us is a setting here, with the default read from
Zalo's developer documentation on 2026-12-02 (docs/zalo.md cites each): the API addresses, the
signature scheme, the window in which an OA may write, message and button limits, the error
codes. Secrets (the app secret, the OA secret key, the first refresh token) come from the
environment only and are never printed (``repr=False``).
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

__all__ = ["ENV_ZALO", "ZaloSettings"]

# Environment variable -> setting: secrets never sit in config.yaml.
ENV_ZALO = {
    "TROLYSO_ZALO_APP_SECRET": "app_secret",
    "TROLYSO_ZALO_OA_SECRET": "oa_secret_key",
    "TROLYSO_ZALO_REFRESH_TOKEN": "refresh_token",
    "TROLYSO_ZALO_TOKEN_KEY": "token_key",
}


class ZaloSettings(BaseModel):
    """How ``trolyso run`` serves the commune's Zalo OA (when ``zalo:`` is set)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    app_id: str = ""  # the Zalo app's id (developers.zalo.me, the app's page)
    oa_id: str = ""  # the OA's id: its follow link https://zalo.me/<oa_id> on posters
    app_secret: str = Field(default="", repr=False)
    oa_secret_key: str = Field(default="", repr=False)  # signs the webhook (the app's Webhook tab)
    refresh_token: str = Field(default="", repr=False)  # the first one; then the database's
    # Encrypts the renewed token pair in the database (a Fernet key: `trolyso zalo-key`
    # prints a new one).
    token_key: str = Field(default="", repr=False)
    # Staff on Zalo: the Zalo user ids of the commune's admins (the OA's chat with each is
    # where their notices go, within the window like any message).
    admin_ids: list[str] = Field(default_factory=list)
    # Where the webhook server listens (behind nginx) and the path Zalo is told to call.
    listen: str = "127.0.0.1"
    port: int = Field(default=8082, ge=0, le=65535)
    path: str = "/zalo/webhook"
    api_base: str = "https://openapi.zalo.me"
    message_path: str = "/v3.0/oa/message/cs"
    # A local picture is uploaded here once (multipart field "file"; jpg or png up to 1 MB);
    # Zalo keeps an upload 7 days, so it is uploaded again after ``upload_keep_days``.
    upload_image_path: str = "/v2.0/oa/upload/image"
    image_limit_bytes: int = Field(default=1_000_000, ge=1)
    upload_keep_days: float = Field(default=6.0, gt=0)
    oauth_url: str = "https://oauth.zaloapp.com/v4/oa/access_token"
    # sha256: X-ZEvent-Signature is "mac=" + sha256(app_id + body + timestamp + OA secret key),
    # as documented; sha256_oa_id: the same with the OA's id first (community reports);
    # hmac_sha256: HMAC-SHA256 of the body keyed by the OA secret key.
    signature: Literal["sha256", "sha256_oa_id", "hmac_sha256"] = "sha256"
    # An event signed longer ago than this is refused (a replay), as is one from the future.
    # Zalo sends an unanswered event again after 30 s, 5, 15 and 30 minutes and 1 hour, with
    # its first signature: 3 hours lets the last one in (a handled one is known by its id).
    max_event_age_seconds: float = Field(default=10800.0, gt=0)
    # Consultation messages only within this many hours after the resident last wrote (free
    # within 48 hours; Zalo bills them up to 7 days and refuses them after, error -230).
    window_hours: float = Field(default=48.0, gt=0)
    text_limit: int = Field(default=2000, ge=50)  # characters of one text message
    buttons_per_message: int = Field(default=5, ge=1)
    button_title_limit: int = Field(default=100, ge=10)
    button_payload_limit: int = Field(default=1000, ge=16)
    query_button: Literal["oa.query.hide", "oa.query.show"] = "oa.query.hide"
    url_button: str = "oa.open.url"
    # A query button's payload comes back as the resident's text: this marks the bot's own.
    payload_prefix: str = "#tls:"
    # What a resident types to start a guide from a poster ("BATDAU vneid_install").
    start_word: str = "BATDAU"
    # Renew the access token this long before it expires; its life when Zalo does not say.
    refresh_before_seconds: float = Field(default=3600.0, ge=0)
    token_lifetime_seconds: float = Field(default=90000.0, gt=0)
    lease_seconds: float = Field(default=30.0, gt=0)
    request_timeout: float = Field(default=30.0, gt=0)
    # Zalo's answer codes (the "error" field) and what they mean to the bot.
    # -216 token invalid, -220 expired or removed (-124: the same from the ZNS side).
    expired_token_errors: list[int] = Field(default_factory=lambda: [-216, -220, -124])
    # -213 not following the OA, -217 blocked the OA's invitations, -227 banned or inactive
    # 45 days, -244 restricted this kind of message from the OA.
    unreachable_errors: list[int] = Field(default_factory=lambda: [-213, -217, -227, -244])
    rate_limit_errors: list[int] = Field(default_factory=lambda: [-32])
    # -230 no interaction in the past 7 days, -232 no interaction (or it expired).
    outside_window_errors: list[int] = Field(default_factory=lambda: [-230, -232])
    # -100: an uploaded picture's id Zalo no longer knows (kept 7 days): uploaded again.
    expired_upload_errors: list[int] = Field(default_factory=lambda: [-100])
    rate_limit_wait_seconds: float = Field(default=2.0, gt=0)
    messages_per_second: float = Field(default=10.0, gt=0)
    chat_messages_per_second: float = Field(default=1.0, gt=0)
    chat_burst: int = Field(default=5, ge=1)
