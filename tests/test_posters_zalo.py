"""Posters for a commune's Zalo OA: the QR code opens the OA, and the poster says what to send
there (Zalo's links carry no start payload), credited to the volunteer as on Telegram."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from tests.test_posters import add_volunteer, config, decoded, poster


def _with_zalo(cfg: Path, oa_id: str) -> Path:
    with cfg.open("a", encoding="utf-8") as file:
        file.write(f"zalo:\n  oa_id: '{oa_id}'\n")
    return cfg


def test_a_zalo_poster_opens_the_oa_and_says_what_to_send(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    asyncio.run(add_volunteer(tmp_path / "db.sqlite3", "K7M2QX"))
    cfg = _with_zalo(config(tmp_path, username=""), "388613280878808645")
    args = ["--flow", "vneid_install", "--to", "zalo", "--output", str(tmp_path)]
    assert poster(cfg, *args, "--volunteer", "K7M2QX") == 0
    assert decoded(tmp_path / "poster-vneid_install-vK7M2QX.png") == [
        "https://zalo.me/388613280878808645"
    ]
    said = capsys.readouterr().out
    assert "https://zalo.me/388613280878808645 (nhắn: BATDAU vneid_install-vK7M2QX)" in said


def test_a_zalo_poster_without_the_oa_id_says_which_setting(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert poster(config(tmp_path), "--flow", "pay_bill", "--to", "zalo") == 2
    assert "zalo.oa_id" in capsys.readouterr().err
    assert (
        poster(_with_zalo(config(tmp_path), "xa-loc-ha"), "--flow", "pay_bill", "--to", "zalo") == 2
    )
    assert "chỉ gồm chữ số" in capsys.readouterr().err
    assert not list(tmp_path.glob("*.png"))
