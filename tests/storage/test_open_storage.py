"""One setting chooses the backend: ``database:`` as a path or a URL; an unknown one is refused."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.config import load_settings
from bot.core.errors import ConfigError
from bot.core.messages import explain_error
from bot.storage import database_file, open_storage
from bot.storage.sqlite import SqliteStorage


def settings_with(tmp_path: Path, database: str):  # type: ignore[no-untyped-def]
    config = tmp_path / "config.yaml"
    config.write_text(f"database: {database}\n", encoding="utf-8")
    return load_settings(config, env={})


@pytest.mark.parametrize(
    ("setting", "expected"),
    [
        ("data/t.sqlite3", "data/t.sqlite3"),
        ("sqlite:///data/t.sqlite3", "data/t.sqlite3"),
        ("sqlite:////srv/bot/t.sqlite3", "/srv/bot/t.sqlite3"),
        ("SQLite:///t.sqlite3", "t.sqlite3"),
    ],
)
def test_a_path_or_a_sqlite_url_names_the_file(setting: str, expected: str) -> None:
    assert database_file(setting) == Path(expected)


def test_a_url_in_the_config_file_is_relative_to_its_folder(tmp_path: Path) -> None:
    assert database_file(settings_with(tmp_path, "sqlite:///data/t.sqlite3")) == (
        tmp_path / "data" / "t.sqlite3"
    )
    assert database_file(settings_with(tmp_path, "data/t.sqlite3")) == tmp_path / "data/t.sqlite3"


async def test_open_storage_builds_the_backend_the_setting_names(tmp_path: Path) -> None:
    storage = open_storage(settings_with(tmp_path, "sqlite:///data/t.sqlite3"))
    assert isinstance(storage, SqliteStorage) and storage.path == tmp_path / "data/t.sqlite3"
    await storage.open()
    await storage.close()
    assert (tmp_path / "data" / "t.sqlite3").is_file()


@pytest.mark.parametrize("where", ["text", "config"])
def test_a_backend_that_does_not_exist_yet_is_a_config_error(tmp_path: Path, where: str) -> None:
    url = "postgresql://bot@localhost/trolyso"
    with pytest.raises(ConfigError) as caught:
        open_storage(url if where == "text" else settings_with(tmp_path, url))
    error = caught.value
    assert error.setting == "database" and error.code == "config.database_scheme"
    assert error.params["scheme"] == "postgresql"
    assert "'postgresql://'" in explain_error(error, "en") and "sqlite://" in str(error)
    assert "bot không có kiểu lưu trữ 'postgresql://'" in explain_error(error, "vi")
