"""The bot's own pronoun pairs with how the resident is addressed, from one place (bot.core.address).

The conversation tests (flows/tests/welcome.address.test.yaml) show it in the shipped guides; these
pin the rule itself, the interface texts made outside the engine, and what lint knows.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.core.address import address_words
from bot.flows.loader import load_flows
from bot.i18n.catalog import load_catalog
from tests.harness import ROOT


@pytest.mark.parametrize(
    ("forms", "toi", "a"),
    [("ông bà bác cô chú", "cháu", " ạ"), ("anh chị", "em", " ạ"), ("em bạn", "mình", "")],
)
def test_each_form_of_address_has_its_pair(forms: str, toi: str, a: str) -> None:
    for xung_ho in forms.split():
        assert address_words(xung_ho, "vi") == {"xung_ho": xung_ho, "toi": toi, "a": a}


def test_before_anyone_chose_the_bot_is_mình_to_bạn_and_i_in_english() -> None:
    assert address_words(None, "vi") == {"xung_ho": "bạn", "toi": "mình", "a": ""}
    assert address_words("", "vi") == {"xung_ho": "bạn", "toi": "mình", "a": ""}
    assert address_words(None, "en") == {"xung_ho": "you", "toi": "I", "a": ""}


def test_a_word_an_admin_added_is_paired_when_known_and_mình_otherwise() -> None:
    assert address_words("dì", "vi")["toi"] == "cháu"
    assert address_words(" Bác ", "vi") == {"xung_ho": "Bác", "toi": "cháu", "a": " ạ"}
    assert address_words("đồng chí", "vi") == {"xung_ho": "đồng chí", "toi": "mình", "a": ""}


def test_interface_texts_made_outside_the_engine_get_the_pair_from_xung_ho_alone() -> None:
    catalog, problems = load_catalog(ROOT / "locales")
    assert catalog is not None, problems
    # bot/app passes only xung_ho (the busy notice, the staff desk's /forget): never a "mình".
    assert catalog.text("flow.busy", "vi", xung_ho="bác").startswith(
        "Xin lỗi, cháu đang bận một chút. Cháu sẽ trả lời tin nhắn vừa rồi của bác"
    )
    assert catalog.text("staff.forget_kept", "vi", xung_ho="chị") == "Được ạ, em giữ nguyên."
    assert catalog.text("staff.forget_kept", "vi", xung_ho="em") == "Được, mình giữ nguyên."
    assert catalog.text("route.thanks", "vi") == "Không có gì! Cần gì bạn cứ nhắn nhé."
    assert catalog.text("menu.greeting", "en", xung_ho="bác").startswith("Hello! I'm Trợ lý số")


def test_lint_knows_toi_and_a_in_every_template(tmp_path: Path) -> None:
    flow = tmp_path / "pair.yaml"
    flow.write_text(
        """\
id: pair
version: 1
title: { vi: Thử, en: Try }
description: { vi: Thử., en: Try. }
triggers: { vi: [thử cặp xưng hô], en: [try the pair] }
sources: ["A source"]
checked: 2026-11-23
start: first
steps:
  first:
    say:
      vi: "{{ toi | capitalize }} chào {{ xung_ho }}. Được{{ a }}, {{ toi }} hướng dẫn nhé."
      en: Hello.
    end: completed
""",
        encoding="utf-8",
    )
    assert [str(p) for p in load_flows([flow]).problems] == []
