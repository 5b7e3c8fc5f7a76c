"""How households, their people and outcomes read in volunteers' messages (the desk's
``/households`` and the scheduler's morning list say them the same way)."""

from __future__ import annotations

from collections.abc import Callable

from bot.core.staff import REVISIT_ORDER, HouseholdStatus, ServiceStatus

__all__ = [
    "Say",
    "household_lines",
    "morning_lines",
    "people_of",
    "person_name",
    "service_text",
]

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


def _named(people: dict[int, str]) -> bool:
    """Whether the household's people are told apart: several, or one with a name."""
    return len(people) > 1 or any(people.values())


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

    if not _named(people):
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


def morning_lines(
    say: Say,
    title: Callable[[str], str],
    due: list[tuple[HouseholdStatus, list[ServiceStatus]]],
) -> list[str]:
    """A volunteer's morning list: the households to go back to, grouped by why (the commune
    police, the approval SMS, later), each line naming the person when there is more than one
    or they have a name, with the service and the volunteer's note."""
    lines = [say("staff.morning_list", count=len(due))]
    for reason in REVISIT_ORDER:
        group = []
        for status, services in due:
            people = people_of(status)
            for number, label in people.items():
                mine = [s for s in services if s.outcome == reason and s.member == number]
                if not mine:
                    continue
                group.append(
                    say(
                        "field.morning_line",
                        label=status.household.label,
                        village=status.household.village,
                        person=person_name(say, number, label) if _named(people) else "",
                        services=", ".join(
                            service_text(say, title(s.flow_id), s, outcome=False) for s in mine
                        ),
                    )
                )
        if group:
            lines.append(say("field.morning_group", outcome=say(f"staff.outcome_{reason}")))
            lines += group
    return lines
