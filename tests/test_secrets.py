"""Issue 16, item 2: what a secret is, decided once beside the masking (bot/core/privacy.py)."""

from __future__ import annotations

import pytest

from bot.core.privacy import mask, secrets_in


@pytest.mark.parametrize(
    ("typed", "kind"),
    [
        ("ma otp 123456", "code"),
        ("mã OTP của tôi là 4829", "code"),
        ("OTP482913", "code"),
        ("passcode: 654321", "code"),
        ("mã PIN 1234", "code"),
        ("482913", "code"),  # six digits on their own: an OTP read out
        ("mat khau cua toi la Abc@12345", "password"),
        ("mk: hoa1960", "password"),
        ("my password is Abc12345", "password"),
        ("001203004567", "id"),
        ("so cccd 001 203 004 567", "id"),
        ("cmnd cũ 123456789", "id"),  # an old 9-digit ID, when its name says so
        ("0912345678", "phone"),
        ("sđt 0912.345.678 nhé", "phone"),
        ("+84 912 345 678", "phone"),
        ("9704 1234 5678 9012", "card"),
        ("số thẻ 9704123456789012345", "card"),
    ],
)
def test_secrets_are_found(typed: str, kind: str) -> None:
    assert kind in secrets_in(typed)


@pytest.mark.parametrize(
    "typed",
    [
        "2",  # a button's number
        "2026",
        "năm 2026 tôi 70 tuổi",
        "150000",  # an amount of dong ends in thousands
        "150.000",
        "giá 50.000đ",
        "số tiền 1.500.000",
        "bước 1, 2, 3, 4, 5, 6",
        "hẹn ngày 05/03/2026",
        "sinh 1955 65 tuổi",
        "123456789",  # nine digits, no ID card named: maybe a customer code
        "mã khách hàng 0912345678",  # a bill's customer code is not a secret
        "ma kh: PE04000012345",
        "PE04000012345",
        "the BHYT 1234567890123",
        "tôi quên mật khẩu",
        "mật khẩu gồm 8 ký tự, có 1 số",
        "không nhận được mã OTP",
        "passport123",
        "",
    ],
)
def test_ordinary_words_and_numbers_are_not_secrets(typed: str) -> None:
    assert secrets_in(typed) == frozenset()


@pytest.mark.parametrize(
    ("typed", "found"),
    [
        ("150000", set()),  # the amount the step asked for
        ("0912345678", set()),  # a number the flow asked for (a volunteer's call-back)
        ("11012345678", set()),
        ("ma otp 123456", {"code"}),  # named as a code: a secret whatever was asked
        ("mat khau la Abc@12345", {"password"}),
    ],
)
def test_an_answer_to_a_question_counts_only_named_secrets(typed: str, found: set[str]) -> None:
    assert secrets_in(typed, answering=True) == found


@pytest.mark.parametrize(
    ("typed", "kept"),
    [
        ("mat khau cua toi la Abc@12345", "mat khau cua toi la [PASSWORD]"),
        ("mk: hoa1960 nhé", "mk: [PASSWORD] nhé"),
        ("mã OTP của tôi là 4829", "mã OTP của tôi là [OTP]"),
        ("mã PIN 1234", "mã PIN [OTP]"),
        ("mật khẩu gồm 8 ký tự", "mật khẩu gồm 8 ký tự"),
    ],
)
def test_what_is_warned_about_is_masked_too(typed: str, kept: str) -> None:
    assert mask(typed) == kept
