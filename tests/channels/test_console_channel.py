"""The terminal chat is a channel like Telegram: turns committed first, replies through the outbox."""

from __future__ import annotations

import io
from pathlib import Path

from bot.app.compose import build_app
from bot.channels.base import Channel
from bot.channels.console import ConsoleChannel
from bot.core.types import OutgoingMessage, SessionKey
from bot.storage.base import TurnRecord
from tests.harness import FIXTURE_FLOWS, make_settings


async def _console(tmp_path: Path, out: io.StringIO):  # type: ignore[no-untyped-def]
    settings = make_settings(FIXTURE_FLOWS, welcome_flow="", database=tmp_path / "chat.sqlite3")
    app = await build_app(settings)
    channel = ConsoleChannel(
        app.assistant, app.storage, app.assistant.engine.catalog, user="an", stdout=out
    )
    return app, channel


async def test_a_line_is_committed_then_shown_through_the_outbox(tmp_path: Path) -> None:
    out = io.StringIO()
    app, console = await _console(tmp_path, out)
    try:
        assert isinstance(console, Channel)
        await console.start()
        await console.take("/start other")
        assert "Bước một." in out.getvalue() and "1. Tiếp" in out.getvalue()
        # Shown, so no longer kept: the outbox holds nothing for the terminal's resident.
        assert not await app.storage.pending_outbox(console.key)
        session = await app.storage.load(console.key)
        assert session is not None and session.frame is not None
        await console.take("1")
        assert "Bước hai." in out.getvalue()
    finally:
        await console.close()
        await app.close()


async def test_a_reply_committed_but_never_shown_is_shown_at_the_next_start(
    tmp_path: Path,
) -> None:
    out = io.StringIO()
    app, console = await _console(tmp_path, out)
    key = SessionKey("console", "an")
    # As if the terminal closed between the commit and the printing.
    session = app.assistant.engine.new_session()
    await app.storage.save(
        TurnRecord(
            key=key,
            session=session,
            finished=(),
            outbox=(OutgoingMessage(text="Câu trả lời chưa kịp hiện."),),
        )
    )
    await app.close()
    out = io.StringIO()
    app, console = await _console(tmp_path, out)
    try:
        await console.start()
        assert "Câu trả lời chưa kịp hiện." in out.getvalue()
        assert not await app.storage.pending_outbox(key)
    finally:
        await console.close()
        await app.close()


async def test_a_number_with_no_button_is_answered_without_a_turn(tmp_path: Path) -> None:
    out = io.StringIO()
    app, console = await _console(tmp_path, out)
    try:
        await console.start()
        await console.take("/start other")
        before = await app.storage.read(console.key)
        await console.take("7")
        assert "Không có nút số 7" in out.getvalue()
        assert (await app.storage.read(console.key)).revision == before.revision
        await console.take("   ")  # an empty line is nothing either
        assert (await app.storage.read(console.key)).revision == before.revision
    finally:
        await console.close()
        await app.close()
