"""Remembering how to address a resident, the welcome flow, and alerts for staff."""

from __future__ import annotations

from bot.engine.runner import Engine
from tests.harness import Chat, make_engine


def welcome_engine() -> Engine:
    return make_engine(welcome_flow="welcome")


async def test_welcome_flow_runs_once_before_the_first_flow_then_that_flow_starts() -> None:
    chat = Chat(welcome_engine())
    await chat.open()
    assert "Làm quen" not in chat.buttons  # the welcome flow is not a menu entry
    await chat.press("Việc khác")
    assert chat.text == "Mình nên gọi bạn là gì?"
    await chat.press("Bác")
    assert chat.text == "Dạ, chào bác!\nBước một."
    await chat.command("menu")
    await chat.press("Thử nghiệm")
    assert chat.text == "Bác dùng điện thoại gì?"  # remembered in every flow, never asked again
    session = await chat.session()
    assert session.profile == {"xung_ho": "bác", "welcomed": True}


async def test_back_from_the_welcome_question_returns_to_the_menu() -> None:
    chat = Chat(welcome_engine())
    await chat.open()
    await chat.press("Việc khác")
    await chat.command("back")
    assert "cần giúp việc gì" in chat.text


async def test_notify_queues_an_alert_for_staff_with_the_answers(demo_engine: Engine) -> None:
    chat = Chat(demo_engine)
    await chat.open()
    await chat.press("Nhờ người đến nhà")
    await chat.press("Buổi sáng")
    assert "Đã gửi yêu cầu" in chat.text
    alerts = await chat.storage.alerts()
    assert [(a.alert.flow_id, a.alert.text, a.key.user_id) for a in alerts] == [
        ("visit", "Người dân cần giúp tận nhà, buổi sáng (gọi là bạn).", "resident-1")
    ]
    await chat.storage.mark_delivered(alerts[0].id, at=1.0)
    assert await chat.storage.alerts() == []
    assert len(await chat.storage.alerts(pending_only=False)) == 1
