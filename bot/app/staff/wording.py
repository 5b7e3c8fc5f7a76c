"""How households, their people and outcomes read in volunteers' messages (the desk's
``/households`` and the scheduler's morning list say them the same way)."""

from __future__ import annotations

from collections.abc import Callable

from bot.core.staff import HouseholdStatus, ServiceStatus

__all__ = ["Say", "household_lines", "people_of", "person_name", "service_text"]

# An interface text by key, in the reader's language: ``say("staff.nothing_yet")``.
Say = Callable[..., str]


def person_name(say: Say, number: int, label: str) -> str:
    """A person's label, or their number ("người 2") until the volunteer names them."""
    return label or say("field.person_n", n=number)


def service_text(say: Say, title: str, status: ServiceStatus, *, outcome: bool = True) -> str:
    """"✅ Đã xong VNeID" (or only the service's title), with the volunteer's note if any."""
    service = f"{say('staff.outcome_' + status.outcome)} {title}" if outcome else title
    return say("field.with_note", service=service, note=status.note) if status.note else service


def people_of(status: HouseholdStatus) -> dict[int, str]:
    """The household's people by number, with their labels ('' when not named), including
    anyone who only has outcomes."""
    people = {member.number: member.label for member in status.members}
    for service in status.services:
        people.setdefault(service.member, "")
    return dict(sorted(people.items()))


def household_lines(say: Say, title: Callable[[str], str], status: HouseholdStatus) -> list[str]:
    """A household and where each person's services stand: one line when there is only one
    person not named yet, else a line per person."""
    household = status.household
    people = people_of(status)

    def services(number: int | None) -> str:
        mine = [s for s in status.services if number is None or s.member == number]
        return ", ".join(service_text(say, title(s.flow_id), s) for s in mine) or say(
            "staff.nothing_yet"
        )

    if len(people) <= 1 and not any(people.values()):
        return [
            say(
                "staff.household_line",
                label=household.label,
                village=household.village,
                services=services(None),
            )
        ]
    lines = [say("field.household_head", label=household.label, village=household.village)]
    for number, label in people.items():
        lines.append(
            say(
                "field.person_line",
                person=person_name(say, number, label),
                services=services(number),
            )
        )
    return lines
