"""Sessions, runs and follow-ups the storage tests save."""

from __future__ import annotations

from bot.core.session import FinishedRun, FollowUpJob, Frame, Session
from bot.core.types import SessionKey

KEY = SessionKey("test", "an")


def sample_session(*, updated_at: float = 20.0, **frame: object) -> Session:
    return Session(
        lang="en",
        profile={"xung_ho": "bác"},
        screen="flow",
        stack=[
            Frame(
                flow_id=str(frame.get("flow_id", "demo")),
                version=2,
                step="ask_age",
                started_at=float(frame.get("started_at", 10.0)),  # type: ignore[arg-type]
                history=["pick_phone"],
                path=["pick_phone", "ask_age"],
                vars={"phone": "iphone"},
                credit=dict(frame.get("credit", {})),  # type: ignore[call-overload]
            )
        ],
        updated_at=updated_at,
        active_at=updated_at,
        turn=3,
    )


def sample_run(outcome: str = "completed", **extra: object) -> FinishedRun:
    fields: dict[str, object] = {
        "flow_id": "demo",
        "flow_version": 2,
        "lang": "vi",
        "started_at": 1.0,
        "ended_at": 9.5,
        "outcome": outcome,
        "path": ("a", "b"),
        "parent_flow": "",
        **extra,
    }
    return FinishedRun(**fields)  # type: ignore[arg-type]


def job(due: float, anchor: str = "ask_age") -> FollowUpJob:
    return FollowUpJob(
        flow_id="demo",
        run_started_at=10.0,
        anchor=anchor,
        go="remind",
        attempt=1,
        repeat=1,
        every=0.0,
        condition="at_step",
        due=due,
    )
