"""One setting chooses the backend: ``database:`` as a path or a URL (sqlite://, postgresql://);
an unknown one is refused."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from bot.config import load_settings
from bot.core.errors import ConfigError, DependencyMissing
from bot.core.messages import explain_error
from bot.storage import data_folder, database_file, database_url, open_storage
from bot.storage.postgres import PostgresStorage
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
def test_a_backend_that_does_not_exist_is_a_config_error(tmp_path: Path, where: str) -> None:
    url = "mysql://bot@localhost/trolyso"
    with pytest.raises(ConfigError) as caught:
        open_storage(url if where == "text" else settings_with(tmp_path, url))
    error = caught.value
    assert error.setting == "database" and error.code == "config.database_scheme"
    assert error.params["scheme"] == "mysql"
    assert "'mysql://'" in explain_error(error, "en") and "postgresql://" in str(error)
    assert "bot không có kiểu lưu trữ 'mysql://'" in explain_error(error, "vi")


@pytest.mark.parametrize(
    "url", ["postgresql://bot:s3cret@db.example:5433/trolyso", "postgres://bot@/trolyso"]
)
def test_a_postgresql_url_stays_a_url_and_names_the_postgresql_backend(
    tmp_path: Path, url: str
) -> None:
    from_file = settings_with(tmp_path, url)
    from_env = load_settings(None, env={"TROLYSO_DATABASE": url})
    for settings in (from_file, from_env):
        assert settings.database == url  # not a path: '//' and the host survive
        storage = open_storage(settings)
        assert isinstance(storage, PostgresStorage) and storage.url == url
        assert "s3cret" not in storage.shown
    assert database_url(url) == url and database_url("data/t.sqlite3") is None


def test_files_beside_a_postgresql_database_go_to_data_beside_the_config(tmp_path: Path) -> None:
    settings = settings_with(tmp_path, "postgresql://bot@localhost/trolyso")
    assert data_folder(settings) == tmp_path / "data"
    assert data_folder(settings_with(tmp_path, "db/t.sqlite3")) == tmp_path / "db"
    assert data_folder("sqlite:///x/t.sqlite3") == Path("x")
    with pytest.raises(ConfigError) as caught:
        database_file(settings)  # e.g. a command that needs a SQLite file
    assert caught.value.code == "config.database_not_file"
    assert "PostgreSQL" in explain_error(caught.value, "vi")


def test_without_psycopg_the_admin_is_told_which_extra_to_install(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(sys.modules, "psycopg", None)  # as if not installed
    monkeypatch.delitem(sys.modules, "bot.storage.postgres", raising=False)
    with pytest.raises(DependencyMissing) as caught:
        open_storage("postgresql://bot@localhost/trolyso")
    assert caught.value.extra == "postgresql"
    assert "trolyso[postgresql]" in explain_error(caught.value, "vi")
