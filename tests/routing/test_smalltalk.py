"""Small talk phrases: read from locales/smalltalk.yaml, refused with a line when wrong."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.errors import FlowError
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
