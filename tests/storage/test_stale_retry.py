"""Several bot processes on one database: a turn read before another process saved the same
resident's session is computed again on the newer session (once), never saved over it."""

from __future__ import annotations

from bot.core.session import Session
from bot.core.types import Opened, SessionKey
from bot.storage.base import TurnRecord
from bot.storage.memory import MemoryStorage
from tests.harness import Chat, make_engine


class Racing(MemoryStorage):
    """A memory store where another process saves the resident's session just before each of
    the next ``clashes`` turns is saved."""

    def __init__(self, clashes: int) -> None:
        super().__init__()
        self.clashes = clashes
        self.reads = 0

    async def read(self, key: SessionKey):  # type: ignore[no-untyped-def]
        self.reads += 1
        return await super().read(key)

    async def save(self, turn: TurnRecord) -> list[int]:
        if self.clashes and turn.revision is not None:
            self.clashes -= 1
            await super().save(TurnRecord(key=turn.key, session=Session(lang="en", screen="menu")))
        return await super().save(turn)


async def test_a_stale_turn_is_computed_again_on_the_newer_session() -> None:
    storage = Racing(clashes=1)
    chat = Chat(make_engine(), storage=storage)
    handled = await chat.assistant.handle(chat.key, Opened(), update_key="u1")
    assert not handled.failed and handled.messages
    assert storage.reads == 2  # read, clash, read again
    read = await storage.read(chat.key)
    assert read.revision == 2  # the other process's save, then this turn on top of it
    assert await storage.is_processed("u1")


async def test_a_second_clash_leaves_the_update_unconfirmed() -> None:
    storage = Racing(clashes=2)
    chat = Chat(make_engine(), storage=storage)
    handled = await chat.assistant.handle(chat.key, Opened(), update_key="u1")
    assert handled.failed and handled.unsaved  # the channel asks again later
    assert not await storage.is_processed("u1")
    session = await storage.load(chat.key)
    assert session is not None and session.screen == "menu"  # the other process's, untouched
