"""Reading messages: folding, typing shortcuts, accents kept aside."""

from __future__ import annotations

import pytest

from bot.routing.words import MAX_WORDS, read, words


@pytest.mark.parametrize(
    ("typed", "read_as"),
    [
        ("ko dc", "khong duoc"),
        ("k biet", "khong biet"),
        ("hong duoc", "khong duoc"),
        ("hok dc", "khong duoc"),
        ("đc", "duoc"),
        ("lam j", "lam gi"),
        ("cai vneid ntn", "cai vneid the nao"),
        ("như thế nào", "the nao"),
        ("sdt công an", "so dien thoai cong an"),
        ("SĐT", "so dien thoai"),
        ("quen mk", "quen mat khau"),
        ("tk vneid", "tai khoan vneid"),
        ("dvc", "dich vu cong"),
        ("ng la", "nguoi la"),
        ("xong r", "xong roi"),
        ("noi chuyen vs ng", "noi chuyen voi nguoi"),
        ("vn eid", "vneid"),
        ("V-NeID", "vneid"),
        ("bảo hiểm y tế", "bhyt"),
        ("BHYT", "bhyt"),
        ("căn cước công dân", "cccd"),
        ("mã OTP", "otp"),
        ("ứng dụng", "app"),
        ("dang ki", "dang ky"),
        ("đk vneid", "dang ky vneid"),
        ("ko đk", "khong duoc"),
        ("định danh đt", "dinh danh dien tu"),
        ("muc2", "muc 2"),
        ("mức hai", "muc 2"),
        ("camon", "cam on"),
        ("22k", "22k"),
    ],
)
def test_shortcuts_are_spelt_out(typed: str, read_as: str) -> None:
    assert " ".join(words(typed)) == read_as


def test_diacritics_case_spacing_and_punctuation_do_not_matter() -> None:
    assert words("Cài   VNeID thế nào???") == words("cai vneid the nao")
    assert words("KIỂM TRA thẻ BHYT!") == words("kiem tra the bhyt")
    # Accents typed as separate characters (some keyboards) read the same.
    assert words("cai\u0300 vneid") == words("cài vneid")


def test_accents_are_kept_aside_and_placement_does_not_matter() -> None:
    assert read("hoá đơn").marks == read("hóa đơn").marks
    assert read("lúa").marks != read("lừa").marks
    assert read("lua").marks == ("",)


@pytest.mark.parametrize("text", ["", "   ", "😀😀", "???", "\x00\u200b"])
def test_nothing_to_read(text: str) -> None:
    assert words(text) == ()


def test_a_huge_message_is_read_by_its_beginning() -> None:
    assert len(words("cai vneid " * 5000)) == MAX_WORDS
