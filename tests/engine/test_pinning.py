"""Admins edit flows residents are in the middle of: nobody is stuck, nothing crashes.

Each test loads a copy of the fixture flows, walks a resident part-way, edits the file (often
*without* raising ``version:``, as admins do), loads the edited library and carries on. The rules
are in bot/engine/pinning.py.
"""

from __future__ import annotations

import logging
import shutil
from pathlib import Path

import pytest

from bot.core.session import Expire, FlowFault, FollowUpDue, FollowUpJob
from bot.core.types import Press
from bot.engine.runner import Engine
from bot.storage.base import TurnRecord
from tests.harness import FIXTURE_FLOWS, Chat, make_engine

UPDATED = "vừa được cập nhật"


@pytest.fixture
def flows(tmp_path: Path) -> Path:
    folder = tmp_path / "flows"
    shutil.copytree(FIXTURE_FLOWS, folder)
    return folder


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new), encoding="utf-8")


def reload(chat: Chat, flows: Path, *, keep_old: bool = True) -> Engine:
    """What hot reload does (``keep_old``), or a restart of the bot (the old content is gone)."""
    new = make_engine(flows, welcome_flow="")
    if keep_old:
        new.keep_versions_of(chat.assistant.engine)
    chat.assistant.engine = new
    return new


async def at_second_step(flows: Path) -> Chat:
    chat = Chat(make_engine(flows, welcome_flow=""))
    await chat.open()
    await chat.press("Việc khác")
    await chat.press("Tiếp")
    assert chat.text == "Bước hai."
    return chat


async def in_sub_flow(flows: Path) -> Chat:
    """A resident inside demo_sub, called from demo's step run_sub."""
    chat = Chat(make_engine(flows, welcome_flow=""))
    await chat.open()
    await chat.press("Thử nghiệm")
    await chat.press("iPhone")
    await chat.send("65")
    await chat.send("Ba")
    await chat.press("Đúng")
    return chat


async def test_a_text_edit_without_a_version_bump_shows_the_new_text_at_once(flows: Path) -> None:
    chat = await at_second_step(flows)
    edit(flows / "other.yaml", "Hết.", "Hết rồi. Giỏi lắm!")
    reload(chat, flows)
    await chat.press("Xong")  # the button of the message on screen still works
    assert "Hết rồi. Giỏi lắm!" in chat.text
    [run] = [r.run for r in await chat.storage.runs()]
    assert run.outcome == "completed"


async def test_renamed_step_without_a_version_bump_offers_the_nearest_step_not_a_crash(
    flows: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """The bug: rename the resident's step, forget ``version:`` -> KeyError on every message."""
    chat = await at_second_step(flows)
    edit(flows / "other.yaml", "second", "second_renamed")
    reload(chat, flows)
    with caplog.at_level(logging.WARNING):
        await chat.send("xin chào")
    assert UPDATED in chat.text and "Bước hai" not in chat.text
    assert chat.buttons == ["▶️ Làm tiếp từ bước gần nhất", "🔄 Bắt đầu lại", "🏠 Menu chính"]
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING]
    await chat.press("Làm tiếp từ bước gần nhất")
    assert chat.text == "Bước một."  # the last step of their history that still exists
    await chat.press("Tiếp")
    assert chat.text == "Bước hai."  # the renamed step, reached through the new version
    await chat.press("Xong")
    assert "Hết." in chat.text


async def test_renamed_step_start_again_records_the_old_run_as_left(flows: Path) -> None:
    chat = await at_second_step(flows)
    edit(flows / "other.yaml", "second", "second_renamed")
    edit(flows / "other.yaml", "version: 1", "version: 2")
    reload(chat, flows)
    await chat.press("Xong")  # an old button: the update is explained instead
    assert UPDATED in chat.text
    await chat.press("Bắt đầu lại")
    assert chat.text == "Bước một."
    runs = [r.run for r in await chat.storage.runs()]
    assert [(r.outcome, r.path[-1]) for r in runs] == [("abandoned", "second")]


async def test_a_step_that_changed_kind_is_not_carried_on(flows: Path) -> None:
    chat = await at_second_step(flows)
    edit(
        flows / "other.yaml",
        """    choices:
      - label: { vi: Xong, en: Done }
        go: finish""",
        """    ask: { type: text, save_as: note }
    go: finish""",
    )
    reload(chat, flows, keep_old=True)
    await chat.send("Xong")
    assert UPDATED in chat.text
    await chat.press("Làm tiếp từ bước gần nhất")
    assert chat.text == "Bước một."


async def test_a_removed_step_after_a_restart_of_the_bot_still_offers_a_way_on(
    flows: Path,
) -> None:
    chat = await at_second_step(flows)
    text = (flows / "other.yaml").read_text(encoding="utf-8")
    start, end = text.index("  second:"), text.index("  finish:")
    (flows / "other.yaml").write_text(
        (text[:start] + text[end:]).replace("go: second", "go: finish"), encoding="utf-8"
    )
    reload(chat, flows, keep_old=False)
    await chat.open()
    assert UPDATED in chat.text
    await chat.press("Làm tiếp từ bước gần nhất")
    assert chat.text == "Bước một."
    await chat.press("Tiếp")
    assert "Hết." in chat.text


async def test_with_no_step_of_the_history_left_only_start_again_is_offered(flows: Path) -> None:
    chat = Chat(make_engine(flows, welcome_flow=""))
    await chat.open()
    await chat.press("Việc khác")  # at "first": no history yet
    edit(flows / "other.yaml", "first", "first_renamed")
    reload(chat, flows)
    await chat.send("Tiếp")
    assert "không còn nữa" in chat.text and UPDATED in chat.text
    assert chat.buttons == ["🔄 Bắt đầu lại", "🏠 Menu chính"]
    await chat.press("Bắt đầu lại")
    assert chat.text == "Bước một."


async def test_a_command_still_works_and_mentions_the_update(flows: Path) -> None:
    chat = await at_second_step(flows)
    edit(flows / "other.yaml", "second", "second_renamed")
    reload(chat, flows)
    await chat.command("menu")
    assert "Hướng dẫn bạn đang làm vừa được cập nhật" in chat.text
    await chat.press("Tiếp tục: Việc khác")
    assert chat.text == "Bước một."


async def test_a_calling_flow_keeps_its_version_until_the_sub_flow_ends(flows: Path) -> None:
    chat = await in_sub_flow(flows)
    assert chat.text == "Làm tiếp không?"
    edit(flows / "demo.yaml", "run_sub", "call_the_sub")
    reload(chat, flows)
    await chat.press("Có")  # the sub-flow carries on undisturbed
    await chat.send("5/3/2026")
    await chat.send("abc")
    await chat.send("có")
    assert "Xong rồi, Ba!" in chat.text  # back in demo, at the step after the sub-flow
    runs = [(r.run.flow_id, r.run.outcome) for r in await chat.storage.runs()]
    assert runs == [("demo_sub", "completed"), ("demo", "completed")]


async def test_a_calling_flow_whose_old_version_is_gone_ends_the_sub_flow_and_offers(
    flows: Path,
) -> None:
    chat = await in_sub_flow(flows)
    edit(flows / "demo.yaml", "run_sub", "call_the_sub")
    reload(chat, flows, keep_old=False)
    await chat.press("Có")
    assert UPDATED in chat.text
    await chat.press("Làm tiếp từ bước gần nhất")
    assert chat.text == "Tên: Ba. Đúng không?"  # the caller's last step before the sub-flow
    runs = [(r.run.flow_id, r.run.outcome) for r in await chat.storage.runs()]
    assert runs == [("demo_sub", "abandoned")]


async def test_a_deleted_flow_file_mid_flow_says_so_and_shows_the_menu(flows: Path) -> None:
    chat = await at_second_step(flows)
    (flows / "other.yaml").unlink()
    reload(chat, flows)
    await chat.press("Xong")
    assert "không còn nữa" in chat.text
    assert "Thử nghiệm" in chat.buttons and "Việc khác" not in chat.buttons
    assert [r.run.outcome for r in await chat.storage.runs()] == ["abandoned"]


async def test_a_reminder_for_a_changed_step_waits_for_the_resident(flows: Path) -> None:
    chat = await at_second_step(flows)
    before = await chat.session()
    edit(flows / "other.yaml", "second", "second_renamed")
    engine = reload(chat, flows)
    frame = before.stack[-1]
    job = FollowUpJob(
        flow_id="other",
        run_started_at=frame.started_at,
        anchor="second",
        go="second",
        attempt=1,
        repeat=1,
        every=60,
        condition="at_step",
        due=0,
    )
    reply = engine.handle(before, FollowUpDue(job), now=chat.clock.now + 60)
    assert reply.messages == () and reply.session.stack[-1].step == "second"
    await chat.send("hi")
    assert UPDATED in chat.text


async def test_a_session_saved_before_pinning_is_reconciled_by_its_step(flows: Path) -> None:
    chat = await at_second_step(flows)
    session = await chat.session()
    session.stack[-1].digest = ""  # as stored by an older bot
    await chat.storage.save(TurnRecord(key=chat.key, session=session))
    edit(flows / "other.yaml", "Bước hai.", "Bước hai (bản mới).")
    reload(chat, flows, keep_old=False)
    await chat.open()
    assert "Bước hai (bản mới)." in chat.text


# --- no step ever crashes a turn ------------------------------------------------------------------


async def _broken_place(chat: Chat, step: str) -> None:
    """Put the resident at a step the live flow does not have (what a bug or a lost file does)."""
    session = await chat.session()
    session.stack[-1].step = step
    await chat.storage.save(TurnRecord(key=chat.key, session=session))


async def test_a_missing_step_at_run_time_ends_in_the_menu_and_tells_admins_once(
    flows: Path, caplog: pytest.LogCaptureFixture
) -> None:
    chat = await at_second_step(flows)
    told: list[FlowFault] = []

    async def tell(fault: FlowFault) -> None:
        told.append(fault)

    chat.assistant.on_fault = tell
    for _ in range(2):
        await chat.command("start", "other")
        await _broken_place(chat, "nowhere")
        with caplog.at_level(logging.WARNING):
            await chat.send("Xong")
        assert "trục trặc" in chat.text and "báo người phụ trách" in chat.text
        assert "Việc khác" in chat.buttons  # the menu
    [fault] = told
    assert (fault.code, fault.flow_id, fault.step) == ("missing_step", "other", "nowhere")
    assert fault.path.endswith("other.yaml")
    warnings = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert len(warnings) == 2 and all(r.exc_info is None for r in warnings)
    assert "other.yaml" in warnings[0].getMessage() and "nowhere" in warnings[0].getMessage()
    await chat.press("Việc khác")
    assert chat.text == "Bước một."  # and the resident can go on


async def test_a_template_that_fails_at_run_time_ends_in_the_menu_with_its_file_and_line(
    flows: Path, caplog: pytest.LogCaptureFixture
) -> None:
    edit(flows / "other.yaml", "say: { vi: Bước hai., en: Step two. }", 'say: "{{ (1 / 0) }}"')
    chat = Chat(make_engine(flows, welcome_flow=""))
    told: list[FlowFault] = []

    async def tell(fault: FlowFault) -> None:
        told.append(fault)

    chat.assistant.on_fault = tell
    await chat.open()
    await chat.press("Việc khác")
    with caplog.at_level(logging.WARNING):
        await chat.press("Tiếp")
    assert "trục trặc" in chat.text and "Thử nghiệm" in chat.buttons
    [fault] = told
    assert fault.code == "template" and fault.step == "second" and fault.line == 16
    assert "ZeroDivisionError" in fault.detail
    assert all(r.exc_info is None for r in caplog.records)
    [run] = [r.run for r in await chat.storage.runs()]
    assert run.outcome == "abandoned"


async def test_a_step_that_changed_kind_is_recognised_after_a_restart_too(flows: Path) -> None:
    chat = await at_second_step(flows)
    edit(
        flows / "other.yaml",
        """    choices:
      - label: { vi: Xong, en: Done }
        go: finish""",
        """    ask: { type: text, save_as: note }
    go: finish""",
    )
    reload(chat, flows, keep_old=False)
    await chat.send("Xong")
    assert UPDATED in chat.text  # "Xong" is not taken as the answer to a question never asked


async def test_an_idle_resident_on_a_changed_step_still_expires(flows: Path) -> None:
    chat = await at_second_step(flows)
    edit(flows / "other.yaml", "second", "second_renamed")
    engine = reload(chat, flows)
    session = await chat.session()
    reply = engine.handle(session, Expire(), now=chat.clock.now + 30 * 86400)
    assert reply.session.screen == "expired" and [r.outcome for r in reply.finished] == ["abandoned"]


async def test_a_forged_choice_index_that_is_not_ascii_is_a_stale_button(flows: Path) -> None:
    chat = await at_second_step(flows)
    token = chat.button("Xong").payload.split(":")[1]
    for forged in (f"c:{token}:²", f"c:{token}:99999999999999999999"):
        await chat.event(Press(forged))
        assert chat.text.startswith("Nút đó thuộc tin nhắn cũ")
