"""What staff do with a resident's request for a person: list, take, answer, release, close,
hand back into a guide.

Each action is a plain function of the storage, the engine, the staff member (a
:class:`Helper`) and the time, and returns an :class:`Action`: what to tell the staff member,
the ticket changes, the messages for the resident's chat (in the resident's channel, whichever
the staff member uses), the resident's new session when it changes, and the admin log's lines.
Nothing is saved here: the chat's staff desk saves an action with the staff member's turn, in
one transaction, so it is exactly-once and crash-safe like every turn; a web console can call
the same functions and save the action its own way (:meth:`Action.record`).

Staff see a ticket by its label ("#12 · Thôn 3 · Kích hoạt VNeID · bước chup_anh"), never the
resident's chat id or phone, unless the resident chose to share their contact.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.app.staff.context import MemberTurn
from bot.app.ticket_wording import flow_title, label, ticket_text, ui
from bot.core import payloads
from bot.core.matching import fold
from bot.core.session import Session
from bot.core.staff import AdminAction
from bot.core.tickets import CLOSE_OUTCOMES, Ticket, TicketChange, note_text
from bot.core.types import Button, OutgoingMessage, SessionKey
from bot.engine.runner import Engine, Reply
from bot.reports.funnel import step_label
from bot.storage.base import DeskStore, Storage, TurnRecord

__all__ = [
    "Action",
    "Helper",
    "answer",
    "close",
    "label",
    "list_open",
    "release",
    "resume",
    "resume_steps",
    "take",
    "ticket_text",
]

# The longest note /close keeps.
CLOSE_NOTE_LENGTH = 300
# The resident's own buttons while their ticket is open: leave the conversation for the menu,
# and share their chat account with the person helping them.
LEAVE = payloads.staff("tk", "leave")
SHARE = payloads.staff("tk", "share")


@dataclass(frozen=True, slots=True)
class Helper:
    """A staff member acting on tickets: their chat, their own name ("Lan"; may be empty), the
    language they read, their village (a volunteer's) or whether they are an officer (an admin).
    """

    key: SessionKey
    name: str
    lang: str = "vi"
    village: str = ""
    officer: bool = False

    def called(self, engine: Engine, lang: str) -> str:
        """How a resident reading ``lang`` sees them: "Lan, tình nguyện viên Thôn 3"."""
        if self.officer:
            return ui(engine, "ticket.as_officer", lang, name=self.name)
        return ui(engine, "ticket.as_volunteer", lang, name=self.name, village=self.village)


@dataclass(slots=True)
class Action:
    """What a ticket action did; nothing of it is saved yet."""

    ok: bool = True
    said: list[OutgoingMessage] = field(default_factory=list)
    changes: list[TicketChange] = field(default_factory=list)
    relay: list[tuple[SessionKey, OutgoingMessage]] = field(default_factory=list)
    # The resident's session after the action (closed, handed back into a guide): saved with it.
    resident: MemberTurn | None = None
    # The ticket the staff member holds afterwards (0: none; None: unchanged).
    holding: int | None = None
    log: list[AdminAction] = field(default_factory=list)

    async def record(
        self,
        storage: Storage,
        helper: Helper,
        session: Session,
        *,
        now: float,
        revision: int | None = None,
        update_key: str = "",
    ) -> list[int]:
        """Save the action as a turn of the staff member's session ``session`` (for a caller
        without a chat, such as a web console): one transaction, like a chat's turn."""
        if self.holding is not None:
            session.ticket = {"holding": self.holding} if self.holding else {}
        session.updated_at = now
        companion = None
        if self.resident is not None:
            reply = self.resident.reply
            companion = TurnRecord(
                key=self.resident.key,
                session=reply.session,
                finished=reply.finished,
                cancel_followups=reply.cancel_followups,
                followups=reply.followups,
                revision=self.resident.revision,
            )
        return await storage.save(
            TurnRecord(
                key=helper.key,
                session=session,
                outbox=self.said,
                update_key=update_key,
                revision=revision,
                companion=companion,
                tickets=self.changes,
                relay=self.relay,
                admin_actions=self.log,
            )
        )


async def list_open(storage: DeskStore, helper: Helper | None = None) -> list[Ticket]:
    """The open tickets, oldest first; for a volunteer, their own village's first (they are
    the ones told first, and the rest only matter once escalated)."""
    found = await storage.open_tickets()
    if helper is None or helper.officer or not helper.village:
        return found
    own = fold(helper.village)
    return sorted(found, key=lambda ticket: fold(ticket.village) != own)


def _held(ticket: Ticket | None, helper: Helper) -> bool:
    return ticket is not None and ticket.status == "taken" and ticket.taken_by == str(helper.key)


def _log(helper: Helper, action: str, detail: str, now: float) -> AdminAction:
    return AdminAction(actor=str(helper.key), action=action, detail=detail, allowed=True, at=now)


def _to_resident(ticket: Ticket, text: str) -> tuple[SessionKey, OutgoingMessage]:
    return ticket.resident, OutgoingMessage(text=text)


async def take(
    storage: DeskStore, engine: Engine, helper: Helper, ticket_id: int, *, now: float
) -> Action:
    """``/take 12``: the staff member holds the ticket; what they write goes to the resident."""
    ticket = await storage.ticket(ticket_id)
    lang = helper.lang
    if ticket is None or not ticket.open:
        return Action(
            ok=False, said=[OutgoingMessage(text=ui(engine, "ticket.no_such", lang, id=ticket_id))]
        )
    if ticket.status == "taken" and not _held(ticket, helper) and not helper.officer:
        text = ui(engine, "ticket.taken_by_other", lang, id=ticket_id, name=ticket.taker_name)
        return Action(ok=False, said=[OutgoingMessage(text=text)])
    notes = await storage.ticket_notes(ticket_id)
    action = Action(holding=ticket_id)
    action.said.append(
        OutgoingMessage(
            text=ticket_text(engine, ticket, notes, lang)
            + "\n\n"
            + ui(engine, "ticket.you_took", lang, id=ticket_id)
        )
    )
    action.changes.append(
        TicketChange(
            kind="take",
            at=now,
            ticket_id=ticket_id,
            by=str(helper.key),
            name=helper.called(engine, "vi"),
            over=helper.officer,
        )
    )
    if not _held(ticket, helper):
        told = ui(
            engine,
            "ticket.taken",
            ticket.lang,
            name=helper.called(engine, ticket.lang),
            xung_ho=ticket.xung_ho or "bạn",
        )
        leave = Button(label=ui(engine, "ticket.leave_button", ticket.lang), payload=LEAVE)
        action.relay.append((ticket.resident, OutgoingMessage(text=told, buttons=((leave,),))))
        action.changes.append(
            TicketChange(kind="note", at=now, ticket_id=ticket_id, author="bot", text=told)
        )
    # From now on the resident's messages go to this person, and their guide waits (a request
    # made in the middle of a guide that went on is paused only now, when someone is there).
    stored = await storage.read(ticket.resident)
    session = stored.session
    if session is not None and not session.ticket.get("open"):
        session.ticket = {"open": 1}
        session.updated_at = now
        action.resident = MemberTurn(
            key=ticket.resident,
            revision=stored.revision,
            reply=Reply(session=session, messages=(), finished=()),
        )
    action.log.append(_log(helper, "take", f"#{ticket_id}", now))
    return action


async def answer(
    storage: DeskStore, engine: Engine, helper: Helper, ticket_id: int, text: str, *, now: float
) -> Action:
    """What the staff member wrote, to the resident, marked as from a person."""
    ticket = await storage.ticket(ticket_id)
    if not _held(ticket, helper) or ticket is None:
        said = OutgoingMessage(text=ui(engine, "ticket.not_holding", helper.lang))
        return Action(ok=False, said=[said], holding=0)
    kept = note_text(text)
    name = helper.called(engine, ticket.lang)
    message = ui(engine, "ticket.from_person", ticket.lang, name=name, text=kept)
    action = Action()
    action.relay.append(_to_resident(ticket, message))
    action.changes.append(
        TicketChange(
            kind="note",
            at=now,
            ticket_id=ticket_id,
            author="staff",
            text=kept,
            name=name,
            answer=True,
        )
    )
    return action


async def release(
    storage: DeskStore, engine: Engine, helper: Helper, ticket_id: int, *, now: float
) -> Action:
    """``/release``: the ticket goes back to the queue, and staff are told again."""
    ticket = await storage.ticket(ticket_id)
    if not _held(ticket, helper) or ticket is None:
        said = OutgoingMessage(text=ui(engine, "ticket.not_holding", helper.lang))
        return Action(ok=False, said=[said], holding=0)
    action = Action(holding=0)
    action.said.append(
        OutgoingMessage(text=ui(engine, "ticket.released", helper.lang, id=ticket_id))
    )
    action.changes.append(TicketChange(kind="release", at=now, ticket_id=ticket_id))
    told = ui(engine, "ticket.released_resident", ticket.lang, xung_ho=ticket.xung_ho or "bạn")
    action.relay.append(_to_resident(ticket, told))
    action.log.append(_log(helper, "release", f"#{ticket_id}", now))
    return action


async def _resident_back(storage: DeskStore, ticket: Ticket) -> tuple[Session | None, int]:
    stored = await storage.read(ticket.resident)
    session = stored.session
    if session is not None:
        session.ticket = {}
    return session, stored.revision


async def close(
    storage: DeskStore,
    engine: Engine,
    helper: Helper,
    ticket_id: int,
    outcome: str,
    note: str = "",
    *,
    now: float,
) -> Action:
    """``/close 12 done|referred|no_answer [note]``: the ticket ends; the resident is told and
    their guide is theirs again."""
    lang = helper.lang
    ticket = await storage.ticket(ticket_id)
    if outcome not in CLOSE_OUTCOMES:
        return Action(ok=False, said=[OutgoingMessage(text=ui(engine, "ticket.close_usage", lang))])
    if ticket is None or not ticket.open:
        return Action(
            ok=False, said=[OutgoingMessage(text=ui(engine, "ticket.no_such", lang, id=ticket_id))]
        )
    if ticket.status == "taken" and not _held(ticket, helper) and not helper.officer:
        text = ui(engine, "ticket.taken_by_other", lang, id=ticket_id, name=ticket.taker_name)
        return Action(ok=False, said=[OutgoingMessage(text=text)])
    kept = note_text(note)[:CLOSE_NOTE_LENGTH]
    action = Action(holding=0)
    action.changes.append(
        TicketChange(kind="close", at=now, ticket_id=ticket_id, outcome=outcome, text=kept)
    )
    shown = ui(engine, f"ticket.outcome_{outcome}", lang)
    action.said.append(
        OutgoingMessage(text=ui(engine, "ticket.closed", lang, id=ticket_id, outcome=shown))
    )
    session, revision = await _resident_back(storage, ticket)
    told = ui(
        engine,
        "ticket.closed_resident",
        ticket.lang,
        name=helper.called(engine, ticket.lang),
        xung_ho=ticket.xung_ho or "bạn",
    )
    action.relay.append(_to_resident(ticket, told))
    if session is not None:
        session.updated_at = now
        action.resident = MemberTurn(
            key=ticket.resident,
            revision=revision,
            reply=Reply(session=session, messages=(), finished=()),
        )
    action.log.append(_log(helper, "close", f"#{ticket_id} {outcome} {kept}".strip(), now))
    return action


def resume_steps(engine: Engine, ticket: Ticket, lang: str) -> list[tuple[str, str]]:
    """The steps of the ticket's guide a resident can be handed back to, as (step id, what it
    says first), in the order the resident went through them, then the others."""
    flow = engine.flows.get(ticket.flow_id)
    if flow is None:
        return []
    waiting = [sid for sid, step in flow.flow.steps.items() if step.waits or step.kind == "say"]
    seen = [sid for sid in dict.fromkeys(ticket.path) if sid in waiting]
    ordered = seen + [sid for sid in waiting if sid not in seen]
    found = []
    for step_id in ordered:
        # The step's first words without template code, as reports show steps to leaders.
        said = step_label(flow.flow.steps[step_id])
        found.append((step_id, said.get(lang or "vi") or said.get("vi") or step_id))
    return found


async def resume(
    storage: DeskStore,
    engine: Engine,
    helper: Helper,
    ticket_id: int,
    step: str = "",
    *,
    now: float,
) -> Action:
    """``/resume 12 <step>``: close the ticket as done and hand the resident back into its
    guide at that step; without a step, the steps to choose from, as buttons."""
    lang = helper.lang
    ticket = await storage.ticket(ticket_id)
    if ticket is None or not ticket.open or not (_held(ticket, helper) or helper.officer):
        return Action(
            ok=False, said=[OutgoingMessage(text=ui(engine, "ticket.no_such", lang, id=ticket_id))]
        )
    steps = resume_steps(engine, ticket, lang)
    if not steps:
        return Action(
            ok=False,
            said=[OutgoingMessage(text=ui(engine, "ticket.resume_no_flow", lang, id=ticket_id))],
        )
    flow = flow_title(engine, ticket.flow_id, lang)
    if not step:
        rows = tuple(
            (
                Button(
                    label=text[:60],
                    payload=payloads.staff("tk", "rs", ticket_id, sid)[:64],
                ),
            )
            for sid, text in steps[:12]
        )
        text = ui(engine, "ticket.resume_pick", lang, id=ticket_id, flow=flow)
        return Action(said=[OutgoingMessage(text=text, buttons=rows)])
    if step not in {sid for sid, _text in steps}:
        text = ui(engine, "ticket.no_step", lang, id=ticket_id, flow=flow, step=step[:40])
        return Action(ok=False, said=[OutgoingMessage(text=text)])
    action = await close(storage, engine, helper, ticket_id, "done", f"resume {step}", now=now)
    session, revision = await _resident_back(storage, ticket)
    reply = engine.enter_at(session, ticket.flow_id, step, now=now)
    told = ui(
        engine,
        "ticket.resumed_resident",
        ticket.lang,
        name=helper.called(engine, ticket.lang),
        xung_ho=ticket.xung_ho or "bạn",
    )
    # The resident reads who handed them back, then the step itself (instead of "closed").
    action.relay = [_to_resident(ticket, told)] + [(ticket.resident, m) for m in reply.messages]
    action.resident = MemberTurn(key=ticket.resident, revision=revision, reply=reply)
    action.said = [
        OutgoingMessage(text=ui(engine, "ticket.resumed", lang, id=ticket_id, flow=flow, step=step))
    ]
    action.log.append(_log(helper, "resume", f"#{ticket_id} {step}", now))
    return action
