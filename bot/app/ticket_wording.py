"""How tickets read for staff: a ticket's label and its page (who, where, what was said).

Staff never see the resident's chat id or phone: a label names the ticket by its number, the
village, the guide and the step's first words ("#12 · Thôn 3 · Kích hoạt VNeID · bước “Chụp
ảnh khuôn mặt…”").
"""

from __future__ import annotations

from typing import Any

from bot.core.tickets import Ticket, TicketNote
from bot.engine.runner import Engine
from bot.reports.funnel import step_label

__all__ = ["flow_title", "label", "step_words", "ticket_text", "ui"]


def ui(engine: Engine, key: str, lang: str, **params: Any) -> str:
    """An interface text in ``lang`` (the bot's default language when empty)."""
    return engine.catalog.text(key, lang or engine.default_language, **params)


def flow_title(engine: Engine, flow_id: str, lang: str) -> str:
    """A guide's title in ``lang`` (its id when it is no longer loaded)."""
    flow = engine.flows.get(flow_id)
    return flow.flow.title.get(lang or "vi") if flow is not None else flow_id


def step_words(engine: Engine, flow_id: str, step_id: str, lang: str) -> str:
    """A step as a volunteer reads it: the first words it says (its id when it says none)."""
    flow = engine.flows.get(flow_id)
    said = step_label(flow.flow.steps.get(step_id) if flow is not None else None)
    words = said.get(lang) or said.get("vi")
    return f"“{words}”" if words else step_id


def label(engine: Engine, ticket: Ticket, lang: str = "vi") -> str:
    """How staff name a ticket: number, village, guide and step (by its words)."""
    flow = flow_title(engine, ticket.flow_id, lang) if ticket.flow_id else ""
    step = step_words(engine, ticket.flow_id, ticket.step, lang) if ticket.step else ""
    return ui(
        engine,
        "ticket.label",
        lang,
        id=ticket.id,
        village=ticket.village,
        flow=flow,
        step=step,
    )


def ticket_text(engine: Engine, ticket: Ticket, notes: list[TicketNote], lang: str) -> str:
    """A ticket as the staff member who takes it reads it: who (form of address, language,
    channel), where they went, and the conversation so far."""
    lines = [
        ui(
            engine,
            "ticket.details",
            lang,
            label=label(engine, ticket, lang),
            xung_ho=ticket.xung_ho or "-",
            language=ticket.lang,
            channel=ticket.resident.channel,
            path=" → ".join(ticket.path[-8:]) or "-",
        )
    ]
    lines += [_note_line(engine, note, lang) for note in notes[-15:]]
    if ticket.contact:
        lines.append(ui(engine, "ticket.contact", lang, contact=ticket.contact))
    return "\n".join(lines)


def _note_line(engine: Engine, note: TicketNote, lang: str) -> str:
    return ui(engine, f"ticket.note_{note.author}", lang, text=note.text, name=note.name)
