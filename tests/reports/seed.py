"""A small commune on disk: two flows, three volunteers, visits, runs and open sessions.

Every number the report tests expect is worked out by hand in the comments below, so a change
of definition shows up as a failing test that says which number moved.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from bot.config import Settings
from bot.flows.compiled import CompiledFlow
from bot.flows.loader import load_flows
from bot.storage.sql import SqlTables, many
from bot.storage.sqlite import SqliteStorage

VN = timezone(timedelta(hours=7))
EAST, WEST, NORTH = "Thôn Đông", "Thôn Tây", "Thôn Bắc"  # Thôn Bắc has no target at all
PSEUDONYM = "PSEUDONYM-"  # runs.user_ref is a keyed pseudonym: reports must never show it
TARGETS = {EAST: {"demo_install": 3}, WEST: {"demo_install": 2, "demo_pay": 4}}

DEMO_INSTALL = """
id: demo_install
version: 1
title: {vi: Cài ứng dụng thử, en: "Install the demo app"}
description: {vi: Cài thử một ứng dụng trên điện thoại., en: "Install a demo app on your phone."}
triggers: {vi: [cài thử]}
sources: ["test"]
checked: 2026-01-01
start: phone
order: 10
steps:
  phone:
    say: {vi: "Điện thoại loại nào?", en: "Which phone?"}
    choices:
      - {label: {vi: Android, en: "Android"}, go: store}
      - {label: {vi: Không có, en: "None"}, go: no_phone}
  store:
    say: {vi: "Mở cửa hàng ứng dụng.", en: "Open the app store."}
    choices:
      - {label: {vi: Xong, en: "Done"}, go: scan}
    help: store_help
  store_help:
    say: {vi: "Tìm biểu tượng cửa hàng.", en: "Look for the store icon."}
    choices:
      - {label: {vi: Thử lại, en: "Try again"}, go: store}
  scan:
    say: {vi: "Quét thẻ.", en: "Scan your card."}
    choices:
      - {label: {vi: Xong, en: "Done"}, go: done}
    help: scan_help
  scan_help:
    say: {vi: "Đặt thẻ sát lưng máy.", en: "Hold the card to the back of the phone."}
    choices:
      - {label: {vi: Thử lại, en: "Try again"}, go: scan}
  done:
    say: {vi: "Xong rồi!", en: "All done!"}
    end: completed
  no_phone:
    say: {vi: "Nhờ tình nguyện viên giúp.", en: "Ask a volunteer."}
    end: referred
"""

DEMO_PAY = """
id: demo_pay
version: 1
title: {vi: Trả tiền thử, en: "Demo payment"}
description: {vi: Trả thử một hóa đơn., en: "Pay a demo bill."}
triggers: {vi: [trả thử]}
sources: ["test"]
checked: 2026-01-01
start: ask
order: 20
steps:
  ask:
    say: {vi: "Sẵn sàng chưa?", en: "Ready?"}
    choices:
      - {label: {vi: Rồi, en: "Yes"}, go: done}
      - {label: {vi: Cài ứng dụng trước, en: "Install the app first"}, go: install}
  install:
    flow: demo_install
    go: done
  done:
    say: {vi: "Xong.", en: "Done."}
    end: completed
"""


def at(month: int, day: int, hour: int = 10, minute: int = 0) -> float:
    """An epoch time on a day of 2026 in Vietnam."""
    return datetime(2026, month, day, hour, minute, tzinfo=VN).timestamp()


def write_flows(folder: Path) -> dict[str, CompiledFlow]:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "demo_install.yaml").write_text(DEMO_INSTALL, encoding="utf-8")
    (folder / "demo_pay.yaml").write_text(DEMO_PAY, encoding="utf-8")
    loaded = load_flows([folder])
    assert loaded.ok, [p.render("en") for p in loaded.problems]
    return loaded.flows


def settings(tmp: Path, targets: dict[str, dict[str, int]] | None = None) -> Settings:
    return Settings(
        database=tmp / "seed.sqlite3",
        flows_dir=tmp / "flows",
        locales_dir=Path(__file__).resolve().parents[2] / "locales",  # the bot's own words
        targets=TARGETS if targets is None else targets,
        commune={"name": "Xã Thử"},  # type: ignore[arg-type]
    )


FULL = ["phone", "store", "scan", "done"]

# (user, flow, mode, volunteer, village, outcome, start, seconds, path, parent)
RUNS: list[tuple[Any, ...]] = [
    # January
    ("u1", "demo_install", "self", None, "", "completed", at(1, 3), 300, FULL, ""),
    ("u1", "demo_install", "self", None, "", "completed", at(1, 20), 200, FULL, ""),  # again
    # From volunteer 1's poster; the run has no village: the volunteer's (Thôn Đông) is used.
    ("u2", "demo_install", "referred", 1, "", "completed", at(1, 8), 600,
     ["phone", "store", "store_help", "store", "scan", "scan_help", "scan", "done"], ""),
    ("u3", "demo_install", "self", None, "", "abandoned", at(1, 9), 90,
     ["phone", "store", "store_help", "store"], ""),
    ("u4", "demo_install", "self", None, "", "abandoned", at(1, 10), 30, ["phone", "store"], ""),
    ("u5", "demo_install", "self", None, "", "referred", at(1, 11), 20, ["phone", "no_phone"], ""),
    # During a visit: credited through the volunteer's outcome, not as a resident.
    ("u6", "demo_install", "assisted", 1, EAST, "completed", at(1, 12), 400, FULL, ""),
    ("u7", "demo_install", "self", None, "", "abandoned", at(1, 13), 15, [], ""),  # in welcome
    # demo_pay ran demo_install from its step 'install'; u8 left both at once, at 'scan' inside.
    ("u8", "demo_pay", "self", None, "", "abandoned", at(1, 14), 120, ["ask", "install"], ""),
    ("u8", "demo_install", "self", None, "", "abandoned", at(1, 14, 10, 1), 60,
     ["phone", "store", "scan"], "demo_pay"),
    # February
    ("u1", "demo_install", "referred", 2, WEST, "completed", at(2, 5), 100, FULL, ""),
    ("u9", "demo_pay", "self", None, "", "completed", at(2, 6), 50, ["ask", "done"], ""),
]

# (id, code, name, village, active)
VOLUNTEERS = [
    (1, "AAA111", "Lan", EAST, 1),
    (2, "BBB222", "Minh", WEST, 1),
    (3, "CCC333", "Cũ", EAST, 0),
]
# (id, volunteer, village, label): Minh (Thôn Tây) also helps two households in Thôn Bắc.
HOUSEHOLDS = [
    (1, 1, EAST, "Bà Tư"), (2, 1, EAST, "Ông Năm"), (3, 2, WEST, "Chị Sáu"), (4, 2, NORTH, "Cô Bảy"),
    (5, 2, NORTH, "Bà Chín"),
]
# (id, volunteer, household, village, started)
VISITS = [
    (1, 1, 1, EAST, at(1, 5, 8)),
    (2, 1, 1, EAST, at(1, 12, 8)),  # the same household, another day
    (3, 1, 2, EAST, at(1, 12, 14)),
    (4, 2, 3, WEST, at(2, 3, 8)),
    (5, 2, 4, NORTH, at(2, 4, 6)),
    (6, 2, 5, NORTH, at(2, 5, 15)),
]
# (visit, household, volunteer, village, flow, outcome, at, member): the member is the
# household's person (1, 2, ...); each person is one account.
OUTCOMES = [
    (1, 1, 1, EAST, "demo_install", "later", at(1, 5, 8, 30), 1),
    (1, 1, 1, EAST, "demo_install", "done", at(1, 5, 9), 1),
    (1, 1, 1, EAST, "demo_pay", "later", at(1, 5, 9, 10), 1),
    (2, 1, 1, EAST, "demo_install", "done", at(1, 12, 9), 1),  # done again: counts once
    (3, 2, 1, EAST, "demo_install", "police", at(1, 12, 15), 1),
    (3, 2, 1, EAST, "demo_pay", "declined", at(1, 12, 15, 5), 1),
    (4, 3, 2, WEST, "demo_install", "done", at(2, 3, 9), 1),
    (4, 3, 2, WEST, "demo_pay", "no_chip_id", at(2, 3, 9, 5), 1),
    # Household 4, four people: one account done, three still waiting (police, no smartphone,
    # later). 06:33 on 4 February in Vietnam is still 3 February in UTC: the report says the 4th.
    (5, 4, 2, NORTH, "demo_install", "done", at(2, 4, 6, 33), 1),
    (5, 4, 2, NORTH, "demo_install", "police", at(2, 4, 6, 40), 2),
    (5, 4, 2, NORTH, "demo_install", "no_smartphone", at(2, 4, 6, 45), 3),
    (5, 4, 2, NORTH, "demo_install", "later", at(2, 4, 6, 50), 4),
    # Household 5: two people, two accounts.
    (6, 5, 2, NORTH, "demo_install", "done", at(2, 5, 15, 10), 1),
    (6, 5, 2, NORTH, "demo_install", "done", at(2, 5, 15, 20), 2),
]


def session_state(stack: list[dict[str, Any]], updated: float) -> str:
    """A stored session's JSON, as Session.to_json writes it, with ``stack``'s frames."""
    return json.dumps({"lang": "vi", "stack": stack, "screen": "flow" if stack else "menu",
                       "updated_at": updated})


# (user, state JSON, updated_at): two residents in the middle of demo_install, one at the menu.
SESSIONS = [
    ("s1", session_state([{"flow": "demo_install", "v": 1, "step": "scan", "t0": at(1, 15),
                      "path": ["phone", "store", "scan"], "credit": {}}], at(1, 15, 11)),
     at(1, 15, 11)),
    ("s2", session_state([], at(1, 16)), at(1, 16)),
    ("s3", session_state([{"flow": "demo_install", "v": 1, "step": "phone", "t0": at(2, 10),
                      "path": ["phone"],
                      "credit": {"mode": "referred", "volunteer_id": 2, "village": WEST}}],
                    at(2, 10)), at(2, 10)),
]


@dataclass(frozen=True)
class Commune:
    """Records to store, in the shapes of the lists above."""

    volunteers: list[tuple[Any, ...]]
    households: list[tuple[Any, ...]]
    visits: list[tuple[Any, ...]]
    outcomes: list[tuple[Any, ...]]
    runs: list[tuple[Any, ...]]
    sessions: list[tuple[Any, ...]]


SEEDED = Commune(VOLUNTEERS, HOUSEHOLDS, VISITS, OUTCOMES, RUNS, SESSIONS)


async def seed(path: Path, commune: Commune = SEEDED) -> None:
    """Create the database file (migrations run) and fill it."""
    storage = SqliteStorage(path)
    await storage.open()
    try:
        await fill(storage, commune)
    finally:
        await storage.close()


async def fill(storage: SqlTables, commune: Commune = SEEDED) -> None:
    """Fill an open, empty SQL store (SQLite or PostgreSQL: the statements are the same)."""
    for query, rows in (
        (
            "INSERT INTO volunteers (id, channel, user_id, name, village, code, active, joined_at)"
            " VALUES (?, 'telegram', ?, ?, ?, ?, ?, ?)",
            [(i, f"tg{i}", name, village, code, active, at(1, 1))
             for i, code, name, village, active in commune.volunteers],
        ),
        (
            "INSERT INTO households (id, volunteer_id, village, label, label_key, created_at)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            [(i, v, village, label, label.lower(), at(1, 1))
             for i, v, village, label in commune.households],
        ),
        (
            "INSERT INTO visits (id, volunteer_id, household_id, village, started_at, ended_at)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            [(i, v, h, village, start, start + 3600) for i, v, h, village, start in commune.visits],
        ),
        (
            "INSERT INTO household_members (household_id, number, created_at) VALUES (?, ?, ?)",
            sorted({(o[1], o[7], at(1, 1)) for o in commune.outcomes}),
        ),
        (
            "INSERT INTO visit_outcomes (visit_id, household_id, volunteer_id, village, flow_id,"
            " outcome, note, at, member) VALUES (?, ?, ?, ?, ?, ?, '', ?, ?)",
            commune.outcomes,
        ),
        (
            "INSERT INTO runs (user_ref, channel, flow_id, flow_version, lang, started_at,"
            " ended_at, outcome, path, parent_flow, mode, volunteer_id, village)"
            " VALUES (?, 'telegram', ?, 1, 'vi', ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                (PSEUDONYM + user, flow, start, start + seconds, outcome, json.dumps(path), parent, mode,
                 volunteer, village)
                for user, flow, mode, volunteer, village, outcome, start, seconds, path, parent
                in commune.runs
            ],
        ),
        (
            "INSERT INTO sessions (channel, user_id, state, updated_at) VALUES ('telegram', ?, ?, ?)",
            commune.sessions,
        ),
    ):
        await storage._run(many(query, rows))
