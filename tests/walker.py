"""Walk every path of a set of flows through the real engine, pressing every button once per state.

Used to prove that every step and every choice of every shipped flow can be reached, in each
language, and to look at every message residents can be shown.
"""

from __future__ import annotations

import json
from collections import deque
from dataclasses import dataclass, field

from bot.core.session import Session
from bot.core.types import Command, IncomingEvent, OutgoingMessage, Press, Text
from bot.engine.runner import Engine

_SAMPLE_ANSWERS = {
    "number": ["1", "70"],
    "yes_no": ["có", "không"],
    "date": ["15/08/1960"],
    "text": ["Ba"],
}
_MAX_STATES = 20_000


@dataclass
class Coverage:
    """What a walk reached: steps and choices per flow, and every message shown."""

    steps: dict[str, set[str]] = field(default_factory=dict)
    choices: dict[str, set[tuple[str, int]]] = field(default_factory=dict)
    messages: list[tuple[str, str, OutgoingMessage]] = field(default_factory=list)

    def missing(self, engine: Engine) -> list[str]:
        """Every step and choice of every flow that the walk did not reach."""
        gaps: list[str] = []
        for flow_id, flow in engine.flows.items():
            seen = self.steps.get(flow_id, set())
            gaps += [f"{flow_id}: step {s}" for s in flow.flow.steps if s not in seen]
            pressed = self.choices.get(flow_id, set())
            for step_id, step in flow.flow.steps.items():
                for index, choice in enumerate(step.choices or []):
                    if (step_id, index) not in pressed:
                        gaps.append(f"{flow_id}: step {step_id} choice {choice.label.get('vi')!r}")
        return gaps


def _key(session: Session) -> str:
    return json.dumps(
        [[f.flow_id, f.step, sorted(f.vars.items())] for f in session.stack], default=str
    )


def walk(engine: Engine, lang: str, flow_ids: list[str] | None = None) -> Coverage:
    """Breadth-first walk from the start of each flow, trying every choice and help button."""
    coverage = Coverage()
    start = engine.handle(None, Command("lang", lang), now=0).session
    queue: deque[tuple[Session, IncomingEvent]] = deque(
        (start, Command("start", flow_id)) for flow_id in (flow_ids or list(engine.flows))
    )
    seen: set[str] = set()
    while queue and len(seen) < _MAX_STATES:
        session, event = queue.popleft()
        if isinstance(event, Press) and event.payload.startswith("c:") and session.stack:
            frame = session.stack[-1]
            coverage.choices.setdefault(frame.flow_id, set()).add(
                (frame.step, int(event.payload.rsplit(":", 1)[1]))
            )
        reply = engine.handle(session, event, now=1)
        after = reply.session
        for run in reply.finished:
            coverage.steps.setdefault(run.flow_id, set()).update(run.path)
        for frame in after.stack:
            coverage.steps.setdefault(frame.flow_id, set()).update(frame.path)
        where = after.stack[-1].flow_id if after.stack else "-"
        coverage.messages.extend((where, lang, message) for message in reply.messages)
        if after.screen != "flow" or not after.stack:
            continue
        key = _key(after)
        if key in seen:
            continue
        seen.add(key)
        frame = after.stack[-1]
        step = engine.flows[frame.flow_id].step(frame.step)
        actions: list[IncomingEvent] = []
        for message in reply.messages:
            for button in message.all_buttons():
                if button.payload.startswith(("c:", "h:")):
                    actions.append(Press(button.payload))
        if step.ask is not None:
            actions += [Text(answer) for answer in _SAMPLE_ANSWERS.get(step.ask.type, [])]
        for action in actions:
            # Each branch starts from the same state: clear the path so reports stay per branch.
            queue.append((after, action))
    return coverage
