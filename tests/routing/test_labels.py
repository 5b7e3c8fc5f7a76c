"""Typed answers press the button they mean."""

from __future__ import annotations

import pytest

from bot.routing import match_label

LABELS = ["✅ Đã cài xong", "Chưa cài được", "Android (Samsung, Oppo...)", "iPhone", "⬅️ Quay lại"]


@pytest.mark.parametrize(
    ("typed", "index"),
    [
        ("Đã cài xong", 0),
        ("da cai xong", 0),
        ("DA CAI XONG!", 0),
        ("đã cài xong rồi ạ", 0),
        ("dacai xong", 0),
        ("da cai xog", 0),  # a typo in a long label
        ("chua cai dc", 1),  # a shortcut
        ("chưa cài được", 1),
        ("android", 2),
        ("iphone", 3),
        ("quay lai", 4),
    ],
)
def test_typed_answers_find_their_button(typed: str, index: int) -> None:
    assert match_label(typed, LABELS) == index


@pytest.mark.parametrize("typed", ["", "😀", "xong", "cai", "ip", "iphonee x", "android iphone"])
def test_anything_else_presses_nothing(typed: str) -> None:
    assert match_label(typed, LABELS) is None


def test_short_labels_need_the_exact_words() -> None:
    assert match_label("co", ["Có", "Không"]) == 0
    assert match_label("ko", ["Có", "Không"]) == 1
    assert match_label("cô", ["Có", "Không"]) == 0  # accents do not matter
    assert match_label("con", ["Có", "Không"]) is None  # no typos on two letters


def test_two_labels_as_close_press_neither() -> None:
    assert match_label("buoi xang", ["Buổi sáng", "Buổi săng"]) is None
    assert match_label("buoi sang", ["Buổi sáng", "Buổi săng"]) is None
    assert match_label("buổi săng", ["Buổi sáng", "Buổi săng"]) == 1  # the accents decide
