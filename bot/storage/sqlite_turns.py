"""The statements of one write transaction of the SQLite store: a batch of operations (group
commit), and a whole turn inside it (session, log, outbox, follow-ups, update key)."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from typing import Any

from bot.core.errors import StaleSession
from bot.storage.codec import job_to_json, message_to_json
from bot.storage.records import AlreadyProcessed, TurnRecord

__all__ = ["run_batch", "save_turn"]


def run_batch(
    conn: sqlite3.Connection, batch: list[tuple[Callable[[sqlite3.Connection], Any], Any]]
) -> list[tuple[bool, Any]]:
    """One transaction for a batch of write operations, each in its own savepoint."""
    outcomes: list[tuple[bool, Any]] = []
    conn.execute("BEGIN IMMEDIATE")
    try:
        for operation, _future in batch:
            conn.execute("SAVEPOINT operation")
            try:
                outcomes.append((True, operation(conn)))
            except Exception as exc:
                conn.execute("ROLLBACK TO operation")
                outcomes.append((False, exc))
            conn.execute("RELEASE operation")
        conn.execute("COMMIT")
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise
    return outcomes


def save_turn(
    conn: sqlite3.Connection, turn: TurnRecord, user: str, state: str
) -> tuple[list[int], int]:
    """The statements of one turn (inside the batch's transaction): its outbox ids and the
    session's new revision."""
    key = turn.key
    session = turn.session
    if turn.update_key:
        try:
            conn.execute(
                "INSERT INTO processed_updates (update_key, at) VALUES (?, ?)",
                (turn.update_key, session.updated_at),
            )
        except sqlite3.IntegrityError:
            raise AlreadyProcessed(turn.update_key) from None
    # The write lock is held (BEGIN IMMEDIATE): no other process can save between this read
    # and the write below.
    row = conn.execute(
        "SELECT revision FROM sessions WHERE channel = ? AND user_id = ?",
        (key.channel, key.user_id),
    ).fetchone()
    current = int(row[0]) if row else 0
    if turn.revision is not None and turn.revision != current:
        raise StaleSession(f"{key.channel}: the session changed since it was read")
    conn.execute(
        "INSERT INTO sessions (channel, user_id, state, updated_at, active_at, revision) "
        "VALUES (?, ?, ?, ?, ?, ?) "
        "ON CONFLICT (channel, user_id) DO UPDATE SET state = excluded.state, "
        "updated_at = excluded.updated_at, active_at = excluded.active_at, "
        "revision = excluded.revision",
        (key.channel, key.user_id, state, session.updated_at, session.active_at, current + 1),
    )
    if turn.fired_followup is not None:
        conn.execute("DELETE FROM followups WHERE id = ?", (turn.fired_followup,))
    if turn.cancel_followups:
        conn.execute(
            "DELETE FROM followups WHERE channel = ? AND user_id = ?", (key.channel, key.user_id)
        )
    if turn.followups:
        conn.executemany(
            "INSERT INTO followups (channel, user_id, job, due, created_at) VALUES (?, ?, ?, ?, ?)",
            [
                (key.channel, key.user_id, job_to_json(job), job.due, session.updated_at)
                for job in turn.followups
            ],
        )
    if turn.finished:
        conn.executemany(
            "INSERT INTO runs (user_ref, channel, flow_id, flow_version, lang, started_at, "
            "ended_at, outcome, path, parent_flow, mode, volunteer_id, village, visit_id) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                (
                    user,
                    key.channel,
                    run.flow_id,
                    run.flow_version,
                    run.lang,
                    run.started_at,
                    run.ended_at,
                    run.outcome,
                    json.dumps(list(run.path)),
                    run.parent_flow,
                    run.mode,
                    run.volunteer_id,
                    run.village,
                    run.visit_id,
                )
                for run in turn.finished
            ],
        )
    if turn.alerts:
        conn.executemany(
            "INSERT INTO staff_alerts (channel, user_id, flow_id, step, text, at) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            [(key.channel, key.user_id, a.flow_id, a.step, a.text, a.at) for a in turn.alerts],
        )
    outbox_ids: list[int] = []
    for message in turn.outbox:
        cursor = conn.execute(
            "INSERT INTO outbox (channel, user_id, message, created_at) VALUES (?, ?, ?, ?)",
            (key.channel, key.user_id, message_to_json(message), session.updated_at),
        )
        outbox_ids.append(int(cursor.lastrowid or 0))
    return outbox_ids, current + 1
