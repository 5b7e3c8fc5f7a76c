"""``trolyso report``, ``purge``, ``volunteers`` and ``poster --volunteer`` on a PostgreSQL
database: the same numbers as from the file, and its URL shown only without the password."""

from __future__ import annotations

import asyncio
import csv
import io
from pathlib import Path

import pytest
from psycopg.conninfo import conninfo_to_dict

from bot.cli.main import main
from bot.storage.postgres import PostgresStorage
from tests.reports import seed as seeding

PASSWORD = "s3cret-Pw"  # trust authentication ignores it; the output must never show it
SETTINGS = (
    "flows_dir: flows\ncommune:\n  name: Xã Thử\ntelegram:\n  username: trolyso_test_bot\n"
    "targets:\n  Thôn Đông:\n    demo_install: 3\n  Thôn Tây:\n    demo_install: 2\n"
)


def _url(conninfo: str, dbname: str = "") -> str:
    info = conninfo_to_dict(conninfo)
    return (
        f"postgresql://{info['user']}:{PASSWORD}@{info['host']}:{info['port']}"
        f"/{dbname or info['dbname']}"
    )


async def _fill(url: str) -> None:
    store = PostgresStorage(url)
    await store.open()
    try:
        await seeding.fill(store)
    finally:
        await store.close()


@pytest.fixture
def configs(tmp_path: Path, postgres_url: str) -> tuple[Path, Path]:
    """The seeded commune twice: in a SQLite file, and in PostgreSQL (by URL, with a password)."""
    seeding.write_flows(tmp_path / "flows")
    asyncio.run(seeding.seed(tmp_path / "seed.sqlite3"))
    asyncio.run(_fill(postgres_url))
    on_file, on_server = tmp_path / "file.yaml", tmp_path / "server.yaml"
    on_file.write_text("database: seed.sqlite3\n" + SETTINGS, encoding="utf-8")
    on_server.write_text(f"database: {_url(postgres_url)}\n" + SETTINGS, encoding="utf-8")
    return on_file, on_server


def _run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    assert PASSWORD not in out + err
    return code, out, err


def _rows(text: str) -> list[dict[str, str]]:
    return [row for row in csv.DictReader(io.StringIO(text)) if row["metric"] != "generated_at"]


def test_the_report_from_postgresql_is_the_files(
    configs: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    on_file, on_server = configs
    code, from_file, _ = _run(capsys, "--config", str(on_file), "report", "--format", "csv")
    assert code == 0
    code, from_server, err = _run(capsys, "--config", str(on_server), "report", "--format", "csv")
    assert (code, err) == (0, "")
    assert _rows(from_server) == _rows(from_file)
    code, table, _ = _run(capsys, "--config", str(on_server), "report")
    assert code == 0 and 'Nên sửa trước: bước "Mở cửa hàng ứng dụng."' in table


def test_a_purge_dry_run_on_postgresql(
    configs: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    on_file, on_server = configs
    dry = ("purge", "--dry-run", "--days", "30", "--lang", "en")
    code, from_file, _ = _run(capsys, "--config", str(on_file), *dry)
    assert code == 0
    code, from_server, _ = _run(capsys, "--config", str(on_server), *dry)
    assert code == 0 and from_server.startswith("Dry run — nothing deleted.")
    assert from_server.splitlines()[1:] == from_file.splitlines()[1:]  # (after the cut-off)
    # 12 runs, 14 outcomes, 6 visits, 9 people and 5 households (their names), 3 sessions: all
    # old (issue 17: a purge also forgets households, their people and visits).
    assert "Total: 49 records." in from_server


def test_volunteers_and_a_volunteers_poster_on_postgresql(
    configs: tuple[Path, Path], capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    _on_file, on_server = configs
    code, listed, _ = _run(capsys, "--config", str(on_server), "volunteers", "list")
    assert code == 0 and "#1  Lan  Thôn Đông  mã AAA111  đang hoạt động" in listed
    poster = (
        "poster", "--flow", "demo_install", "--volunteer", "AAA111", "--output", str(tmp_path)
    )
    code, made, err = _run(capsys, "--config", str(on_server), *poster)
    assert code == 0, err
    assert "Đã tạo áp phích" in made
    code, _, err = _run(capsys, "--config", str(on_server), *poster[:3], "--volunteer", "ZZZ999")
    assert code == 2 and "ZZZ999" in err


def test_a_wrong_database_url_is_explained_without_its_password(
    configs: tuple[Path, Path], capsys: pytest.CaptureFixture[str], postgres_url: str
) -> None:
    _on_file, on_server = configs
    wrong = _url(postgres_url, dbname="no_such_db")
    for args in (("report",), ("purge", "--dry-run"), ("report", "--db", wrong)):
        config = on_server
        if "--db" not in args:
            config = on_server.with_name("wrong.yaml")
            config.write_text(f"database: {wrong}\n" + SETTINGS, encoding="utf-8")
        code, _out, err = _run(capsys, "--config", str(config), *args, "--lang", "en")
        assert code == 2
        assert "Cannot read the database postgresql://postgres:***@" in err
        assert "has no database 'no_such_db'" in err
