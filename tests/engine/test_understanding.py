"""Issue 16, item 1: typed words at a step press the button they mean, and help comes when the
bot keeps missing what a resident says.

Through the real assistant and engine, over a small library written here (so the buttons' words
are the test's own) and the repo's locales/intents.yaml.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.core.session import Frame, Session
from bot.engine.runner import Engine
from tests.harness import Chat, make_engine

HEAD = """\
version: 1
title: {{ vi: "{title}", en: "{title}" }}
description: {{ vi: Thử., en: A test. }}
triggers: {{ vi: [{trigger}], en: [{trigger}] }}
sources: ["Test"]
checked: 2026-11-23
"""

GUIDE = """\
id: guide
start: register
steps:
  register:
    say: { vi: Bấm "Đăng ký"., en: Tap "Đăng ký". }
    choices:
      - label: { vi: Đã bấm, en: Done }
        go: card
    help:
      go: trouble
      label: { vi: Không thấy nút / báo lỗi, en: No such button / an error }
  trouble:
    say: { vi: "Đang thấy gì?", en: "What do you see?" }
    choices:
      - label: { vi: Thử lại, en: Try again }
        go: register
  card:
    say: { vi: "Có thẻ chưa?", en: "Do you have the card?" }
    choices:
      - label: { vi: Có thẻ gắn chip, en: I have a chip card }
        means: "yes"
        go: installed
      - label: { vi: Chưa có thẻ gắn chip, en: No chip card yet }
        go: no_card
      - label: { vi: Để lúc khác, en: Maybe later }
        go: later
  installed:
    say: { vi: "Cài xong chưa?", en: "Installed?" }
    choices:
      - label: { vi: Đã cài xong, en: It's installed }
        go: typed_code
      - label: { vi: Vẫn không được, en: It still doesn't work }
        go: stuck_install
      - label: { vi: Thử cách khác, en: Another way }
        means: trouble
        go: other_way
  typed_code:
    say: { vi: "Gõ mã chưa?", en: "Typed the code?" }
    choices:
      - label: { vi: Đã gõ mã, en: I typed the code }
        go: amount
      - label: { vi: Đã xong, en: All done }
        go: amount
  amount:
    say: { vi: "Số tiền bao nhiêu?", en: "How much?" }
    ask:
      save_as: amount
      type: number
    go: bye
  no_card:
    say: { vi: Làm thẻ trước., en: Get the card first. }
    end: referred
  later:
    say: { vi: Hẹn lúc khác., en: Another time. }
    end: gave_up
  stuck_install:
    say: { vi: Thử khởi động lại máy., en: Restart the phone. }
    end: gave_up
  other_way:
    say: { vi: Cách khác., en: Another way. }
    end: gave_up
  bye:
    say: { vi: "Xong: {{ amount }}.", en: "Done: {{ amount }}." }
    end: completed
"""

PERSON = """\
id: talk_to_person
start: who
steps:
  who:
    say: { vi: "Muốn nhờ ai giúp?", en: "Who would you like to ask?" }
    choices:
      - label: { vi: Công an xã, en: The police }
        go: bye
  bye:
    say: { vi: Gọi công an xã., en: Call the police. }
    end: referred
"""


@pytest.fixture(scope="module")
def engine(tmp_path_factory: pytest.TempPathFactory) -> Engine:
    folder: Path = tmp_path_factory.mktemp("flows")
    (folder / "guide.yaml").write_text(
        HEAD.format(title="Hướng dẫn", trigger="hướng dẫn thử") + GUIDE, encoding="utf-8"
    )
    (folder / "talk_to_person.yaml").write_text(
        HEAD.format(title="Nhờ người giúp", trigger="nói chuyện với cán bộ") + PERSON,
        encoding="utf-8",
    )
    return make_engine(folder, welcome_flow="")


async def at(engine: Engine, step: str, lang: str = "vi") -> Chat:
    chat = Chat(engine)
    await chat.open(lang)
    await chat.command("start", "guide")
    way = {
        "card": ["Đã bấm"],
        "installed": ["Đã bấm", "Có thẻ gắn chip"],
        "typed_code": ["Đã bấm", "Có thẻ gắn chip", "Đã cài xong"],
        "amount": ["Đã bấm", "Có thẻ gắn chip", "Đã cài xong", "Đã gõ mã"],
    }
    for label in way.get(step, []):
        await chat.press(label if lang == "vi" else _english[label])
    assert await where(chat) == step
    return chat


_english = {
    "Đã bấm": "Done",
    "Có thẻ gắn chip": "I have a chip card",
    "Đã cài xong": "It's installed",
    "Đã gõ mã": "I typed the code",
}


async def where(chat: Chat) -> str:
    session = await chat.session()
    return session.stack[-1].step if session.stack else session.screen


# The words one resident typed six times at register_l1 (issue 16), and their like.
@pytest.mark.parametrize(
    "typed",
    [
        "không được",
        "ko dc",
        "bị lỗi",
        "khong thay nut",
        "Không thấy nút",
        "lỗi rồi",
        "sao không được",
        "giúp tôi với",
        "k đc ạ",
        "it didn't work",
        "I can't see it",
        "help me",
    ],
)
async def test_trouble_typed_at_a_step_presses_its_help_button(engine: Engine, typed: str) -> None:
    chat = await at(engine, "register")
    await chat.send(typed)
    assert await where(chat) == "trouble" and "Đang thấy gì?" in chat.text


@pytest.mark.parametrize("typed", ["xong rồi", "rồi", "ok", "oke", "đã bấm rồi ạ", "done", "yes"])
async def test_done_or_yes_typed_presses_the_done_button(engine: Engine, typed: str) -> None:
    chat = await at(engine, "register")
    await chat.send(typed)
    assert await where(chat) == "card"


@pytest.mark.parametrize(
    ("typed", "said"),
    [
        ("có", "Cài xong chưa?"),  # "Có thẻ gắn chip" says means: yes
        ("dạ có", "Cài xong chưa?"),
        ("chưa", "Làm thẻ trước."),  # "Chưa có thẻ gắn chip": its words begin with "chưa có"
        ("ko", "Làm thẻ trước."),
        ("not yet", "Làm thẻ trước."),
        ("để sau", "Hẹn lúc khác."),
        ("lúc khác nhé", "Hẹn lúc khác."),
        ("later", "Hẹn lúc khác."),
    ],
)
async def test_yes_no_and_later_press_their_buttons(engine: Engine, typed: str, said: str) -> None:
    chat = await at(engine, "card")
    await chat.send(typed)
    assert said in chat.text


async def test_english_residents_type_either_language(engine: Engine) -> None:
    chat = await at(engine, "register", lang="en")
    await chat.send("ko dc")
    assert await where(chat) == "trouble" and "What do you see?" in chat.text


async def test_the_exact_words_of_a_button_keep_priority(engine: Engine) -> None:
    # "Vẫn không được" and "Thử cách khác" (means: trouble) both mean trouble: typed as written,
    # the button with those words is pressed all the same.
    chat = await at(engine, "installed")
    await chat.send("vẫn không được")
    assert "Thử khởi động lại máy." in chat.text


@pytest.mark.parametrize(
    ("step", "typed"),
    [
        ("installed", "ko dc"),  # "Vẫn không được" and "Thử cách khác" both mean trouble
        ("typed_code", "xong rồi"),  # "Đã gõ mã" and "Đã xong" both mean done
        ("register", "không được mở ứng dụng à"),  # more than a meaning: not taken for one
    ],
)
async def test_two_buttons_with_one_meaning_are_not_guessed_at(
    engine: Engine, step: str, typed: str
) -> None:
    chat = await at(engine, step)
    await chat.send(typed)
    assert await where(chat) == step and "Mời bạn bấm một nút bên dưới" in chat.text


async def test_after_two_misses_help_and_a_person_are_offered(engine: Engine) -> None:
    chat = await at(engine, "register")
    await chat.send("abc xyz")
    assert "Mời bạn bấm một nút bên dưới" in chat.text
    await chat.send("sao nhỉ")
    assert "Mời bạn bấm một nút" not in chat.text
    assert "Có vẻ bước này đang khó với bạn" in chat.text
    assert "xem cách gỡ rối, hoặc nhờ người giúp" in chat.text
    assert chat.buttons == [
        "Không thấy nút / báo lỗi",
        "🙋 Nhờ người giúp",
        "↩️ Làm tiếp bước này",
        "⬅️ Quay lại",
        "🏠 Menu chính",
    ]
    await chat.press("🙋 Nhờ người giúp")
    assert "Muốn nhờ ai giúp?" in chat.text
    await chat.press("Công an xã")
    # The person's guide ran on top: the resident is back where they were stuck.
    assert await where(chat) == "register"


async def test_the_offer_keeps_the_help_branch_and_the_step(engine: Engine) -> None:
    chat = await at(engine, "register", lang="en")
    await chat.send("abc")
    await chat.send("xyz")
    assert "This step seems hard right now" in chat.text
    await chat.press("No such button / an error")
    assert await where(chat) == "trouble"
    chat = await at(engine, "register")
    await chat.send("abc")
    await chat.send("xyz")
    await chat.press("↩️ Làm tiếp bước này")
    assert 'Bấm "Đăng ký".' in chat.text
    await chat.send("abc")  # a press starts the count again: one miss is one gentle reminder
    assert "Mời bạn bấm một nút bên dưới" in chat.text


async def test_without_a_help_branch_only_a_person_is_offered(engine: Engine) -> None:
    chat = await at(engine, "card")
    await chat.send("abc")
    await chat.send("xyz")
    assert "Mời bạn bấm nút bên dưới để nhờ người giúp." in chat.text
    assert chat.buttons[:2] == ["🙋 Nhờ người giúp", "↩️ Làm tiếp bước này"]


async def test_a_trouble_choice_is_offered_when_there_is_no_help_button(engine: Engine) -> None:
    chat = await at(engine, "typed_code")
    await chat.send("abc")
    await chat.send("xyz")
    # No button there means trouble: only the person.
    assert chat.buttons[0] == "🙋 Nhờ người giúp"


async def test_being_understood_starts_the_count_again(engine: Engine) -> None:
    chat = await at(engine, "register")
    await chat.send("abc")
    await chat.send("nói chuyện với cán bộ")  # words for another guide: understood
    assert "Chuyển sang hướng dẫn đó không?" in chat.text
    await chat.send("abc")
    assert "Mời bạn bấm một nút bên dưới" in chat.text


async def test_a_typed_answer_is_never_taken_for_a_meaning(engine: Engine) -> None:
    chat = await at(engine, "amount")
    await chat.send("ok")
    assert await where(chat) == "amount"  # "ok" is not a number: asked again
    await chat.send("150000")
    assert "Xong: 150000." in chat.text


def test_the_count_of_misses_survives_a_restart() -> None:
    session = Session(stack=[Frame(flow_id="guide", version=1, step="card", started_at=1.0)])
    assert '"miss"' not in session.to_json()  # nothing written while nothing was missed
    session.stack[0].misses = 1
    assert Session.from_json(session.to_json()).stack[0].misses == 1
    assert session.copy().stack[0].misses == 1
