"""Rendering a report: the terminal table, CSV columns, the Telegram summary, the HTML page."""

from __future__ import annotations

import csv
import io
import re
from dataclasses import replace

import pytest

from bot.config import Settings
from bot.flows.compiled import CompiledFlow
from bot.reports import (
    CSV_COLUMNS,
    SUMMARY_LIMIT,
    Report,
    VillageFlow,
    VillageProgress,
    build_report,
    render_csv,
    render_html,
    render_table,
    render_text_summary,
)
from bot.storage.sqlite import SqliteStorage
from tests.reports.seed import DEMO_INSTALL, DEMO_PAY, EAST, HOUSEHOLDS, PSEUDONYM, at

# Every step id of the seeded flows ("store", "scan_help"...): a leader never reads one.
STEP_IDS = sorted(set(re.findall(r"^  ([a-z_]+):$", DEMO_INSTALL + DEMO_PAY, re.MULTILINE)))


@pytest.fixture
async def report(
    storage: SqliteStorage, flows: dict[str, CompiledFlow], settings: Settings
) -> Report:
    return await build_report(storage, flows, settings, now=at(2, 11, 12))


def all_outputs(report: Report) -> list[str]:
    return [
        render(report, lang)
        for render in (render_table, render_csv, render_html, render_text_summary)
        for lang in ("vi", "en")
    ]


def test_residents_and_households_never_appear(report: Report) -> None:
    for text in all_outputs(report):
        assert PSEUDONYM not in text
        for _id, _volunteer, _village, label in HOUSEHOLDS:
            assert label not in text


def step_ids_in(text: str, lang: str = "vi") -> list[str]:
    """The seeded flows' step ids that ``text`` shows as words. English words such as "phone"
    are steps' ids and English text alike, so in English only ids with "_" can be told apart."""
    words = set(re.findall(r"[a-z_]+", text))
    return sorted(step for step in STEP_IDS if step in words and (lang == "vi" or "_" in step))


def test_csv_columns_and_rows(report: Report) -> None:
    rows = list(csv.DictReader(io.StringIO(render_csv(report, "vi"))))
    assert tuple(rows[0]) == CSV_COLUMNS == (
        "section", "flow_id", "flow_title", "village", "volunteer", "step", "step_title", "day",
        "metric", "value",
    )
    assert {r["section"] for r in rows} == {
        "period", "village", "commune", "flow", "funnel", "branch", "inside", "improve", "day",
        "volunteer", "tickets",
    }

    def pick(section: str, **where: str) -> dict[str, str]:
        found = [r for r in rows if r["section"] == section
                 and all(r[k] == v for k, v in where.items())]
        return {r["metric"]: r["value"] for r in found}

    assert pick("village", flow_id="demo_install", village=EAST) == {
        "households": "1", "people": "1", "residents": "1", "helped": "2", "target": "3",
        "percent": "66.67",
    }
    assert pick("village", flow_id="demo_pay", village="(không rõ thôn)")["target"] == ""
    assert pick("commune", flow_id="demo_install") == {
        "households": "2", "people": "2", "residents": "2", "helped": "4", "target": "5",
        "percent": "80.00", "outside_targets": "3",  # Thôn Bắc's accounts: no target there
    }
    install = pick("flow", flow_id="demo_install")
    assert install["started"] == "11" and install["completion_rate_percent"] == "45.45"
    assert install["outcome_abandoned"] == "3" and install["median_seconds_completed"] == "300"
    assert install["subflow_runs"] == "1" and install["left_before_start"] == "1"
    assert pick("funnel", flow_id="demo_install", step="store") == {
        "reached": "8", "left": "2", "help_presses": "2",
    }
    store = [r for r in rows if r["section"] == "funnel" and r["step"] == "store"]
    assert {r["step_title"] for r in store} == {"Mở cửa hàng ứng dụng."}
    assert pick("branch", flow_id="demo_install", step="no_phone")["reached"] == "1"
    # Inside demo_pay's step 'install' (demo_install), u8 left at 'scan'.
    assert pick("inside", flow_id="demo_pay", step="install.scan") == {
        "reached": "1", "left": "1", "help_presses": "0",
    }
    assert pick("improve", flow_id="demo_install") == {"trouble": "4"}
    assert pick("day", flow_id="demo_install", day="2026-02-04") == {
        "helped": "1", "started": "0", "completed": "0",  # household 4 at 06:33 Vietnam time
    }
    assert pick("period")["timezone"] == "Asia/Ho_Chi_Minh"
    lan = pick("volunteer", volunteer="AAA111")
    assert lan["name"] == "Lan" and lan["pending_households"] == "2"
    assert lan["outcome_done"] == "2" and lan["qr_completed"] == "1"
    assert pick("volunteer", volunteer="BBB222")["qr_started"] == "2"
    english = list(csv.DictReader(io.StringIO(render_csv(report, "en"))))
    assert any(r["village"] == "(unknown village)" for r in english)
    assert {r["metric"] for r in english} == {r["metric"] for r in rows}  # metrics never translated


def test_table_in_vietnamese_and_english(report: Report) -> None:
    vi = render_table(report, "vi")
    assert "Thôn Đông" in vi and "66,67%" in vi and "80,00%" in vi and "(không rõ thôn)" in vi
    assert 'Nên sửa trước: bước "Mở cửa hàng ứng dụng." (2 bỏ dở, 2 lần "không làm được")' in vi
    assert "Toàn xã · Cài ứng dụng thử: ngoài ra 3 ở thôn chưa có chỉ tiêu" in vi
    assert (
        "Tuần này (từ 09/02/2026): đã giúp 0, bắt đầu 1, xong 0. "
        "Tuần trước: đã giúp 6, bắt đầu 2, xong 2." in vi
    )
    assert "✅ Đã xong 2, 👮 Cần công an xã 1" in vi  # the volunteers' own buttons' words
    assert step_ids_in(vi) == [] and step_ids_in(render_table(report, "en"), "en") == []
    assert "5 phút 00 giây" in vi
    en = render_table(report, "en")
    assert "66.67%" in en and "(unknown village)" in en and "5 min 00 s" in en
    # Aligned: every row of the progress table is as wide as its dashed rule or narrower.
    lines = vi.splitlines()
    rule = next(i for i, line in enumerate(lines) if line.startswith("---"))
    assert lines[rule + 1].index("Thôn Bắc") == 0 and lines[rule + 2].index("Thôn Đông") == 0


def test_numbers_are_written_the_vietnamese_way(report: Report) -> None:
    big = VillageFlow(flow_id="x", title={"vi": "Cài VNeID"}, households=21000, people=57000,
                      residents=57, target=63191)
    many = replace(report, villages=(VillageProgress(village=EAST, flows=(big,)),), totals=())
    assert "57.057/63.191 (90,29%)" in render_text_summary(many, "vi")
    assert "57,057/63,191 (90.29%)" in render_text_summary(many, "en")


def test_summary_is_short_enough_for_telegram(report: Report) -> None:
    text = render_text_summary(report, "vi")
    assert len(text) < SUMMARY_LIMIT
    assert "Toàn xã · Cài ứng dụng thử: 4/5 (80,00%)" in text
    assert "Cài ứng dụng thử: 11 lượt, 5 xong (45,45%), trung vị 5 phút 00 giây" in text
    assert 'Nên sửa trước: Cài ứng dụng thử — bước "Mở cửa hàng ứng dụng."' in text
    assert "Tuần này (từ 09/02/2026)" in text
    assert step_ids_in(text) == []
    row = report.villages[0].flows[0]
    crowded = replace(
        report,
        villages=tuple(VillageProgress(village=f"Thôn {i}", flows=(row,)) for i in range(300)),
    )
    long = render_text_summary(crowded, "vi")
    assert len(long) <= SUMMARY_LIMIT
    assert long.endswith("(xem đầy đủ: trolyso report)")
    assert "Toàn xã · Cài ứng dụng thử" in long  # the headline survives the cut


def test_html_is_one_self_contained_page(report: Report) -> None:
    page = render_html(report, "vi")
    assert page.startswith("<!DOCTYPE html>") and '<html lang="vi">' in page
    assert 'name="viewport"' in page
    for outside in ("<script", "<link", "@import", "url(", "src=", "http://", "https://"):
        assert outside not in page
    assert "66,67%" in page and "Thôn Đông" in page
    assert re.search(r'class="bar[^"]*"[^>]*><span style="width:66\.67%"', page)
    assert 'class="step worst"' in page  # the step to improve first stands out
    assert step_ids_in(re.sub(r"<[^>]+>", " ", page.split("</style>")[1])) == []
    english = render_html(report, "en")
    assert '<html lang="en">' in english and "Where residents stop" in english


def test_html_escapes_names(report: Report) -> None:
    odd = replace(
        report,
        villages=(VillageProgress(village="<b>Thôn & Xóm</b>", flows=report.villages[0].flows),),
    )
    page = render_html(odd, "vi")
    assert "&lt;b&gt;Thôn &amp; Xóm&lt;/b&gt;" in page and "<b>Thôn" not in page


async def test_all_zero_rows_are_folded_and_counted(
    storage: SqliteStorage, flows: dict[str, CompiledFlow], settings: Settings
) -> None:
    from datetime import date

    january = await build_report(
        storage, flows, settings, date(2026, 1, 1), date(2026, 1, 31), now=at(2, 11, 12)
    )
    table = render_table(january, "vi")
    # Minh did nothing in January: one line, not a row of zeros.
    assert "Chưa có gì trong thời gian này (không liệt kê): BBB222 Minh." in table
    assert not any(line.startswith("BBB222") for line in table.splitlines())
    # The steps nobody reached in January (inside the nested guide too) are counted, not listed.
    assert "bước chưa ai đến (không liệt kê)." in table
    page = render_html(january, "vi")
    assert "BBB222 Minh" in page and "BBB222 · Minh" not in page  # no card of zeros
