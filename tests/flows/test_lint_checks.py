"""Lint checks for what Telegram and residents need: each at its line, in both languages."""

from __future__ import annotations

from pathlib import Path
from textwrap import dedent, indent

from bot.core.problems import Problem
from bot.flows.loader import load_flows

HEAD = """\
id: {id}
version: 1
title: {{ vi: Tiêu đề, en: Title }}
description: {{ vi: Mô tả., en: Description. }}
triggers: {{ vi: [{triggers}], en: [{id} en] }}
sources: ["A source"]
checked: 2026-11-23
start: first
steps:
"""
FIRST_STEP_LINE = 10


def write(tmp_path: Path, steps: str, *, flow_id: str = "sample", triggers: str = "") -> Path:
    path = tmp_path / f"{flow_id}.yaml"
    head = HEAD.format(id=flow_id, triggers=triggers or f"{flow_id} vi")
    path.write_text(head + indent(dedent(steps), "  "), encoding="utf-8")
    return path


def found(*paths: Path, code: str) -> list[Problem]:
    return [p for p in load_flows(list(paths)).problems if p.code == code]


def test_a_button_label_over_40_characters_is_a_warning_with_its_length(tmp_path: Path) -> None:
    label = "Tôi đã mở ứng dụng nhưng không thấy nút đăng ký"  # 47 characters
    path = write(
        tmp_path,
        f"""\
        first:
          say: {{ vi: Chọn đi, en: Choose }}
          choices:
            - label: {{ vi: Ngắn, en: Short }}
              go: last
            - label:
                vi: {label}
                en: I opened it
              go: last
        last:
          say: {{ vi: Hết, en: The end }}
          end: completed
        """,
    )
    [problem] = found(path, code="flow.label_too_long")
    assert (problem.line, problem.column, problem.is_error) == (FIRST_STEP_LINE + 6, 15, False)
    assert problem.render("en") == (
        f"{path}:16:15: warning: [step first] this button text is 47 characters long; a phone "
        "shows about 40 on a Telegram button and cuts the rest. Shorten it to 40 characters or fewer."
    )
    assert problem.render("vi") == (
        f"{path}:16:15: cảnh báo: [bước first] chữ trên nút dài 47 ký tự; điện thoại chỉ hiện "
        "khoảng 40 ký tự trên nút Telegram và cắt phần còn lại. Hãy rút gọn còn tối đa 40 ký tự."
    )


def test_more_than_8_choices_is_a_warning_on_the_choices_line(tmp_path: Path) -> None:
    buttons = "".join(
        f"    - label: {{ vi: Nút {n}, en: Button {n} }}\n      go: last\n" for n in range(9)
    )
    path = write(
        tmp_path,
        "first:\n  say: { vi: Chọn, en: Pick }\n  choices:\n"
        + buttons
        + "last:\n  say: { vi: Hết, en: The end }\n  end: completed\n",
    )
    [problem] = found(path, code="flow.too_many_choices")
    assert (problem.line, problem.column) == (12, 5)
    assert problem.render("en").endswith(
        "warning: [step first] this step has 9 buttons; more than 8 do not fit on a phone screen. "
        "Split the question into two steps."
    )
    assert problem.render("vi").endswith(
        "cảnh báo: [bước first] bước này có 9 nút; hơn 8 nút thì không vừa màn hình điện thoại. "
        "Hãy tách câu hỏi thành hai bước."
    )


def test_a_text_over_4096_characters_is_an_error(tmp_path: Path) -> None:
    long_text = "a" * 4097
    path = write(
        tmp_path,
        f"""\
        first:
          say:
            vi: Ngắn
            en: {long_text}
          end: completed
        """,
    )
    [problem] = found(path, code="flow.text_too_long")
    assert (problem.line, problem.column, problem.is_error) == (13, 11, True)
    assert problem.render("en").endswith(
        "error: [step first] this text is 4097 characters long; a Telegram message holds at most "
        "4096. Shorten it or split it over two steps."
    )
    assert problem.render("vi").endswith(
        "lỗi: [bước first] đoạn chữ dài 4097 ký tự; một tin nhắn Telegram chứa tối đa 4096 ký tự. "
        "Hãy rút gọn hoặc tách sang hai bước."
    )
    assert not found(
        write(tmp_path, "first:\n  say: " + "a" * 4096 + "\n  end: completed\n"),
        code="flow.text_too_long",
    )


def test_a_text_with_a_picture_over_1024_characters_is_an_error(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        f"""\
        first:
          say: {{ vi: "{"b" * 1025}", en: Short }}
          image: https://example.org/card.png
          end: completed
        """,
    )
    [problem] = found(path, code="flow.caption_too_long")
    assert (problem.line, problem.column) == (11, 16)
    assert problem.render("en").endswith(
        "error: [step first] this text is 1025 characters long, but shown under a picture Telegram "
        "allows at most 1024. Shorten it, or move the picture to a step of its own."
    )
    assert "khi đi kèm ảnh Telegram chỉ cho tối đa 1024 ký tự" in problem.render("vi")
    assert not found(path, code="flow.text_too_long")


def test_an_image_address_that_is_not_https_is_an_error(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """\
        first:
          say: { vi: Ảnh, en: Picture }
          image: http://example.org/card.png
          end: completed
        """,
    )
    [problem] = found(path, code="flow.image_not_https")
    assert (problem.line, problem.column, problem.is_error) == (12, 12, True)
    assert problem.render("en") == (
        f"{path}:12:12: error: [step first] the picture address 'http://example.org/card.png' is "
        "not secure (http://). Use its https:// address, or save the picture beside the flow file "
        "and write its file name."
    )
    assert problem.render("vi").startswith(
        f"{path}:12:12: lỗi: [bước first] địa chỉ ảnh 'http://example.org/card.png' không an toàn"
    )


def test_a_missing_image_file_is_still_reported(tmp_path: Path) -> None:
    path = write(tmp_path, "first:\n  say: x\n  image: images/nope.png\n  end: completed\n")
    [problem] = found(path, code="flow.image_missing")
    assert problem.line == 12


def test_a_trigger_two_flows_share_is_a_warning_whatever_the_accents(tmp_path: Path) -> None:
    done = "first:\n  say: { vi: Hết, en: End }\n  end: completed\n"
    one = write(tmp_path, done, flow_id="alpha", triggers="cài vneid, alpha")
    two = write(tmp_path, done, flow_id="beta", triggers="beta, CAI VNEID!")
    hidden = write(tmp_path, done + "", flow_id="gamma", triggers="cai vneid")
    hidden.write_text(hidden.read_text().replace("start: first", "start: first\nmenu: false"))
    [problem] = found(one, two, hidden, code="flow.shared_trigger")
    assert (problem.path, problem.line, problem.column, problem.is_error) == (
        str(two),
        5,
        24,
        False,
    )
    assert problem.render("en") == (
        f"{two}:5:24: warning: the trigger phrase 'CAI VNEID!' is also a trigger of the flow "
        f"'alpha' ({one}:5); a resident who types it may land in either. Keep it in one flow."
    )
    assert problem.render("vi") == (
        f"{two}:5:24: cảnh báo: cụm từ kích hoạt 'CAI VNEID!' cũng là từ kích hoạt của luồng "
        f"'alpha' ({one}:5); người dân gõ cụm này có thể vào nhầm luồng. Chỉ giữ nó ở một luồng."
    )


MAYBE_UNSET = """\
first:
  say: { vi: "Điện thoại gì?", en: "Which phone?" }
  choices:
    - label: { vi: iPhone, en: iPhone }
      set: { phone: iphone }
      go: ask_age
    - label: { vi: Không biết, en: Not sure }
      go: ask_age
ask_age:
  say: { vi: "Tuổi ({{ phone }})?", en: "Age?" }
  ask: { save_as: age, type: number }
  go: route
route:
  when:
    - if: age > 60 and phone == "iphone"
      go: older
    - if: phone == "android"
      go: older
  go: older
older:
  say:
    vi: "{{ age }} tuổi, máy {{ phone }}."
    en: "{{ age }}, {{ phone }}."
  choices:
    - label: { vi: Lại, en: Again }
      go: first
    - label: { vi: Xong, en: Done }
      go: last
last:
  say: { vi: "Hết {{ xung_ho }} ({{ last_outcome }}).", en: The end }
  end: completed
"""


def test_a_name_used_before_every_path_saved_it_is_a_warning(tmp_path: Path) -> None:
    path = write(tmp_path, MAYBE_UNSET)
    problems = found(path, code="flow.maybe_unset")
    # 'age' is saved on every way to 'route' and 'older'; 'phone' is not (the "Not sure" button).
    # One warning per text and per 'when', at the first language or condition that uses it.
    assert sorted((p.line, p.column, p.step, p.params["name"]) for p in problems) == [
        (19, 16, "ask_age", "phone"),
        (24, 13, "route", "phone"),
        (31, 11, "older", "phone"),
    ]
    assert problems[0].render("en") == (
        f"{path}:19:16: warning: [step ask_age] 'phone' may not be saved yet here: on the way "
        "first → ask_age no step saves it, so it shows as empty (and a condition on it is false). "
        "Save it on every way to this step, or use it only after the step that saves it."
    )
    assert problems[1].render("vi") == (
        f"{path}:31:11: cảnh báo: [bước older] 'phone' có thể chưa được lưu ở đây: theo đường "
        "first → ask_age → route → older chưa bước nào lưu nó, nên sẽ hiện trống (và điều kiện "
        "với nó là sai). Hãy lưu nó trên mọi đường tới bước này, hoặc chỉ dùng sau bước lưu nó."
    )


def test_saving_on_every_path_and_global_names_need_no_warning(tmp_path: Path) -> None:
    fixed = MAYBE_UNSET.replace(
        "    - label: { vi: Không biết, en: Not sure }\n",
        "    - label: { vi: Không biết, en: Not sure }\n      set: { phone: other }\n",
    )
    assert load_flows([write(tmp_path, fixed)]).problems == []


def test_an_answer_saved_before_a_loop_stays_known_round_it(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """\
        first:
          say: { vi: "Tên?", en: "Name?" }
          ask: { save_as: name }
          go: again
        again:
          say: { vi: "Chào {{ name }}", en: "Hi {{ name }}" }
          choices:
            - label: { vi: Đổi tên, en: Rename }
              go: first
            - label: { vi: Xong, en: Done }
              go: last
        last:
          say: { vi: "Hết, {{ name }}", en: "Bye {{ name }}" }
          end: completed
        """,
    )
    assert load_flows([path]).problems == []


MISTYPED_GO = """\
first:
  say: { vi: Chọn đi, en: Choose }
  choices:
    - label: { vi: Tiếp, en: Next }
      go: {target}
    - label: { vi: Thôi, en: Stop }
      go: last
second:
  say: { vi: Bước hai, en: Step two }
  go: third
third:
  say: { vi: Bước ba, en: Step three }
  choices:
    - label: { vi: Xong, en: Done }
      go: last
last:
  say: { vi: Hết, en: The end }
  end: completed
"""


def test_a_mistyped_go_gives_one_error_not_a_cascade(tmp_path: Path) -> None:
    path = write(tmp_path, MISTYPED_GO.replace("{target}", "secnd"))
    [problem] = load_flows([path]).problems  # not also "no path leads to" second and third
    assert (problem.line, problem.code) == (FIRST_STEP_LINE + 4, "flow.unknown_step")
    assert "Có phải ý bạn là 'second'?" in problem.render("vi")


def test_a_mistyped_go_still_lets_a_really_unreachable_step_be_reported(tmp_path: Path) -> None:
    orphan = "orphan:\n  say: { vi: Lạc, en: Lost }\n  go: last\n"
    path = write(tmp_path, MISTYPED_GO.replace("{target}", "secnd") + orphan)
    found = load_flows([path]).problems
    assert [(p.code, p.step) for p in found] == [
        ("flow.unknown_step", "first"),
        ("flow.unreachable", "orphan"),
    ]


def test_a_go_to_a_step_like_none_gives_one_error_and_no_guesses(tmp_path: Path) -> None:
    path = write(tmp_path, MISTYPED_GO.replace("{target}", "zzz_qqq"))
    [problem] = load_flows([path]).problems  # no unreachable steps, and "first" is no dead end
    assert problem.code == "flow.unknown_step" and problem.params["suggestion"] == ""


def test_button_without_go_reported_at_the_button(tmp_path: Path) -> None:
    path = write(tmp_path, MISTYPED_GO.replace("      go: {target}\n", ""))
    [problem] = load_flows([path]).problems
    # The button's own line (its label), not the 'choices:' line above it.
    assert (problem.line, problem.column) == (FIRST_STEP_LINE + 3, 9)
    assert problem.code == "schema.button_needs_go"
    assert "the button 'Tiếp' has no 'go:'" in problem.render("en")
    assert "nút 'Tiếp' thiếu 'go:'" in problem.render("vi")


def test_checked_in_the_future_is_a_warning(tmp_path: Path) -> None:
    path = write(tmp_path, MISTYPED_GO.replace("{target}", "second"))
    path.write_text(path.read_text().replace("checked: 2026-11-23", "checked: 2999-01-01"))
    [problem] = load_flows([path]).problems
    assert (problem.line, problem.code, problem.is_error) == (7, "flow.checked_in_future", False)
    assert "'checked: 2999-01-01' is a day that has not come yet" in problem.render("en")
    assert "'checked: 2999-01-01' là một ngày chưa tới" in problem.render("vi")


def test_checked_today_anywhere_on_earth_is_not_the_future(tmp_path: Path) -> None:
    """Today in Vietnam is often still yesterday in UTC (and on the server's clock)."""
    import datetime as dt

    for hours in (7, 14):
        today = dt.datetime.now(dt.timezone(dt.timedelta(hours=hours))).date()
        path = write(tmp_path, MISTYPED_GO.replace("{target}", "second"))
        path.write_text(path.read_text().replace("checked: 2026-11-23", f"checked: {today}"))
        assert load_flows([path]).problems == []


def test_ids_and_languages_are_named_in_vietnamese(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """\
        First:
          say: { vi: Chọn đi }
          end: completed
        """,
    )
    path.write_text(path.read_text().replace("start: first", "start: First"))
    rendered = [p.render("vi") for p in load_flows([path]).problems]
    assert any("mã bước 'First'" in text for text in rendered), rendered
    assert any("thiếu bản tiếng Anh" in text for text in rendered), rendered
    assert not any("mã step" in text or "bản en" in text for text in rendered), rendered


def test_a_broken_template_is_explained_without_jinjas_english(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """\
        first:
          say: { vi: "Chào {{ xung_ho }", en: "Hi {{ xung_ho | capitalise }}" }
          go: decide
        decide:
          when:
            - if: age => 60
              go: last
          go: last
        last:
          say: { vi: Hết, en: The end }
          end: completed
        """,
    )
    rendered = [p.render("vi") for p in load_flows([path]).problems]
    assert rendered == [
        f"{path}:11:16: lỗi: [bước first] mẫu trong đoạn chữ bị lỗi (thiếu một dấu '}}': hai "
        "bên tên phải có hai dấu ngoặc, {{ tên }}). Kiểm tra các cặp {{ }} và {% %}.",
        f"{path}:11:41: lỗi: [bước first] mẫu trong đoạn chữ bị lỗi (chữ sau dấu '|' không phải "
        "bộ lọc có sẵn, ví dụ capitalize, upper, lower). Kiểm tra các cặp {{ }} và {% %}.",
        f"{path}:15:13: lỗi: [bước decide] không đọc được điều kiện 'age => 60' (có phần thừa phía "
        "sau; hãy so sánh bằng ==, !=, >= hoặc <=). Ví dụ: age >= 60 and phone == \"iphone\"",
    ]
