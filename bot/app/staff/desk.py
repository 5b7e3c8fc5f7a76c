"""The staff desk: volunteers' visits and admins' commands, in front of the engine.

Residents never notice it: anything that is not a staff command, a staff button or an answer the
desk asked for goes straight to the engine. Around the engine it does three things: it opens a
flow from a volunteer's QR poster with that volunteer's credit; during a visit it asks the
volunteer for the outcome when a guide ends; and it offers the end of the visit in the menu.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import math
import re
import secrets
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from typing import Any

from bot.core.privacy import mask
from bot.core.session import Session
from bot.core.staff import VISIT_OUTCOMES, AdminAction, Household
from bot.core.staff import Volunteer as VolunteerRecord
from bot.core.types import Button, Command, IncomingEvent, OutgoingMessage, Press, SessionKey, Text
from bot.engine.runner import Engine, Reply
from bot.storage.base import StaffStore

__all__ = [
    "ADMIN_COMMANDS",
    "STAFF_COMMANDS",
    "DeskReply",
    "StaffDesk",
    "StaffStore",
    "hash_invite",
    "new_invite_code",
    "whole_number",
]

ADMIN_COMMANDS = frozenset({"invite", "volunteers", "deactivate", "report"})
VOLUNTEER_COMMANDS = frozenset({"visit", "households", "endvisit"})
STAFF_COMMANDS = ADMIN_COMMANDS | VOLUNTEER_COMMANDS | {"join", "forget"}
INVITE_DAYS = 7
# Guessing invite codes: after this many wrong codes within JOIN_WINDOW seconds, /join answers
# only "try again later" for JOIN_WINDOW seconds (one line in the admin log, no code checked).
JOIN_TRIES = 5
JOIN_WINDOW = 600.0
_INVITE_LETTERS = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
# A poster's deep link: "<flow_id>-v<volunteer code>" (Telegram allows A-Z a-z 0-9 _ -).
_REFERRAL = re.compile(r"^([a-z][a-z0-9_]{0,39})-v([A-Za-z0-9]{4,12})$")
_DIGITS = re.compile(r"[0-9]+")  # ASCII only: str.isdigit() also takes "²", which int() refuses


def whole_number(text: str, *, digits: int = 9) -> int | None:
    """``text`` as a number of at most ``digits`` ASCII digits ("42"; "²" or "٤٢": None)."""
    return int(text) if _DIGITS.fullmatch(text) and len(text) <= digits else None


def new_invite_code() -> str:
    """Eight characters, easy to read aloud and type (no 0/O or 1/I)."""
    return "".join(secrets.choice(_INVITE_LETTERS) for _ in range(8))


def hash_invite(code: str) -> str:
    """Only this is stored: a leaked database does not give away unused invite codes."""
    return hashlib.sha256(code.strip().upper().encode()).hexdigest()


ReportMaker = Callable[[SessionKey, str], Awaitable[tuple[OutgoingMessage, ...]]]


@dataclass(frozen=True, slots=True)
class DeskReply:
    """The engine's reply shape, plus whether everything about the resident must be deleted."""

    reply: Reply
    forget: bool = False


@dataclass(slots=True)
class _Ctx:
    key: SessionKey
    session: Session
    engine: Engine
    now: float
    messages: list[OutgoingMessage]

    def ui(self, key: str, **params: Any) -> str:
        lang = self.session.lang or self.engine.default_language
        context = {"xung_ho": self.session.profile.get("xung_ho") or "bạn", **params}
        return self.engine.catalog.text(key, lang, **context)

    def say(self, text: str, rows: list[list[Button]] | None = None) -> None:
        self.messages.append(
            OutgoingMessage(text=text, buttons=tuple(tuple(r) for r in rows or [] if r))
        )

    def flow_title(self, flow_id: str) -> str:
        flow = self.engine.flows.get(flow_id)
        return flow.flow.title.get(self.session.lang or "vi") if flow else flow_id


class StaffDesk:
    """Admins' and volunteers' commands, and the visit around the engine's flows."""

    def __init__(
        self,
        store: StaffStore,
        *,
        admins: frozenset[SessionKey] = frozenset(),
        bot_username: str = "",
        report: ReportMaker | None = None,
    ) -> None:
        self.store = store
        self.admins = admins
        self.bot_username = bot_username
        self.report = report
        self._join_throttle = _JoinThrottle()

    # --- entry point -----------------------------------------------------------------------------

    async def turn(
        self,
        key: SessionKey,
        session: Session | None,
        event: IncomingEvent,
        *,
        engine: Engine,
        now: float,
        lang_hint: str = "",
    ) -> DeskReply:
        """Handle one event: a staff matter here, anything else through the engine."""
        # The session was just read for this turn and belongs to it: no copy is needed.
        session = engine.new_session(lang_hint=lang_hint) if session is None else session
        ctx = _Ctx(key=key, session=session, engine=engine, now=now, messages=[])
        handled = await self._staff(ctx, event)
        if handled == "forget":
            return DeskReply(self._reply(ctx), forget=True)
        if handled:
            return DeskReply(self._reply(ctx))
        credit: dict[str, Any] | None = None
        if isinstance(event, Command) and event.name == "start":
            event, credit = await self._referral(event)
        reply = engine.handle(
            session, event, now=now, lang_hint=lang_hint, credit=credit, owned=True
        )
        return DeskReply(self._around_visit(ctx, reply))

    def _reply(self, ctx: _Ctx) -> Reply:
        ctx.session.turn += 1
        ctx.session.updated_at = ctx.now
        return Reply(session=ctx.session, messages=tuple(ctx.messages), finished=())

    async def refuse(self, key: SessionKey, command: str, reason: str, *, at: float) -> None:
        """Record an admin command that was not allowed (wrong person, group, sent as a chat)."""
        await self.store.record_admin_action(
            AdminAction(actor=str(key), action=command, detail=reason, allowed=False, at=at)
        )

    # --- what the desk handles -------------------------------------------------------------------

    async def _staff(self, ctx: _Ctx, event: IncomingEvent) -> bool | str:
        staff = ctx.session.staff
        if isinstance(event, Command):
            name = event.name.lower()
            if name == "start" and event.arg.lower().startswith("join_"):
                await self._join(ctx, event.arg[5:])
                return True
            if name not in STAFF_COMMANDS:
                return False
            ctx.session.staff = {}
            return await self._command(ctx, name, event.arg.strip())
        if isinstance(event, Press) and event.payload.startswith("s:"):
            return await self._press(ctx, event.payload[2:])
        if isinstance(event, Text) and staff.get("await") in ("village", "household", "note"):
            await self._typed(ctx, event.text)
            return True
        return False

    async def _command(self, ctx: _Ctx, name: str, arg: str) -> bool | str:
        if name == "join":
            await self._join(ctx, arg)
            return True
        if name == "forget":
            ctx.session.staff = {"await": "forget"}
            ctx.say(
                ctx.ui("staff.forget_confirm"),
                [
                    [Button(label=ctx.ui("staff.forget_yes"), payload="s:forget:yes")],
                    [Button(label=ctx.ui("staff.forget_no"), payload="s:forget:no")],
                ],
            )
            return True
        if name in ADMIN_COMMANDS:
            if ctx.key not in self.admins:
                await self.refuse(ctx.key, name, "not an admin", at=ctx.now)
                ctx.say(ctx.ui("staff.not_admin"))
                return True
            await self._admin(ctx, name, arg)
            return True
        volunteer = await self.store.volunteer_for(ctx.key)
        if volunteer is None:
            ctx.say(ctx.ui("staff.not_volunteer"))
            return True
        if name == "visit":
            await self._visit_start(ctx, volunteer)
        elif name == "households":
            await self._households(ctx, volunteer)
        else:
            await self._end_visit(ctx)
        return True

    # --- admins ----------------------------------------------------------------------------------

    async def _admin(self, ctx: _Ctx, name: str, arg: str) -> None:
        detail = arg
        if name == "invite":
            village, _, commune = (part.strip() for part in arg.partition("|"))
            if not village:
                ctx.say(ctx.ui("staff.invite_usage"))
                return
            code = await self.create_invite(
                village=village, commune=commune, created_by=str(ctx.key), at=ctx.now
            )
            link = (
                f"https://t.me/{self.bot_username}?start=join_{code}" if self.bot_username else ""
            )
            ctx.say(
                ctx.ui("staff.invite_ok", village=village, code=code, days=INVITE_DAYS, link=link)
            )
            detail = f"village={village}"
        elif name == "volunteers":
            volunteers = await self.store.volunteers()
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
            done = await self.store.deactivate_volunteer(volunteer_id, at=ctx.now)
            ctx.say(
                ctx.ui("staff.deactivate_ok" if done else "staff.deactivate_none", id=volunteer_id)
            )
        elif name == "report":
            if self.report is None:
                ctx.say(ctx.ui("staff.report_unavailable"))
            else:
                ctx.messages.extend(await self.report(ctx.key, arg))
        await self.store.record_admin_action(
            AdminAction(actor=str(ctx.key), action=name, detail=detail, allowed=True, at=ctx.now)
        )

    async def create_invite(
        self, *, village: str, commune: str, created_by: str, at: float, days: int = INVITE_DAYS
    ) -> str:
        """A new one-time invite code for a village (also used by ``trolyso volunteers invite``)."""
        code = new_invite_code()
        await self.store.create_invite(
            hash_invite(code),
            village=village,
            commune=commune,
            created_by=created_by,
            at=at,
            expires_at=at + days * 86400,
        )
        return code

    # --- volunteers joining ----------------------------------------------------------------------

    async def _join(self, ctx: _Ctx, code: str) -> None:
        code = code.strip()
        if not code:
            ctx.say(ctx.ui("staff.join_ask"))
            return
        throttle = self._join_throttle
        wait = throttle.wait(ctx.key, ctx.now)
        if wait:
            if throttle.first_refusal(ctx.key):
                await self.store.record_admin_action(
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
        name = str(ctx.session.profile.get("name", ""))
        status, volunteer = await self.store.redeem_invite(
            hash_invite(code), ctx.key, name=name, at=ctx.now
        )
        await self.store.record_admin_action(
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

    async def _referral(self, event: Command) -> tuple[Command, dict[str, Any] | None]:
        """``/start vneid_install-vABC123``: open that flow, credited to the poster's volunteer."""
        match = _REFERRAL.match(event.arg.strip())
        if match is None:
            return event, None
        flow_id, code = match.groups()
        volunteer = await self.store.volunteer_by_code(code)
        if volunteer is None:  # an old poster of someone who left: the flow still opens
            return Command("start", flow_id), None
        credit = {"mode": "referred", "volunteer_id": volunteer.id, "village": volunteer.village}
        return Command("start", flow_id), credit

    # --- visits ----------------------------------------------------------------------------------

    async def _visit_start(self, ctx: _Ctx, volunteer: VolunteerRecord) -> None:
        if ctx.session.visit:
            await self._end_visit(ctx)
        statuses = await self.store.households_of(volunteer.id)
        revisit = [s for s in statuses if s.revisit]
        if revisit:
            rows = []
            for status in revisit:
                since = min(service.at for service in status.revisit)
                day = dt.datetime.fromtimestamp(since).strftime("%d/%m")
                label = ctx.ui(
                    "staff.revisit_button",
                    label=status.household.label,
                    village=status.household.village,
                    since=day,
                )
                rows.append([Button(label=label, payload=f"s:rv:{status.household.id}")])
            rows.append([Button(label=ctx.ui("staff.new_household"), payload="s:new")])
            ctx.session.staff = {
                "await": "household_pick",
                "offered": [s.household.id for s in revisit],
            }
            ctx.say(ctx.ui("staff.revisits_head"), rows)
            return
        self._ask_village(ctx, volunteer)

    def _ask_village(self, ctx: _Ctx, volunteer: VolunteerRecord) -> None:
        ctx.session.staff = {"await": "village_pick", "own": volunteer.village}
        ctx.say(
            ctx.ui("staff.ask_village"),
            [
                [Button(label=volunteer.village, payload="s:vil:own")],
                [Button(label=ctx.ui("staff.village_other"), payload="s:vil:other")],
            ],
        )

    async def _open_visit(
        self, ctx: _Ctx, volunteer: VolunteerRecord, household: Household
    ) -> None:
        visit = await self.store.start_visit(volunteer.id, household, at=ctx.now)
        ctx.session.staff = {}
        ctx.session.visit = {
            "id": visit.id,
            "household_id": household.id,
            "household": household.label,
            "village": household.village,
            "volunteer_id": volunteer.id,
            "outcomes": 0,
        }
        reply = ctx.engine.handle(ctx.session, Command("menu"), now=ctx.now)
        ctx.session = reply.session
        ctx.say(ctx.ui("staff.visit_started", household=household.label, village=household.village))
        ctx.messages.extend(self._around_visit(ctx, reply).messages)

    async def _end_visit(self, ctx: _Ctx) -> None:
        visit = ctx.session.visit
        if not visit:
            ctx.say(ctx.ui("staff.no_visit"))
            return
        await self.store.end_visit(int(visit["id"]), at=ctx.now)
        ctx.session.visit = {}
        ctx.session.staff = {}
        ctx.say(
            ctx.ui(
                "staff.visit_ended", household=visit["household"], count=visit.get("outcomes", 0)
            )
        )
        reply = ctx.engine.handle(ctx.session, Command("menu"), now=ctx.now)
        ctx.session = reply.session
        ctx.messages.extend(reply.messages)

    async def _households(self, ctx: _Ctx, volunteer: VolunteerRecord) -> None:
        statuses = await self.store.households_of(volunteer.id)
        if not statuses:
            ctx.say(ctx.ui("staff.households_none"))
            return
        lines = [ctx.ui("staff.households_head")]
        for status in statuses:
            services = ", ".join(
                f"{ctx.ui('staff.outcome_' + s.outcome)} {ctx.flow_title(s.flow_id)}"
                for s in status.services
            ) or ctx.ui("staff.nothing_yet")
            lines.append(
                ctx.ui(
                    "staff.household_line",
                    label=status.household.label,
                    village=status.household.village,
                    services=services,
                )
            )
        ctx.say("\n".join(lines))

    # --- staff buttons and answers ---------------------------------------------------------------

    async def _press(self, ctx: _Ctx, payload: str) -> bool | str:
        staff = ctx.session.staff
        waiting = staff.get("await")
        if payload == "end" and ctx.session.visit:
            await self._end_visit(ctx)
            return True
        if waiting == "forget" and payload in ("forget:yes", "forget:no"):
            ctx.session.staff = {}
            if payload == "forget:yes":
                ctx.say(ctx.ui("staff.forgotten"))
                return "forget"
            ctx.say(ctx.ui("staff.forget_kept"))
            return True
        volunteer = await self.store.volunteer_for(ctx.key)
        if volunteer is not None:
            if waiting == "household_pick" and payload == "new":
                self._ask_village(ctx, volunteer)
                return True
            if waiting == "household_pick" and payload.startswith("rv:"):
                household_id = whole_number(payload[3:])
                household = (
                    None if household_id is None else await self.store.household_by_id(household_id)
                )
                if household is not None and household_id in staff.get("offered", []):
                    await self._open_visit(ctx, volunteer, household)
                    return True
            if waiting == "village_pick" and payload in ("vil:own", "vil:other"):
                if payload == "vil:own":
                    ctx.session.staff = {"await": "household", "village": staff.get("own", "")}
                    ctx.say(ctx.ui("staff.ask_household"))
                else:
                    ctx.session.staff = {"await": "village"}
                    ctx.say(ctx.ui("staff.type_village"))
                return True
            outcome = payload[4:] if payload.startswith("out:") else ""
            if waiting == "outcome" and outcome in VISIT_OUTCOMES:
                ctx.session.staff = {**staff, "await": "note", "outcome": payload[4:]}
                ctx.say(
                    ctx.ui("staff.ask_note"),
                    [[Button(label=ctx.ui("staff.skip_note"), payload="s:note:skip")]],
                )
                return True
            if waiting == "note" and payload == "note:skip":
                await self._save_outcome(ctx, "")
                return True
        # An old staff button, or a forged one: nothing changes, the resident sees where they are
        # (the engine answers any button it did not offer with "that button is from an old
        # message" and the current step).
        reply = ctx.engine.handle(ctx.session, Press("s:stale"), now=ctx.now)
        ctx.session = reply.session
        ctx.messages.extend(self._around_visit(ctx, reply).messages)
        return True

    async def _typed(self, ctx: _Ctx, text: str) -> None:
        staff = ctx.session.staff
        text = " ".join(text.split())
        if staff.get("await") == "note":
            await self._save_outcome(ctx, text)
            return
        volunteer = await self.store.volunteer_for(ctx.key)
        if volunteer is None or not text:
            ctx.session.staff = {}
            ctx.say(ctx.ui("staff.not_volunteer"))
            return
        if staff.get("await") == "village":
            ctx.session.staff = {"await": "household", "village": mask(text)[:60]}
            ctx.say(ctx.ui("staff.ask_household"))
            return
        household = await self.store.household(
            volunteer.id, str(staff.get("village", volunteer.village)), text, at=ctx.now
        )
        await self._open_visit(ctx, volunteer, household)

    async def _save_outcome(self, ctx: _Ctx, note: str) -> None:
        staff = ctx.session.staff
        visit = ctx.session.visit
        flow_id = str(staff.get("flow", ""))
        outcome = str(staff.get("outcome", ""))
        ctx.session.staff = {}
        if not visit or outcome not in VISIT_OUTCOMES:
            return
        await self.store.record_outcome(int(visit["id"]), flow_id, outcome, note=note, at=ctx.now)
        visit["outcomes"] = int(visit.get("outcomes", 0)) + 1
        ctx.say(
            ctx.ui(
                "staff.outcome_saved",
                outcome=ctx.ui(f"staff.outcome_{outcome}"),
                flow=ctx.flow_title(flow_id),
            )
        )
        reply = ctx.engine.handle(ctx.session, Command("menu"), now=ctx.now)
        ctx.session = reply.session
        ctx.messages.extend(self._around_visit(ctx, reply).messages)

    # --- around the engine during a visit --------------------------------------------------------

    def _around_visit(self, ctx: _Ctx, reply: Reply) -> Reply:
        """During a visit: ask for the outcome when a guide ends; offer to end the visit."""
        session = reply.session
        ctx.session = session
        if not session.visit:
            return reply
        messages = list(reply.messages)
        ended = [
            run for run in reply.finished if not run.parent_flow and run.outcome != "abandoned"
        ]
        if ended and session.screen == "ended":
            flow_id = ended[-1].flow_id
            session.staff = {"await": "outcome", "flow": flow_id}
            rows = [
                [Button(label=ctx.ui(f"staff.outcome_{code}"), payload=f"s:out:{code}")]
                for code in VISIT_OUTCOMES
            ]
            last = messages[-1] if messages else None
            if last is not None:
                # The volunteer records the outcome instead of "do it again / menu".
                messages[-1] = replace(last, buttons=())
            messages.append(
                OutgoingMessage(
                    text=ctx.ui("staff.ask_outcome", flow=ctx.flow_title(flow_id)),
                    buttons=tuple(tuple(r) for r in rows),
                )
            )
        elif session.screen == "menu" and messages:
            header = ctx.ui(
                "staff.visit_header",
                household=session.visit.get("household", ""),
                village=session.visit.get("village", ""),
            )
            last = messages[-1]
            end_row = (Button(label=ctx.ui("staff.end_visit_button"), payload="s:end"),)
            messages[-1] = replace(
                last, text=f"{header}\n\n{last.text}", buttons=(*last.buttons, end_row)
            )
        return replace(reply, messages=tuple(messages))


class _JoinThrottle:
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
