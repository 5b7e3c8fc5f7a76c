"""Issue 16, item 1: the shared vocabulary of meanings (locales/intents.yaml), how it reads typed
words and button labels, and how a broken file is explained to the admin who edited it.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from bot.core.problems import Problem
from bot.routing.intents import Intents, choose, load_intents
from tests.harness import ROOT

SHIPPED = ROOT / "locales" / "intents.yaml"


@pytest.fixture(scope="module")
def intents() -> Intents:
    found, problems = load_intents(SHIPPED)
    assert found is not None and problems == [], [p.render("en") for p in problems]
    return found


@pytest.mark.parametrize(
    ("typed", "meaning"),
    [
        # trouble: the words of issue 16, with and without accents and shortcuts
        ("không được", "trouble"),
        ("ko dc", "trouble"),
        ("k đc", "trouble"),
        ("bị lỗi", "trouble"),
        ("lỗi rồi", "trouble"),
        ("sao không được", "trouble"),
        ("khong cai duoc", "trouble"),  # "không ... được": one or two words between
        ("ko dang nhap dc", "trouble"),
        ("it didn't work", "trouble"),
        ("doesnt work", "trouble"),
        # cannot
        ("không làm được", "cannot"),
        ("chịu thôi", "cannot"),
        ("I can't", "cannot"),
        # not_found
        ("khong thay nut", "not_found"),
        ("Không thấy nút", "not_found"),
        ("ko thấy đâu cả", "not_found"),
        ("I can't see it", "not_found"),
        ("can't find it", "not_found"),
        # help
        ("giúp tôi với", "help"),
        ("bác không hiểu", "help"),
        ("help me please", "help"),
        # done
        ("xong", "done"),
        ("xong rồi", "done"),
        ("đã bấm rồi ạ", "done"),
        ("rồi, xong rồi", "done"),
        ("done", "done"),
        ("all done", "done"),
        # yes
        ("có", "yes"),
        ("rồi", "yes"),
        ("r", "yes"),
        ("ok", "yes"),
        ("oke", "yes"),
        ("đc", "yes"),
        ("dạ vâng ạ", "yes"),
        ("yes", "yes"),
        ("yep", "yes"),
        # no
        ("không", "no"),
        ("ko", "no"),
        ("k", "no"),
        ("chưa", "no"),
        ("no", "no"),
        ("not yet", "no"),
        # later
        ("để sau", "later"),
        ("de luc khac nhe", "later"),
        ("later", "later"),
        ("maybe later", "later"),
    ],
)
def test_typed_words_mean_one_thing(intents: Intents, typed: str, meaning: str) -> None:
    assert intents.meaning_of(typed) == meaning


@pytest.mark.parametrize(
    "typed",
    [
        "không được mở app à",  # more than a meaning: a question for the router
        "cài vneid",
        "không, để sau",  # two meanings that disagree: no guess
        "ạ",  # filler alone says nothing
        "",
        "2",
    ],
)
def test_words_that_say_more_or_nothing_mean_nothing(intents: Intents, typed: str) -> None:
    assert intents.meaning_of(typed) is None


@pytest.mark.parametrize(
    ("label", "meaning"),
    [
        ("Đã bấm", "done"),
        ("Xong rồi", "done"),
        ("Đã cài xong", "done"),  # "đã ... xong"
        ("Không thấy nút / báo lỗi", "trouble"),
        ("Không thấy mục này", "not_found"),  # begins with "không thấy"
        ("❓ Không làm được", "cannot"),
        ("Không đăng nhập được", "trouble"),
        ("Vẫn không được", "trouble"),
        ("Có", "yes"),
        ("Rồi", "yes"),
        ("Chưa có thẻ gắn chip", "no"),
        ("Để lúc khác", "later"),
        ("Nhờ người giúp", "help"),
        ("I can't find it", "not_found"),
        ("Maybe later", "later"),
        ("Done", "done"),
    ],
)
def test_a_label_means_what_its_words_say(intents: Intents, label: str, meaning: str) -> None:
    assert intents.label_meaning(label) == meaning


@pytest.mark.parametrize(
    "label", ["Thử lại", "Có thẻ gắn chip", "Android (Samsung, Oppo...)", "Không rõ", "Đã hết hạn"]
)
def test_a_label_that_says_no_meaning_has_none(intents: Intents, label: str) -> None:
    # "Có thẻ gắn chip": one word ("có") is too little to go on; a flow says means: yes.
    assert intents.label_meaning(label) is None


def test_the_nearest_meaning_presses_and_two_buttons_are_not_guessed_at() -> None:
    trouble, done, yes, found = (
        frozenset({"trouble"}),
        frozenset({"done"}),
        frozenset({"yes"}),
        frozenset({"not_found"}),
    )
    assert choose("not_found", [done, trouble]) == 1  # no not_found button: the trouble one
    assert choose("not_found", [found, trouble]) == 0  # its own meaning first
    assert choose("yes", [done, frozenset()]) == 0  # "rồi" presses "Đã bấm"
    assert choose("trouble", [trouble, trouble]) is None
    assert choose("done", [done, done, yes]) is None  # two at the nearest level: no guess
    assert choose("later", [done, yes]) is None


def _broken(tmp_path: Path, text: str) -> list[Problem]:
    path = tmp_path / "intents.yaml"
    path.write_text(text, encoding="utf-8")
    found, problems = load_intents(path)
    assert found is None
    return problems


def test_an_unknown_meaning_is_named_with_its_line(tmp_path: Path) -> None:
    [problem] = _broken(tmp_path, "trouble:\n  vi: [không được]\ntrubble:\n  vi: [lỗi]\n")[:1]
    assert problem.line == 3
    said = problem.render("en")
    assert "'trubble' is not a meaning the bot knows. Did you mean 'trouble'?" in said
    assert "Có phải ý bạn là 'trouble'?" in problem.render("vi")


def test_a_phrase_under_two_meanings_is_refused_at_its_line(tmp_path: Path) -> None:
    problems = _broken(
        tmp_path, '"yes":\n  vi: [rồi, ok]\ndone:\n  vi: [xong]\n  en: [done, "OK"]\n'
    )
    [twice] = [p for p in problems if p.code == "intents.twice"]
    assert twice.line == 5
    assert "'OK' is already under 'yes' (line 2)" in twice.render("en")
    assert "'OK' đã có ở mục 'yes' (dòng 2)" in twice.render("vi")


def test_a_section_that_is_not_phrases_per_language(tmp_path: Path) -> None:
    [problem] = [
        p
        for p in _broken(tmp_path, "trouble: không được\nlater:\n  fr: [plus tard]\n")
        if p.is_error
    ][:1]
    assert problem.line == 1 and "'trouble:' must list phrases per language" in str(problem)


def test_a_gap_needs_words_on_both_sides(tmp_path: Path) -> None:
    problems = _broken(tmp_path, "trouble:\n  vi: [không được, ... được]\n")
    [gap] = [p for p in problems if p.code == "intents.gap"]
    assert gap.line == 2 and "'...' stands for one or two words" in gap.render("en")


def test_a_yaml_mistake_is_reported_with_its_line(tmp_path: Path) -> None:
    [problem] = _broken(tmp_path, "trouble:\n  vi: [không được\n")
    assert problem.is_error and problem.path.endswith("intents.yaml")


def test_a_missing_file_is_a_warning_and_buttons_keep_their_exact_words(tmp_path: Path) -> None:
    found, [problem] = load_intents(tmp_path / "intents.yaml")
    assert found is None and not problem.is_error
    assert "typed words will press a button only when they are its exact words" in str(problem)


def test_a_meaning_left_without_phrases_is_a_warning(tmp_path: Path) -> None:
    path = tmp_path / "intents.yaml"
    path.write_text("trouble:\n  vi: [không được]\n", encoding="utf-8")
    found, problems = load_intents(path)
    assert found is not None and found.meaning_of("ko dc") == "trouble"
    assert problems and not any(p.is_error for p in problems)
    assert {p.params["meaning"] for p in problems} == {
        "cannot",
        "not_found",
        "help",
        "done",
        "yes",
        "no",
        "later",
    }


def _library(tmp_path: Path, intents: str) -> str:
    """A config whose locales are the shipped ones with this intents.yaml."""
    locales = tmp_path / "locales"
    shutil.copytree(ROOT / "locales", locales)
    (locales / "intents.yaml").write_text(intents, "utf-8")
    config = tmp_path / "config.yaml"
    config.write_text(f"locales_dir: {locales}\nflows_dir: {ROOT / 'flows'}\n", "utf-8")
    return str(config)


def test_a_broken_vocabulary_stops_the_bot_with_the_line_in_the_admins_language(
    tmp_path: Path,
) -> None:
    from tests.cli_process import trolyso

    config = _library(tmp_path, "trouble:\n  vi: [lỗi]\nlatr:\n  vi: [để sau]\n")
    result = trolyso("--config", config, "chat", "--db", str(tmp_path / "d.sqlite3"))
    assert result.returncode == 2
    [line] = [line for line in result.stderr.splitlines() if "intents.yaml:3:1" in line]
    assert "lỗi: 'latr' không phải một ý nghĩa bot biết. Có phải ý bạn là 'later'?" in line


def test_lint_checks_the_vocabulary_with_the_other_locales(tmp_path: Path) -> None:
    from tests.cli_process import trolyso

    config = _library(tmp_path, '"yes":\n  vi: [rồi]\ndone:\n  vi: [xong, "rồi"]\n')
    result = trolyso("--config", config, "lint", "--lang", "en")
    assert result.returncode == 1
    [line] = [line for line in result.stdout.splitlines() if "intents.yaml:4:" in line]
    assert "error: 'rồi' is already under 'yes' (line 2)" in line
