"""The interface texts of tickets (a resident's request for a person, and the staff answering
it), kept apart from :mod:`bot.i18n.keys` so the lists are edited without stepping on each
other."""

from __future__ import annotations

__all__ = ["TICKET_KEYS"]

TICKET_KEYS = frozenset(
    "ticket." + name
    for name in [
        "opened",
        "noted",
        "paused",
        "leave_button",
        "share_button",
        "shared",
        "left",
        "taken",
        "from_person",
        "closed_resident",
        "resumed_resident",
        "released_resident",
        "as_volunteer",
        "as_officer",
        "label",
        "alert",
        "escalated",
        "take_button",
        "details",
        "note_resident",
        "note_staff",
        "note_bot",
        "contact",
        "you_took",
        "from_resident",
        "resident_left",
        "resident_shared",
        "list_head",
        "list_line",
        "list_none",
        "take_usage",
        "no_such",
        "taken_by_other",
        "not_holding",
        "released",
        "close_usage",
        "closed",
        "outcome_done",
        "outcome_referred",
        "outcome_no_answer",
        "resume_usage",
        "resume_pick",
        "resume_no_flow",
        "no_step",
        "resumed",
        "not_staff",
        "duty_on",
        "duty_off",
        "duty_usage",
    ]
)
