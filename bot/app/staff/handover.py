"""A volunteer's hand-over: the person helped goes on with their guide on their own phone.

During a visit the volunteer shows a link and its QR code (``/handover``, or the button on the
person's screen); the resident scans it with their own phone's camera and the bot opens in their
own chat with ``/start ho-<token>``. From then on ONE session goes on: the household member's
(``visit:12-2``), with the place, answers, form of address and run log the volunteer's visit
gave it. It is not copied to the resident's chat key, because a copy would split the run log
between two pseudonyms, leave the reminders scheduled on the old key, and overwrite whatever the
resident's own chat held; and the volunteer can still pick the guide up on a later visit. The
resident's chat only points to it (``Session.person``) and the member's session names its owner
(``Session.owner``): while both agree, the resident's messages drive that session and its
reminders reach the resident's chat instead of the volunteer's, who is told once (those later
turns are in :mod:`bot.app.staff.handed_over`).

The token is 32 random bytes (43 characters of ``A-Z a-z 0-9 _ -``, as Telegram's start
parameter allows), stored only as its hash, used once, and names no household: a forged, used
or expired link gets a kind word and the usual welcome.
"""

from __future__ import annotations

import contextlib
import hashlib
import secrets
import tempfile
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from bot.app.staff.context import Ctx, MemberTurn
from bot.app.staff.handed_over import mirror, own_turn
from bot.app.staff.wording import Say, person_name, service_text
from bot.core.errors import TroLySoError
from bot.core.session import Session
from bot.core.staff import AdminAction, Handover, member_key
from bot.core.staff import Volunteer as VolunteerRecord
from bot.core.types import Command, Opened, OutgoingMessage
from bot.engine.runner import Engine, Reply
from bot.posters.link import bot_username, deep_link, web_link
from bot.posters.qr import save_qr_png
from bot.storage.base import StaffStore

__all__ = [
    "HANDOVER_PREFIX",
    "HandoverSetup",
    "hash_token",
    "is_handover",
    "new_token",
    "open_handover",
    "show_handover",
    "sweep_pictures",
]

# "ho-" cannot begin a flow id (lowercase letters, digits and _) nor a poster's "<flow>-v<code>".
HANDOVER_PREFIX = "ho-"
# A code short enough to type on Zalo (whose links carry no start payload): 14 characters of
# an alphabet without look-alikes (no 0/O, 1/I), 70 random bits. A link works once and for a
# day, so guessing one is out of reach; read without regard to case, dashes or spaces.
_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
_TOKEN_LENGTH = 14


@dataclass(frozen=True, slots=True)
class HandoverSetup:
    """How hand-over links are made: how long one works, the web chat's address (a second
    link, when ``web.public_url`` is set) and the folder of the QR pictures."""

    hours: float = 24.0
    web_url: str = ""
    folder: Path | None = None
    # The Zalo OA's link and start word (zalo.oa_id, zalo.start_word), when the bot has one:
    # the resident opens the OA and sends the word and the code.
    zalo_url: str = ""
    zalo_word: str = ""

    @property
    def pictures(self) -> Path:
        """Where the QR pictures are written (beside the database, or a temporary folder)."""
        return self.folder or Path(tempfile.gettempdir()) / "trolyso-handovers"


def new_token() -> str:
    """A fresh, unguessable start parameter: ``ho-`` and 14 random characters."""
    return HANDOVER_PREFIX + "".join(secrets.choice(_ALPHABET) for _ in range(_TOKEN_LENGTH))


def is_handover(arg: str) -> bool:
    """Whether a start parameter (or the words typed after Zalo's start word) is a hand-over."""
    return arg.strip().lower().startswith(HANDOVER_PREFIX)


def hash_token(token: str) -> str:
    """Only this is stored: a leaked database gives away no link that still works.

    Hashed in one spelling, so a code typed by hand ("ho-k7p2 qx9m...") opens the same link.
    """
    code = token.strip()[len(HANDOVER_PREFIX) :] if is_handover(token) else token.strip()
    code = "".join(code.split()).replace("-", "").upper()
    return hashlib.sha256((HANDOVER_PREFIX + code).encode()).hexdigest()


# --- the volunteer shows it --------------------------------------------------------------------


def _links(setup: HandoverSetup, username: str, token: str) -> list[str]:
    """The links that open the bot with ``token``: Telegram's, then the web chat's."""
    links = []
    # No (valid) username known: the web chat's link alone, if there is one.
    with contextlib.suppress(TroLySoError):
        links.append(deep_link(bot_username(username), token))
    if setup.web_url:
        with contextlib.suppress(TroLySoError):
            links.append(web_link(setup.web_url, token))
    return links


def _zalo_words(setup: HandoverSetup, token: str) -> str:
    """What a resident on Zalo sends to the OA: the start word and the code."""
    return f"{setup.zalo_word} {token}" if setup.zalo_url and setup.zalo_word else ""


async def show_handover(
    ctx: Ctx, store: StaffStore, volunteer: VolunteerRecord, setup: HandoverSetup, username: str
) -> None:
    """``/handover`` (or the person's button): a one-time link and its QR code for the person
    being helped, shown only to the volunteer of this visit, and a line in the admin log."""
    visit = ctx.session.visit
    if not visit:
        ctx.say(ctx.ui("staff.no_visit"))
        return
    token = new_token()
    links = _links(setup, username, token)
    zalo = _zalo_words(setup, token)
    if zalo and not links:
        links = [setup.zalo_url]  # the QR opens the OA; the words carry the code
    if not links:
        ctx.say(ctx.ui("handover.no_link"))
        return
    household_id, number = int(visit["household_id"]), int(visit.get("member", 1))
    token_hash = hash_token(token)
    expires_at = ctx.now + setup.hours * 3600
    await store.create_handover(
        token_hash,
        household_id=household_id,
        member=number,
        visit_id=int(visit["id"]),
        volunteer_id=volunteer.id,
        at=ctx.now,
        expires_at=expires_at,
    )
    await store.record_admin_action(
        AdminAction(
            actor=str(ctx.key),
            action="handover",
            detail=f"household {household_id}, person {number}, visit {visit['id']}",
            allowed=True,
            at=ctx.now,
        )
    )
    _sweep(setup.pictures, ctx.now)
    picture = setup.pictures / f"handover-{int(expires_at)}-{token_hash[:16]}.png"
    save_qr_png(links[0], picture)
    person = ctx.person(number, str(visit.get("member_label", "")))
    hours = f"{setup.hours:g}"
    if (ctx.session.lang or ctx.engine.default_language) == "vi":
        hours = hours.replace(".", ",")  # "1,5 giờ", as Vietnamese writes it
    text = ctx.ui(
        "handover.shown",
        person=person,
        link="" if links[0] == setup.zalo_url else links[0],
        web=links[1] if len(links) > 1 else "",
        hours=hours,
        zalo=zalo,
        zalo_url=setup.zalo_url,
    )
    ctx.private.append(OutgoingMessage(text=text, image=str(picture)))


def sweep_pictures(folder: Path, now: float) -> int:
    """Delete the QR pictures of links that no longer work (their expiry is in the name):
    each new hand-over does it, and so does ``trolyso purge``. Returns how many went."""
    return _sweep(folder, now)


def _sweep(folder: Path, now: float) -> int:
    swept = 0
    if not folder.is_dir():
        return swept
    for picture in folder.glob("handover-*-*.png"):
        expiry = picture.name.split("-")[1]
        if expiry.isdigit() and int(expiry) < now:
            picture.unlink(missing_ok=True)
            swept += 1
    return swept


def _forget_picture(folder: Path, token_hash: str) -> None:
    """A used link's picture is of no more use to anyone."""
    if folder.is_dir():
        for picture in folder.glob(f"handover-*-{token_hash[:16]}.png"):
            picture.unlink(missing_ok=True)


# --- the resident opens it ---------------------------------------------------------------------


def _say(engine: Engine, session: Session) -> Say:
    """Interface texts in ``session``'s language and form of address."""
    lang = session.lang or engine.default_language
    xung_ho = session.profile.get("xung_ho") or "bạn"

    def say(key: str, **params: Any) -> str:
        return engine.catalog.text(key, lang, **{"xung_ho": xung_ho, **params})

    return say


def _title(engine: Engine, session: Session, flow_id: str) -> str:
    flow = engine.flows.get(flow_id)
    return flow.flow.title.get(session.lang or engine.default_language) if flow else flow_id


async def open_handover(
    ctx: Ctx, store: StaffStore, setup: HandoverSetup, token: str, *, lang_hint: str = ""
) -> None:
    """``/start ho-<token>`` in the resident's own chat: their chat takes over the person's
    session and goes on where it stands; anything wrong with the link gets a kind word and the
    usual welcome."""
    if await store.volunteer_for(ctx.key) is not None:
        # A volunteer testing their own link: it stays usable for the resident.
        ctx.say(ctx.ui("handover.volunteer_chat"))
        return
    token_hash = hash_token(token)
    status, handover = await store.claim_handover(
        token_hash, by=store.user_ref(ctx.key), at=ctx.now
    )
    household = await store.household_by_id(handover.household_id) if handover else None
    if handover is None or household is None:
        await store.record_admin_action(
            AdminAction(
                actor=str(ctx.key),
                action="handover_open",
                detail=status if handover is None else "household gone",
                allowed=False,
                at=ctx.now,
            )
        )
        ctx.say(ctx.ui(f"handover.{status if status != 'ok' else 'wrong'}"))
        # The usual welcome: of the guide this chat took over before, if it did.
        if ctx.session.person and await own_turn(ctx, store, Command("start")):
            return
        reply = ctx.engine.handle(ctx.session, Command("start"), now=ctx.now, lang_hint=lang_hint)
        ctx.session = reply.session
        ctx.messages.extend(reply.messages)
        return
    key = member_key(handover.household_id, handover.member)
    stored = await store.read(key)
    session = stored.session or ctx.engine.new_session(lang_hint=lang_hint or ctx.session.lang)
    # This chat opening its link again (a second tap): greeted again, nobody told twice.
    again = ctx.session.person == str(key) and session.owner == str(ctx.key)
    session.owner = str(ctx.key)
    ctx.session.person = str(key)
    ctx.session.staff = {}
    _forget_picture(setup.pictures, token_hash)
    say = _say(ctx.engine, session)
    done = await _done_with_volunteer(ctx.engine, store, session, handover, say)
    reply = ctx.engine.handle(session, Opened(), now=ctx.now, lang_hint=lang_hint, owned=True)
    # Opening the link answers nothing: the reminders the guide scheduled (the approval SMS in
    # two days) stay, and now reach this chat.
    reply = replace(reply, cancel_followups=False)
    ctx.member = MemberTurn(
        key=key,
        revision=stored.revision,
        reply=Reply(session=session, messages=(), finished=()),
    )
    ctx.member.then(reply)
    mirror(ctx.session, reply.session)
    ctx.messages.append(OutgoingMessage(text=say("handover.welcome", done=done)))
    ctx.messages.extend(reply.messages)
    if again:
        return
    await _tell_volunteer(ctx, store, handover, household.label)
    await store.record_admin_action(
        AdminAction(
            actor=str(ctx.key),
            action="handover_open",
            detail=(
                f"household {handover.household_id}, person {handover.member}, "
                f"visit {handover.visit_id}, volunteer #{handover.volunteer_id}"
            ),
            allowed=True,
            at=ctx.now,
        )
    )


async def _done_with_volunteer(
    engine: Engine, store: StaffStore, session: Session, handover: Handover, say: Say
) -> str:
    """What the person did with the volunteer: the outcomes recorded, the guide under way."""
    parts = []
    for status in await store.households_of(handover.volunteer_id):
        if status.household.id != handover.household_id:
            continue
        for service in status.services:
            if service.member == handover.member:
                # The outcome only: the volunteer's note is their working note, not the resident's.
                title = _title(engine, session, service.flow_id)
                parts.append(service_text(say, title, replace(service, note="")))
    if session.stack:
        flow = _title(engine, session, session.stack[0].flow_id)
        parts.append(say("handover.in_progress", flow=flow))
    return "; ".join(parts)


async def _tell_volunteer(ctx: Ctx, store: StaffStore, handover: Handover, label: str) -> None:
    """One short notice to the volunteer, saved with the turn (it never names the resident's
    chat: only the household and the person, as the volunteer knows them)."""
    volunteer = await store.volunteer_by_id(handover.volunteer_id)
    if volunteer is None or not volunteer.active or ctx.member is None:
        return
    theirs = (await store.read(volunteer.key)).session or ctx.engine.new_session()
    members = await store.members(handover.household_id)
    name = next((m.label for m in members if m.number == handover.member), "")
    say = _say(ctx.engine, theirs)
    person = person_name(say, handover.member, name)
    ctx.member.notice = (
        OutgoingMessage(text=say("handover.taken", household=label, person=person)),
    )
    ctx.member.notice_to = volunteer.key
