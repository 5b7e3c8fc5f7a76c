"""``trolyso migrate`` as an admin runs it: a real process, its words, its exit code, and never a
traceback or a password on the screen."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from psycopg.conninfo import conninfo_to_dict

from tests.cli_process import trolyso
from tests.reports import seed as seeding

PASSWORD = "s3cret-Pw"  # trust authentication ignores it; the output must never show it


def _url(conninfo: str, *, port: object = None, dbname: object = None) -> str:
    """The test database as an admin writes it: a URL, with a password."""
    info = conninfo_to_dict(conninfo)
    return (
        f"postgresql://{info['user']}:{PASSWORD}@{info['host']}:{port or info['port']}"
        f"/{dbname or info['dbname']}"
    )


@pytest.fixture
def config(tmp_path: Path) -> Path:
    seeding.write_flows(tmp_path / "flows")
    asyncio.run(seeding.seed(tmp_path / "seed.sqlite3"))
    path = tmp_path / "config.yaml"
    path.write_text("database: seed.sqlite3\nflows_dir: flows\n", encoding="utf-8")
    return path


def test_migrate_copies_then_finds_nothing_to_copy(config: Path, postgres_url: str) -> None:
    url = _url(postgres_url)
    first = trolyso("--config", str(config), "migrate", "--to", url)
    assert first.returncode == 0, first.stderr
    assert first.stdout.startswith(f"Đã chép {config.parent / 'seed.sqlite3'} sang postgresql://")
    assert "  runs " in first.stdout and "Tổng cộng: 53 dòng trong" in first.stdout
    assert first.stderr == ""  # no progress line when the output is not a terminal

    again = trolyso("--config", str(config), "migrate", "--to", url, "--lang", "en")
    assert again.returncode == 0, again.stderr
    assert again.stdout.startswith("Nothing to copy:")
    for run in (first, again):
        assert PASSWORD not in run.stdout + run.stderr
        assert ":***@" in run.stdout


def test_a_wrong_url_is_explained_without_its_password(config: Path, postgres_url: str) -> None:
    for url, words in (
        (_url(postgres_url, dbname="no_such_db"), "no database 'no_such_db'"),
        (_url(postgres_url, port=1), "cannot reach the PostgreSQL server"),
    ):
        run = trolyso("--config", str(config), "migrate", "--to", url, "--lang", "en")
        assert run.returncode == 2
        assert words in run.stderr
        assert "Traceback" not in run.stderr + run.stdout
        assert PASSWORD not in run.stderr + run.stdout
        assert ":***@" in run.stderr


def test_the_source_must_be_a_file_and_the_target_a_server(
    config: Path, postgres_url: str, tmp_path: Path
) -> None:
    url = _url(postgres_url)
    not_server = trolyso("--config", str(config), "migrate", "--to", str(tmp_path / "x.sqlite3"))
    assert not_server.returncode == 2 and "--to phải là một cơ sở dữ liệu PostgreSQL" in (
        not_server.stderr
    )
    from_server = trolyso("--config", str(config), "migrate", "--to", url, "--from", url)
    assert from_server.returncode == 2 and "không phải tệp SQLite" in from_server.stderr
    assert PASSWORD not in from_server.stderr
    missing = trolyso(
        "--config", str(config), "migrate", "--to", url, "--from", str(tmp_path / "nope.db")
    )
    assert missing.returncode == 2 and "không có tệp SQLite" in missing.stderr
    assert not (tmp_path / "nope.db").exists()
