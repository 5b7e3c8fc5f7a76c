"""Lint of what a flow gives its sub-flow (``with:``) and of questions that skip (``skip_if_known``):
each problem at its line, in the admin's words, in both languages."""

from __future__ import annotations

from pathlib import Path

from bot.flows.loader import load_flows
from tests.flows.test_lint_checks import found, write

CALLEE = """\
first:
  say: { vi: "Có tin nhắn chưa?", en: "Got it?" }
  skip_if_known: true
  choices:
    - label: { vi: Có, en: "Yes" }
      set: { has_sms: "yes" }
      go: last
    - label: { vi: Chưa, en: "No" }
      set: { has_sms: "no" }
      go: last
last:
  say: { vi: Hết, en: The end }
  end: completed
"""


def caller(tmp_path: Path, given: str, *, before: str = "") -> list[Path]:
    """A library of ``callee`` and a ``caller`` whose first step (line 10, or 10 + the lines of
    ``before``) runs it with ``given``."""
    steps = f"""\
{before}first:
  flow: callee
  with: {given}
  go: last
last:
  say: {{ vi: Hết, en: The end }}
  end: completed
"""
    return [write(tmp_path, CALLEE, flow_id="callee"), write(tmp_path, steps, flow_id="caller")]


def test_answers_the_sub_flow_uses_need_no_warning_even_when_not_always_known(
    tmp_path: Path,
) -> None:
    before = """\
ask:
  say: { vi: "Có chưa?", en: "Got it?" }
  choices:
    - label: { vi: Có, en: "Yes" }
      set: { sms: "yes" }
      go: first
    - label: { vi: Chưa hỏi, en: Not asked }
      go: first
"""
    paths = caller(tmp_path, '{ has_sms: "{{ sms }}" }', before=before)
    text = paths[1].read_text(encoding="utf-8").replace("start: first", "start: ask")
    paths[1].write_text(text, encoding="utf-8")
    # "Chưa hỏi" saves no sms: that is an answer not known, so the sub-flow asks; no warning.
    assert load_flows(paths).problems == []


def test_a_name_the_sub_flow_never_uses_is_an_error_at_its_line(tmp_path: Path) -> None:
    paths = caller(tmp_path, '{ has_sms: "yes", has_smss: "yes" }')
    [problem] = found(*paths, code="flow.with_unused_name")
    assert (problem.path, problem.line, problem.column) == (str(paths[1]), 12, 29)
    assert problem.is_error
    assert {lang: problem.render(lang) for lang in ("en", "vi")} == {
        "en": f"{paths[1]}:12:29: error: [step first] the flow 'callee' never uses 'has_smss', "
        "so giving it here changes nothing. Did you mean 'has_sms'? Names 'callee' uses: has_sms.",
        "vi": f"{paths[1]}:12:29: lỗi: [bước first] luồng 'callee' không dùng tên 'has_smss', "
        "nên trao nó ở đây không có tác dụng. Có phải ý bạn là 'has_sms'? Các tên luồng 'callee' "
        "dùng: has_sms.",
    }


def test_a_value_no_button_of_a_skippable_question_gives_is_an_error(tmp_path: Path) -> None:
    paths = caller(tmp_path, '{ has_sms: "có" }')
    [problem] = found(*paths, code="flow.with_unknown_answer")
    assert (problem.line, problem.column) == (12, 22)
    where = f"{paths[1]}:12:22"
    assert {lang: problem.render(lang) for lang in ("en", "vi")} == {
        "en": f"{where}: error: [step first] 'có' is not an answer of the question 'first' in "
        f"'callee' ({paths[0]}:10), so the resident would be asked again. Its buttons give "
        "has_sms: yes, no.",
        "vi": f"{where}: lỗi: [bước first] 'có' không phải một câu trả lời của câu hỏi 'first' "
        f"trong luồng 'callee' ({paths[0]}:10), nên người dân vẫn bị hỏi lại. Các nút ở đó cho "
        "has_sms: yes, no.",
    }
    # The same answer written another way ("yes" / yes / "Yes") is the same answer.
    assert not found(*caller(tmp_path, "{ has_sms: Yes }"), code="flow.with_unknown_answer")


def test_a_template_in_with_is_checked_like_other_templates(tmp_path: Path) -> None:
    unknown = caller(tmp_path, '{ has_sms: "{{ sms }}" }')
    [problem] = found(*unknown, code="flow.unknown_variable")
    assert (problem.line, problem.step, problem.params["name"]) == (12, "first", "sms")
    assert "'sms' is used in a template but no step saves it" in problem.render("en")
    broken = caller(tmp_path, '{ has_sms: "{{ sms }" }')
    [problem] = found(*broken, code="flow.template_syntax")
    assert problem.line == 12
    assert problem.render("vi").endswith(
        "mẫu trong đoạn chữ bị lỗi (thiếu một dấu '}': hai bên tên phải có hai dấu ngoặc, "
        "{{ tên }}). Kiểm tra các cặp {{ }} và {% %}."
    )


def test_with_and_skip_if_known_only_where_they_mean_something(tmp_path: Path) -> None:
    steps = """\
first: { say: { vi: Chào, en: Hello }, with: { task: activate }, go: ask }
ask: { say: { vi: "Mã?", en: "Code?" }, skip_if_known: true, ask: { save_as: code, sensitive: true }, go: tell }
tell: { say: { vi: Hết, en: The end }, skip_if_known: true, end: completed }
"""
    path = write(tmp_path, steps)
    problems = load_flows([path]).problems
    assert [(p.line, p.code) for p in problems] == [
        (10, "schema.with_needs_flow"),
        (11, "schema.skip_sensitive"),
        (12, "schema.skip_needs_question"),
    ]
    assert [p.render("en").split(": error: ")[1] for p in problems] == [
        "[step first] 'with' gives answers to another flow, so it only works on a step with "
        "'flow:'. Move it to the step that runs the sub-flow, or remove it.",
        "[step ask] 'code' is a sensitive answer that is never stored, so no flow can give it. "
        "Remove 'skip_if_known' from this step.",
        "[step tell] 'skip_if_known' only works on a question (a step with 'choices' or 'ask'): "
        "it skips the question when the calling flow already gave its answer with 'with:'.",
    ]
    assert (
        problems[0]
        .render("vi")
        .endswith(
            "'with' trao câu trả lời cho một luồng khác, nên chỉ dùng ở bước có 'flow:'. Hãy chuyển "
            "nó sang bước chạy luồng con, hoặc xóa đi."
        )
    )


def test_a_skippable_question_whose_buttons_set_nothing_is_an_error(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        CALLEE.replace('      set: { has_sms: "yes" }\n', "").replace(
            '      set: { has_sms: "no" }\n', ""
        ),
    )
    [problem] = load_flows([path]).problems
    assert (problem.code, problem.line, problem.column) == ("flow.skip_without_set", 12, 5)
    assert problem.render("en").endswith(
        "error: [step first] 'skip_if_known' must know which button an answer means, but no "
        "button of this step has 'set:'. Add 'set:' to the buttons, e.g. set: { has_sms: "
        '"yes" }.'
    )
    assert problem.render("vi").endswith(
        "lỗi: [bước first] 'skip_if_known' cần biết câu trả lời ứng với nút nào, nhưng không nút "
        "nào của bước này có 'set:'. Hãy thêm 'set:' cho các nút, ví dụ set: { has_sms: "
        '"yes" }.'
    )
