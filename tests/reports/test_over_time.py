"""Progress by day and week, in the commune's time zone whatever the server's, and the words of
outcomes shared with the bot. Every number is worked out by hand from tests/reports/seed.py."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from bot.app.staff.report import report_maker
from bot.config import ReminderSettings, Settings
from bot.core.staff import VISIT_OUTCOMES
from bot.core.types import SessionKey
from bot.flows.compiled import CompiledFlow
from bot.flows.schema import RUN_OUTCOMES
from bot.i18n.catalog import load_catalog
from bot.reports import build_report, render_table
from bot.reports.timeline import by_day, by_week, week_against_last
from bot.reports.villages import known_villages, resolve_village
from bot.reports.wording import run_outcome
from bot.storage.base import Storage
from tests.harness import ROOT
from tests.reports.seed import EAST, NORTH, WEST, at

NOW = at(2, 11, 12)  # Wednesday 11 February 2026, noon in Vietnam


@pytest.fixture(params=["sqlite", "postgresql"])
def backend(request: pytest.FixtureRequest) -> str:
    """Built from each SQL backend's queries (tests/reports/conftest.py)."""
    return str(request.param)


@pytest.fixture
def utc_server(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The process runs on UTC, as many servers do."""
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


def days(report: object) -> list[tuple[str, str, int, int, int]]:
    return [
        (d.day.isoformat()[5:], d.flow_id[5:], d.helped, d.started, d.completed)
        for d in report.timeline  # type: ignore[attr-defined]
    ]


async def test_each_day_and_week_adds_up_to_the_report(
    storage: Storage, flows: dict[str, CompiledFlow], settings: Settings
) -> None:
    report = await build_report(storage, flows, settings, now=NOW)
    # (day, flow, helped, started, completed): helped on the day a household was first done
    # or the run that credits a resident started; runs on the day they started.
    assert days(report) == [
        ("01-03", "install", 0, 1, 1),  # u1 alone (later credited to Thôn Tây's poster run)
        ("01-05", "install", 1, 0, 0),  # household 1 done
        ("01-08", "install", 1, 1, 1),  # u2 from Lan's poster
        ("01-09", "install", 0, 1, 0),
        ("01-10", "install", 0, 1, 0),
        ("01-11", "install", 0, 1, 0),
        ("01-12", "install", 0, 1, 1),  # u6 during a visit: counted through the household
        ("01-13", "install", 0, 1, 0),
        ("01-14", "pay", 0, 1, 0),  # u8, left inside the nested guide
        ("01-15", "install", 0, 1, 0),  # s1, still in the guide
        ("01-20", "install", 0, 1, 1),
        ("02-03", "install", 1, 0, 0),  # household 3
        ("02-04", "install", 1, 0, 0),  # household 4's one account, at 06:33 (3 Feb. in UTC)
        ("02-05", "install", 3, 1, 1),  # u1 from Minh's poster, and household 5's two people
        ("02-06", "pay", 1, 1, 1),  # u9 alone
        ("02-10", "install", 0, 1, 0),  # s3, still in the guide
    ]
    helped = sum(row.helped for place in report.villages for row in place.flows)
    assert sum(d.helped for d in report.timeline) == helped == 8
    for stats in report.flows:
        assert (
            sum(d.started for d in report.timeline if d.flow_id == stats.flow_id) == stats.started
        )
    daily = by_day(report)
    assert (daily[0][0], daily[-1][0], len(daily)) == (date(2026, 1, 29), date(2026, 2, 11), 14)
    weekly = {
        monday.isoformat()[5:]: (t.helped, t.started, t.completed) for monday, t in by_week(report)
    }
    assert weekly == {
        "12-22": (0, 0, 0),
        "12-29": (0, 1, 1),
        "01-05": (2, 4, 1),
        "01-12": (0, 4, 1),
        "01-19": (0, 1, 1),
        "01-26": (0, 0, 0),
        "02-02": (6, 2, 2),
        "02-09": (0, 1, 0),
    }
    monday, this_week, last_week = week_against_last(report)
    assert monday == date(2026, 2, 9)
    assert (this_week.helped, this_week.started, last_week.helped, last_week.completed) == (
        0,
        1,
        6,
        2,
    )


async def test_a_period_counts_its_own_days_only(
    storage: Storage, flows: dict[str, CompiledFlow], settings: Settings
) -> None:
    report = await build_report(
        storage, flows, settings, date(2026, 2, 1), date(2026, 2, 5), now=NOW
    )
    assert days(report) == [
        ("02-03", "install", 1, 0, 0),
        ("02-04", "install", 1, 0, 0),
        ("02-05", "install", 3, 1, 1),
    ]
    assert report.period.last_day == date(2026, 2, 5)  # "this week" ends with the period
    assert by_day(report)[0][0] == date(2026, 2, 1)  # not before the period
    one_village = await build_report(storage, flows, settings, village=NORTH, now=NOW)
    assert days(one_village) == [("02-04", "install", 1, 0, 0), ("02-05", "install", 2, 0, 0)]


async def test_on_a_utc_server_days_are_still_the_communes(
    utc_server: None, storage: Storage, flows: dict[str, CompiledFlow], settings: Settings
) -> None:
    assert dt.datetime.fromtimestamp(at(2, 4, 6, 33)).day == 3  # what the server itself says
    report = await build_report(storage, flows, settings, now=NOW)
    assert ("02-04", "install", 1, 0, 0) in days(report)
    table = render_table(report, "vi")
    assert "Lập lúc: 11/02/2026 12:00" in table and "04/02/2026" in table
    # And the setting is what decides: a commune configured on UTC has it on the 3rd.
    on_utc = settings.model_copy(update={"reminders": ReminderSettings(timezone="UTC")})
    report = await build_report(storage, flows, on_utc, now=NOW)
    assert ("02-03", "install", 2, 0, 0) in days(report)
    assert str(report.period.zone) == "UTC"


async def test_the_bots_report_file_is_named_by_the_communes_clock(
    utc_server: None,
    storage: Storage,
    flows: dict[str, CompiledFlow],
    settings: Settings,
    tmp_path: Path,
) -> None:
    morning = at(11, 29, 6, 33)  # 23:33 on 28 November in UTC
    make = report_maker(settings, storage, folder=tmp_path, clock=lambda: morning)
    [message] = await make(SessionKey("telegram", "1"), "thon tay", flows)
    assert message.document == str(tmp_path / "bao-cao-20261129-063300.html")
    assert "Thôn: Thôn Tây" in message.text  # "/report thon tay" found the village


async def test_outcomes_are_worded_as_the_bot_words_them(
    storage: Storage, flows: dict[str, CompiledFlow], settings: Settings, tmp_path: Path
) -> None:
    catalog, _ = load_catalog(ROOT / "locales")
    assert catalog is not None
    report = await build_report(storage, flows, settings, catalog=catalog, now=NOW)
    for lang in ("vi", "en"):
        for code in VISIT_OUTCOMES:
            assert report.outcome_names[lang][code] == catalog.text(f"staff.outcome_{code}", lang)
    for code in RUN_OUTCOMES:
        assert run_outcome(code, "vi") != code  # every way a run ends has Vietnamese words
    assert run_outcome("gave_up", "en") == "gave up"
    assert "AAA111: ✅ Đã xong 2, 👮 Cần công an xã 1" in render_table(report, "vi")
    # Read from the configured locales when not given; without any, the codes themselves:
    # never a vocabulary of the report's own.
    read = await build_report(storage, flows, settings, now=NOW)
    assert read.outcome_names == report.outcome_names
    nowhere = settings.model_copy(update={"locales_dir": tmp_path / "none"})
    bare = await build_report(storage, flows, nowhere, now=NOW)
    assert bare.outcome_names["vi"]["done"] == "done"


async def test_villages_are_found_without_diacritics(storage: Storage, settings: Settings) -> None:
    known = await known_villages(storage, settings)
    assert known == [NORTH, EAST, WEST]  # targets, volunteers' and households' villages
    assert resolve_village("Thon Tay", known) == WEST
    assert resolve_village("thôn  đông", known) == EAST
    assert resolve_village("THON BAC", known) == NORTH
    assert resolve_village("Thôn Tây", known) == WEST
    assert resolve_village("Thon Nam", known) is None
    assert resolve_village("", known) == ""  # residents of no known village
    assert resolve_village("Thon Dong", ["Thôn Đông", "Thôn Dông"]) is None  # which one?
