"""The engine's conversation rules, walked like a resident would."""

from __future__ import annotations

from bot.core.types import Press
from bot.engine.runner import Engine
from tests.harness import Chat


async def test_first_contact_greets_and_lists_the_flows(chat: Chat) -> None:
    await chat.open()
    assert "Xin chào" in chat.text
    assert chat.buttons[:2] == ["Thử nghiệm", "Việc khác"]
    assert "Luồng con" not in chat.buttons  # menu: false keeps sub-flows out of the menu


async def test_choice_leads_to_its_step_and_shows_image_and_nav(chat: Chat) -> None:
    await chat.open()
    await chat.press("Thử nghiệm")
    assert chat.text == "Bạn dùng điện thoại gì?"
    assert chat.last[-1].image.endswith("card.png")
    assert chat.buttons == [
        "Android",
        "iPhone",
        "Không có",
        "❓ Không làm được",
        "⬅️ Quay lại",
        "🏠 Menu chính",
    ]


async def test_help_branch_and_back_to_the_step(chat: Chat) -> None:
    await chat.open()
    await chat.press("Thử nghiệm")
    await chat.press("❓ Không làm được")
    assert "mặt sau" in chat.text
    await chat.press("Thử lại")
    assert "điện thoại gì" in chat.text


async def test_number_input_reasks_kindly_then_branches_on_condition(chat: Chat) -> None:
    await chat.open()
    await chat.press("Thử nghiệm")
    await chat.press("Android")
    assert "bao nhiêu tuổi" in chat.text
    await chat.send("nhiều lắm")
    assert chat.text == "Xin gõ tuổi bằng số."  # the flow's own re-ask
    assert "Android" not in chat.buttons  # a re-ask offers no stale choices
    await chat.send("500")
    assert "Xin gõ tuổi" in chat.text
    await chat.send("70 tuổi")
    assert "70 tuổi. Mình đi chậm nhé." in chat.text
    assert "Tên gọi của bạn" in chat.text


async def test_young_branch(chat: Chat) -> None:
    await chat.open()
    await chat.press("Thử nghiệm")
    await chat.press("iPhone")
    await chat.send("30")
    assert "Dạ, 30 tuổi." in chat.text and "đi chậm" not in chat.text


async def _to_confirm(chat: Chat, name: str = "Ba") -> None:
    await chat.open()
    await chat.press("Thử nghiệm")
    await chat.press("iPhone")
    await chat.send("65")
    await chat.send(name)


async def test_link_is_a_url_button(chat: Chat) -> None:
    await _to_confirm(chat)
    links = [b for m in chat.last for b in m.all_buttons() if b.url]
    assert [(b.label, b.url) for b in links] == [
        ("Mở Cổng dịch vụ công", "https://dichvucong.gov.vn")
    ]


async def test_typed_template_is_shown_as_text_never_run(chat: Chat) -> None:
    await _to_confirm(chat, name="{{ 7*7 }} {% for x in range(3) %}x{% endfor %}")
    assert "Tên: {{ 7*7 }} {% for x in range(3) %}x{% endfor %}. Đúng không?" in chat.text
    assert "49" not in chat.text


async def test_sub_flow_runs_and_returns_with_its_outcome(chat: Chat) -> None:
    await _to_confirm(chat)
    await chat.press("Đúng")
    assert chat.text == "Làm tiếp không?"
    await chat.press("Có")
    await chat.send("31/02/2026")
    assert "ngày/tháng/năm" in chat.text  # impossible date re-asked
    await chat.send("5/3/2026")
    await chat.send("abc1")  # fails the pattern
    assert "thử lại" in chat.text
    await chat.send("abc")
    await chat.send("có")
    assert "Hẹn ngày 2026-03-05." in chat.text
    assert "Xong rồi, Ba! (iphone)" in chat.text
    assert chat.buttons == ["🔄 Làm lại hướng dẫn này", "🏠 Menu chính"]
    runs = await chat.storage.runs()
    assert [(r.run.flow_id, r.run.outcome, r.run.parent_flow) for r in runs] == [
        ("demo_sub", "completed", "demo"),
        ("demo", "completed", ""),
    ]
    assert runs[1].run.path == (
        "pick_phone",
        "ask_age",
        "route_age",
        "elderly",
        "ask_name",
        "confirm_name",
        "run_sub",
        "after_sub",
        "done",
    )


async def test_sub_flow_gave_up_takes_the_other_branch(chat: Chat) -> None:
    await _to_confirm(chat)
    await chat.press("Đúng")
    await chat.press("Không")
    assert "Dừng ở đây" in chat.text
    runs = await chat.storage.runs()
    assert [r.run.outcome for r in runs] == ["gave_up", "gave_up"]


async def test_back_follows_the_real_history(chat: Chat) -> None:
    await chat.open()
    await chat.press("Thử nghiệm")
    await chat.press("❓ Không làm được")
    await chat.press("Thử lại")
    await chat.press("Android")
    await chat.command("back")
    assert "điện thoại gì" in chat.text
    await chat.command("back")
    assert "mặt sau" in chat.text  # the help step is where the resident really came from
    await chat.press("⬅️ Quay lại")
    assert "điện thoại gì" in chat.text
    await chat.command("back")
    assert "cần giúp việc gì" in chat.text  # before the first step: the menu, flow kept
    assert chat.buttons[0] == "▶️ Tiếp tục: Thử nghiệm"


async def test_back_from_the_first_step_of_a_sub_flow_returns_to_the_caller(chat: Chat) -> None:
    await _to_confirm(chat)
    await chat.press("Đúng")
    await chat.command("back")
    assert "Tên: Ba. Đúng không?" in chat.text


async def test_menu_keeps_the_place_and_resume_returns_to_it(chat: Chat) -> None:
    await chat.open()
    await chat.press("Thử nghiệm")
    await chat.press("Android")
    await chat.press("🏠 Menu chính")
    await chat.press("▶️ Tiếp tục: Thử nghiệm")
    assert "bao nhiêu tuổi" in chat.text


async def test_starting_another_flow_records_the_first_as_abandoned_at_its_step(chat: Chat) -> None:
    await chat.open()
    await chat.press("Thử nghiệm")
    await chat.press("Android")
    await chat.command("menu")
    await chat.press("Việc khác")
    assert chat.text == "Bước một."
    runs = await chat.storage.runs()
    assert [(r.run.flow_id, r.run.outcome, r.run.path[-1]) for r in runs] == [
        ("demo", "abandoned", "ask_age")
    ]


async def test_restart_starts_the_flow_again(chat: Chat) -> None:
    await chat.open()
    await chat.press("Việc khác")
    await chat.press("Tiếp")
    await chat.command("restart")
    assert chat.text == "Bước một."
    await chat.press("Tiếp")
    await chat.press("Xong")
    assert "Hết." in chat.text
    await chat.press("🔄 Làm lại hướng dẫn này")
    assert chat.text == "Bước một."


async def test_restart_with_nothing_running(chat: Chat) -> None:
    await chat.open()
    await chat.command("restart")
    assert "chưa có hướng dẫn nào" in chat.text.lower()


async def test_stale_button_from_an_old_message_changes_nothing(chat: Chat) -> None:
    await chat.open()
    await chat.press("Việc khác")
    old = chat.button("Tiếp")
    await chat.press("Tiếp")
    before = await chat.session()
    await chat.event(Press(old.payload))
    assert chat.text.startswith("Nút đó thuộc tin nhắn cũ")
    assert "Bước hai." in chat.text
    after = await chat.session()
    assert after.stack[0].step == before.stack[0].step == "second"


async def test_forged_payloads_are_refused_without_crashing(chat: Chat) -> None:
    await chat.open()
    await chat.press("Việc khác")
    for payload in [
        "c:deadbeef:0",
        "c:xx",
        "h:",
        "f:../../etc",
        "l:fr",
        "",
        "x" * 5000,
        "c:" + chat.button("Tiếp").payload.split(":")[1] + ":99",
        "again",
        "resume",
    ]:
        await chat.event(Press(payload))
        assert "Bước một." in chat.text
    session = await chat.session()
    assert session.stack[0].step == "first"


async def test_typing_a_button_label_without_diacritics_presses_it(chat: Chat) -> None:
    await chat.open()
    await chat.send("viec khac")
    assert chat.text == "Bước một."
    await chat.send("TIEP")
    assert chat.text == "Bước hai."


async def test_unexpected_text_at_a_button_step_asks_to_press(chat: Chat) -> None:
    await chat.open()
    await chat.press("Việc khác")
    await chat.send("ủa là sao")
    assert "bấm một nút" in chat.text and "Bước một." in chat.text


async def test_free_text_at_the_menu_finds_a_flow_by_trigger(chat: Chat) -> None:
    await chat.open()
    await chat.send("cho toi tra cuu BHYT voi")
    assert chat.text == 'Mình mở hướng dẫn "Việc khác" cho bạn. Nếu không phải, bạn bấm "Quay lại".\n\nBước một.'
    await chat.command("menu")
    await chat.send("asdfgh")
    assert "chưa hiểu" in chat.text and "Thử nghiệm" in chat.buttons


async def test_language_switch_mid_flow_and_back(chat: Chat) -> None:
    await chat.open()
    await chat.press("Thử nghiệm")
    await chat.command("lang")
    assert chat.buttons == ["Tiếng Việt", "English"]
    await chat.press("English")
    assert "Switched to English." in chat.text
    assert "Which phone do you use?" in chat.text
    assert "⬅️ Back" in chat.buttons
    await chat.command("lang", "vi")
    assert "điện thoại gì" in chat.text


async def test_open_with_a_language(chat: Chat) -> None:
    await chat.open(lang="en")
    assert "Hello!" in chat.text and "Demo" in chat.buttons


async def test_start_with_a_flow_id_opens_it_directly(chat: Chat) -> None:
    await chat.command("start", "other")
    assert chat.text == "Bước một."
    await chat.command("start", "nope")
    assert 'không tìm thấy hướng dẫn "nope"' in chat.text


async def test_help_and_unknown_commands(chat: Chat) -> None:
    await chat.open()
    await chat.press("Việc khác")
    await chat.command("help")
    assert "/restart" in chat.text and "Bước một." in chat.text
    await chat.command("xyz")
    assert "/xyz" in chat.text and "Bước một." in chat.text


async def test_coming_back_resumes_at_the_step(chat: Chat) -> None:
    await chat.open()
    await chat.press("Việc khác")
    await chat.press("Tiếp")
    await chat.open()
    assert "quay lại" in chat.text and "Bước hai." in chat.text


async def test_sensitive_answer_is_never_stored(chat: Chat) -> None:
    await _to_confirm(chat)
    await chat.press("Đúng")
    await chat.press("Có")
    await chat.send("1/1/2027")
    await chat.send("bimat")
    session = await chat.session()
    assert "secret_word" not in session.stack[-1].vars
    assert "bimat" not in session.to_json()


async def test_typed_id_and_phone_numbers_are_masked_before_storing(chat: Chat) -> None:
    await chat.open()
    await chat.press("Thử nghiệm")
    await chat.press("Android")
    await chat.send("40")
    await chat.send("Ba 0912 345 678 cccd 001203004567")
    session = await chat.session()
    assert session.stack[0].vars["name"] == "Ba [PHONE] cccd [ID]"
    assert "Tên: Ba [PHONE] cccd [ID]." in chat.text


async def test_english_falls_back_to_vietnamese_where_a_text_is_missing(
    demo_engine: Engine,
) -> None:
    from dataclasses import replace

    from bot.flows.schema import LocalText

    flow = demo_engine.flows["other"]
    step = flow.flow.steps["first"]
    vi_only = step.model_copy(update={"say": LocalText.model_validate("Chỉ tiếng Việt.")})
    steps = {**flow.flow.steps, "first": vi_only}
    texts = {k: v for k, v in flow.texts.items() if k[0] != "first"}
    from bot.core.sandbox import compile_text

    texts[("first", "say", "vi")] = compile_text("Chỉ tiếng Việt.")
    patched = replace(flow, flow=flow.flow.model_copy(update={"steps": steps}), texts=texts)
    engine = Engine({**demo_engine.flows, "other": patched}, demo_engine.catalog)
    chat = Chat(engine)
    await chat.open(lang="en")
    await chat.press("Something else")
    assert chat.text == "Chỉ tiếng Việt."
    assert chat.buttons[0] == "Next"
