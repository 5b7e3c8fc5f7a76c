"""The PostgreSQL queries that read the session's JSON (written by
:meth:`bot.core.session.Session.to_json`, its only codec), with jsonb operators on
``trolyso_state(state)`` (NULL for a session PostgreSQL cannot read as jsonb); the SQLite ones
are in :mod:`bot.storage.sqlite_json`. They give the same rows.

The shared SQL's ``?`` placeholders become psycopg's ``%s``: so none of jsonb's ``?`` operators
is used here.
"""

from __future__ import annotations

__all__ = ["IDLE_SESSIONS", "OPEN_RUNS", "OPEN_RUNS_STARTED"]

IDLE_SESSIONS = (
    "SELECT channel, user_id FROM sessions WHERE active_at < ? AND active_at > 0 "
    "AND jsonb_typeof(trolyso_state(state) -> 'stack') = 'array' "
    "AND trolyso_state(state) -> 'stack' -> 0 IS NOT NULL "
    "ORDER BY active_at, channel, user_id LIMIT ?"
)

# A whole number that fits a BIGINT (a volunteer id is credited only when it is one, as SQLite's
# json_type 'integer').
_WHOLE = "'^-{0,1}[0-9]{1,18}$'"  # (no question mark: it would become a placeholder)
OPEN_RUNS_STARTED = "r.started_at"
OPEN_RUNS = (
    "SELECT r.flow, r.started_at, r.village, r.path, v.village, r.mode, v.id FROM ("
    " SELECT f ->> 'flow' AS flow,"
    " CASE WHEN jsonb_typeof(f -> 't0') = 'number' THEN (f ->> 't0')::float8 END AS started_at,"
    " f -> 'credit' ->> 'village' AS village,"
    " f -> 'credit' ->> 'mode' AS mode,"
    " CASE WHEN jsonb_typeof(f -> 'path') = 'array' THEN (f -> 'path')::text END AS path,"
    " CASE WHEN jsonb_typeof(f -> 'credit' -> 'volunteer_id') = 'number'"
    f" AND (f -> 'credit' ->> 'volunteer_id') ~ {_WHOLE}"
    " THEN (f -> 'credit' ->> 'volunteer_id')::bigint END AS volunteer_id"
    # The bottom frame of the stack: the flow the resident started (sub-flows sit on top).
    " FROM (SELECT trolyso_state(state) -> 'stack' -> 0 AS f FROM sessions) AS frames"
    " WHERE jsonb_typeof(f) = 'object' AND f -> 'flow' IS NOT NULL"
    ") AS r LEFT JOIN volunteers v ON v.id = r.volunteer_id "
    "WHERE r.started_at IS NOT NULL AND "
)
