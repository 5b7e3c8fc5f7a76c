"""Residents' turns saved as one PostgreSQL statement, several turns at a time.

Most turns (a resident answering a step) change their session, the update's key, their
reminders, perhaps a finished run or an alert, and the replies. On PostgreSQL every statement
costs the bot process a round trip, and a turn of the generic transaction
(:func:`bot.storage.sql_turns.save_turn`) is about ten of them. The turns of the residents
saved at the same moment therefore share one statement (as SQLite's group commit shares one
transaction): each column of the turns is one array, and the statement's text is the same
whatever the turns hold, so the server plans it once per connection (a statement written for
each group was planned every time, which cost the server more than the writes themselves).

A statement is atomic on its own (no BEGIN or COMMIT), and each turn in it is checked as the
generic transaction checks it:

- its session is written only at the revision it was read at (``UPDATE … WHERE revision = ?``;
  an upsert for a resident read without one), and only if its update's key was not stored
  before; every other part of the turn joins that write (``saved``), so a turn whose session
  was not written writes nothing at all, and the statement says why: the key was there
  (AlreadyProcessed), or the session had changed (StaleSession). A process saving the same
  update meanwhile waits on the session's row, then finds the newer revision;
- its replies are saved claimed by this process when nothing older waits for that chat (the
  statement's snapshot does not hold its own new rows, which is why a statement holds at most
  one turn of each resident and of each chat: :func:`statements`).

Turns that do more (tickets, relayed messages, a companion's session, lines of the admin log)
keep the generic transaction.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from bot.core.errors import StorageError
from bot.storage.codec import message_to_json
from bot.storage.records import AlreadyProcessed, SavedReplies, TurnRecord
from bot.storage.sql_turns import RUN_COLUMNS, alert_row, followup_row, run_row, stale

__all__ = ["STATEMENT", "Pending", "one_statement", "outcomes", "statements", "turns_params"]


def one_statement(turn: TurnRecord) -> bool:
    """True when ``turn`` can be saved as one statement (it was read at a revision, and it
    touches nothing but its own resident's rows)."""
    return (
        turn.revision is not None
        and turn.companion is None
        and not turn.tickets
        and not turn.relay
        and not turn.admin_actions
    )


@dataclass(frozen=True, slots=True)
class Pending:
    """A turn waiting to be saved: its pseudonym (for finished runs), its session's JSON, and
    the claim on its replies (this process and the end of its lease)."""

    turn: TurnRecord
    user: str
    state: str
    claim: tuple[str, float] | None


# Each array and its element type: one element per turn, then one per row of the turn's
# reminders, finished runs, alerts and replies (``*_n``: the turn's number, from 1).
_TURN = (
    ("channel", "text"),
    ("user_id", "text"),
    ("state", "text"),
    ("updated_at", "float8"),
    ("active_at", "float8"),
    ("expected", "bigint"),
    ("update_key", "text"),
    ("fired", "bigint"),
    ("cancel", "boolean"),
    ("reachable", "boolean"),
    ("holder", "text"),
    ("lease", "float8"),
    ("to_channel", "text"),
    ("to_user", "text"),
)
_FOLLOWUP = (
    ("channel", "text"),
    ("user_id", "text"),
    ("job", "text"),
    ("due", "float8"),
    ("created_at", "float8"),
)
_RUN_TYPES: tuple[str, ...] = ("text", "text", "text", "integer", "text", "float8", "float8")
_RUN_TYPES += ("text", "text", "text", "text", "bigint", "text", "bigint")
_RUN = tuple(zip(RUN_COLUMNS, _RUN_TYPES, strict=True))
_ALERT = (
    ("channel", "text"),
    ("user_id", "text"),
    ("flow_id", "text"),
    ("step", "text"),
    ("text", "text"),
    ("at", "float8"),
)
_REPLY = (("message", "text"),)  # and each reply's turn (o_n), in the turns' order


_NUMBERS: dict[str, Any] = {"float8": float, "bigint": int, "integer": int}


def _unnest(prefix: str, columns: Sequence[tuple[str, str]], *, counted: str = "") -> str:
    """``unnest`` of the arrays ``prefix_n`` (the turn's number) and ``prefix_column``, named as
    the columns; ``counted``: the name of each row's place instead of ``prefix_n``."""
    listed = ([] if counted else [("n", "bigint")]) + list(columns)
    arrays = ", ".join(f"%({prefix}_{name})b::{kind}[]" for name, kind in listed)
    names = ", ".join(name for name, _ in listed)
    if counted:
        return f"unnest({arrays}) WITH ORDINALITY AS {prefix}({names}, {counted})"
    return f"unnest({arrays}) AS {prefix}({names})"


def _insert(name: str, table: str, prefix: str, columns: Sequence[tuple[str, str]]) -> str:
    """The part inserting the rows of saved turns into ``table``."""
    listed = ", ".join(column for column, _ in columns)
    chosen = ", ".join(f"{prefix}.{column}" for column, _ in columns)
    return (
        f"{name} AS (INSERT INTO {table} ({listed}) SELECT {chosen} "
        f"FROM {_unnest(prefix, columns)} JOIN saved USING (n))"
    )


_FIELDS = "state = excluded.state, updated_at = excluded.updated_at, active_at = excluded.active_at"
_CLAIMED = "t.holder <> '' AND NOT EXISTS (SELECT 1 FROM outbox o WHERE o.channel = t.to_channel "
_CLAIMED += "AND o.user_id = t.to_user AND o.sent_at IS NULL)"

STATEMENT = (
    f"WITH turn AS (SELECT * FROM {_unnest('t', _TURN, counted='n')}), "
    "seen AS (SELECT t.n FROM turn t JOIN processed_updates p ON p.update_key = t.update_key), "
    "updated AS (UPDATE sessions s SET state = t.state, updated_at = t.updated_at, "
    "active_at = t.active_at, revision = t.expected + 1 FROM turn t WHERE t.expected > 0 "
    "AND s.channel = t.channel AND s.user_id = t.user_id AND s.revision = t.expected "
    "AND t.n NOT IN (SELECT n FROM seen) RETURNING t.n), "
    # Someone new, or a session stored before revisions were counted (revision 0).
    "inserted AS (INSERT INTO sessions (channel, user_id, state, updated_at, active_at, revision) "
    "SELECT channel, user_id, state, updated_at, active_at, 1 FROM turn WHERE expected = 0 "
    "AND n NOT IN (SELECT n FROM seen) ON CONFLICT (channel, user_id) DO UPDATE SET "
    f"{_FIELDS}, revision = excluded.revision WHERE sessions.revision = 0 "
    "RETURNING channel, user_id), "
    "saved AS (SELECT n FROM updated UNION ALL SELECT t.n FROM inserted i JOIN turn t "
    "ON t.expected = 0 AND t.channel = i.channel AND t.user_id = i.user_id), "
    "done AS (SELECT t.* FROM turn t JOIN saved USING (n)), "
    "fresh AS (INSERT INTO processed_updates (update_key, at) SELECT update_key, updated_at "
    "FROM done WHERE update_key IS NOT NULL ON CONFLICT DO NOTHING), "
    "fired AS (DELETE FROM followups f USING done d WHERE f.id = d.fired), "
    "cancelled AS (DELETE FROM followups f USING done d WHERE d.cancel "
    "AND f.channel = d.channel AND f.user_id = d.user_id), "
    "wrote AS (DELETE FROM unreachable u USING done d WHERE d.reachable "
    "AND u.channel = d.channel AND u.user_id = d.user_id), "
    f"{_insert('reminded', 'followups', 'f', _FOLLOWUP)}, "
    f"{_insert('logged', 'runs', 'r', _RUN)}, "
    f"{_insert('alerted', 'staff_alerts', 'a', _ALERT)}, "
    # The claim is read per turn before any reply is written (the snapshot's outbox).
    f"claims AS (SELECT t.n, {_CLAIMED} AS claimed FROM done t), "
    "replies AS (INSERT INTO outbox (channel, user_id, message, created_at, holder, lease_until) "
    "SELECT d.to_channel, d.to_user, o.message, d.updated_at, "
    "CASE WHEN c.claimed THEN d.holder ELSE '' END, CASE WHEN c.claimed THEN d.lease ELSE 0 END "
    f"FROM {_unnest('o', (*_REPLY, ('n', 'bigint')), counted='seq')} "
    "JOIN done d USING (n) JOIN claims c USING (n) ORDER BY o.seq RETURNING id, holder) "
    "SELECT ARRAY(SELECT n FROM saved), ARRAY(SELECT n FROM seen), "
    "ARRAY(SELECT id FROM replies ORDER BY id), ARRAY(SELECT holder <> '' FROM replies ORDER BY id)"
)


def statements(turns: Sequence[Pending], most: int) -> Iterator[list[Pending]]:
    """``turns`` in statements of at most ``most``, in order, none holding two turns of one
    resident or of one chat (the later waits for the next statement)."""
    group: list[Pending] = []
    taken: set[tuple[str, str]] = set()
    for pending in turns:
        turn = pending.turn
        to = turn.outbox_to or turn.key
        mine = {(turn.key.channel, turn.key.user_id), (to.channel, to.user_id)}
        if group and (len(group) >= most or mine & taken):
            yield group
            group, taken = [], set()
        group.append(pending)
        taken |= mine
    if group:
        yield group


def turns_params(turns: Sequence[Pending]) -> dict[str, list[Any]]:
    """The arrays of :data:`STATEMENT` for ``turns``."""
    params: dict[str, list[Any]] = {}

    def add(prefix: str, columns: Sequence[tuple[str, str]], row: Sequence[Any], n: int) -> None:
        if n:
            params[f"{prefix}_n"].append(n)
        for (name, kind), value in zip(columns, row, strict=True):
            if value is not None and kind in _NUMBERS:  # one Python type to an array
                value = _NUMBERS[kind](value)
            params[f"{prefix}_{name}"].append(value)

    for prefix, columns in (("t", _TURN), ("f", _FOLLOWUP), ("r", _RUN), ("a", _ALERT)):
        for name, _ in columns:
            params[f"{prefix}_{name}"] = []
        if prefix != "t":
            params[f"{prefix}_n"] = []
    params["o_n"], params["o_message"] = [], []
    for n, pending in enumerate(turns, start=1):
        turn, key, session = pending.turn, pending.turn.key, pending.turn.session
        to = turn.outbox_to or key
        holder, lease = pending.claim or ("", 0.0)
        row: tuple[Any, ...] = (key.channel, key.user_id, pending.state, session.updated_at)
        row += (session.active_at, int(turn.revision or 0), turn.update_key or None)
        row += (turn.fired_followup, bool(turn.cancel_followups), turn.reachable, holder, lease)
        add("t", _TURN, (*row, to.channel, to.user_id), 0)
        for job in turn.followups:
            add("f", _FOLLOWUP, followup_row(key, job, session.updated_at), n)
        for run in turn.finished:
            add("r", _RUN, run_row(pending.user, key.channel, run), n)
        for alert in turn.alerts:
            add("a", _ALERT, alert_row(key, alert), n)
        for message in turn.outbox:
            add("o", _REPLY, (message_to_json(message),), n)
    return params


def outcomes(row: Sequence[Any], turns: Sequence[Pending]) -> list[SavedReplies | StorageError]:
    """What the statement's row says of each of ``turns``: its replies' outbox ids, or why its
    session was not written (each turn's caller raises its own)."""
    saved_n, seen_n, ids, claimed = set(row[0]), set(row[1]), list(row[2]), list(row[3])
    found: list[SavedReplies | StorageError] = []
    at = 0  # the replies were written in the turns' order, so their ids ascend so
    for n, pending in enumerate(turns, start=1):
        if n in seen_n:
            found.append(AlreadyProcessed(pending.turn.update_key))
        elif n not in saved_n:
            found.append(stale(pending.turn.key))
        else:
            count = len(pending.turn.outbox)
            saved = SavedReplies(int(i) for i in ids[at : at + count])
            saved.claimed = any(claimed[at : at + count])
            found.append(saved)
            at += count
    return found
