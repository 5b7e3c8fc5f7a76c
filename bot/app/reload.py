"""Hot reload: a changed flow or locale file takes effect without a restart, or not at all.

The folders are polled (a few file stats every couple of seconds costs nothing and works on every
system). A change is loaded and checked whole, off the event loop; if anything is wrong the bot
keeps serving the last good version, logs every problem with its line, and tells the admins.
Residents in the middle of a flow carry on with the new version when their step still exists as
the same kind of step; otherwise they are offered the nearest step or a fresh start; the content
they started is kept for them meanwhile (bot/engine/pinning.py, docs/flows.md).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from bot.app.assistant import Assistant
from bot.app.compose import check_content
from bot.config import Settings
from bot.core.problems import Problem
from bot.engine.runner import Engine
from bot.storage.base import FlowVersion, Storage

__all__ = ["FlowReloader", "Reload", "versions_of"]

log = logging.getLogger(__name__)

ProblemSink = Callable[[Sequence[Problem]], Awaitable[None]]


@dataclass(frozen=True, slots=True)
class Reload:
    """What a reload did: applied (with the flows that changed) or refused (with why)."""

    applied: bool
    changed: tuple[str, ...] = ()
    problems: tuple[Problem, ...] = ()


def versions_of(engine: Engine, at: float) -> list[FlowVersion]:
    """The versions of every flow an engine runs."""
    return [
        FlowVersion(flow_id=f.id, version=f.version, digest=f.digest, loaded_at=at)
        for f in engine.flows.values()
    ]


class FlowReloader:
    """Watches the flows and locales folders and swaps the assistant's engine when they change."""

    def __init__(
        self,
        settings: Settings,
        assistant: Assistant,
        storage: Storage,
        *,
        flows_dir: Path | None = None,
        drafts: Path | None = None,
        on_problems: ProblemSink | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.settings = settings
        self.assistant = assistant
        self.storage = storage
        self.flows_dir = flows_dir or settings.flows_dir
        self.drafts = drafts  # a draft folder tried on top of the flows (trolyso chat --flows)
        self.on_problems = on_problems
        self.clock = clock
        self._seen = self._snapshot()
        self._refused: tuple[Problem, ...] = ()

    def _snapshot(self) -> dict[Path, tuple[int, int]]:
        files: dict[Path, tuple[int, int]] = {}
        folders = [self.flows_dir, *([self.drafts] if self.drafts else [])]
        patterns = [
            *((folder, "*.y*ml") for folder in folders),
            *((folder / "images", "*") for folder in folders),
            (self.settings.locales_dir, "*.y*ml"),
        ]
        for folder, pattern in patterns:
            if not folder.is_dir():
                continue
            for path in folder.glob(pattern):
                try:
                    stat = path.stat()
                except OSError:
                    continue
                files[path] = (stat.st_mtime_ns, stat.st_size)
        return files

    def changed(self) -> bool:
        """True when a file was added, removed or edited since the last check."""
        return self._snapshot() != self._seen

    async def check(self) -> Reload | None:
        """Reload if something changed; None when nothing did."""
        snapshot = self._snapshot()
        if snapshot == self._seen:
            return None
        self._seen = snapshot
        return await self.reload()

    async def reload(self) -> Reload:
        """Load and check everything now; swap it in only if there is no error."""
        engine, problems = await asyncio.to_thread(
            check_content, self.settings, flows_dir=self.flows_dir, drafts=self.drafts
        )
        errors = tuple(p for p in problems if p.is_error)
        if engine is None:
            for problem in errors:
                log.error("flows not reloaded: %s", problem.render("en"))
            if errors != self._refused and self.on_problems is not None:
                await self.on_problems(errors)
            self._refused = errors
            return Reload(applied=False, problems=errors)
        old = self.assistant.engine
        changed = tuple(
            sorted(
                flow_id
                for flow_id, flow in engine.flows.items()
                if flow_id not in old.flows or old.flows[flow_id].digest != flow.digest
            )
        )
        # Residents part-way through an edited flow may still need the content they started.
        engine.keep_versions_of(old)
        self.assistant.engine = engine
        self._refused = ()
        await self.storage.record_flow_versions(versions_of(engine, self.clock()))
        log.info("flows reloaded; changed: %s", ", ".join(changed) or "(texts only)")
        return Reload(applied=True, changed=changed)

    async def run(self, every: float = 2.0) -> None:
        """Check every ``every`` seconds until cancelled."""
        while True:
            await asyncio.sleep(every)
            try:
                await self.check()
            except Exception:
                log.exception("could not check the flows for changes")
