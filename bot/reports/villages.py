"""Finding the village a leader means: ``--village "Thon Tay"`` is "Thôn Tây".

Names are compared folded (no diacritics, any case, spaces squeezed: bot.core.matching.fold,
the same folding residents' typing gets), so a leader on a keyboard without Vietnamese finds it.
"""

from __future__ import annotations

from bot.config import Settings
from bot.core.matching import fold
from bot.reports.progress import name_key
from bot.storage.base import ReportQueries

__all__ = ["known_villages", "resolve_village"]


async def known_villages(storage: ReportQueries, settings: Settings) -> list[str]:
    """Every village the commune knows: in the targets, a volunteer's, or a household's."""
    names = set(settings.targets)
    names |= {row.village for row in await storage.volunteer_rows()}
    names |= {row.village for row in await storage.household_services(None)}
    return sorted((name for name in names if name), key=name_key)


def resolve_village(typed: str, known: list[str]) -> str | None:
    """The known village ``typed`` names: itself, else the one it matches folded; None when it
    matches none, or several (then the leader must write it exactly). ``""`` (residents whose
    village is unknown) stays ``""``."""
    if typed == "" or typed in known:
        return typed
    wanted = fold(typed)
    matches = [name for name in known if fold(name) == wanted]
    return matches[0] if len(matches) == 1 else None
