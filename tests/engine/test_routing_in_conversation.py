"""Typed words in the conversation: flows found, scams first, greetings, switching and back."""

from __future__ import annotations

import pytest

from bot.core.types import Press
from bot.engine.runner import Engine
from tests.harness import ROOT, Chat, make_engine


@pytest.fixture(scope="module")
def library() -> Engine:
    """The shipped flows, without the welcome question, so each test starts at the menu."""
    return make_engine(ROOT / "flows", welcome_flow="")


async def test_a_question_without_diacritics_opens_the_right_flow(library: Engine) -> None:
    chat = Chat(library)
    await chat.open()
    await chat.send("cai vneid the nao")
    assert chat.text.startswith('Mình mở hướng dẫn "Cài VNeID và đăng ký tài khoản mức 1"')
    session = await chat.session()
    assert session.stack[0].flow_id == "vneid_install"


async def test_scam_words_win_whatever_else_the_text_mentions(library: Engine) -> None:
    chat = Chat(library)
    await chat.open()
    await chat.send("co nguoi goi xung cong an bao cai app vneid moi")
    session = await chat.session()
    assert session.stack[0].flow_id == "scam"


@pytest.mark.parametrize(("text", "reply"), [("xin chào", "Xin chào bạn!"), ("cam on nhieu", "Không có gì!")])
async def test_greetings_and_thanks_get_a_friendly_reply_not_a_flow(library: Engine, text: str, reply: str) -> None:
    chat = Chat(library)
    await chat.open()
    await chat.send(text)
    assert reply in chat.text
    assert (await chat.session()).stack == []


async def test_an_ambiguous_question_offers_the_likely_flows(library: Engine) -> None:
    chat = Chat(library)
    await chat.open()
    await chat.send("them the bhyt")
    assert "muốn hỏi về việc nào" in chat.text
    offered = [b for b in chat.buttons if b != "🏠 Menu chính"]
    assert 2 <= len(offered) <= 3
    await chat.press("Thêm thẻ BHYT, bằng lái vào VNeID")
    assert (await chat.session()).stack[0].flow_id == "vneid_documents"


async def test_a_switch_offer_is_only_good_for_the_next_press(demo_engine: Engine) -> None:
    chat = Chat(demo_engine)
    await chat.open()
    await chat.press("Thử nghiệm")
    await chat.send("viec khac")
    stale = chat.button("➡️ Sang: Việc khác").payload
    await chat.send("android")
    await chat.event(Press(stale))
    assert "tin nhắn cũ" in chat.text and "bao nhiêu tuổi" in chat.text
    assert len((await chat.session()).stack) == 1


async def test_typing_a_button_with_a_typo_and_no_diacritics_presses_it(library: Engine) -> None:
    chat = Chat(library)
    await chat.open()
    await chat.send("/start vneid_install")
    await chat.send("ipone")
    session = await chat.session()
    assert session.stack[0].vars == {"phone": "iphone"}


async def test_asking_for_another_flow_mid_flow_offers_a_switch_and_comes_back(demo_engine: Engine) -> None:
    chat = Chat(demo_engine)
    await chat.open()
    await chat.press("Thử nghiệm")
    await chat.send("cho toi hoi viec khac")
    assert '"Việc khác"' in chat.text and "vẫn được giữ" in chat.text
    await chat.press("➡️ Sang: Việc khác")
    assert chat.text == "Bước một."
    await chat.press("Tiếp")
    await chat.press("Xong")
    assert 'Xong rồi. Mình quay lại hướng dẫn "Thử nghiệm"' in chat.text
    assert "dùng điện thoại gì?" in chat.text
    runs = await chat.storage.runs()
    assert [(r.run.flow_id, r.run.outcome, r.run.parent_flow) for r in runs] == [("other", "completed", "demo")]
    await chat.press("Android")  # the place was kept
    assert "bao nhiêu tuổi" in chat.text


async def test_declining_the_switch_keeps_the_step(demo_engine: Engine) -> None:
    chat = Chat(demo_engine)
    await chat.open()
    await chat.press("Thử nghiệm")
    await chat.send("viec khac")
    await chat.press("↩️ Làm tiếp bước này")
    assert "dùng điện thoại gì?" in chat.text
    assert len((await chat.session()).stack) == 1
