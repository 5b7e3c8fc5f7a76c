"""``trolyso route``: admins see the decision and the ranked flows, in their language."""

from __future__ import annotations

from tests.cli_process import trolyso


def test_route_explains_in_vietnamese_by_default() -> None:
    result = trolyso("route", "co nguoi goi xung cong an bao cai app vneid")
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "Quyết định: mở hướng dẫn «scam»" in out
    assert "Luồng" in out and "Điểm" in out and "Cụm từ khớp" in out
    lines = out.splitlines()
    first = next(line for line in lines if line.startswith("1 "))
    assert "scam" in first and "xưng công an" in first
    assert any(line.startswith("2 ") and "vneid_install" in line for line in lines)


def test_route_in_english_and_for_small_talk() -> None:
    result = trolyso("route", "thank you", "--lang", "en")
    assert result.returncode == 0, result.stderr
    assert "Decision: reply to the thanks" in result.stdout
    result = trolyso("route", "giá vàng hôm nay", "--lang", "en")
    assert "Decision: show the main menu" in result.stdout


def test_route_with_broken_flows_says_so(tmp_path) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / "bad.yaml").write_text("id: [\n", encoding="utf-8")
    result = trolyso("route", "cai vneid", "--flows", str(tmp_path))
    assert result.returncode == 2
    assert "trolyso lint" in result.stderr and "bad.yaml" in result.stderr
