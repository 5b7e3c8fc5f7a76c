"""The interface texts of field work (the people of a household, their guides and outcomes,
volunteers' names, the commune police list), kept apart from :mod:`bot.i18n.keys` so the two
lists are edited without stepping on each other."""

from __future__ import annotations

__all__ = ["FIELD_KEYS"]

FIELD_KEYS = frozenset(
    {
        "staff.outcome_waiting_sms",
        "field.person_n",
        "field.visit_header",
        "field.other_person_button",
        "field.person_ask",
        "field.person_add",
        "field.person_type",
        "field.person_retry",
        "field.person_now",
        "field.ask_outcome",
        "field.household_head",
        "field.person_line",
        "field.with_note",
        "field.reminder_from",
        "field.other_visit_open",
        "field.name_now",
        "field.name_none",
        "field.name_saved",
        "field.endvisit_paused",
        "field.endvisit_confirm",
        "field.endvisit_continue",
        "field.paused_item",
        "field.paused_note",
        "field.morning_group",
        "field.morning_line",
        "field.police_head",
        "field.police_line",
        "field.police_none",
        "field.forget_confirm_volunteer",
        "field.forgotten_volunteer",
    }
)
