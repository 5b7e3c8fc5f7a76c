"""Drive the bot like a resident: ``await chat.send("cai vneid")``, ``await chat.press("Android")``.

Tests read like conversations and go through the real Assistant, engine and a real storage.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from bot.app.assistant import Assistant
from bot.app.compose import load_engine
from bot.config import Settings
from bot.core.types import (
    Button,
    Command,
    IncomingEvent,
    Opened,
    OutgoingMessage,
    Press,
    SessionKey,
    Text,
)
from bot.engine.runner import Engine
from bot.storage.base import Storage
from bot.storage.memory import MemoryStorage

ROOT = Path(__file__).resolve().parent.parent
FIXTURE_FLOWS = ROOT / "tests" / "fixtures" / "flows"
# ``--config`` that makes FIXTURE_FLOWS the live flows of a ``trolyso`` process.
FIXTURE_LIBRARY = ROOT / "tests" / "fixtures" / "library.config.yaml"


def make_settings(flows: Path = ROOT / "flows", **extra: object) -> Settings:
    """Settings pointing at the repo's locales and the given flows folder."""
    return Settings(flows_dir=flows, locales_dir=ROOT / "locales", **extra)  # type: ignore[arg-type]


def make_engine(flows: Path = FIXTURE_FLOWS, **extra: object) -> Engine:
    """An engine over ``flows`` with the repo's locales (fixture flows: no welcome flow)."""
    if flows == FIXTURE_FLOWS:
        extra.setdefault("welcome_flow", "")
    engine, _warnings = load_engine(make_settings(flows, **extra))
    return engine


@dataclass
class Clock:
    """A clock tests move by hand."""

    now: float = 1_790_000_000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@dataclass
class Chat:
    """One resident talking to the bot."""

    engine: Engine
    storage: Storage = field(default_factory=MemoryStorage)
    user: str = "resident-1"
    channel: str = "test"
    clock: Clock = field(default_factory=Clock)
    last: tuple[OutgoingMessage, ...] = ()

    def __post_init__(self) -> None:
        self.assistant = Assistant(self.engine, self.storage, clock=self.clock)
        self.key = SessionKey(self.channel, self.user)

    async def event(self, event: IncomingEvent) -> tuple[OutgoingMessage, ...]:
        self.clock.advance(5)
        self.last = (await self.assistant.handle(self.key, event)).messages
        return self.last

    async def open(self, lang: str = "") -> tuple[OutgoingMessage, ...]:
        return await self.event(Opened(lang=lang))

    async def send(self, text: str) -> tuple[OutgoingMessage, ...]:
        return await self.event(Text(text))

    async def command(self, name: str, arg: str = "") -> tuple[OutgoingMessage, ...]:
        return await self.event(Command(name, arg))

    async def press(self, label: str) -> tuple[OutgoingMessage, ...]:
        """Press the button whose label is ``label`` (or contains it) in the last reply."""
        return await self.event(Press(self.button(label).payload))

    def button(self, label: str) -> Button:
        buttons = [b for m in self.last for b in m.all_buttons() if b.payload]
        for button in buttons:
            if button.label == label:
                return button
        matches = [b for b in buttons if label in b.label]
        assert len(matches) == 1, f"no single button {label!r} in {[b.label for b in buttons]}"
        return matches[0]

    @property
    def text(self) -> str:
        """Every text of the last reply, joined."""
        return "\n".join(message.text for message in self.last)

    @property
    def buttons(self) -> list[str]:
        """The labels of the action buttons of the last reply."""
        return [b.label for m in self.last for b in m.all_buttons() if b.payload]

    async def session(self):  # type: ignore[no-untyped-def]
        return await self.storage.load(self.key)
