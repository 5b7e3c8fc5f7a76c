"""The terminal chat: the real engine and the real SQLite store, no token needed.

Buttons are numbered; a resident (or a script piping lines in) answers with a number, the words on a
button, free text, or a /command. End of input or Ctrl-C ends the chat; the place is already saved.

It is a channel like Telegram (:class:`bot.channels.base.Channel`): each line goes through the
application's turns (committed before anything is shown) and the replies through its delivery,
to a sender that prints them; only reading lines and printing are the terminal's.
"""

from __future__ import annotations

import asyncio
import contextlib
import sys
from collections.abc import Callable, Coroutine, Mapping
from typing import Any, TextIO

from bot.app.assistant import Assistant
from bot.app.delivery import Delivery
from bot.app.limits import ChannelLimits, RateLimiter
from bot.app.turns import Turns
from bot.core.errors import StorageUnavailable
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
from bot.i18n.catalog import Catalog
from bot.storage.base import Storage

__all__ = ["ConsoleChannel", "ConsoleSender", "LocalCommand", "parse_line"]

CHANNEL = "console"
# A terminal shows whatever it is given at once: no limit worth waiting for.
LIMITS = ChannelLimits(per_second=10_000.0, per_chat_per_second=10_000.0, chat_burst=10_000)

# A command only the terminal offers (``/wait`` while an admin tries flows): given its argument
# and the chat's language, what to show in order: lines to print, and bot messages.
LocalCommand = Callable[[str, str], Coroutine[Any, Any, list[str | tuple[OutgoingMessage, ...]]]]


def parse_line(line: str, numbered: list[Button]) -> IncomingEvent | int | None:
    """Turn a typed line into an event; an ``int`` is a button number that does not exist."""
    line = line.strip()
    if not line:
        return None
    if line.startswith("/") and len(line) > 1:
        name, _, arg = line[1:].partition(" ")
        return Command(name=name, arg=arg.strip())
    # A button number: up to three ASCII digits ("²" is a digit to isdigit(), not to int()); a
    # longer number is something typed (a phone number), never repeated as "no button 912345678".
    if line.isascii() and line.isdigit() and len(line) <= 3:
        number = int(line)
        if 1 <= number <= len(numbered):
            return Press(numbered[number - 1].payload)
        if numbered:
            return number
    return Text(line)


class ConsoleSender:
    """Shows the bot's messages in the terminal, numbering the buttons of a turn from 1."""

    name = CHANNEL

    def __init__(self, catalog: Catalog, stdout: TextIO) -> None:
        self.catalog = catalog
        self.stdout = stdout
        self.lang = "vi"  # the chat's language, for the terminal's own words
        # The buttons shown since the last line was typed, in the order of their numbers.
        self.numbered: list[Button] = []

    def say(self, text: str) -> None:
        """Print one line."""
        self.stdout.write(text + "\n")
        self.stdout.flush()

    async def render(self, key: SessionKey, message: OutgoingMessage) -> list[OutgoingMessage]:
        """One message is one request: printing it cannot be split or fail half-way."""
        return [message]

    async def call(self, request: OutgoingMessage) -> None:
        """Print ``request`` with its buttons, numbered after those already shown this turn."""
        self.show(request)

    def show(self, message: OutgoingMessage) -> None:
        """Print one message of the bot, with its picture, links and buttons."""
        name = self.catalog.text("console.bot", self.lang)
        self.say("")
        if message.image:
            self.say(self.catalog.text("console.image", self.lang, image=message.image))
        if message.text:
            self.say(f"{name}: {message.text}")
        for button in message.all_buttons():
            if button.url:
                link = self.catalog.text(
                    "console.link", self.lang, label=button.label, url=button.url
                )
                self.say("   " + link)
            elif message.awaits_text:
                # A typed answer is expected: numbers are answers, buttons are chosen by words.
                self.say(f"   • {button.label}")
            else:
                self.numbered.append(button)
                self.say(f"   {len(self.numbered)}. {button.label}")
        if message.awaits_text and message.buttons:
            self.say("   " + self.catalog.text("console.type_answer", self.lang))


class ConsoleChannel:
    """One resident's chat in a terminal (or through a pipe)."""

    name = CHANNEL
    limits = LIMITS

    def __init__(
        self,
        assistant: Assistant,
        storage: Storage,
        catalog: Catalog,
        *,
        user: str,
        stdin: TextIO | None = None,
        stdout: TextIO | None = None,
        before_turn: Callable[[], Coroutine[Any, Any, object]] | None = None,
        local_commands: Mapping[str, LocalCommand] | None = None,
    ) -> None:
        self.assistant = assistant
        # Runs before each message is handled: the hot reload check (edits apply at the next turn).
        self.before_turn = before_turn
        # Handled here, never by the engine: residents on Telegram cannot reach them.
        self.local_commands = dict(local_commands or {})
        self.catalog = catalog
        self.key = SessionKey(CHANNEL, user)
        self.stdin = stdin or sys.stdin
        self.sender = ConsoleSender(catalog, stdout or sys.stdout)
        self.delivery = Delivery(self.sender, storage, limiter=RateLimiter.within(LIMITS))
        # Printing cannot fail: replies go straight to the terminal once the turn is committed
        # (after a crash the next start shows where the resident was, not old replies again).
        self.turns = Turns(assistant, storage, self.delivery, outbox=False)
        self._stopped = asyncio.Event()

    # --- what every channel is (bot.channels.base.Channel) ---------------------------------------

    def update_key(self, update_id: int) -> str:
        """Lines typed in a terminal are never delivered twice: no key is kept for them."""
        return ""

    def staff_keys(self) -> frozenset[SessionKey]:
        """Nobody is an admin in the terminal chat (admins use the ``trolyso`` commands)."""
        return frozenset()

    def staff_chats(self) -> tuple[SessionKey, ...]:
        """Notices for staff are printed by the CLI itself, not sent to a chat."""
        return ()

    async def start(self) -> None:
        """Learn the chat's language and print what a previous run committed but never showed."""
        self.sender.lang = await self.assistant.language_of(self.key)
        await self.delivery.resume()
        await self.delivery.drain()

    async def serve(self) -> None:
        """Read lines until end of input or :meth:`stop` (for a runner hosting the console)."""
        while not self._stopped.is_set():
            line = await asyncio.to_thread(self.stdin.readline)
            if not line:
                break
            await self.take(line.rstrip("\n"))

    def stop(self) -> None:
        """Stop reading after the line in hand."""
        self._stopped.set()

    async def close(self) -> None:
        """Show whatever is still on its way."""
        await self.delivery.drain()

    # --- the chat --------------------------------------------------------------------------------

    @property
    def lang(self) -> str:
        """The chat's language, for the terminal's own words."""
        return self.sender.lang

    def _say(self, text: str) -> None:
        self.sender.say(text)

    async def take(self, line: str) -> None:
        """One typed line: a turn (committed, then shown), a local command, or a kind word."""
        event = parse_line(line, self.sender.numbered)
        if event is None:
            return
        if self.before_turn is not None:
            await self.before_turn()
        if isinstance(event, int):
            self._say(
                self.catalog.text(
                    "console.no_such_number",
                    self.lang,
                    number=event,
                    count=len(self.sender.numbered),
                )
            )
            return
        if isinstance(event, Command) and event.name in self.local_commands:
            # Buttons shown before stay the ones to choose from, unless messages come.
            local = self.local_commands[event.name]
            for shown in await local(event.arg, self.lang):
                if isinstance(shown, str):
                    self._say(shown)
                else:
                    self._begin()
                    for message in shown:
                        self.sender.show(message)
                    self._say("")
            return
        await self._turn(event)

    def _begin(self) -> None:
        """A new set of replies: their buttons are numbered from 1 again."""
        self.sender.numbered = []

    async def _turn(self, event: IncomingEvent) -> None:
        self._begin()
        # When the database cannot save, the resident was asked to wait (flow.busy): nothing
        # was saved, and the line may simply be typed again.
        with contextlib.suppress(StorageUnavailable):
            await self.turns.handle(self.key, event, update_key="")
        await self.delivery.drain()
        self.sender.lang = await self.assistant.language_of(self.key)
        self._say("")

    def run(self, runner: asyncio.Runner, opened: Opened) -> None:
        """Chat until end of input or Ctrl-C; every turn is stored before its reply is shown.

        The terminal's own loop (not :meth:`serve`): ``input()`` on the main thread keeps line
        editing and Ctrl-C working as a terminal user expects.
        """
        try:
            runner.run(self.start())
            if opened.lang:
                self.sender.lang = opened.lang
            self._say(self.catalog.text("console.intro", self.lang))
            runner.run(self._turn(opened))
            interactive = self.stdin.isatty()
            while True:
                prompt = self.catalog.text("console.prompt", self.lang) + " "
                if interactive:
                    try:
                        line = input(prompt)
                    except EOFError:
                        break
                else:
                    line = self.stdin.readline()
                    if not line:
                        break
                    line = line.rstrip("\n")
                    self._say(prompt + line)
                runner.run(self.take(line))
        except KeyboardInterrupt:
            self._say("")
        finally:
            runner.run(self.close())
        self._say(self.catalog.text("console.bye", self.lang))
