"""Volunteers joining: one-time invite codes, ``/join`` with its throttle, and poster referrals."""

from __future__ import annotations

import hashlib
import math
import re
import secrets
from typing import Any

from bot.app.staff.context import Ctx
from bot.core.staff import AdminAction
from bot.core.types import Command, SessionKey
from bot.storage.base import StaffStore

__all__ = [
    "INVITE_DAYS",
    "JOIN_TRIES",
    "JOIN_WINDOW",
    "JoinThrottle",
    "create_invite",
    "hash_invite",
    "join",
    "new_invite_code",
    "referral",
]

INVITE_DAYS = 7
# Guessing invite codes: after this many wrong codes within JOIN_WINDOW seconds, /join answers
# only "try again later" for JOIN_WINDOW seconds (one line in the admin log, no code checked).
JOIN_TRIES = 5
JOIN_WINDOW = 600.0
_INVITE_LETTERS = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
# A poster's deep link: "<flow_id>-v<volunteer code>" (Telegram allows A-Z a-z 0-9 _ -).
_REFERRAL = re.compile(r"^([a-z][a-z0-9_]{0,39})-v([A-Za-z0-9]{4,12})$")


def new_invite_code() -> str:
    """Eight characters, easy to read aloud and type (no 0/O or 1/I)."""
    return "".join(secrets.choice(_INVITE_LETTERS) for _ in range(8))


def hash_invite(code: str) -> str:
    """Only this is stored: a leaked database does not give away unused invite codes."""
    return hashlib.sha256(code.strip().upper().encode()).hexdigest()


async def create_invite(
    store: StaffStore,
    *,
    village: str,
    commune: str,
    created_by: str,
    at: float,
    days: int = INVITE_DAYS,
) -> str:
    """A new one-time invite code for a village, stored only as its hash."""
    code = new_invite_code()
    await store.create_invite(
        hash_invite(code),
        village=village,
        commune=commune,
        created_by=created_by,
        at=at,
        expires_at=at + days * 86400,
    )
    return code


async def join(ctx: Ctx, store: StaffStore, throttle: JoinThrottle, code: str) -> None:
    """``/join CODE`` (or ``/start join_CODE``): redeem an invite, kindly refused when guessing."""
    code = code.strip()
    if not code:
        ctx.say(ctx.ui("staff.join_ask"))
        return
    wait = throttle.wait(ctx.key, ctx.now)
    if wait:
        if throttle.first_refusal(ctx.key):
            await store.record_admin_action(
                AdminAction(
                    actor=str(ctx.key),
                    action="join",
                    detail="too many wrong codes",
                    allowed=False,
                    at=ctx.now,
                )
            )
        ctx.say(ctx.ui("staff.join_wait", minutes=math.ceil(wait / 60)))
        return
    # The name their chat profile gives (Telegram's first name); /name changes it later.
    name = str(ctx.session.profile.get("name") or ctx.name_hint)
    status, volunteer = await store.redeem_invite(hash_invite(code), ctx.key, name=name, at=ctx.now)
    await store.record_admin_action(
        AdminAction(
            actor=str(ctx.key), action="join", detail=status, allowed=status == "ok", at=ctx.now
        )
    )
    if status == "wrong":
        throttle.wrong(ctx.key, ctx.now)
    if status == "ok" and volunteer is not None:
        ctx.say(
            ctx.ui(
                "staff.join_ok",
                name=volunteer.name,
                village=volunteer.village,
                code=volunteer.code,
            )
        )
    elif status == "already" and volunteer is not None:
        ctx.say(ctx.ui("staff.join_already", village=volunteer.village))
    else:
        ctx.say(ctx.ui(f"staff.join_{status}"))


async def referral(store: StaffStore, event: Command) -> tuple[Command, dict[str, Any] | None]:
    """``/start vneid_install-vABC123``: open that flow, credited to the poster's volunteer."""
    match = _REFERRAL.match(event.arg.strip())
    if match is None:
        return event, None
    flow_id, code = match.groups()
    volunteer = await store.volunteer_by_code(code)
    if volunteer is None:  # an old poster of someone who left: the flow still opens
        return Command("start", flow_id), None
    credit = {"mode": "referred", "volunteer_id": volunteer.id, "village": volunteer.village}
    return Command("start", flow_id), credit


class JoinThrottle:
    """Wrong invite codes per person, kept in memory (a restart forgets them)."""

    def __init__(self) -> None:
        self._wrong: dict[SessionKey, list[float]] = {}
        self._until: dict[SessionKey, tuple[float, bool]] = {}  # until when, refusal logged

    def wait(self, key: SessionKey, now: float) -> float:
        """Seconds ``key`` must still wait before a code is checked again (0: go ahead)."""
        until, _logged = self._until.get(key, (0.0, False))
        if now < until:
            return until - now
        self._until.pop(key, None)
        return 0.0

    def first_refusal(self, key: SessionKey) -> bool:
        """True once per wait: the refusal that goes into the admin log."""
        until, logged = self._until[key]
        self._until[key] = (until, True)
        return not logged

    def wrong(self, key: SessionKey, now: float) -> None:
        """Count a wrong code; the JOIN_TRIES-th within JOIN_WINDOW starts a wait."""
        recent = [at for at in self._wrong.get(key, ()) if now - at < JOIN_WINDOW] + [now]
        if len(recent) >= JOIN_TRIES:
            self._wrong.pop(key, None)
            self._until[key] = (now + JOIN_WINDOW, False)
            return
        self._wrong[key] = recent
        if len(self._wrong) + len(self._until) > 1000:  # forget those who stopped long ago
            self._wrong = {k: t for k, t in self._wrong.items() if now - t[-1] < JOIN_WINDOW}
            self._until = {k: u for k, u in self._until.items() if now < u[0]}
