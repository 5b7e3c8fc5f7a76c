"""QR posters: the files, their size, and a QR code that decodes back to the bot's deep link.

The code is checked twice: decoded from the PNG with zxing-cpp (a real QR reader), and compared
module by module with the matrix segno computes for the link.
"""

from __future__ import annotations

import asyncio
import re
from importlib import resources
from pathlib import Path

import pytest
import zxingcpp
from PIL import Image

from bot.cli.main import main
from bot.flows.loader import load_flows
from bot.flows.schema import Flow
from bot.posters import (
    PAGE_SIZE,
    Poster,
    PosterError,
    bot_username,
    make_poster,
    poster_text,
    qr_matrix,
    start_payload,
    steps_to_complete,
)
from bot.posters.draw import QUIET_ZONE
from bot.storage.sqlite import SqliteStorage
from tests.harness import ROOT

USERNAME = "trolyso_lochà_bot".replace("à", "a")


@pytest.fixture(scope="module")
def shipped() -> dict[str, Flow]:
    return {flow_id: c.flow for flow_id, c in load_flows([ROOT / "flows"]).flows.items()}


def decoded(png: Path) -> list[str]:
    with Image.open(png) as image:
        return [result.text for result in zxingcpp.read_barcodes(image)]


def modules_match(poster: Poster) -> bool:
    """Every module of the printed code has the colour segno's matrix says it should."""
    matrix = qr_matrix(poster.link)
    qr = poster.qr
    with Image.open(poster.png) as image:
        gray = image.convert("L")
        for y, row in enumerate(matrix):
            for x, dark in enumerate(row):
                cx = qr.left + (x + QUIET_ZONE) * qr.module + qr.module // 2
                cy = qr.top + (y + QUIET_ZONE) * qr.module + qr.module // 2
                if (gray.getpixel((cx, cy)) < 128) != bool(dark):
                    return False
    return True


def test_poster_for_a_shipped_flow(tmp_path: Path, shipped: dict[str, Flow]) -> None:
    poster = make_poster(shipped["vneid_install"], username=USERNAME, output=tmp_path / "out")
    assert poster.png == tmp_path / "out" / "poster-vneid_install.png"
    assert poster.png.is_file() and poster.pdf.is_file()
    assert poster.link == "https://t.me/trolyso_locha_bot?start=vneid_install"
    with Image.open(poster.png) as image:
        assert image.size == PAGE_SIZE == (1748, 2480)
        assert round(image.info["dpi"][0]) == 300
    assert decoded(poster.png) == [poster.link]
    assert modules_match(poster)
    assert poster.qr.module * poster.qr.modules >= 760  # about 6.4 cm printed at 300 dpi
    pdf = poster.pdf.read_bytes()
    assert pdf.startswith(b"%PDF")
    # One A5 page: 1748 x 2480 px at 300 dpi is 419.52 x 595.2 points.
    box = re.search(rb"/MediaBox \[\s*0 0 ([\d.]+) ([\d.]+)\s*\]", pdf)
    assert box is not None
    assert (round(float(box[1])), round(float(box[2]))) == (420, 595)


def test_volunteer_poster_credits_the_volunteer(tmp_path: Path, shipped: dict[str, Flow]) -> None:
    poster = make_poster(
        shipped["bhyt_check"], username="@" + USERNAME, output=tmp_path,
        volunteer_code="k7m2qx", lang="en",
    )
    assert poster.link == "https://t.me/trolyso_locha_bot?start=bhyt_check-vK7M2QX"
    assert poster.png.name == "poster-bhyt_check-vK7M2QX.png"
    assert decoded(poster.png) == [poster.link]
    assert modules_match(poster)


def test_what_the_poster_says(shipped: dict[str, Flow]) -> None:
    flow = shipped["vneid_install"]
    text = poster_text(flow, "vi", commune="Xã Lộc Hà")
    assert text.title == "Cài VNeID và đăng ký tài khoản mức 1"
    assert text.brand == "Trợ lý số · Xã Lộc Hà"
    assert text.lines[0] == flow.description.get("vi")
    assert text.lines[1] == f"Khoảng {steps_to_complete(flow)} bước, mỗi bước chỉ cần đọc và bấm nút."
    assert "mật khẩu" in text.lines[2]
    # A flow that only ever refers residents onwards has no step count to promise.
    assert steps_to_complete(shipped["talk_to_person"]) is None
    fallback = poster_text(shipped["talk_to_person"], "en").lines[1]
    assert fallback == "One step at a time; just read and tap a button."


def test_deep_link_payload_rules() -> None:
    assert start_payload("vneid_install") == "vneid_install"
    assert start_payload("vneid_install", " k7m2qx ") == "vneid_install-vK7M2QX"
    with pytest.raises(PosterError) as too_long:
        start_payload("a" * 40, "B" * 30)
    assert too_long.value.code == "payload_too_long" and too_long.value.params == {"length": 72}
    with pytest.raises(PosterError) as bad:
        start_payload("vneid_install", "K7 M2")
    assert bad.value.code == "payload_bad_chars"
    assert bot_username(" @trolyso_bot ") == "trolyso_bot"
    for wrong, code in (("", "no_username"), ("bot", "bad_username"), ("trợ_lý_bot", "bad_username")):
        with pytest.raises(PosterError) as problem:
            bot_username(wrong)
        assert problem.value.code == code


def test_fonts_are_package_data() -> None:
    fonts = resources.files("bot") / "assets" / "fonts"
    for name in ("DejaVuSans.ttf", "DejaVuSans-Bold.ttf", "LICENSE"):
        assert (fonts / name).is_file(), name
    assert "bitstream-vera" in (fonts / "LICENSE").read_text(encoding="utf-8")


# --- the command line ------------------------------------------------------------------------


def config(tmp_path: Path, username: str = USERNAME) -> Path:
    path = tmp_path / "config.yaml"
    path.write_text(
        f"database: db.sqlite3\nflows_dir: {ROOT / 'flows'}\n"
        f"telegram:\n  username: '{username}'\n",
        encoding="utf-8",
    )
    return path


async def add_volunteer(path: Path, code: str, *, active: bool = True) -> None:
    storage = SqliteStorage(path)
    await storage.open()
    try:
        await storage.db.execute(
            "INSERT INTO volunteers (channel, user_id, name, village, code, active, joined_at)"
            " VALUES ('telegram', ?, 'Lan', 'Thôn Đông', ?, ?, 0)",
            (code, code, int(active)),
        )
    finally:
        await storage.close()


def poster(cfg: Path, *args: str) -> int:
    return main(["--config", str(cfg), "poster", *args])


def test_command_writes_both_files(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "posters"
    assert poster(config(tmp_path), "--flow", "pay_bill", "--output", str(out)) == 0
    said = capsys.readouterr().out
    assert "Đã tạo áp phích" in said and "https://t.me/trolyso_locha_bot?start=pay_bill" in said
    assert (out / "poster-pay_bill.png").is_file() and (out / "poster-pay_bill.pdf").is_file()


def test_command_with_a_volunteer_code(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    asyncio.run(add_volunteer(tmp_path / "db.sqlite3", "K7M2QX"))
    asyncio.run(add_volunteer(tmp_path / "db.sqlite3", "OLD123", active=False))
    cfg = config(tmp_path)
    args = ["--flow", "vneid_install", "--output", str(tmp_path)]
    assert poster(cfg, *args, "--volunteer", "k7m2qx") == 0
    assert decoded(tmp_path / "poster-vneid_install-vK7M2QX.png") == [
        "https://t.me/trolyso_locha_bot?start=vneid_install-vK7M2QX"
    ]
    capsys.readouterr()
    for code in ("NOPE99", "OLD123"):  # unknown, and a volunteer who left
        assert poster(cfg, *args, "--volunteer", code) == 2
        err = capsys.readouterr().err
        assert f"Không có tình nguyện viên nào đang hoạt động với mã '{code}'" in err


def test_command_without_a_username(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert poster(config(tmp_path, username=""), "--flow", "pay_bill") == 2
    err = capsys.readouterr().err
    assert "telegram.username" in err and "@BotFather" in err and "Traceback" not in err
    assert not list(tmp_path.glob("*.png"))


def test_command_with_an_unknown_flow(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert poster(config(tmp_path), "--flow", "vneid_instal", "--lang", "en") == 2
    err = capsys.readouterr().err
    assert "There is no flow 'vneid_instal' — did you mean 'vneid_install'?" in err
    assert "bhyt_check, pay_bill" in err
    assert poster(config(tmp_path), "--flow", "zzz") == 2
    assert "Không có luồng 'zzz'. Các luồng hiện có: bhyt_check" in capsys.readouterr().err


def test_command_with_a_volunteer_but_no_database(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert poster(config(tmp_path), "--flow", "pay_bill", "--volunteer", "K7M2QX") == 2
    assert "Chưa có cơ sở dữ liệu" in capsys.readouterr().err


def test_a_web_poster_opens_the_web_chat_with_the_volunteers_credit(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    asyncio.run(add_volunteer(tmp_path / "db.sqlite3", "K7M2QX"))
    cfg = config(tmp_path, username="")  # a commune without Telegram
    with cfg.open("a", encoding="utf-8") as file:
        file.write("web:\n  public_url: 'https://chat.xa-locha.example/'\n")
    args = ["--flow", "vneid_install", "--to", "web", "--output", str(tmp_path)]
    assert poster(cfg, *args, "--volunteer", "K7M2QX") == 0
    assert decoded(tmp_path / "poster-vneid_install-vK7M2QX.png") == [
        "https://chat.xa-locha.example/?start=vneid_install-vK7M2QX"
    ]
    assert "https://chat.xa-locha.example/?start=vneid_install-vK7M2QX" in capsys.readouterr().out


def test_a_web_poster_without_the_address_says_which_setting(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert poster(config(tmp_path), "--flow", "pay_bill", "--to", "web") == 2
    err = capsys.readouterr().err
    assert "web.public_url" in err and "Traceback" not in err
    assert not list(tmp_path.glob("*.png"))
