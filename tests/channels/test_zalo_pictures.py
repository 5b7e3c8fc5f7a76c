"""A flow's own pictures on Zalo: uploaded once through the OA's upload API (per file, across
residents, restarts and processes), sent as image messages by their attachment id, uploaded
again when Zalo has forgotten them; a picture Zalo does not take leaves its words alone."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from bot.channels.zalo.client import ZaloClient
from bot.channels.zalo.pictures import Pictures
from bot.storage.memory import MemoryStorage
from tests.channels.zalo_fake import FakeZaloOA
from tests.channels.zalo_rig import Resident, zalo_rig
from tests.harness import FIXTURE_FLOWS, Clock

CARD = (FIXTURE_FLOWS / "images" / "card.png").read_bytes()


async def test_a_local_picture_is_uploaded_once_and_sent_as_an_image(
    oa: FakeZaloOA, zalo_clock: Clock, tmp_path: Path
) -> None:
    db = tmp_path / "zalo.sqlite3"
    async with zalo_rig(oa, db, zalo_clock) as rig:
        an, ba = Resident(rig, "71"), Resident(rig, "72")
        await an.send("/start demo")
        assert an.pictures == ["att-1"] and an.texts == ["Bạn dùng điện thoại gì?"]
        assert oa.uploads["att-1"] == CARD  # the file itself, as a multipart upload
        assert oa.to("71")[0].buttons == []  # the picture first, the words and buttons after
        await ba.send("/start demo")
        assert ba.pictures == ["att-1"] and oa.upload_count == 1  # not uploaded again
    async with zalo_rig(oa, db, zalo_clock) as rig:  # a restart: the id is in the database
        an = Resident(rig, "71")
        await an.send("/start demo")
        assert an.pictures == ["att-1"] and oa.upload_count == 1

        oa.forget_uploads()  # Zalo no longer knows it (-100): uploaded again, then sent
        await an.send("/start demo")
        assert an.pictures == ["att-2"] and oa.upload_count == 2

        zalo_clock.advance(6.5 * 86400)  # kept 7 days by Zalo: renewed before it would fail
        await an.send("/start demo")
        assert an.pictures == ["att-3"] and oa.upload_count == 3
        await an.send("/start demo")
        assert an.pictures == ["att-3"] and oa.upload_count == 3


@pytest.mark.parametrize(
    ("name", "content", "why"),
    [
        ("card.gif", b"GIF89a", "only jpg and png"),
        ("big.png", b"\x89PNG" + b"0" * 1_000_001, "larger than 1000000 bytes"),
        ("gone.png", None, "missing"),
    ],
)
async def test_a_picture_zalo_does_not_take_is_said_to_the_admin_once(
    name: str,
    content: bytes | None,
    why: str,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
    oa: FakeZaloOA,
) -> None:
    path = tmp_path / name
    if content is not None:
        path.write_bytes(content)
    settings = oa.settings()
    pictures = Pictures(settings, MemoryStorage(), ZaloClient(settings))
    assert not pictures.usable(str(path)) and not pictures.usable(str(path))
    said = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert len(said) == 1 and name in said[0] and why in said[0]
    ok = tmp_path / "ok.jpg"
    ok.write_bytes(b"\xff\xd8\xff")
    assert pictures.usable(str(ok))
