"""The terminal chat: the real engine and the real SQLite store, no token needed.

Buttons are numbered; a resident (or a script piping lines in) answers with a number, the words on a
button, free text, or a /command. End of input or Ctrl-C ends the chat; the place is already saved.
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Callable, Coroutine, Mapping
from typing import Any, TextIO

from bot.app.assistant import Assistant
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

__all__ = ["ConsoleChannel", "LocalCommand", "parse_line"]

CHANNEL = "console"

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


class ConsoleChannel:
    """One resident's chat in a terminal (or through a pipe)."""

    def __init__(
        self,
        assistant: Assistant,
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
        self.stdout = stdout or sys.stdout
        self.numbered: list[Button] = []
        self.lang = "vi"

    def _say(self, text: str) -> None:
        self.stdout.write(text + "\n")
        self.stdout.flush()

    def show(self, messages: tuple[OutgoingMessage, ...]) -> None:
        """Print the bot's messages with their buttons numbered from 1."""
        self.numbered = []
        name = self.catalog.text("console.bot", self.lang)
        for message in messages:
            self._say("")
            if message.image:
                self._say(self.catalog.text("console.image", self.lang, image=message.image))
            if message.text:
                self._say(f"{name}: {message.text}")
            for button in message.all_buttons():
                if button.url:
                    self._say(
                        "   "
                        + self.catalog.text(
                            "console.link", self.lang, label=button.label, url=button.url
                        )
                    )
                elif message.awaits_text:
                    # A typed answer is expected: numbers are answers, buttons are chosen by words.
                    self._say(f"   • {button.label}")
                else:
                    self.numbered.append(button)
                    self._say(f"   {len(self.numbered)}. {button.label}")
            if message.awaits_text and message.buttons:
                self._say("   " + self.catalog.text("console.type_answer", self.lang))
        self._say("")

    def run(self, runner: asyncio.Runner, opened: Opened) -> None:
        """Chat until end of input or Ctrl-C; every turn is stored before its reply is shown."""
        call = runner.run
        try:
            self.lang = opened.lang or runner.run(self.assistant.language_of(self.key))
            self._say(self.catalog.text("console.intro", self.lang))
            self.show(call(self._turn(opened)))
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
                event = parse_line(line, self.numbered)
                if event is None:
                    continue
                if self.before_turn is not None:
                    runner.run(self.before_turn())
                if isinstance(event, int):
                    self._say(
                        self.catalog.text(
                            "console.no_such_number",
                            self.lang,
                            number=event,
                            count=len(self.numbered),
                        )
                    )
                    continue
                if isinstance(event, Command) and event.name in self.local_commands:
                    # Buttons shown before stay the ones to choose from, unless messages come.
                    local = self.local_commands[event.name]
                    for shown in call(local(event.arg, self.lang)):
                        if isinstance(shown, str):
                            self._say(shown)
                        else:
                            self.show(shown)
                    continue
                self.show(call(self._turn(event)))
        except KeyboardInterrupt:
            self._say("")
        self._say(self.catalog.text("console.bye", self.lang))

    async def _turn(self, event: IncomingEvent) -> tuple[OutgoingMessage, ...]:
        messages = (await self.assistant.handle(self.key, event)).messages
        self.lang = await self.assistant.language_of(self.key)
        return messages
