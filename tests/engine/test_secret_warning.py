"""Issue 16, item 2: a resident who types a code, a password or a personal number is told at once,
kindly, not to send it to anyone (the bot included), in a short message before the normal reply.
"""

from __future__ import annotations

import pytest

from tests.harness import Chat

WARNING_VI = "🔒 Xin bạn đừng gửi mã OTP, mật khẩu, số căn cước hay số thẻ ngân hàng cho ai"
WARNING_EN = "🔒 Please don't send OTP codes, passwords, ID or bank card numbers to anyone"

SECRETS = [
    "ma otp 123456",
    "mã OTP của tôi là 4829",
    "mat khau cua toi la Abc@12345",
    "mk: hoa1960",
    "001203004567",  # a 12-digit personal ID number
    "so cccd cua toi 001 203 004 567",
    "0912345678",
    "sdt 0912.345.678",
    "9704 1234 5678 9012",  # a bank card
    "482913",  # an OTP read out on its own
]
ORDINARY = [
    "2",
    "2026",
    "năm 2026",
    "150000",
    "150.000",
    "giá 50.000đ",
    "bước 1, 2, 3",
    "05/03/2026",
]


async def at_step(chat: Chat, lang: str = "vi") -> None:
    await chat.open(lang)
    await chat.press("Thử nghiệm" if lang == "vi" else "Demo")  # pick_phone: buttons


@pytest.mark.parametrize("typed", SECRETS)
async def test_a_secret_typed_at_a_step_is_warned_about_first(chat: Chat, typed: str) -> None:
    await at_step(chat)
    await chat.send(typed)
    warning, *reply = chat.last
    assert warning.text.startswith(WARNING_VI) and not warning.buttons
    # Then the normal reply, as without the secret: the step again, with its buttons.
    assert reply and "Bạn dùng điện thoại gì?" in reply[-1].text and "Android" in chat.buttons
    digits = "".join(ch for ch in typed if ch.isdigit())
    assert digits not in chat.text.replace(" ", "")  # never repeated back


@pytest.mark.parametrize("typed", SECRETS[:4])
async def test_a_secret_typed_at_the_menu_is_warned_about_first(chat: Chat, typed: str) -> None:
    await chat.open()
    await chat.send(typed)
    assert chat.last[0].text.startswith(WARNING_VI)
    assert len(chat.last) >= 2 and chat.buttons  # the menu (or its offer) still follows


@pytest.mark.parametrize("typed", ORDINARY)
async def test_ordinary_numbers_are_not_secrets(chat: Chat, typed: str) -> None:
    await at_step(chat)
    await chat.send(typed)
    assert "🔒" not in chat.text


async def test_in_english_the_warning_is_english(chat: Chat) -> None:
    await at_step(chat, lang="en")
    await chat.send("my otp is 123456")
    assert chat.last[0].text.startswith(WARNING_EN)


async def test_a_number_a_step_asks_for_is_an_answer_not_a_secret(chat: Chat) -> None:
    await at_step(chat)
    await chat.press("Android")  # "bao nhiêu tuổi?": a number is asked
    await chat.send("150000")  # out of range: asked again, and no warning
    assert "🔒" not in chat.text and "Xin gõ tuổi bằng số." in chat.text
    await chat.send("ma otp 123456")  # a code named as such is a secret anywhere
    assert chat.last[0].text.startswith(WARNING_VI)
    await chat.send("72")
    assert "🔒" not in chat.text and "72 tuổi" in chat.text


async def test_a_password_is_not_kept_in_clear(chat: Chat) -> None:
    await at_step(chat)
    await chat.press("Android")
    await chat.send("70")
    await chat.send("Ba, mat khau la Abc@12345")  # "Tên gọi của bạn là gì?": any text
    assert chat.last[0].text.startswith(WARNING_VI)
    assert "Tên: Ba, mat khau la [PASSWORD]. Đúng không?" in chat.text
    session = await chat.session()
    assert "Abc@12345" not in session.to_json()
