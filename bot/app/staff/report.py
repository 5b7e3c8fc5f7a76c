"""The admins' ``/report`` in the bot: the summary as a message, the full report as an HTML file."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable, Mapping
from pathlib import Path

from bot.app.staff.desk import ReportMaker
from bot.config import Settings
from bot.core.types import OutgoingMessage, SessionKey
from bot.flows.compiled import CompiledFlow
from bot.storage.base import Storage

__all__ = ["report_maker"]


def report_maker(
    settings: Settings,
    storage: Storage,
    *,
    folder: Path,
    clock: Callable[[], float] = time.time,
) -> ReportMaker:
    """What ``/report [village]`` answers: a short summary, with the HTML report attached."""

    async def make(
        key: SessionKey, arg: str, flows: Mapping[str, CompiledFlow]
    ) -> tuple[OutgoingMessage, ...]:
        from bot.reports import build_report, render_html, render_text_summary
        from bot.reports.villages import known_villages, resolve_village
        from bot.reports.wording import word

        session = await storage.load(key)
        lang = session.lang if session is not None and session.lang else settings.language
        village = arg.strip() or None
        if village is not None:
            # "/report thon tay" on a phone without Vietnamese keys still means Thôn Tây.
            village = resolve_village(village, await known_villages(storage, settings)) or village
        report = await build_report(storage, flows, settings, village=village, now=clock())
        folder.mkdir(parents=True, exist_ok=True)
        # The commune's clock, not the server's: a leader finds the file by the time they asked.
        stamp = dt.datetime.fromtimestamp(clock(), settings.zone).strftime("%Y%m%d-%H%M%S")
        path = folder / f"bao-cao-{stamp}.html"
        path.write_text(render_html(report, lang), encoding="utf-8")
        # Named in the words too: a channel that cannot send an HTML file (Zalo takes only
        # PDF, Word and CSV) still tells the admin where the full report is.
        text = render_text_summary(report, lang) + "\n\n" + word("saved_as", lang, name=path.name)
        return (OutgoingMessage(text=text, document=str(path)),)

    return make
