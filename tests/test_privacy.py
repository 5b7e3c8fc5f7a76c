"""What residents type by mistake (ID, phone, OTP) never reaches storage or logs in clear."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.core.privacy import mask, pseudonym, shown
from tests.cli_process import ChatProcess
from tests.harness import FIXTURE_FLOWS
from tests.support.on_disk import on_disk


@pytest.mark.parametrize(
    ("typed", "kept"),
    [
        ("so cccd 001203004567", "so cccd [ID]"),
        ("001 203 004 567", "[ID]"),
        ("cmnd cũ 123456789", "cmnd cũ [ID]"),
        ("sđt 0912345678 nhé", "sđt [PHONE] nhé"),
        ("0912.345.678", "[PHONE]"),
        ("+84 912 345 678", "[PHONE]"),
        ("84912345678", "[PHONE]"),
        ("mã otp là 482913", "mã otp là [OTP]"),
        ("the BHYT 1234567890123", "the BHYT [NUMBER]"),
        ("tôi 70 tuổi, sinh năm 1955", "tôi 70 tuổi, sinh năm 1955"),
        ("hẹn ngày 2026-03-05 hoặc 05.03.2026", "hẹn ngày 2026-03-05 hoặc 05.03.2026"),
        ("PE04000012345", "PE04000012345"),  # part of a word: a bill code, not an ID on its own
        ("", ""),
    ],
)
def test_mask(typed: str, kept: str) -> None:
    assert mask(typed) == kept


# Issue 14, item 6: numbers written with other separators or glued to a word were kept in clear.
@pytest.mark.parametrize(
    ("typed", "kept"),
    [
        ("0912,345,678", "[PHONE]"),
        ("0912  345  678", "[PHONE]"),
        ("0912/345/678", "[PHONE]"),
        ("0912_345_678", "[PHONE]"),
        ("0912 - 345 - 678", "[PHONE]"),
        ("gọi 0912\u00a0345\u00a0678 nhé", "gọi [PHONE] nhé"),
        ("sdt0912345678", "sdt[PHONE]"),
        ("Sđt:0912345678", "Sđt:[PHONE]"),
        ("cccd079123456789", "cccd[ID]"),
        ("so_079123456789", "so_[ID]"),
        ("số079123456789", "số[ID]"),
        ("so\u0302\u0301079123456789", "so\u0302\u0301[ID]"),  # "số" typed as decomposed letters
        ("OTP482913", "OTP[OTP]"),
        ("mã482913", "mã[OTP]"),
        ("ma_otp 482913", "ma_otp [OTP]"),
        ("0912345678ạ", "[PHONE]ạ"),  # a word glued after the number
        ("０９１２３４５６７８", "[PHONE]"),  # full-width digits
        ("/0987654321", "/[PHONE]"),
        ("email: ba.tu+x@gmail.com nhé", "email: [EMAIL] nhé"),
        ("BA.TU@dichvucong.gov.vn", "[EMAIL]"),
        ("0912345678 05/03/2026", "[PHONE] 05/03/2026"),
        ("31.12.2025 và 0912345678", "31.12.2025 và [PHONE]"),
        ("45.67.8901", "[NUMBER]"),  # shaped like a date, but no day 45
        ("sinh 1955 65 tuổi", "sinh [OTP] tuổi"),  # numbers apart only by spaces are one number
        ("số tiền 1.500.000", "số tiền [NUMBER]"),  # an amount needs its đ / đồng to be one
    ],
)
def test_numbers_stored_in_clear_item6_every_format_is_masked(typed: str, kept: str) -> None:
    assert mask(typed) == kept


@pytest.mark.parametrize(
    "typed",
    [
        "năm 2026",
        "bà 65 tuổi",
        "1",
        "bước 1, 2, 3, 4, 5, 6",  # a list: a comma and a space end a number
        "giá 50.000đ",
        "phí 500.000đ",
        "học phí 1.200.000 đồng",
        "2.500.000 VND",
        "hẹn 05/03/2026 10:30",
        "2026/03/05",
        "ngày 15/08/1960",
        "05-03-2026",
        "PE04000012345",  # glued to letters that are not a label: a bill code
        "abc@",
        "không có số nào",
    ],
)
def test_numbers_stored_in_clear_item6_ordinary_numbers_and_dates_stay(typed: str) -> None:
    assert mask(typed) == typed


def test_numbers_stored_in_clear_item6_shown_is_masked_one_line_and_bounded() -> None:
    assert shown("0912345678", 40) == "[PHONE]"
    assert shown("  cài\nvneid  ", 40) == "cài vneid"
    long = shown("a" * 50 + " 0912345678", 40)
    assert len(long) == 40 and long.endswith("…")
    assert "0912" not in shown("x" * 35 + " 0912 345 678", 40)


def test_pseudonym_is_stable_keyed_and_not_the_id() -> None:
    first = pseudonym(b"secret", "telegram:123456789")
    assert first == pseudonym(b"secret", "telegram:123456789")
    assert first != pseudonym(b"other", "telegram:123456789")
    assert "123456789" not in first


def test_numbers_stored_in_clear_item6_a_real_terminal_chat_keeps_and_shows_no_number(
    tmp_path: Path,
) -> None:
    db = tmp_path / "db.sqlite3"
    chat = ChatProcess("--flows", str(FIXTURE_FLOWS), "--user", "ba", "--db", str(db))
    try:
        chat.read_until("Việc khác")
        for line, answer in (
            ("/start 0912345678", 'Mình không tìm thấy hướng dẫn "[PHONE]"'),
            ("/0987654321", "Mình không biết lệnh /[PHONE]."),
            ("OTP482913", "Bạn muốn hỏi về việc nào?"),
            # Where buttons are numbered, a long number is text: never "no button 912345678".
            ("0912345678", "mình chưa hiểu ý bạn"),
            # A digit to str.isdigit(), not to int(): it once crashed the terminal chat (the next
            # answer shows it goes on).
            ("²", ""),
            ("/start demo", "Mình nên gọi bạn là gì?"),  # the welcome flow first
            ("1", "Bác dùng điện thoại gì?"),
            ("2", "bao nhiêu tuổi?"),
            ("72", "Tên gọi của bác là gì?"),
            ("Ba 0912  345  678, cccd079123456789", "Tên: Ba [PHONE], cccd[ID]. Đúng không?"),
        ):
            chat.send(line)
            if answer:
                chat.read_until(answer)
    finally:
        code, output, err = chat.finish()
    assert code == 0 and err == ""
    # The terminal shows what the resident typed (the lines after "Bạn:"), the bot never repeats it.
    replies = "\n".join(line for line in output.splitlines() if not line.startswith("Bạn:"))
    raw = on_disk(db)
    for typed in ("0912345678", "0987654321", "482913", "0912  345  678", "079123456789"):
        assert typed not in replies
        assert typed.encode() not in raw
