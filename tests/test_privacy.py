"""What residents type by mistake (ID, phone, OTP) never reaches storage or logs in clear."""

from __future__ import annotations

import pytest

from bot.core.privacy import mask, pseudonym


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


def test_pseudonym_is_stable_keyed_and_not_the_id() -> None:
    first = pseudonym(b"secret", "telegram:123456789")
    assert first == pseudonym(b"secret", "telegram:123456789")
    assert first != pseudonym(b"other", "telegram:123456789")
    assert "123456789" not in first
