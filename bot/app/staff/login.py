"""``/login``: a one-time link to the web console, for an admin (officer) or a volunteer.

Only in a private chat: in a group everyone would see the link (Telegram numbers groups below
zero). The link goes only to the person who asked, and is written to the admin log.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from bot.app.staff.context import Ctx
from bot.core.staff import AdminAction
from bot.storage.base import StaffStore

__all__ = ["LoginMaker", "login_command"]

# (who asked, role, the volunteer's id for that role, a name for the log, now) -> the link; ""
# when the console is not served (no ``web:`` in config.yaml).
LoginMaker = Callable[[str, str, int | None, str, float], Awaitable[str]]


async def login_command(
    ctx: Ctx, store: StaffStore, login: LoginMaker | None, *, admin: bool
) -> None:
    """Answer ``/login`` with a link (officer for an admin, volunteer for a volunteer)."""
    actor = str(ctx.key)
    if ctx.key.user_id.startswith("-"):
        await _log(store, ctx, "group chat", allowed=False)
        ctx.say(ctx.ui("staff.login_private"))
        return
    volunteer = None if admin else await store.volunteer_for(ctx.key)
    if not admin and (volunteer is None or not volunteer.active):
        await _log(store, ctx, "not staff", allowed=False)
        ctx.say(ctx.ui("staff.not_admin"))
        return
    if login is None:
        ctx.say(ctx.ui("staff.login_unavailable"))
        return
    role = "officer" if admin else "volunteer"
    name = volunteer.name if volunteer is not None else ""
    link = await login(actor, role, volunteer.id if volunteer else None, name, ctx.now)
    if not link:
        ctx.say(ctx.ui("staff.login_unavailable"))
        return
    ctx.say(ctx.ui("staff.login_link", link=link, minutes=10))
    await _log(store, ctx, f"role={role}", allowed=True)


async def _log(store: StaffStore, ctx: Ctx, detail: str, *, allowed: bool) -> None:
    await store.record_admin_action(
        AdminAction(actor=str(ctx.key), action="login", detail=detail, allowed=allowed, at=ctx.now)
    )
