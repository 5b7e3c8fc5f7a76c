"""Who may use the web console: one-time login links and the sessions they open.

A commune officer has no password to forget: ``/login`` in a private Telegram chat (or
``trolyso admin login-link`` on the server) gives a link that works once, for 10 minutes. Only a
hash of each token is kept, so a copy of the database opens nothing. Links and sessions are
named values of the storage's channel-state role (channel ``console``): a link is used up by
taking its lease for good with one conditional update, so two browsers racing with the same link
cannot both get in, even with several bot processes on one PostgreSQL server.

Roles: ``officer`` (everything), ``leader`` (the numbers only), ``volunteer`` (their own
households).
"""

from __future__ import annotations

import hashlib
import json
import secrets
from collections.abc import Awaitable, Callable
from dataclasses import asdict, dataclass

from bot.config import WebSettings
from bot.storage.channel_state import ChannelStateStore

__all__ = [
    "LINK_SECONDS",
    "ROLES",
    "SESSION_SECONDS",
    "ConsoleSession",
    "Grant",
    "console_address",
    "end_session",
    "issue_link",
    "login_link",
    "login_maker",
    "open_session",
    "redeem_link",
    "session_of",
]

ROLES = ("officer", "leader", "volunteer")
LINK_SECONDS = 10 * 60
SESSION_SECONDS = 8 * 3600  # a working day at the commune office
_CHANNEL = "console"
_FOREVER = 100 * 365 * 86400.0  # a used link's lease is never given back
_TOKEN_BYTES = 32  # 256 bits: guessing one is out of reach, whatever the rate limit


@dataclass(frozen=True, slots=True, kw_only=True)
class Grant:
    """What a login link lets in: who (for the admin log), with which role."""

    actor: str
    role: str
    name: str = ""
    volunteer_id: int | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class ConsoleSession:
    """A logged-in browser: the grant, its form token (CSRF) and when it ends."""

    grant: Grant
    csrf: str
    expires: float


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _plausible(token: str) -> bool:
    """A token we could have made (anything else is refused before the database is asked)."""
    return 20 <= len(token) <= 100 and all(c.isalnum() or c in "-_" for c in token)


async def issue_link(
    store: ChannelStateStore,
    *,
    actor: str,
    role: str,
    name: str = "",
    volunteer_id: int | None = None,
    now: float,
) -> str:
    """A new one-time login token for ``role`` (only its hash is stored)."""
    if role not in ROLES:
        raise ValueError(f"unknown console role {role!r}")
    token = secrets.token_urlsafe(_TOKEN_BYTES)
    grant = Grant(actor=actor, role=role, name=name, volunteer_id=volunteer_id)
    value = json.dumps({"grant": asdict(grant), "expires": now + LINK_SECONDS})
    await store.put_channel_value(_CHANNEL, "link:" + _digest(token), value, at=now)
    return token


def _grant(data: object) -> Grant | None:
    if not isinstance(data, dict):
        return None
    role = data.get("role")
    volunteer = data.get("volunteer_id")
    if role not in ROLES or not isinstance(data.get("actor"), str):
        return None
    return Grant(
        actor=data["actor"],
        role=str(role),
        name=str(data.get("name", "")),
        volunteer_id=volunteer if isinstance(volunteer, int) else None,
    )


def _read(value: str) -> tuple[dict[str, object], float] | None:
    try:
        data = json.loads(value) if value else None
    except ValueError:
        return None
    if not isinstance(data, dict) or not isinstance(data.get("expires"), (int, float)):
        return None
    return data, float(data["expires"])


async def redeem_link(store: ChannelStateStore, token: str, *, now: float) -> Grant | None:
    """Use a login token: its grant the first time within 10 minutes, None ever after."""
    if not _plausible(token):
        return None
    name = "link:" + _digest(token)
    stored = await store.channel_value(_CHANNEL, name)
    read = _read(stored.value) if stored is not None else None
    if read is None or read[1] <= now:
        return None
    # Used up: the lease is taken for good, by whoever takes it first (one conditional update).
    if not await store.claim_channel_lease(
        _CHANNEL, name, secrets.token_hex(8), now=now, until=now + _FOREVER
    ):
        return None
    await store.put_channel_value(_CHANNEL, name, "", at=now)
    return _grant(read[0].get("grant"))


async def open_session(
    store: ChannelStateStore, grant: Grant, *, now: float
) -> tuple[str, ConsoleSession]:
    """A new session for ``grant``: its cookie value (only its hash is stored) and itself."""
    cookie = secrets.token_urlsafe(_TOKEN_BYTES)
    session = ConsoleSession(
        grant=grant, csrf=secrets.token_urlsafe(24), expires=now + SESSION_SECONDS
    )
    value = json.dumps({"grant": asdict(grant), "csrf": session.csrf, "expires": session.expires})
    await store.put_channel_value(_CHANNEL, "session:" + _digest(cookie), value, at=now)
    return cookie, session


async def session_of(store: ChannelStateStore, cookie: str, *, now: float) -> ConsoleSession | None:
    """The live session of a cookie, or None (unknown, ended or expired)."""
    if not _plausible(cookie):
        return None
    stored = await store.channel_value(_CHANNEL, "session:" + _digest(cookie))
    read = _read(stored.value) if stored is not None else None
    if read is None or read[1] <= now:
        return None
    data, expires = read
    grant = _grant(data.get("grant"))
    csrf = data.get("csrf")
    if grant is None or not isinstance(csrf, str):
        return None
    return ConsoleSession(grant=grant, csrf=csrf, expires=expires)


async def end_session(store: ChannelStateStore, cookie: str, *, now: float) -> None:
    """Log out: the cookie opens nothing any more."""
    if _plausible(cookie):
        await store.put_channel_value(_CHANNEL, "session:" + _digest(cookie), "", at=now)


def console_address(web: WebSettings | None) -> str:
    """Where the console is opened (no trailing slash); "" when ``web:`` is not set."""
    if web is None:
        return ""
    if web.public_url:
        return web.public_url.rstrip("/")
    host = "127.0.0.1" if web.host in ("0.0.0.0", "::", "") else web.host
    return f"http://{host}:{web.port}"


def login_link(address: str, token: str) -> str:
    """The link that opens the console's login page with ``token``."""
    return f"{address}/admin/login?t={token}"


def login_maker(
    store: ChannelStateStore, web: WebSettings | None
) -> Callable[[str, str, int | None, str, float], Awaitable[str]] | None:
    """What ``/login`` calls to make a link (None when the console is not served)."""
    address = console_address(web)
    if not address:
        return None

    async def make(actor: str, role: str, volunteer_id: int | None, name: str, now: float) -> str:
        token = await issue_link(
            store, actor=actor, role=role, name=name, volunteer_id=volunteer_id, now=now
        )
        return login_link(address, token)

    return make
