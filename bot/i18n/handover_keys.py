"""The interface texts of a volunteer's hand-over (a household member's guide continued on the
resident's own phone), kept apart like :mod:`bot.i18n.field_keys`."""

from __future__ import annotations

__all__ = ["HANDOVER_KEYS"]

HANDOVER_KEYS = frozenset(
    {
        "handover.button",
        "handover.shown",
        "handover.no_link",
        "handover.welcome",
        "handover.in_progress",
        "handover.taken",
        "handover.wrong",
        "handover.used",
        "handover.expired",
        "handover.volunteer_chat",
        "handover.done_note",
        "handover.on_own_phone",
    }
)
