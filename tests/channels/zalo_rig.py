"""The real Zalo channel (``build_service``, SQLite or PostgreSQL) against the fake OA API, and
residents who write to it through Zalo's signed webhook."""

from __future__ import annotations

import itertools
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bot.channels.hosting import Service, build_service
from bot.core.types import SessionKey
from tests.channels.zalo_fake import FakeZaloOA, Sent
from tests.harness import FIXTURE_FLOWS, Clock, make_settings

_ids = itertools.count(1)


@dataclass
class ZaloRig:
    """One bot process serving the OA."""

    service: Service
    oa: FakeZaloOA

    @property
    def url(self) -> str:
        zalo = self.service.zalo
        return f"http://127.0.0.1:{zalo.webhook.port}{zalo.settings.path}"

    @property
    def storage(self) -> Any:
        return self.service.app.storage

    async def settle(self) -> None:
        """Until every reply of the turns so far has been sent (or given up)."""
        await self.service.zalo.delivery.drain()


@asynccontextmanager
async def zalo_rig(
    oa: FakeZaloOA,
    database: Path | str,
    clock: Clock,
    *,
    flows: Path = FIXTURE_FLOWS,
    config: dict[str, Any] | None = None,
    **zalo: Any,
) -> AsyncIterator[ZaloRig]:
    """The bot over the fixture flows (or ``flows``), its OA pointed at ``oa``, with other
    ``config`` settings; stopped afterwards."""
    settings = make_settings(
        flows, database=database, welcome_flow="", zalo=oa.settings(**zalo), **(config or {})
    )
    service = await build_service(settings, channels=("zalo",), loops=False, clock=clock)
    await service.runner.start()
    try:
        yield ZaloRig(service, oa)
    finally:
        await service.close()
    assert oa.problems == [], "the bot sent messages Zalo would refuse"


@dataclass
class Resident:
    """Someone who follows the OA and writes to it."""

    rig: ZaloRig
    user_id: str
    mark: int = 0
    last_event: dict[str, Any] = field(default_factory=dict)

    @property
    def key(self) -> SessionKey:
        return SessionKey("zalo", self.user_id)

    async def post(self, data: dict[str, Any]) -> int:
        self.mark = len(self.rig.oa.sent)
        self.last_event = data
        status = await self.rig.oa.event(self.rig.url, data)
        await self.rig.settle()
        return status

    async def send(self, text: str) -> int:
        return await self.post(self.rig.oa.text_event(self.user_id, text, f"msg{next(_ids)}"))

    async def press(self, title: str) -> int:
        """Press a query button of the latest replies: Zalo sends its payload as text."""
        for sent in reversed(self.rig.oa.to(self.user_id)):
            for button in sent.buttons:
                if button["title"] == title and button["type"].startswith("oa.query"):
                    return await self.send(button["payload"])
        raise AssertionError(f"no button {title!r}")

    def replies(self) -> list[Sent]:
        return [s for s in self.rig.oa.sent[self.mark :] if s.user_id == self.user_id]

    @property
    def texts(self) -> list[str]:
        """The words of the latest replies (not the pictures, nor the buttons' own messages)."""
        return [s.text for s in self.replies() if s.text != "⋯" and not s.image]

    @property
    def pictures(self) -> list[str]:
        """The pictures of the latest replies: their url or attachment_id."""
        return [s.image for s in self.replies() if s.image]

    @property
    def buttons(self) -> list[str]:
        return [b["title"] for s in self.replies() for b in s.buttons]
