"""A sub-flow knows what the calling flow collected (``with:``) and skips what was answered.

The library below: ``caller`` asks three things, then runs ``callee`` giving those answers;
``callee``'s questions are marked ``skip_if_known``. See docs/flows.md, "Another flow inside this
one", and bot/engine/given.py.
"""

from __future__ import annotations

import logging
from pathlib import Path
from textwrap import dedent

import pytest

from bot.core.session import Frame, Session
from bot.engine.buttons import step_signature
from bot.flows.schema import Step
from tests.harness import Chat, make_engine

HEAD = """\
id: {id}
version: 1
menu: {menu}
title: {{ vi: {id}, en: {id} }}
description: {{ vi: Thử., en: A test. }}
triggers: {{ vi: [{id} vi], en: [{id} en] }}
sources: ["Test"]
checked: 2026-11-23
start: {start}
steps:
"""

# One step a line where it fits: the steps are read as a conversation, top to bottom.
CALLER = """\
got_sms:
  say: { vi: "Có tin nhắn chưa?", en: "Got the message?" }
  choices:
    - { label: { vi: Có rồi, en: "Yes" }, set: { sms: "yes" }, go: ask_age }
    - { label: { vi: Chưa hỏi, en: Not asked }, go: ask_age }
    - { label: { vi: Không rõ, en: Not sure }, set: { sms: unsure }, go: ask_age }
ask_age: { say: "Bao nhiêu tuổi?", ask: { save_as: age, type: number }, go: ask_ready }
ask_ready: { say: "Sẵn sàng chưa?", ask: { save_as: ok, type: yes_no }, go: run }
run:
  flow: callee
  with:
    task: activate
    has_sms: "{{ sms }}"
    years: "{{ age }}"
    ready: "{{ ok }}"
    note: "Tuổi {{ age }}"
  go: back_home
back_home: { say: { vi: Về rồi., en: Back. }, end: completed }
"""

CALLEE = """\
what:
  say: "Cần gì?"
  skip_if_known: true
  choices:
    - { label: Kích hoạt, set: { task: activate }, go: sms_q }
    - { label: Việc khác, set: { task: other }, go: other }
sms_q:
  say: "Nhận được tin nhắn chưa?"
  skip_if_known: true
  choices:
    - { label: Đã có, set: { has_sms: "yes" }, remember: { seen_sms: "yes" }, go: age_q }
    - { label: Chưa có, set: { has_sms: "no" }, go: no_sms }
age_q: { say: "Tuổi?", skip_if_known: true, ask: { save_as: years, type: number }, go: ready_q }
ready_q: { say: "Sẵn sàng?", skip_if_known: true, ask: { save_as: ready, type: yes_no }, go: note_q }
note_q: { say: "Ghi chú?", skip_if_known: true, ask: { save_as: note }, go: route }
route: { when: [{ if: ready and years >= 60, go: show }], go: not_ready }
show: { say: "{{ note }} · {{ years }} · {{ has_sms }}", end: completed }
not_ready: { say: "Chưa sẵn sàng · {{ note }}", end: gave_up }
no_sms: { say: Chờ tin nhắn nhé., choices: [{ label: Làm lại, go: what }] }
other: { say: Việc khác., end: referred }
"""


def write(folder: Path, flow_id: str, steps: str, *, start: str, menu: bool = True) -> Path:
    path = folder / f"{flow_id}.yaml"
    head = HEAD.format(id=flow_id, start=start, menu=str(menu).lower())
    body = "".join(f"  {line}\n" if line else "\n" for line in dedent(steps).splitlines())
    path.write_text(head + body, encoding="utf-8")
    return path


@pytest.fixture
def library(tmp_path: Path) -> Path:
    write(tmp_path, "caller", CALLER, start="got_sms")
    write(tmp_path, "callee", CALLEE, start="what", menu=False)
    return tmp_path


async def answered(library: Path, sms: str, age: str = "65", ready: str = "có") -> Chat:
    """A resident who answered the caller's three questions, now inside callee."""
    chat = Chat(make_engine(library, welcome_flow=""))
    await chat.command("start", "caller")
    await chat.press(sms)
    await chat.send(age)
    await chat.send(ready)
    return chat


async def test_given_answers_skip_every_question_and_keep_their_kind(library: Path) -> None:
    chat = await answered(library, "Có rồi")
    # task, has_sms, years, ready and note were given: no question of callee was asked, and
    # "{{ age }}" arrived as the number 65 (years >= 60 holds), "{{ ok }}" as yes.
    assert chat.text == "Tuổi 65 · 65 · yes\nVề rồi."
    runs = {r.run.flow_id: r.run for r in await chat.storage.runs()}
    callee = runs["callee"]
    # The runs log keeps the steps passed through, skipped questions included, as reports read.
    assert callee.path == ("what", "sms_q", "age_q", "ready_q", "note_q", "route", "show")
    assert (callee.outcome, callee.parent_flow) == ("completed", "caller")
    session = await chat.session()
    assert session.profile.get("seen_sms") == "yes"  # what the skipped button remembers


async def test_a_given_yes_no_answer_stays_a_yes_no_in_the_sub_flow(library: Path) -> None:
    chat = await answered(library, "Có rồi", ready="không")
    # Given as text, "False" would count as true; as the saved answer, it is false.
    assert chat.text == "Chưa sẵn sàng · Tuổi 65\nVề rồi."


async def test_an_answer_the_caller_never_collected_is_asked_as_before(library: Path) -> None:
    chat = await answered(library, "Chưa hỏi")
    assert chat.text == "Nhận được tin nhắn chưa?"  # "what" was skipped, this one is asked
    session = await chat.session()
    assert session.frame is not None and session.frame.flow_id == "callee"
    assert "has_sms" not in session.frame.vars
    await chat.press("Đã có")
    assert chat.text == "Tuổi 65 · 65 · yes\nVề rồi."


async def test_a_given_value_no_button_gives_is_asked_too(library: Path) -> None:
    chat = await answered(library, "Không rõ")
    assert chat.text == "Nhận được tin nhắn chưa?"


async def test_a_given_answer_is_used_once_then_the_question_is_asked(library: Path) -> None:
    chat = await answered(library, "Chưa hỏi")
    await chat.press("Chưa có")
    assert chat.text == "Chờ tin nhắn nhé."
    await chat.press("Làm lại")  # back to "what": the caller's task has done its work
    assert chat.text == "Cần gì?"
    assert chat.buttons[:2] == ["Kích hoạt", "Việc khác"]


async def test_back_from_the_first_question_asked_returns_to_the_calling_flow(
    library: Path,
) -> None:
    chat = await answered(library, "Chưa hỏi")
    await chat.command("back")  # "what" was skipped, so nothing of callee is behind
    assert chat.text == "Sẵn sàng chưa?"
    await chat.send("có")  # the sub-flow starts again, with the answers given again
    assert chat.text == "Nhận được tin nhắn chưa?"


async def test_what_was_given_survives_a_restart_of_the_bot(library: Path) -> None:
    chat = await answered(library, "Chưa hỏi")
    session = await chat.session()
    assert session.frame is not None
    frame = session.frame
    assert frame.vars["task"] == "activate" and frame.vars["years"] == 65
    # "task" was used by the first question, "has_sms" never given; the rest wait their turn.
    assert frame.given == ["years", "ready", "note"]
    copy = Session.from_json(session.to_json())
    assert copy.stack[-1].given == frame.given
    kept = Frame(flow_id="callee", version=1, step="what", started_at=0.0, given=["task"])
    assert Session.from_json(Session(stack=[kept]).to_json()).stack[0].given == ["task"]
    plain = Frame(flow_id="callee", version=1, step="what", started_at=0.0)
    assert '"given"' not in Session(stack=[plain]).to_json()  # most frames are given nothing


async def test_a_with_value_that_fails_is_not_given_and_the_question_is_asked(
    library: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = library / "caller.yaml"
    path.write_text(
        path.read_text(encoding="utf-8").replace('"{{ age }}"', '"{{ age + sms }}"'),
        encoding="utf-8",
    )
    with caplog.at_level(logging.WARNING):
        chat = await answered(library, "Có rồi")
    assert chat.text == "Tuổi?"  # 65 + "yes" cannot be made: asked, not a fault
    assert "the value of years in 'with:' could not be made" in caplog.text


def test_the_step_signature_changes_with_what_the_step_gives() -> None:
    one = Step.model_validate({"flow": "callee", "go": "x", "with": {"task": "activate"}})
    other = Step.model_validate({"flow": "callee", "go": "x", "with": {"task": "password"}})
    plain = Step.model_validate({"flow": "callee", "go": "x"})
    signatures = {step_signature("caller", "run", step) for step in (one, other, plain)}
    assert len(signatures) == 3


@pytest.mark.parametrize(
    ("old", "new", "keeps_old"),
    [
        ("task: activate", "task: other", True),  # what the call gives changed
        ("{ vi: Về rồi., en: Back. }", "{ vi: Về nhà rồi., en: Home. }", False),  # a text
    ],
)
async def test_a_caller_whose_call_gives_other_answers_keeps_its_version_until_the_sub_flow_ends(
    library: Path, old: str, new: str, *, keeps_old: bool
) -> None:
    chat = await answered(library, "Chưa hỏi")
    before = (await chat.session()).stack[0].digest
    path = library / "caller.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace(old, new), encoding="utf-8")
    engine = make_engine(library, welcome_flow="")
    engine.keep_versions_of(chat.assistant.engine)
    chat.assistant.engine = engine
    await chat.press("Chưa có")  # still inside callee
    assert chat.text == "Chờ tin nhắn nhé."
    caller = (await chat.session()).stack[0]
    assert (caller.digest == before) is keeps_old
    assert caller.digest != engine.flows["caller"].digest or not keeps_old
