"""The composition root of the application: settings -> flows and locales -> storage -> assistant.

:func:`build_app` builds everything that does not depend on a channel: the checked content, the
backend the ``database`` setting names, the staff notices, the staff desk and the assistant.
Channels sit a floor above and are joined to it by :func:`bot.channels.hosting.build_service`,
with the background loops; nothing is patched onto an object after it was built.
Process-wide settings (:func:`settle_memory`) are made here and nowhere else.
"""

from __future__ import annotations

import gc
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from bot.app.assistant import Assistant, FaultSink
from bot.config import Settings
from bot.core.errors import FlowError, TroLySoError
from bot.core.problems import Problem
from bot.core.types import BotProfile
from bot.engine.runner import Engine
from bot.flows.compiled import CompiledFlow
from bot.flows.loader import load_flows
from bot.i18n.catalog import load_catalog
from bot.routing import Router, load_smalltalk
from bot.routing.intents import load_intents

if TYPE_CHECKING:
    from bot.app.notices import StaffNotices
    from bot.app.ticket_watch import TicketWatch
    from bot.core.types import SessionKey
    from bot.storage.base import Storage

__all__ = ["App", "build_app", "check_content", "draft_folder", "load_engine"]


def check_content(
    settings: Settings, *, flows_dir: Path | None = None, drafts: Path | None = None
) -> tuple[Engine | None, list[Problem]]:
    """Load and check flows and locales: an engine when there is no error, and every problem.

    ``flows_dir`` replaces the live folder (``settings.flows_dir``); ``drafts`` is a folder of
    draft flows tried on top of it, each replacing the live flow with its id (see
    :func:`~bot.flows.loader.load_flows`).
    """
    loaded = load_flows([flows_dir or settings.flows_dir], overlay=[drafts] if drafts else ())
    catalog, locale_problems = load_catalog(settings.locales_dir)
    problems = loaded.problems + locale_problems
    router = intents = None
    if catalog is not None:
        router, routing_problems = _router(loaded.flows, settings.locales_dir)
        # What typed words mean at a step ("ko dc", "xong rồi"), from locales/intents.yaml.
        intents, intent_problems = load_intents(settings.locales_dir / "intents.yaml")
        problems += routing_problems + intent_problems
    if catalog is None or any(problem.is_error for problem in problems):
        return None, problems
    engine = Engine(
        loaded.flows,
        catalog,
        default_language=settings.language,
        context=settings.template_context(),
        welcome_flow=settings.welcome_flow,
        router=router,
        intents=intents,
    )
    return engine, problems


def draft_folder(settings: Settings, path: Path | None) -> Path | None:
    """``--flows`` of chat, test and graph: a folder of drafts over the live flows, or None.

    Passing the live folder itself (or nothing) means the live flows alone, as before drafts.
    """
    if path is None or path.resolve() == settings.flows_dir.resolve():
        return None
    return path


def _router(
    flows: Mapping[str, CompiledFlow], locales: Path
) -> tuple[Router | None, list[Problem]]:
    """The router over the flows, with the greetings and thanks of locales/smalltalk.yaml."""
    path = locales / "smalltalk.yaml"
    try:
        smalltalk = load_smalltalk(path)
    except FlowError as exc:
        return None, list(exc.found)
    return Router.from_flows(flows.values(), smalltalk), []


def load_engine(
    settings: Settings, *, flows_dir: Path | None = None, drafts: Path | None = None
) -> tuple[Engine, list[Problem]]:
    """Load and check flows and locales; raise :class:`FlowError` naming every error found."""
    engine, problems = check_content(settings, flows_dir=flows_dir, drafts=drafts)
    if engine is None:
        errors = [problem for problem in problems if problem.is_error]
        raise FlowError([problem.render("en") for problem in errors], found=errors)
    return engine, [problem for problem in problems if not problem.is_error]


@dataclass(slots=True)
class App:
    """Everything a channel needs, ready to use; ``close()`` when done.

    ``notices`` tells staff about broken flows, refused edits and alerts: each channel joins it
    as the channel is built (``notices.join(channel.delivery, channel.staff_chats())``).
    ``profile`` is what the bot is called, filled in by the channel that learns it.
    """

    settings: Settings
    assistant: Assistant
    storage: Storage
    notices: StaffNotices
    profile: BotProfile
    warnings: list[Problem]
    # Tells staff about residents' requests for a person, and escalates them (the runner runs it).
    tickets: TicketWatch

    async def close(self) -> None:
        """Release the storage."""
        await self.storage.close()


async def build_app(
    settings: Settings,
    *,
    flows_dir: Path | None = None,
    drafts: Path | None = None,
    database: Path | None = None,
    clock: Callable[[], float] = time.time,
    staff: Iterable[SessionKey] = (),
    on_fault: FaultSink | None = None,
    busy_timeout: float | None = None,
) -> App:
    """Load everything and open the storage; nothing reaches a resident if the flows are broken.

    ``staff`` are the admins' keys, as each channel names them (its ``staff_keys()``), so a new
    channel brings its own without the desk knowing it. A flow that fails at run time is told
    once to the staff chats of every channel (``on_fault`` replaces that: the terminal prints
    it). ``busy_timeout``: how long SQLite waits for another program's lock (tests shorten it).
    """
    engine, warnings = load_engine(settings, flows_dir=flows_dir, drafts=drafts)
    from bot.storage import data_folder, open_storage

    target = settings if database is None else database
    storage = open_storage(target, cache_size=settings.session_cache, busy_timeout=busy_timeout)
    await storage.open()
    from bot.app.reload import versions_of

    await storage.record_flow_versions(versions_of(engine, clock()))
    from bot.app.notices import StaffNotices
    from bot.app.staff.desk import StaffDesk
    from bot.app.staff.report import report_maker

    notices = StaffNotices(storage, engine.catalog, clock=clock)
    profile = BotProfile(username=settings.telegram.username)
    report = report_maker(
        settings, storage, folder=data_folder(target) / "reports", clock=clock
    )
    from bot.app.access import login_maker
    from bot.app.staff.handover import HandoverSetup
    from bot.app.ticket_watch import TicketWatch

    handover = HandoverSetup(
        hours=settings.privacy.handover_hours,
        web_url=settings.web.public_url if settings.web is not None else "",
        folder=data_folder(target) / "handovers",
        zalo_url=_zalo_url(settings),
        zalo_word=settings.zalo.start_word if settings.zalo is not None else "",
    )
    commune = settings.commune
    desk = StaffDesk(
        storage,
        admins=frozenset(staff),
        profile=profile,
        report=report,
        zone=settings.zone,
        login=login_maker(storage, settings.web),
        handover=handover,
        office_phone=commune.office_phone or commune.service_centre_phone,
    )
    tickets = TicketWatch(
        storage,
        notices,
        settings.tickets,
        settings.reminders,
        officers=frozenset(staff),
        clock=clock,
    )
    assistant = Assistant(
        engine,
        storage,
        desk=desk,
        clock=clock,
        on_fault=on_fault or notices.tell_admins_fault,
        elsewhere=notices.flush,
        relay_to=notices.flush_soon,
        on_tickets=tickets.poke,
    )
    return App(
        settings=settings,
        assistant=assistant,
        storage=storage,
        notices=notices,
        profile=profile,
        warnings=warnings,
        tickets=tickets,
    )


# --- process-wide settings, made here and nowhere else -----------------------------------------


def _zalo_url(settings: Settings) -> str:
    """The Zalo OA's link for hand-overs ("" without an OA, or with an OA id not yet valid)."""
    from bot.posters.link import zalo_link

    if settings.zalo is None:
        return ""
    try:
        return zalo_link(settings.zalo.oa_id)
    except TroLySoError:
        return ""


def settle_memory() -> None:
    """Tell Python's garbage collector that what start-up built is here to stay.

    The frameworks and the flows leave hundreds of thousands of long-lived objects; without this
    every full collection walks them all again (about 150 ms each under load, which is most of
    the slowest replies). Freezing them keeps collections short.

    The young generation is sized above what updates in flight hold: with a thousand residents
    writing at once, each turn waiting for its commit keeps about 75 objects alive, and a
    smaller young generation made the collector walk those live objects again and again (8% of
    the time under load) although reference counting frees them moments later. The turns leave
    almost no cyclic garbage, so memory stays bounded (the session cache is bounded too).
    """
    gc.collect()
    gc.freeze()
    gc.set_threshold(100_000, 20, 20)
