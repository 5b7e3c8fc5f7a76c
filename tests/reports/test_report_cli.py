"""``trolyso report`` from the command line: formats, files, filters, and problems as sentences."""

from __future__ import annotations

import asyncio
import csv
import io
from pathlib import Path

import pytest

from bot.cli.main import main
from tests.reports import seed as seeding


@pytest.fixture
def config(tmp_path: Path) -> Path:
    seeding.write_flows(tmp_path / "flows")
    asyncio.run(seeding.seed(tmp_path / "seed.sqlite3"))
    path = tmp_path / "config.yaml"
    path.write_text(
        "database: seed.sqlite3\n"
        "flows_dir: flows\n"
        "commune:\n  name: Xã Thử\n"
        "targets:\n"
        "  Thôn Đông:\n    demo_install: 3\n"
        "  Thôn Tây:\n    demo_install: 2\n    demo_pay: 4\n",
        encoding="utf-8",
    )
    return path


def run(config: Path, *args: str) -> int:
    return main(["--config", str(config), "report", *args])


def test_table_by_default(config: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(config) == 0
    out = capsys.readouterr().out
    assert out.startswith("Báo cáo Trợ lý số — Xã Thử")
    assert "66,67%" in out and 'Nên sửa trước: bước "Mở cửa hàng ứng dụng."' in out


def test_csv_to_a_file_opens_in_excel(
    config: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "report.csv"
    assert run(config, "--format", "csv", "--output", str(target)) == 0
    assert f"Đã ghi báo cáo vào {target}." in capsys.readouterr().out
    raw = target.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # the BOM Excel needs to read Vietnamese letters
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))
    assert rows[0]["section"] == "period"
    percent = [r["value"] for r in rows if r["section"] == "commune"
               and r["flow_id"] == "demo_install" and r["metric"] == "percent"]
    assert percent == ["80.00"]


def test_period_and_village_filter(config: Path, capsys: pytest.CaptureFixture[str]) -> None:
    args = ["--since", "2026-02-01", "--until", "2026-02-28", "--village", "Thôn Tây"]
    assert run(config, *args, "--format", "csv") == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    period = {r["metric"]: r["value"] for r in rows if r["section"] == "period"}
    assert (period["since"], period["until"], period["village"]) == (
        "2026-02-01", "2026-02-28", "Thôn Tây",
    )
    villages = {r["village"] for r in rows if r["section"] == "village"}
    assert villages == {"Thôn Tây"}
    helped = [r["value"] for r in rows if r["section"] == "village"
              and r["flow_id"] == "demo_install" and r["metric"] == "helped"]
    assert helped == ["2"]
    # February in Thôn Tây: the poster run, and the session still open.
    started = [r["value"] for r in rows if r["section"] == "flow"
               and r["flow_id"] == "demo_install" and r["metric"] == "started"]
    assert started == ["2"]


def test_html_in_english(config: Path, tmp_path: Path) -> None:
    target = tmp_path / "report.html"
    assert run(config, "--format", "html", "--lang", "en", "--output", str(target)) == 0
    page = target.read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>") and "Residents helped against targets" in page


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--since", "2026-02-30"], "Ngày '2026-02-30' của --since không đúng"),
        (["--until", "31/01/2026"], "hãy viết theo dạng NĂM-THÁNG-NGÀY"),
        (["--since", "2026-03-01", "--until", "2026-02-01"], "đang sau ngày kết thúc"),
        (["--db", "nowhere.sqlite3"], "Chưa có cơ sở dữ liệu ở nowhere.sqlite3"),
        (["--output", "no/such/folder/r.txt"], "Không ghi được tệp no/such/folder/r.txt"),
    ],
)
def test_problems_are_sentences(
    config: Path, args: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(config, *args) == 2
    err = capsys.readouterr().err
    assert message in err
    assert "Traceback" not in err


def test_a_database_that_is_not_one(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    junk = tmp_path / "junk.sqlite3"
    junk.write_text("not a database", encoding="utf-8")
    assert main(["report", "--db", str(junk), "--lang", "en"]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"Cannot read the database {junk}") and "Traceback" not in err


def test_a_misspelt_village_is_pointed_out(config: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(config, "--village", "Thon Nam") == 0
    captured = capsys.readouterr()
    assert "chưa thấy thôn 'Thon Nam'" in captured.err
    # Every village known (targets, volunteers, households), sorted as a reader expects.
    assert "Các thôn đã biết: Thôn Bắc, Thôn Đông, Thôn Tây." in captured.err
    assert run(config, "--village", "Thôn Đông") == 0
    assert capsys.readouterr().err == ""


@pytest.mark.parametrize("typed", ["Thon Tay", "thon tay", "  THÔN  TÂY "])
def test_a_village_is_found_without_its_diacritics(
    config: Path, typed: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(config, "--village", typed, "--format", "csv") == 0
    captured = capsys.readouterr()
    assert captured.err == ""
    rows = list(csv.DictReader(io.StringIO(captured.out)))
    period = {r["metric"]: r["value"] for r in rows if r["section"] == "period"}
    assert period["village"] == "Thôn Tây"
    assert {r["village"] for r in rows if r["section"] == "village"} == {"Thôn Tây"}


def test_the_campaign_tally_in_the_configured_columns(
    config: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with config.open("a", encoding="utf-8") as settings:
        settings.write(
            "reports:\n  campaign:\n    applications_flow: demo_pay\n"
            "    accounts_flow: demo_install\n"
            "    columns:\n      village: Đơn vị\n      accounts: Tài khoản đã kích hoạt\n"
            "      target: Chỉ tiêu\n      percent: Tỉ lệ (%)\n      applications: Hồ sơ\n"
        )
    target = tmp_path / "de-an-06.csv"
    assert run(config, "--format", "campaign", "--output", str(target)) == 0
    raw = target.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # Excel reads the Vietnamese letters
    assert raw.decode("utf-8-sig").splitlines() == [
        "Đơn vị,Tài khoản đã kích hoạt,Chỉ tiêu,Tỉ lệ (%),Hồ sơ",
        "Thôn Bắc,3,,,0",  # three people's accounts, no target in Thôn Bắc
        "Thôn Đông,2,3,66.67,0",
        "Thôn Tây,2,2,100.00,0",
        # The commune adds up its villages; its percentage is over the villages with a target
        # (4 of 5), not 7 of 5.
        "Toàn xã,7,5,80.00,0",
    ]
