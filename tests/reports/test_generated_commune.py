"""A generated commune's report against the tallies counted from its records by hand
(tests/reports/generated.py): accounts per village and guide, the commune over its villages with
a target, QR-poster openings, the days — on SQLite and PostgreSQL, in Vietnamese numbers."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.config import Settings
from bot.flows.compiled import CompiledFlow
from bot.reports import Report, build_report, render_html, render_text_summary
from bot.reports.wording import integer, percent_text
from bot.storage.postgres import PostgresStorage
from bot.storage.sqlite import SqliteStorage
from tests.reports import seed as seeding
from tests.reports.generated import NOW, TARGETS, VILLAGES, Tallies, generate

COMMUNE, TALLIES = generate()


@pytest.fixture(params=["sqlite", "postgresql"])
async def report(
    request: pytest.FixtureRequest, tmp_path: Path, flows: dict[str, CompiledFlow]
) -> AsyncIterator[Report]:
    store: SqliteStorage | PostgresStorage
    if request.param == "postgresql":
        store = PostgresStorage(request.getfixturevalue("postgres_url"))
    else:
        store = SqliteStorage(tmp_path / "generated.sqlite3")
    await store.open()
    try:
        await seeding.fill(store, COMMUNE)
        settings: Settings = seeding.settings(tmp_path, TARGETS)
        yield await build_report(store, flows, settings, now=NOW)
    finally:
        await store.close()


def test_the_data_set_is_big_enough_to_mean_something() -> None:
    assert len(COMMUNE.outcomes) > 150 and len(COMMUNE.runs) > 250
    assert max(o[7] for o in COMMUNE.outcomes) == 4  # households of four people
    assert sum(TALLIES.people.values()) > 60 and sum(TALLIES.alone.values()) > 60


def test_accounts_per_village_and_guide(report: Report) -> None:
    rows = {(p.village, r.flow_id): r for p in report.villages for r in p.flows}
    for key, helped in TALLIES.helped.items():
        row = rows[key]
        assert (row.people, row.residents, row.helped) == (
            TALLIES.people[key],
            TALLIES.alone[key],
            helped,
        ), key
        assert row.target == TARGETS.get(key[0], {}).get(key[1])
    # Nothing else is counted, and every target shows even with nobody helped.
    assert {k for k, r in rows.items() if r.helped} == {k for k, n in TALLIES.helped.items() if n}
    assert {k for k, r in rows.items() if r.target is not None} == {
        (v, f) for v, goals in TARGETS.items() for f in goals
    }


def test_the_commune_counts_only_villages_with_a_target(report: Report) -> None:
    totals = {row.flow_id: row for row in report.totals}
    for flow_id in ("demo_install", "demo_pay"):
        helped, target, share = TALLIES.commune(flow_id)
        row = totals[flow_id]
        assert (row.helped, row.target, row.percent) == (helped, target, share)
        everywhere = sum(TALLIES.helped[(v, flow_id)] for v in VILLAGES)
        assert row.outside == everywhere - helped > 0  # Thôn Bắc's (and others') apart


def test_poster_credit_counts_every_opening(report: Report) -> None:
    assert {v.code: (v.qr_started, v.qr_completed) for v in report.volunteers} == TALLIES.qr


def test_each_day_in_the_communes_calendar(report: Report) -> None:
    helped: dict[tuple[object, str], int] = {}
    for row in report.timeline:
        if row.helped:
            helped[(row.day, row.flow_id)] = row.helped
    assert helped == {k: n for k, n in TALLIES.days.items() if n}


def vietnamese_commune_line(tallies: Tallies, flow_id: str, title: str) -> str:
    helped, target, share = tallies.commune(flow_id)
    return f"Toàn xã · {title}: {integer(helped, 'vi')}/{integer(target, 'vi')} ({percent_text(share, 'vi')})"


def test_the_leaders_read_it_in_vietnamese_numbers(report: Report) -> None:
    summary = render_text_summary(report, "vi")
    line = vietnamese_commune_line(TALLIES, "demo_install", "Cài ứng dụng thử")
    assert line in summary, summary
    assert "/1.310 (" in line  # 60 + 1.250: a thousands dot, a decimal comma
    page = render_html(report, "vi")
    helped, _target, share = TALLIES.commune("demo_install")
    assert f"{integer(helped, 'vi')} / 1.310 · {percent_text(share, 'vi')}" in page
