"""The numbers of a report over a seeded database, each worked out by hand in tests/reports/seed.py."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from bot.config import Settings
from bot.flows.compiled import CompiledFlow
from bot.reports import Report, build_report
from bot.reports.model import FlowStats, VillageFlow
from bot.storage.base import Storage
from tests.reports.seed import EAST, NORTH, WEST, at

JANUARY = (date(2026, 1, 1), date(2026, 1, 31))
FEBRUARY = (date(2026, 2, 1), date(2026, 2, 28))


@pytest.fixture(params=["sqlite", "postgresql"])
def backend(request: pytest.FixtureRequest) -> str:
    """Every report here is built from each SQL backend's queries (tests/reports/conftest.py)."""
    return str(request.param)


def flow(report: Report, flow_id: str) -> FlowStats:
    return next(f for f in report.flows if f.flow_id == flow_id)


Progress = tuple[int, int, int, int | None, Decimal | None]


def progress(report: Report) -> dict[tuple[str, str], Progress]:
    """(village, flow) -> households, people at home, residents alone, target, percent."""
    return {
        (place.village, row.flow_id): (
            row.households, row.people, row.residents, row.target, row.percent
        )
        for place in report.villages
        for row in place.flows
    }


def totals(report: Report) -> dict[str, VillageFlow]:
    return {row.flow_id: row for row in report.totals}


async def test_flow_counts_over_all_time(
    storage: Storage, flows: dict[str, CompiledFlow], settings: Settings
) -> None:
    report = await build_report(storage, flows, settings)
    install = flow(report, "demo_install")
    # 9 finished root runs (the sub-flow run is apart) + 2 sessions still in the flow.
    assert install.finished == {"completed": 5, "referred": 1, "gave_up": 0, "abandoned": 3}
    assert install.in_progress == 2
    assert install.started == 11
    assert install.completion_rate == Decimal("45.45")
    assert install.median_seconds == 300  # of 300, 200, 600, 400, 100
    assert install.subflow_runs == 1
    pay = flow(report, "demo_pay")
    # u9 completed it; u8 left it while it ran demo_install (that inner run is apart).
    assert (pay.started, pay.completed, pay.completion_rate, pay.median_seconds) == (
        2, 1, Decimal("50.00"), 50,
    )
    assert [f.flow_id for f in report.flows] == ["demo_install", "demo_pay"]  # menu order


async def test_funnel_reached_left_and_help_presses(
    storage: Storage, flows: dict[str, CompiledFlow], settings: Settings
) -> None:
    install = flow(await build_report(storage, flows, settings), "demo_install")
    rows = [(s.step_id, s.reached, s.left, s.help_presses, s.main) for s in install.funnel]
    # The main path first (the way most runs went on, to the end that completes the guide),
    # then the rest breadth-first: the dead end, then the help branches.
    assert rows == [
        ("phone", 10, 0, 0, True),
        ("store", 8, 2, 2, True),  # two runs left there; "it didn't work" pressed twice there
        ("scan", 6, 0, 1, True),
        ("done", 5, 0, 0, True),
        ("no_phone", 1, 0, 0, False),
        ("store_help", 2, 0, 0, False),
        ("scan_help", 1, 0, 0, False),
    ]
    assert install.left_before_start == 1  # abandoned during the welcome: an empty path
    assert install.improve_first == "store"
    assert [s.step_id for s in install.funnel if s.has_help] == ["store", "scan"]
    assert install.funnel[0].label == {"vi": "Điện thoại loại nào?", "en": "Which phone?"}
    assert all(step.inside == () for step in install.funnel)
    worst = (await build_report(storage, flows, settings)).improve_first
    assert worst is not None
    assert (worst[0].flow_id, worst[1].step_id) == ("demo_install", "store")


async def test_a_nested_guide_shows_where_inside_it_residents_left(
    storage: Storage, flows: dict[str, CompiledFlow], settings: Settings
) -> None:
    pay = flow(await build_report(storage, flows, settings), "demo_pay")
    assert [(s.step_id, s.reached, s.left, s.main) for s in pay.funnel] == [
        ("ask", 2, 0, True),
        ("done", 1, 0, True),  # "Rồi" and "install first" were pressed once each: the shorter
        ("install", 1, 1, False),  # u8 left while demo_install ran from here
    ]
    install_step = pay.funnel[2]
    assert install_step.label == {
        "vi": "Hướng dẫn «Cài ứng dụng thử»", "en": "Guide “Install the demo app”",
    }
    inside = [(s.step_id, s.reached, s.left) for s in install_step.inside if not s.empty]
    assert inside == [("phone", 1, 0), ("store", 1, 0), ("scan", 1, 1)]  # left at 'scan' inside
    assert pay.improve_first == "install"


async def test_village_progress_counts_each_household_and_resident_once(
    storage: Storage, flows: dict[str, CompiledFlow], settings: Settings
) -> None:
    report = await build_report(storage, flows, settings)
    assert progress(report) == {
        # Thôn Bắc has no target. Household 4's four people: one done (one account), three
        # still waiting; household 5's two people: two accounts.
        (NORTH, "demo_install"): (2, 3, 0, None, None),
        # Household 1 done on two days: once. Resident u2 from volunteer 1's poster.
        (EAST, "demo_install"): (1, 1, 1, 3, Decimal("66.67")),
        # Household 3; resident u1 finished alone twice in January, then from volunteer 2's
        # poster in February: once, in the poster's village.
        (WEST, "demo_install"): (1, 1, 1, 2, Decimal("100.00")),
        (WEST, "demo_pay"): (0, 0, 0, 4, Decimal("0.00")),
        ("", "demo_pay"): (0, 0, 1, None, None),  # alone: village unknown, no target
    }
    assert [p.village for p in report.villages] == [NORTH, EAST, WEST, ""]  # Bắc, Đông, Tây
    commune = totals(report)
    # Only the villages with a target count toward the commune's percentage: 2 + 2 of 3 + 2,
    # Thôn Bắc's three accounts apart (they once made this 7 of 5, 140%). The unknown village
    # is not in the commune at all.
    install = commune["demo_install"]
    assert (install.helped, install.target, install.outside) == (4, 5, 3)
    assert install.percent == Decimal("80.00")
    assert (commune["demo_pay"].helped, commune["demo_pay"].percent) == (0, Decimal("0.00"))
    assert commune["demo_pay"].outside == 0


async def test_january_only(
    storage: Storage, flows: dict[str, CompiledFlow], settings: Settings
) -> None:
    report = await build_report(storage, flows, settings, *JANUARY)
    install = flow(report, "demo_install")
    assert install.finished == {"completed": 4, "referred": 1, "gave_up": 0, "abandoned": 3}
    assert (install.in_progress, install.started) == (1, 9)
    assert install.completion_rate == Decimal("44.44")
    assert install.median_seconds == 350  # of 300, 200, 600, 400
    assert flow(report, "demo_pay").started == 1  # u8, left on 14 January
    assert progress(report) == {
        (EAST, "demo_install"): (1, 1, 1, 3, Decimal("66.67")),
        (WEST, "demo_install"): (0, 0, 0, 2, Decimal("0.00")),
        (WEST, "demo_pay"): (0, 0, 0, 4, Decimal("0.00")),
        ("", "demo_install"): (0, 0, 1, None, None),  # u1, alone in January
    }
    assert totals(report)["demo_install"].percent == Decimal("40.00")


async def test_february_only(
    storage: Storage, flows: dict[str, CompiledFlow], settings: Settings
) -> None:
    report = await build_report(storage, flows, settings, *FEBRUARY)
    install = flow(report, "demo_install")
    assert (install.completed, install.in_progress, install.started) == (1, 1, 2)
    assert install.completion_rate == Decimal("50.00")
    assert progress(report)[(WEST, "demo_install")] == (1, 1, 1, 2, Decimal("100.00"))
    assert (EAST, "demo_install") in progress(report)  # a target with nothing yet still shows
    assert progress(report)[(EAST, "demo_install")] == (0, 0, 0, 3, Decimal("0.00"))
    assert progress(report)[(NORTH, "demo_install")] == (2, 3, 0, None, None)


async def test_only_since_or_only_until(
    storage: Storage, flows: dict[str, CompiledFlow], settings: Settings
) -> None:
    since = await build_report(storage, flows, settings, date(2026, 1, 12), None)
    # Runs started on 12, 13, 20 January and in February; the 15 January session.
    assert flow(since, "demo_install").started == 6
    until = await build_report(storage, flows, settings, None, date(2026, 1, 11))
    assert flow(until, "demo_install").started == 5  # 3, 8, 9, 10 and 11 January
    assert flow(until, "demo_install").in_progress == 0


def test_days_are_whole_days_in_the_communes_time_zone(settings: Settings) -> None:
    from bot.reports.period import day_end, day_start, parse_day

    zone = settings.zone  # Asia/Ho_Chi_Minh unless reminders.timezone says otherwise
    assert day_start(date(2026, 1, 1), zone) == at(1, 1, 0)
    assert day_end(date(2026, 1, 31), zone) == at(2, 1, 0)  # the 31st is included, to midnight
    assert day_start(None, zone) is None and day_end(None, zone) is None
    assert parse_day("2026-02-28") == date(2026, 2, 28)
    assert parse_day("2026-02-30") is None and parse_day("28/02/2026") is None


async def test_village_filter(
    storage: Storage, flows: dict[str, CompiledFlow], settings: Settings
) -> None:
    report = await build_report(storage, flows, settings, village=EAST)
    install = flow(report, "demo_install")
    # The poster run (village from its volunteer) and the visit run; the open sessions are
    # elsewhere or of no village.
    assert install.finished == {"completed": 2, "referred": 0, "gave_up": 0, "abandoned": 0}
    assert (install.in_progress, install.median_seconds) == (0, 500)
    assert progress(report) == {(EAST, "demo_install"): (1, 1, 1, 3, Decimal("66.67"))}
    assert report.totals == ()
    assert [v.code for v in report.volunteers] == ["AAA111"]
    unknown = await build_report(storage, flows, settings, village="")
    assert set(progress(unknown)) == {("", "demo_pay")}


async def test_volunteers(
    storage: Storage, flows: dict[str, CompiledFlow], settings: Settings
) -> None:
    report = await build_report(storage, flows, settings)
    # The volunteer who left and did nothing is not listed.
    assert [v.code for v in report.volunteers] == ["AAA111", "BBB222"]
    lan, minh = report.volunteers
    assert (lan.visits, lan.households_visited) == (3, 2)
    assert lan.outcomes == {"done": 2, "police": 1, "declined": 1, "later": 2}
    # Household 1: install done (latest), pay later -> pending; household 2: police -> pending,
    # pay declined -> not pending.
    assert (lan.pending_households, lan.pending_services) == (2, 2)
    assert (lan.qr_started, lan.qr_completed) == (1, 1)
    assert (minh.visits, minh.households_visited) == (3, 3)
    assert minh.outcomes == {
        "done": 4, "police": 1, "no_smartphone": 1, "no_chip_id": 1, "later": 1,
    }
    # Per person: household 3's payment (no chip ID), and household 4's three people still
    # waiting — not settled by the fourth being done (the household's latest outcome alone
    # once said one service).
    assert (minh.pending_households, minh.pending_services) == (2, 4)
    # Opened from Minh's poster: u1, who finished, and s3, still in the guide — as "started"
    # counts them (this once said 1, only the finished run).
    assert (minh.qr_started, minh.qr_completed) == (2, 1)
    january = await build_report(storage, flows, settings, *JANUARY)
    minh_january = january.volunteers[1]
    assert (minh_january.visits, minh_january.pending_households) == (0, 0)
    assert minh_january.qr_started == 0


async def test_runs_of_a_flow_no_longer_loaded_still_count(
    storage: Storage, flows: dict[str, CompiledFlow], settings: Settings
) -> None:
    report = await build_report(storage, {"demo_pay": flows["demo_pay"]}, settings)
    install = flow(report, "demo_install")
    assert install.title == {"vi": "demo_install"}
    assert install.started == 11
    # Without the flow file the funnel keeps the steps in the order runs took them.
    assert [s.step_id for s in install.funnel][:3] == ["phone", "store", "scan"]
    assert install.improve_first == "store"  # leaves alone: no help buttons are known


def test_percent_rounds_half_up_like_a_leader() -> None:
    from bot.reports.model import percent

    assert percent(57057, 63191) == Decimal("90.29")
    assert percent(1, 8) == Decimal("12.50")
    assert percent(1, 800) == Decimal("0.13")  # 0.125 -> 0.13, not banker's 0.12
    assert percent(3, 0) is None
