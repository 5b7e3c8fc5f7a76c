"""The example config documents every setting, and loads as it is."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import BaseModel

from bot.config import Settings, load_settings
from tests.harness import ROOT


def setting_names(model: type[BaseModel], prefix: str = "") -> list[str]:
    names: list[str] = []
    for name, field in model.model_fields.items():
        if name == "source":
            continue
        names.append(prefix + name)
        annotation: Any = field.annotation
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            names += setting_names(annotation, prefix + name + ".")
    return names


def test_every_setting_is_in_config_example() -> None:
    text = (ROOT / "config.example.yaml").read_text(encoding="utf-8")
    missing = [name for name in setting_names(Settings) if f"{name.rsplit('.', 1)[-1]}:" not in text]
    assert missing == []


def test_config_example_loads() -> None:
    settings = load_settings(ROOT / "config.example.yaml", env={})
    assert settings.telegram.framework == "aiogram"
    assert settings.reminders.quiet_start == "21:00"
    assert settings.targets["Thôn 3"]["vneid_install"] == 500


def test_a_sqlite_url_names_a_file_relative_to_the_config_or_absolute(tmp_path: Path) -> None:
    config = tmp_path / "config.yaml"
    config.write_text("database: sqlite:///data/bot.sqlite3\n", encoding="utf-8")
    assert load_settings(config, env={}).database == tmp_path / "data" / "bot.sqlite3"
    config.write_text(f"database: sqlite:///{tmp_path}/abs.sqlite3\n", encoding="utf-8")
    assert load_settings(config, env={}).database == tmp_path / "abs.sqlite3"
    env = {"TROLYSO_DATABASE": f"sqlite:///{tmp_path}/env.sqlite3"}
    assert load_settings(config, env=env).database == tmp_path / "env.sqlite3"
