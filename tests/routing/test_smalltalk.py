"""Small talk phrases: read from locales/smalltalk.yaml, refused with a line when wrong."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.core.errors import FlowError
from bot.routing import SmallTalk, load_smalltalk, words


def test_only_small_talk_is_small_talk(smalltalk: SmallTalk) -> None:
    assert smalltalk.only(words("chào bác ạ")) == "greeting"
    assert smalltalk.only(words("ok cảm ơn cháu nhiều nhé")) == "thanks"
    assert smalltalk.only(words("chào, cảm ơn")) == "thanks"
    assert smalltalk.only(words("chào em, cài vneid")) is None
    assert smalltalk.mentioned(words("chào em, cài vneid")) == "greeting"
    assert smalltalk.only(words("ok")) is None  # filler alone is not a greeting


def test_a_broken_file_is_refused_with_its_line(tmp_path: Path) -> None:
    path = tmp_path / "smalltalk.yaml"
    path.write_text("greeting:\n  vi: [xin chào]\nthanks: cảm ơn\n", encoding="utf-8")
    with pytest.raises(FlowError) as caught:
        load_smalltalk(path)
    assert f"{path}:3:1" in str(caught.value) and "thanks" in str(caught.value)


def test_a_yaml_mistake_is_refused_with_its_line(tmp_path: Path) -> None:
    path = tmp_path / "smalltalk.yaml"
    path.write_text("greeting:\n  vi: [xin chào\n", encoding="utf-8")
    with pytest.raises(FlowError) as caught:
        load_smalltalk(path)
    assert str(path) in str(caught.value)


def test_a_broken_smalltalk_file_is_explained_once_in_the_admins_language(tmp_path: Path) -> None:
    import shutil

    from tests.cli_process import trolyso
    from tests.harness import ROOT

    locales = tmp_path / "locales"
    shutil.copytree(ROOT / "locales", locales)
    (locales / "smalltalk.yaml").write_text("greeting: xin chao\nthanks: {vi: [cam on]}\n", "utf-8")
    config = tmp_path / "config.yaml"
    config.write_text(f"locales_dir: {locales}\nflows_dir: {ROOT / 'flows'}\n", encoding="utf-8")
    result = trolyso("--config", str(config), "chat", "--db", str(tmp_path / "d.sqlite3"))
    assert result.returncode == 2
    [line] = [line for line in result.stderr.splitlines() if "smalltalk.yaml" in line]
    assert line.count("smalltalk.yaml") == 1 and ":1:1: lỗi: 'greeting:' phải liệt kê" in line
    assert "must list" not in result.stderr
