"""Issue 14 ("Nothing lost under faults"), items 1, 2 and part of 8, through real processes.

``trolyso run`` is started as a process against the fake Bot API (in its own process too) and
Telegram answers badly: pages that are not JSON, results that are not updates, an update that
cannot be read. The bot must keep serving, never exit, never print a traceback, a resident's
words or the token.
"""

from __future__ import annotations

import asyncio
import io
import itertools
import logging
import os
import signal
import socket
import subprocess
import sys
import time
import warnings
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from pathlib import Path
from typing import Any

import pytest

from bot.app.redact import hide_secrets, stop_hiding
from bot.channels.telegram.intake import backoff_delay
from tests.channels.test_telegram_crash import wait_text, write_config
from tests.channels.tg_harness import free_port
from tests.harness import ROOT
from tests.support.fake_bot_api import DEFAULT_TOKEN
from tests.support.fake_bot_process import FakeBotAPIProcess
from tests.support.telegram_updates import callback_update, message_update

FRAMEWORKS = pytest.mark.parametrize("framework", ["aiogram", "ptb"])
CHAT = 3131  # the chat wait_text() reads
NEIGHBOUR = 3132
BACKOFF = 0.05
# (HTTP status, body) of answers no Bot API should give: the fake sends them as they are.
BAD_ANSWERS = {
    "html_502": (
        502,
        "<html><head><title>502 Bad Gateway</title></head><body><h1>502 Bad Gateway</h1>"
        "<hr><center>nginx</center></body></html>",
    ),
    "empty": (200, ""),
    "not_json": (200, "this is not JSON at all"),
    "result_garbage": (200, '{"ok":true,"result":"garbage"}'),
    "result_numbers": (200, '{"ok":true,"result":[1,2,3]}'),
    "no_result": (200, '{"ok":true}'),
}
# What a resident wrote in the update that cannot be read: it must appear nowhere.
POISON_NAME = "Nguyễn Thị Bí Mật"
POISON_TEXT = "CCCD của tôi là 001234567890"
WEBHOOK_SECRET = "webhook-secret_for-faults"


class Run:
    """One ``trolyso run`` process; what it prints goes to files (DEBUG fills a pipe)."""

    def __init__(self, config: Path, tmp_path: Path, name: str = "run") -> None:
        self.out = tmp_path / f"{name}.out"
        self.err = tmp_path / f"{name}.err"
        with self.out.open("wb") as out, self.err.open("wb") as err:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "bot", "--config", str(config), "run"],
                cwd=ROOT,
                env={
                    **os.environ,
                    "TROLYSO_BOT_TOKEN": DEFAULT_TOKEN,
                    "TROLYSO_WEBHOOK_SECRET": WEBHOOK_SECRET,
                },
                stdout=out,
                stderr=err,
            )

    @property
    def printed(self) -> str:
        return self.out.read_text("utf-8", "replace") + self.err.read_text("utf-8", "replace")

    @property
    def alive(self) -> bool:
        return self.process.poll() is None

    def stop(self) -> str:
        """SIGTERM; asserts a clean exit, returns everything it printed."""
        self.process.send_signal(signal.SIGTERM)
        self.process.wait(timeout=30)
        printed = self.printed
        assert self.process.returncode == 0, printed
        return printed

    def wait(self, timeout: float = 30) -> int:
        return self.process.wait(timeout=timeout)

    def kill(self) -> None:
        if self.alive:
            self.process.kill()
            self.process.wait()


@pytest.fixture
def fake(fake_bot_api_process: FakeBotAPIProcess) -> FakeBotAPIProcess:
    """The fake Bot API, in its own process."""
    return fake_bot_api_process


@contextmanager
def running(config: Path, tmp_path: Path, name: str = "run") -> Iterator[Run]:
    run = Run(config, tmp_path, name)
    try:
        yield run
    finally:
        run.kill()


def config_for(
    tmp_path: Path,
    fake: FakeBotAPIProcess,
    framework: str,
    *,
    level: str = "INFO",
    backoff: float = BACKOFF,
) -> Path:
    """The crash tests' config, at ``level``, retrying a failed getUpdates after ``backoff``."""
    config = write_config(tmp_path, fake.url, framework)
    text = config.read_text("utf-8").replace("log_level: WARNING", f"log_level: {level}")
    config.write_text(text + f"  poll_backoff: {backoff}\n", encoding="utf-8")
    return config


@asynccontextmanager
async def serving(
    fake: FakeBotAPIProcess, framework: str, tmp_path: Path, **options: Any
) -> AsyncIterator[Run]:
    """A bot that has answered a first resident (so it is polling); ``options``: config_for's."""
    with running(config_for(tmp_path, fake, framework, **options), tmp_path) as bot:
        await fake.push_update(message_update(CHAT, "/start other"))
        await wait_text(fake, "Bước một.")
        yield bot


def failure_lines(printed: str) -> list[str]:
    return [line for line in printed.splitlines() if "getUpdates failed" in line]


def assert_quiet(printed: str) -> None:
    """No traceback, no crash message, nothing of the unreadable update's resident."""
    assert "Traceback" not in printed, printed
    assert "unexpected problem" not in printed, printed
    assert POISON_NAME not in printed and "001234567890" not in printed, printed
    assert DEFAULT_TOKEN not in printed and DEFAULT_TOKEN.split(":")[1] not in printed, printed


async def raw_answers(fake: FakeBotAPIProcess, count: int, timeout: float = 20) -> list[float]:
    """When the fake gave its first ``count`` raw answers to getUpdates (waits for them)."""
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        calls = [c for c in await fake.calls("getUpdates") if c["description"] == "raw answer"]
        if len(calls) >= count:
            return [float(c["at"]) for c in calls[:count]]
        assert asyncio.get_running_loop().time() < deadline, f"{len(calls)} raw answers"
        await asyncio.sleep(0.05)


def poison_update() -> dict[str, Any]:
    """A message without its chat: no Bot API sends it, aiogram cannot read it."""
    update = message_update(3133, POISON_TEXT, first_name=POISON_NAME)
    del update["message"]["chat"]
    return update


# ---- item 1: a bad answer from Telegram does not kill the poller ---------------------------------


@FRAMEWORKS
async def test_item1_bad_getupdates_answers_are_survived_with_backoff(
    framework: str, fake: FakeBotAPIProcess, tmp_path: Path
) -> None:
    async with serving(fake, framework, tmp_path) as bot:
        for status, body in BAD_ANSWERS.values():  # one after another, each once
            await fake.fail("getUpdates", status=status, raw=body)
        times = await raw_answers(fake, len(BAD_ANSWERS))
        await fake.push_update(message_update(CHAT, "/start other"))
        await wait_text(fake, "Bước một.", count=2)
        assert bot.alive
        gaps = [later - earlier for earlier, later in itertools.pairwise(times)]
        # 0.05 s after the first failure, doubled after each one in a row.
        for index, gap in enumerate(gaps):
            assert gap >= BACKOFF * 2**index * 0.9, gaps
        printed = bot.stop()
    assert_quiet(printed)
    failures = failure_lines(printed)
    assert len(failures) == len(BAD_ANSWERS), failures  # one line each, no page or batch in it
    assert all(len(line) < 200 and "<html>" not in line for line in failures), failures
    assert "getUpdates works again after 6 failures" in printed


def test_item1_backoff_doubles_from_the_setting_up_to_30_s() -> None:
    delays = [backoff_delay(failures, 0.5) for failures in range(1, 10)]
    assert delays == [0.5, 1, 2, 4, 8, 16, 30, 30, 30]
    assert backoff_delay(10_000, 0.5) == 30


@FRAMEWORKS
async def test_item1_a_long_outage_is_one_warning_line(
    framework: str, fake: FakeBotAPIProcess, tmp_path: Path
) -> None:
    async with serving(fake, framework, tmp_path) as bot:
        await fake.fail("getUpdates", status=502, raw=BAD_ANSWERS["html_502"][1], times=None)
        await raw_answers(fake, 5)
        assert bot.alive
        printed = bot.stop()
    assert_quiet(printed)
    failures = failure_lines(printed)
    assert len(failures) == 1, failures  # the same failure again is not repeated at INFO


@FRAMEWORKS
async def test_item1_a_stop_does_not_wait_out_the_backoff(
    framework: str, fake: FakeBotAPIProcess, tmp_path: Path
) -> None:
    async with serving(fake, framework, tmp_path, backoff=20) as bot:
        await fake.fail("getUpdates", status=200, raw="", times=None)
        await raw_answers(fake, 1)
        await asyncio.sleep(0.2)  # now waiting 20 s before asking again
        started = time.monotonic()
        printed = bot.stop()
        assert time.monotonic() - started < 10
    assert_quiet(printed)


@FRAMEWORKS
async def test_item1_a_malformed_update_is_confirmed_skipped_and_its_neighbours_served(
    framework: str, fake: FakeBotAPIProcess, tmp_path: Path
) -> None:
    config = config_for(tmp_path, fake, framework)
    # Queued before the bot starts: its first getUpdates gets all three in one batch.
    await fake.push_update(message_update(CHAT, "/start other"))
    poison = await fake.push_update(poison_update())
    await fake.push_update(message_update(NEIGHBOUR, "/start other"))
    with running(config, tmp_path, "first") as bot:
        await wait_text(fake, "Bước một.")
        # The neighbour's reply may leave a moment after the resident's.
        deadline = asyncio.get_running_loop().time() + 20
        while not await fake.sent_texts(NEIGHBOUR):
            assert asyncio.get_running_loop().time() < deadline, "the neighbour was not served"
            await asyncio.sleep(0.05)
        assert (await fake.sent_texts(NEIGHBOUR)) == ["Bước một."]
        deadline = asyncio.get_running_loop().time() + 10
        while await fake.confirmed_offset() <= poison:
            assert asyncio.get_running_loop().time() < deadline, "never confirmed"
            await asyncio.sleep(0.05)
        first = bot.stop()
    assert_quiet(first)
    assert f"update {poison} skipped" in first, first
    assert await fake.pending_updates() == []

    # After a restart nothing comes back: no crash loop, the next message is served.
    with running(config, tmp_path, "second") as bot:
        await fake.push_update(message_update(CHAT, "Tiếp"))
        await wait_text(fake, "Bước hai.")
        second = bot.stop()
    assert_quiet(second)
    assert "skipped" not in second, second


# ---- item 2: the bot token never leaks -----------------------------------------------------------


@FRAMEWORKS
async def test_item2_token_appears_nowhere_at_debug(
    framework: str, fake: FakeBotAPIProcess, tmp_path: Path
) -> None:
    async with serving(fake, framework, tmp_path, level="DEBUG") as bot:
        printed = bot.stop()
    assert "INFO httpx" in printed or "INFO aiogram" in printed  # the libraries did talk
    assert_quiet(printed)
    # At DEBUG the libraries would log whole updates: they are kept at INFO, so no resident's
    # words reach the log (here: the resident's "/start other" and the bot's "Bước một.").
    assert "/start other" not in printed and "Bước một" not in printed, printed


def test_item2_the_filter_cleans_tracebacks_and_warnings_too() -> None:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    root = logging.getLogger()
    root.addHandler(handler)
    redact = hide_secrets(DEFAULT_TOKEN)
    try:
        try:
            raise RuntimeError(f"POST /bot{DEFAULT_TOKEN}/getMe failed")
        except RuntimeError:
            logging.getLogger("a.library").exception("request to %s", f"/bot{DEFAULT_TOKEN}")
        with warnings.catch_warnings():
            warnings.simplefilter("always")
            warnings.warn(f"secret {DEFAULT_TOKEN.split(':')[1]} seen", UserWarning, stacklevel=1)
    finally:
        stop_hiding(redact)
        logging.captureWarnings(False)
        root.removeHandler(handler)
    printed = stream.getvalue()
    assert "RuntimeError: POST /bot<token>/getMe" in printed, printed
    assert "UserWarning: secret <token> seen" in printed, printed
    assert DEFAULT_TOKEN.split(":")[1] not in printed, printed


@FRAMEWORKS
@pytest.mark.parametrize("status", [401, 404])
async def test_item2_a_refused_token_is_not_printed(
    framework: str, status: int, fake: FakeBotAPIProcess, tmp_path: Path
) -> None:
    """401: Telegram rejects the token; 404: a wrong api_base (ptb says the same of both)."""
    await fake.fail("getMe", status=status)
    with running(config_for(tmp_path, fake, framework, level="DEBUG"), tmp_path) as bot:
        assert bot.wait() == 2
        printed = bot.printed
    assert "thiết lập 'telegram.token': Telegram không cho bot chạy" in printed, printed
    assert_quiet(printed)


# ---- item 8 (part): config groups, the webhook's edges, stale buttons ----------------------------


@pytest.mark.parametrize(
    ("text", "setting"),
    [("telegram: abc\n", "telegram"), ("telegram:\n  webhook: abc\n", "telegram.webhook")],
)
def test_item8_a_setting_group_that_is_not_a_group_is_named(
    text: str, setting: str, tmp_path: Path
) -> None:
    config = tmp_path / "config.yaml"
    config.write_text(text, encoding="utf-8")
    with running(config, tmp_path) as bot:
        assert bot.wait() == 2
        printed = bot.printed
    assert f"thiết lập '{setting}': phải là một nhóm thiết lập" in printed, printed
    assert "unexpected problem" not in printed and "Traceback" not in printed, printed


def webhook_config(tmp_path: Path, fake: FakeBotAPIProcess, framework: str, port: int) -> Path:
    config = config_for(tmp_path, fake, framework).read_text("utf-8")
    config = config.replace("mode: polling", "mode: webhook") + (
        f"  webhook:\n    listen: 127.0.0.1\n    port: {port}\n"
        f"    public_url: http://127.0.0.1:{port}\n"
    )
    path = tmp_path / "webhook.yaml"
    path.write_text(config, encoding="utf-8")
    return path


async def http_status(port: int, head: bytes, body: bytes = b"") -> int:
    """Send a hand-made request (headers no client library would send); the answer's status."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        writer.write(head + b"\r\n" + body)
        await writer.drain()
        line = await asyncio.wait_for(reader.readline(), 5)  # never waits for the body
        return int(line.split()[1])
    finally:
        writer.close()


async def wait_listening(port: int, timeout: float = 30) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            assert asyncio.get_running_loop().time() < deadline, "the webhook never listened"
            await asyncio.sleep(0.1)


@FRAMEWORKS
async def test_item8_webhook_refuses_bad_secret_bytes_and_huge_bodies(
    framework: str, fake: FakeBotAPIProcess, tmp_path: Path
) -> None:
    port = free_port()
    with running(webhook_config(tmp_path, fake, framework, port), tmp_path) as bot:
        await wait_listening(port)
        await fake.wait_for("setWebhook", timeout=30)
        request = (
            b"POST /telegram/webhook HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        )
        body = b'{"update_id": 1}'
        not_utf8 = b"X-Telegram-Bot-Api-Secret-Token: \xff\xfe\xc3(\r\n"
        length = f"Content-Length: {len(body)}\r\n".encode()
        assert await http_status(port, request + not_utf8 + length, body) == 403
        secret = f"X-Telegram-Bot-Api-Secret-Token: {WEBHOOK_SECRET}\r\n".encode()
        huge = b"Content-Length: 52428800\r\n"  # 50 MB announced, a few bytes sent
        assert await http_status(port, request + secret + huge, b"{") == 413
        # An update it cannot read is answered (not sent again and again), and skipped.
        assert await fake.deliver_to_registered_webhook(poison_update()) == 200
        # And it still serves residents.
        status = await fake.deliver_to_registered_webhook(message_update(CHAT, "/start other"))
        assert status == 200
        await wait_text(fake, "Bước một.")
        assert bot.alive
        printed = bot.stop()
    assert_quiet(printed)
    assert "skipped: it cannot be read" in printed, printed


@FRAMEWORKS
async def test_item8_a_stale_button_press_is_one_quiet_line(
    framework: str, fake: FakeBotAPIProcess, tmp_path: Path
) -> None:
    async with serving(fake, framework, tmp_path) as bot:
        keyboard = (await fake.calls("sendMessage", CHAT))[-1]
        data = keyboard["params"]["reply_markup"]["inline_keyboard"][0][0]["callback_data"]
        too_old = (
            "Bad Request: query is too old and response timeout expired or query ID is invalid"
        )
        await fake.fail("answerCallbackQuery", status=400, description=too_old)
        await fake.push_update(
            callback_update(CHAT, data, message_id=keyboard["result"]["message_id"])
        )
        await wait_text(fake, "Bước hai.")  # the press itself is served
        await fake.wait_for("answerCallbackQuery", include_failed=True)
        await asyncio.sleep(0.3)
        printed = bot.stop()
    assert_quiet(printed)
    lines = [line for line in printed.splitlines() if "button press" in line]
    assert len(lines) == 1 and lines[0].startswith("INFO "), printed
    assert "ERROR" not in printed, printed
