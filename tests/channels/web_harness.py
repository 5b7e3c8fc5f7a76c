"""Run the real web chat (``build_service``, SQLite file) and drive it in a real browser.

Playwright for Python drives Debian's Chromium (``/usr/bin/chromium``, installed by ``.ci/run``);
no browser is downloaded. ``WebRig`` serves the fixture flows on a free port; ``Page`` reads the
transcript as a resident sees it and presses buttons by their label.
"""

from __future__ import annotations

import shutil
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bot.channels.hosting import Service, build_service
from bot.config import WebSettings
from tests.harness import FIXTURE_FLOWS, make_settings

CHROMIUM = "/usr/bin/chromium"
INSTALL_HINT = (
    "The web chat tests drive Chromium. Install it with 'apt-get install -y chromium' "
    "(Debian/Ubuntu; .ci/run does this) and Playwright for Python with "
    "pip install -e '.[test]', then run the tests again."
)


def chromium() -> str:
    """Debian's Chromium (a missing browser fails the test: never a silent skip)."""
    path = CHROMIUM if Path(CHROMIUM).exists() else shutil.which("chromium")
    assert path, INSTALL_HINT
    return path


@dataclass
class WebRig:
    """The web chat as ``trolyso web`` serves it, on a free port."""

    service: Service

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.service.web.server.port}/"

    @property
    def storage(self) -> Any:
        return self.service.app.storage


@asynccontextmanager
async def web_rig(db: Path, flows: Path = FIXTURE_FLOWS, **config: Any) -> AsyncIterator[WebRig]:
    """Start the web chat over ``flows`` with the database ``db``; stop it afterwards."""
    config.setdefault("welcome_flow", "")  # the fixture flows have no welcome flow
    settings = make_settings(flows, database=db, web=WebSettings(port=0), **config)
    service = await build_service(settings, channels=("web",), loops=False)
    await service.runner.start()
    try:
        yield WebRig(service)
    finally:
        await service.close()


@asynccontextmanager
async def browser() -> AsyncIterator[Any]:
    """A headless Chromium (Playwright's async API, in the test's own event loop)."""
    from playwright.async_api import async_playwright

    async with async_playwright() as playwright:
        chrome = await playwright.chromium.launch(
            executable_path=chromium(), args=["--no-sandbox", "--disable-gpu"]
        )
        try:
            yield chrome
        finally:
            await chrome.close()


class Page:
    """One resident's browser tab on the web chat."""

    def __init__(self, page: Any, rig: WebRig | None = None) -> None:
        self.page = page
        self.rig = rig

    async def bot_texts(self) -> list[str]:
        """What the bot said, message by message (without the sender's name)."""
        texts = await self.page.eval_on_selector_all(
            ".msg.bot",
            "els => els.map(e => Array.from(e.childNodes)"
            ".filter(n => n.nodeType === Node.TEXT_NODE).map(n => n.textContent).join(''))",
        )
        return [str(t) for t in texts]

    async def mine(self) -> list[str]:
        """What the resident sent, as the page shows it."""
        texts = await self.page.eval_on_selector_all(
            ".msg.me", "els => els.map(e => e.lastChild.textContent)"
        )
        return [str(t) for t in texts]

    async def buttons(self) -> list[str]:
        """The labels of the buttons and links under the bot's last message."""
        labels = await self.page.eval_on_selector_all(
            ".msg.bot",
            "els => els.length ? Array.from(els[els.length - 1]"
            ".querySelectorAll('.choices > *')).map(e => e.textContent) : []",
        )
        return [str(label) for label in labels]

    async def wait_for_text(self, text: str, timeout: float = 20_000) -> None:
        """Until a message of the bot contains ``text``."""
        await self.page.wait_for_function(
            "t => Array.from(document.querySelectorAll('.msg.bot')).some(e => "
            "e.textContent.includes(t))",
            arg=text,
            timeout=timeout,
        )

    async def count_bot(self) -> int:
        return int(await self.page.locator(".msg.bot").count())

    async def wait_for_more(self, count: int, timeout: float = 20_000) -> None:
        """Until the bot has said more than ``count`` messages."""
        await self.page.wait_for_function(
            "n => document.querySelectorAll('.msg.bot').length > n", arg=count, timeout=timeout
        )

    async def press(self, label: str) -> None:
        """Press the last button with this label (the newest message's)."""
        before = await self.count_bot()
        await self.page.locator(".choices button", has_text=label).last.click()
        await self.wait_for_more(before)
        await self.settled()

    async def say(self, text: str) -> None:
        """Type ``text`` and send it; returns once the bot answered."""
        before = await self.count_bot()
        await self.page.fill("#say", text)
        await self.page.click("#send")
        await self.wait_for_more(before)
        await self.settled()

    async def settled(self) -> None:
        """Until nothing the resident sent waits for the bot and every reply is on the page."""
        await self.page.wait_for_function(
            "() => { const s = JSON.parse(sessionStorage.getItem('trolyso.chat') || 'null');"
            " return s && s.pending.length === 0; }",
            timeout=20_000,
        )
        if self.rig is None:
            await self.page.wait_for_timeout(300)  # the replies of one turn come one by one
            return
        # Committed; now every reply of it in the resident's mailbox, then shown by the page.
        web = self.rig.service.web
        await web.delivery.drain()
        token = await self.page.evaluate("localStorage.getItem('trolyso.resident')")
        from bot.channels.web.protocol import resident_of

        last = web.mailbox.last(resident_of(token))
        await self.page.wait_for_function(
            "n => JSON.parse(sessionStorage.getItem('trolyso.chat') || 'null').seq >= n",
            arg=last,
            timeout=20_000,
        )
