"""Issue 14, item 6: what a resident typed is never repeated in a reply (or kept) in clear."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.storage.sqlite import SqliteStorage
from tests.engine.test_runner import _to_confirm
from tests.harness import Chat, make_engine
from tests.support.on_disk import on_disk


@pytest.mark.parametrize(
    ("command", "arg", "said"),
    [
        ("start", "0912345678", 'Mình không tìm thấy hướng dẫn "[PHONE]".'),
        ("start", "cccd079123456789", 'Mình không tìm thấy hướng dẫn "cccd[ID]".'),
        ("start", "so 0912 345 678", 'Mình không tìm thấy hướng dẫn "so [PHONE]".'),
        ("0987654321", "", "Mình không biết lệnh /[PHONE]."),
        ("otp482913", "", "Mình không biết lệnh /otp[OTP]."),
    ],
)
async def test_numbers_stored_in_clear_item6_what_was_typed_is_echoed_masked(
    chat: Chat, command: str, arg: str, said: str
) -> None:
    await chat.open()
    await chat.command(command, arg)
    assert said in chat.text
    assert not any(digits in chat.text for digits in ("345", "123456", "987654", "482913"))


async def test_numbers_stored_in_clear_item6_an_echoed_name_is_one_short_line(chat: Chat) -> None:
    await chat.open()
    await chat.command("start", "cài vneid\ncho bà " + "rất " * 30 + "0912 345 678")
    shown = chat.text.split('"')[1]
    assert shown.startswith("cài vneid cho bà rất") and shown.endswith("…")
    assert len(shown) == 40 and "\n" not in shown


async def test_numbers_stored_in_clear_item6_typed_answers_are_masked_in_replies_and_storage(
    tmp_path: Path,
) -> None:
    db = tmp_path / "bot.sqlite3"
    storage = SqliteStorage(db)
    await storage.open()
    chat = Chat(make_engine(), storage=storage)
    try:
        await _to_confirm(chat, "Ba, sdt0912,345,678")
        assert "Tên: Ba, sdt[PHONE]. Đúng không?" in chat.text
        session = await chat.session()
        assert session.stack[-1].vars["name"] == "Ba, sdt[PHONE]"
    finally:
        await storage.close()
    raw = on_disk(db)
    assert b"0912,345,678" not in raw and b"345,678" not in raw and b"0912345678" not in raw
