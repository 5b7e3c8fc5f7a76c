"""The admins' commands: ``/invite``, ``/volunteers``, ``/deactivate``, ``/report``,
``/police``."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping

from bot.app.staff.context import Ctx, whole_number
from bot.app.staff.joining import INVITE_DAYS, create_invite
from bot.app.staff.police import police_list
from bot.core.staff import AdminAction
from bot.core.types import OutgoingMessage, SessionKey
from bot.flows.compiled import CompiledFlow
from bot.storage.base import StaffStore

__all__ = ["ADMIN_COMMANDS", "ReportMaker", "admin_command"]

ADMIN_COMMANDS = frozenset({"invite", "volunteers", "deactivate", "report", "police"})

# Who asked, the village typed after /report, and the flows loaded now (a reload swaps them).
ReportMaker = Callable[
    [SessionKey, str, Mapping[str, CompiledFlow]], Awaitable[tuple[OutgoingMessage, ...]]
]


async def admin_command(
    ctx: Ctx,
    store: StaffStore,
    name: str,
    arg: str,
    *,
    bot_username: str,
    report: ReportMaker | None,
) -> None:
    """One admin command from an admin, answered and written to the admin log."""
    detail = arg
    if name == "invite":
        village, _, commune = (part.strip() for part in arg.partition("|"))
        if not village:
            ctx.say(ctx.ui("staff.invite_usage"))
            return
        code = await create_invite(
            store, village=village, commune=commune, created_by=str(ctx.key), at=ctx.now
        )
        link = f"https://t.me/{bot_username}?start=join_{code}" if bot_username else ""
        ctx.say(ctx.ui("staff.invite_ok", village=village, code=code, days=INVITE_DAYS, link=link))
        detail = f"village={village}"
    elif name == "volunteers":
        volunteers = await store.volunteers()
        if not volunteers:
            ctx.say(ctx.ui("staff.volunteers_none"))
        else:
            lines = [ctx.ui("staff.volunteers_head")] + [
                ctx.ui(
                    "staff.volunteer_line",
                    id=v.id,
                    name=v.name,
                    village=v.village,
                    code=v.code,
                    active=v.active,
                )
                for v in volunteers
            ]
            ctx.say("\n".join(lines))
    elif name == "deactivate":
        volunteer_id = whole_number(arg.lstrip("#"))
        if volunteer_id is None:
            ctx.say(ctx.ui("staff.deactivate_usage"))
            return
        done = await store.deactivate_volunteer(volunteer_id, at=ctx.now)
        ctx.say(ctx.ui("staff.deactivate_ok" if done else "staff.deactivate_none", id=volunteer_id))
    elif name == "police":
        await police_list(ctx, store, arg)
    elif name == "report":
        if report is None:
            ctx.say(ctx.ui("staff.report_unavailable"))
        else:
            ctx.messages.extend(await report(ctx.key, arg, ctx.engine.flows))
    await store.record_admin_action(
        AdminAction(actor=str(ctx.key), action=name, detail=detail, allowed=True, at=ctx.now)
    )
