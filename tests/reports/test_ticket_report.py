"""Requests for a person in leaders' reports (issue 20, item 5): per village and guide, time to
first answer (median, p90), outcomes, and the steps that send most people to a person."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from bot.core.session import Session
from bot.core.tickets import TicketChange
from bot.core.types import SessionKey
from bot.reports import (
    build_report,
    render_csv,
    render_html,
    render_table,
    render_text_summary,
)
from bot.storage.base import TurnRecord
from bot.storage.sqlite import SqliteStorage
from tests.harness import ROOT, make_engine, make_settings

STAFF = SessionKey("telegram", "701")
T0 = 1_790_000_000.0  # a Tuesday, mid-morning in Vietnam


async def _ticket(store: SqliteStorage, n: int, village: str, flow: str, step: str,
                  answer_after: float | None, outcome: str = "") -> None:
    resident = SessionKey("telegram", str(800 + n))
    opened = T0 + n * 600
    await store.save(TurnRecord(key=resident, session=Session(updated_at=opened), tickets=[
        TicketChange(kind="open", at=opened, resident=resident, text="giúp", flow_id=flow,
                     step=step, village=village)]))
    ticket = await store.open_ticket(resident)
    assert ticket is not None
    changes = []
    if answer_after is not None:
        changes += [
            TicketChange(kind="take", at=opened + 1, ticket_id=ticket.id, by=str(STAFF)),
            TicketChange(kind="note", at=opened + answer_after, ticket_id=ticket.id,
                         author="staff", text="chào", answer=True),
        ]
    if outcome:
        changes.append(TicketChange(kind="close", at=opened + 5000, ticket_id=ticket.id,
                                    outcome=outcome))
    if changes:
        await store.save(TurnRecord(key=STAFF, session=Session(updated_at=opened), tickets=changes))


async def test_reports_count_tickets_and_their_response_time(tmp_path: Path) -> None:
    store = SqliteStorage(tmp_path / "r.sqlite3")
    await store.open()
    try:
        # Answer times 60, 120, 180, 240 and 1200 s: median 180 s, p90 1200 s; one unanswered.
        await _ticket(store, 1, "Thôn 3", "vneid_install", "phone_type", 60, "done")
        await _ticket(store, 2, "Thôn 3", "vneid_install", "phone_type", 120, "referred")
        await _ticket(store, 3, "Thôn 3", "vneid_install", "store_android", 180, "done")
        await _ticket(store, 4, "Thôn 5", "vneid_level2", "", 240)
        await _ticket(store, 5, "Thôn 5", "vneid_install", "phone_type", 1200, "no_answer")
        await _ticket(store, 6, "", "", "", None)
        engine = make_engine(ROOT / "flows")
        settings = make_settings(ROOT / "flows")
        report = await build_report(store, engine.flows, settings, now=T0 + 86400)
    finally:
        await store.close()
    stats = report.tickets
    assert (stats.total, stats.answered) == (6, 5)
    assert (stats.first_answer_median, stats.first_answer_p90) == (180.0, 1200.0)
    assert stats.by_village == (("Thôn 3", 3), ("Thôn 5", 2), ("", 1))
    assert [(f, n) for f, _t, n in stats.by_flow] == [("vneid_install", 4), ("", 1),
                                                       ("vneid_level2", 1)]
    assert stats.outcomes == (("open", 1), ("taken", 1), ("done", 2), ("referred", 1),
                              ("no_answer", 1))
    # The step to fix first: where most people asked for a person.
    first = stats.top_steps[0]
    assert (first[0], first[2], first[4]) == ("vneid_install", "phone_type", 3)

    text = render_table(report, "vi")
    assert "YÊU CẦU GẶP NGƯỜI" in text and "Số yêu cầu: 6 · đã có người trả lời: 5" in text
    assert "trung vị 3 phút 00 giây, 90% trong vòng 20 phút 00 giây" in text
    assert "• Thôn 3: 3" in text and "• đã giải quyết: 2" in text
    assert "phone_type" not in text  # a leader reads the step's words, not its id
    english = render_table(report, "en")
    assert "REQUESTS FOR A PERSON" in english and "Requests: 6 · answered by a person: 5" in english
    summary = render_text_summary(report, "vi")
    assert "Yêu cầu gặp người: Số yêu cầu: 6 · đã có người trả lời: 5 · Thời gian đến" in summary
    page = render_html(report, "vi")
    assert "Yêu cầu gặp người" in page and "Thời gian đến trả lời đầu tiên" in page
    rows = [r for r in csv.DictReader(io.StringIO(render_csv(report, "vi")))
            if r["section"] == "tickets"]
    values = {r["metric"]: r["value"] for r in rows if r["metric"] != "by_village"
              and r["metric"] != "by_flow" and r["metric"] != "step"}
    assert values["total"] == "6" and values["first_answer_median_seconds"] == "180"
    assert values["first_answer_p90_seconds"] == "1200" and values["outcome_done"] == "2"
    steps = [(r["flow_id"], r["step"], r["value"]) for r in rows if r["metric"] == "step"]
    assert steps[0] == ("vneid_install", "phone_type", "3")


async def test_a_village_report_counts_only_that_villages_tickets(tmp_path: Path) -> None:
    store = SqliteStorage(tmp_path / "v.sqlite3")
    await store.open()
    try:
        await _ticket(store, 1, "Thôn 3", "vneid_install", "phone_type", 60, "done")
        await _ticket(store, 2, "Thôn 5", "vneid_install", "phone_type", 120)
        engine = make_engine(ROOT / "flows")
        report = await build_report(store, engine.flows, make_settings(ROOT / "flows"),
                                    village="Thôn 3", now=T0 + 86400)
    finally:
        await store.close()
    assert report.tickets.total == 1 and report.tickets.by_village == (("Thôn 3", 1),)
