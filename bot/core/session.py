"""A resident's place in the conversation, as plain data that survives a restart.

The engine never changes a session it was given: it works on a copy and returns it, so a turn that
fails half-way leaves the stored session untouched.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, Literal

__all__ = [
    "Expire",
    "FinishedRun",
    "FlowFault",
    "FollowUpDue",
    "FollowUpJob",
    "Frame",
    "Screen",
    "Session",
    "StaffAlert",
    "TimerEvent",
]

# Where the resident is: nowhere yet, the main menu, inside a flow, the language question, or
# just after finishing a flow.
Screen = Literal["new", "menu", "flow", "lang", "ended", "expired"]


@dataclass(slots=True, kw_only=True)
class Frame:
    """One running flow. A sub-flow is a frame on top of the frame that called it."""

    flow_id: str
    version: int
    step: str
    started_at: float
    # The exact content this run follows (the compiled flow's digest): the frame is pinned to it,
    # whatever ``version`` an admin declared (see bot/engine/pinning.py). Empty in sessions saved
    # before pinning existed.
    digest: str = ""
    # The kind of step the frame rests on ("choices", "ask"; "flow" while a sub-flow runs), so a
    # step that changed kind is recognised even when the old content is no longer held.
    step_kind: str = ""
    history: list[str] = field(default_factory=list)
    path: list[str] = field(default_factory=list)
    vars: dict[str, Any] = field(default_factory=dict)
    # Set while a welcome flow runs on top of this one: the step to enter when it ends.
    resume_at: str = ""
    # Who gets credit for this run (see FinishedRun.mode); empty for a resident alone.
    credit: dict[str, Any] = field(default_factory=dict)
    # Opened from inside another flow (the resident asked for it): when it ends, the resident
    # is back at the step they left in the flow below.
    detour: bool = False
    # Messages in a row the bot did not understand at this step: from the second, it offers help
    # instead of asking again to press a button (bot/engine/understanding.py).
    misses: int = 0
    # Names of ``vars`` the calling flow gave (``with:``) that no question has used yet: a
    # question marked ``skip_if_known`` is skipped for them once, then asked as usual.
    given: list[str] = field(default_factory=list)

    def copy(self) -> Frame:
        """An independent copy (answers are plain values, so a shallow dict copy is enough)."""
        return Frame(
            flow_id=self.flow_id,
            version=self.version,
            step=self.step,
            started_at=self.started_at,
            digest=self.digest,
            step_kind=self.step_kind,
            history=list(self.history),
            path=list(self.path),
            vars=dict(self.vars),
            resume_at=self.resume_at,
            credit=dict(self.credit),
            detour=self.detour,
            misses=self.misses,
            given=list(self.given),
        )


@dataclass(slots=True, kw_only=True)
class Session:
    """Everything the bot remembers about one resident's conversation."""

    lang: str = ""
    profile: dict[str, Any] = field(default_factory=dict)
    stack: list[Frame] = field(default_factory=list)
    screen: Screen = "new"
    resume_screen: Screen = "menu"
    last_flow: str = ""
    turn: int = 0
    updated_at: float = 0.0
    # A volunteer's visit in progress: id, household_id, household (label), village, volunteer_id.
    visit: dict[str, Any] = field(default_factory=dict)
    # What the staff desk is waiting for (a village name, a note, an outcome...).
    staff: dict[str, Any] = field(default_factory=dict)
    # When the resident last did something (reminders sent by the bot do not count).
    active_at: float = 0.0
    # A flow that ended by expiry, kept so a returning resident can pick it up again.
    expired: dict[str, Any] = field(default_factory=dict)
    # Buttons offered by the last reply besides the screen's own (flows suggested for typed
    # words, a switch): valid for the next press only.
    offers: list[str] = field(default_factory=list)
    # After a volunteer's hand-over (bot/app/staff/handover.py) ONE session goes on: the
    # household member's ("visit:12-2"). The resident's own chat then only points to it
    # (``person``), and the member's session names the chat that now owns it (``owner``); both
    # must agree, so a chat that later took another person's hand-over no longer gets the first.
    person: str = ""
    owner: str = ""
    # A request for a person: a resident's open ticket ({"open": 1}: their messages go to the
    # person who took it, the guide waits), or the ticket a staff member holds ({"holding": 12}).
    ticket: dict[str, Any] = field(default_factory=dict)

    @property
    def frame(self) -> Frame | None:
        """The flow the resident is in right now, if any."""
        return self.stack[-1] if self.stack else None

    def copy(self) -> Session:
        """An independent copy for the engine to change."""
        return Session(
            lang=self.lang,
            profile=dict(self.profile),
            stack=[f.copy() for f in self.stack],
            screen=self.screen,
            resume_screen=self.resume_screen,
            last_flow=self.last_flow,
            turn=self.turn,
            updated_at=self.updated_at,
            visit=dict(self.visit),
            staff=dict(self.staff),
            active_at=self.active_at,
            expired=dict(self.expired),
            offers=list(self.offers),
            person=self.person,
            owner=self.owner,
            ticket=dict(self.ticket),
        )

    def to_json(self) -> str:
        """The session as compact JSON, for storage."""
        data = {
            "lang": self.lang,
            "profile": self.profile,
            "stack": [
                {
                    "flow": f.flow_id,
                    "v": f.version,
                    "step": f.step,
                    "t0": f.started_at,
                    "d": f.digest,
                    "k": f.step_kind,
                    "history": f.history,
                    "path": f.path,
                    "vars": f.vars,
                    "resume_at": f.resume_at,
                    "credit": f.credit,
                    "detour": f.detour,
                    # Only when there is one: most frames never miss, and sessions stay short.
                    **({"miss": f.misses} if f.misses else {}),
                    **({"given": f.given} if f.given else {}),
                }
                for f in self.stack
            ],
            "screen": self.screen,
            "resume": self.resume_screen,
            "last_flow": self.last_flow,
            "turn": self.turn,
            "updated_at": self.updated_at,
            "visit": self.visit,
            "staff": self.staff,
            "active_at": self.active_at,
            "expired": self.expired,
            "offers": self.offers,
            # Only when there is one: almost every session has neither.
            **({"person": self.person} if self.person else {}),
            **({"owner": self.owner} if self.owner else {}),
            # Only when there is one: most residents never ask for a person.
            **({"ticket": self.ticket} if self.ticket else {}),
        }
        return json.dumps(data, ensure_ascii=False, separators=(",", ":"))

    @classmethod
    def from_json(cls, text: str) -> Session:
        """Read a session written by :meth:`to_json`."""
        data = json.loads(text)
        return cls(
            lang=data.get("lang", ""),
            profile=dict(data.get("profile", {})),
            stack=[
                Frame(
                    flow_id=f["flow"],
                    version=f["v"],
                    step=f["step"],
                    started_at=f["t0"],
                    digest=str(f.get("d", "")),
                    step_kind=str(f.get("k", "")),
                    history=list(f.get("history", [])),
                    path=list(f.get("path", [])),
                    vars=dict(f.get("vars", {})),
                    resume_at=f.get("resume_at", ""),
                    credit=dict(f.get("credit", {})),
                    detour=bool(f.get("detour", False)),
                    misses=int(f.get("miss", 0)),
                    given=[str(name) for name in f.get("given", [])],
                )
                for f in data.get("stack", [])
            ],
            screen=data.get("screen", "menu"),
            resume_screen=data.get("resume", "menu"),
            last_flow=data.get("last_flow", ""),
            turn=int(data.get("turn", 0)),
            updated_at=float(data.get("updated_at", 0.0)),
            visit=dict(data.get("visit", {})),
            staff=dict(data.get("staff", {})),
            active_at=float(data.get("active_at", data.get("updated_at", 0.0))),
            expired=dict(data.get("expired", {})),
            offers=list(data.get("offers", [])),
            person=str(data.get("person", "")),
            owner=str(data.get("owner", "")),
            ticket=dict(data.get("ticket", {})),
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class StaffAlert:
    """A message for volunteers and admins raised by a step's ``notify`` (a visit request...)."""

    text: str
    flow_id: str
    step: str
    at: float
    # The village the resident named in that flow (its ``village`` answer), or the one its run
    # is credited to: who should hear of the request first.
    village: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class FlowFault:
    """A flow could not do what a turn needed, so the resident was taken to the menu.

    For admins: ``code`` is "missing_step", "missing_flow" or "template"; ``path`` is the flow
    file, ``step`` the step id, ``detail`` what failed.
    """

    code: str
    flow_id: str
    step: str = ""
    path: str = ""
    line: int = 1
    detail: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class FinishedRun:
    """A guidance session that ended (or was left): what the leaders' reports are made of."""

    flow_id: str
    flow_version: int
    lang: str
    started_at: float
    ended_at: float
    outcome: str
    path: tuple[str, ...]
    parent_flow: str = ""
    # Who gets credit: "self" (the resident alone), "assisted" (during a volunteer's visit) or
    # "referred" (opened from a volunteer's QR poster).
    mode: str = "self"
    volunteer_id: int | None = None
    village: str = ""
    visit_id: int | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class FollowUpJob:
    """A reminder to send later: if the resident is still where ``anchor`` says, enter ``go``.

    ``run_started_at`` names the run (a flow started again is another run, and is left alone).
    """

    flow_id: str
    run_started_at: float
    anchor: str
    go: str
    attempt: int
    repeat: int
    every: float
    condition: str  # "at_step" or "in_flow"
    due: float


@dataclass(frozen=True, slots=True)
class FollowUpDue:
    """The scheduler says a follow-up is due now."""

    job: FollowUpJob


@dataclass(frozen=True, slots=True)
class Expire:
    """The scheduler says the resident has been idle longer than their flow allows."""


TimerEvent = FollowUpDue | Expire
