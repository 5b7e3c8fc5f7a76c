"""Issue 16, item 1: a button's ``means:`` in a flow, checked by lint at its line."""

from __future__ import annotations

from pathlib import Path

from bot.flows.jsonschema import flow_schema
from bot.flows.loader import load_flows
from bot.flows.schema import MEANINGS
from tests.flows.test_lint_checks import write

STEPS = """\
first:
  say: {{ vi: Bấm "Đăng ký"., en: Tap "Đăng ký". }}
  choices:
    - label: {{ vi: Đã bấm, en: Done }}
      go: last
    - label: {{ vi: Thử cách khác, en: Another way }}
      means: {means}
      go: last
last:
  say: {{ vi: Xong., en: Done. }}
  end: completed
"""


def test_a_button_may_say_what_it_means(tmp_path: Path) -> None:
    loaded = load_flows([write(tmp_path, STEPS.format(means="trouble"))])
    assert loaded.ok and not loaded.problems
    first = loaded.flows["sample"].flow.steps["first"]
    assert first.choices is not None
    assert [choice.means for choice in first.choices] == [None, "trouble"]


def test_an_unknown_meaning_is_an_error_at_its_line_in_both_languages(tmp_path: Path) -> None:
    path = write(tmp_path, STEPS.format(means="trubble"))
    [problem] = load_flows([path]).problems
    assert problem.is_error and problem.line == 16 and problem.step == "first"
    english = problem.render("en")
    assert f"{path}:16:" in english
    assert "'trubble' is not a meaning the bot knows. Did you mean 'trouble'?" in english
    assert "trouble, cannot, not_found, help, done, yes, no, later" in english
    assert "locales/intents.yaml" in english
    vietnamese = problem.render("vi")
    assert "'trubble' không phải một ý nghĩa bot biết. Có phải ý bạn là 'trouble'?" in vietnamese


def test_a_meaning_that_is_not_a_word_is_refused_too(tmp_path: Path) -> None:
    [problem] = load_flows([write(tmp_path, STEPS.format(means="[trouble, done]"))]).problems
    assert problem.is_error and problem.line == 16


def test_editors_offer_the_meanings_while_typing() -> None:
    means = flow_schema()["$defs"]["Choice"]["properties"]["means"]
    assert means["enum"] == list(MEANINGS)
    assert "trouble" in means["description"] and "không được" in means["description"]
