"""The SQLite queries that read the session's JSON (written by
:meth:`bot.core.session.Session.to_json`, its only codec), with SQLite's JSON functions; the
PostgreSQL ones are in :mod:`bot.storage.postgres_json`."""

from __future__ import annotations

__all__ = ["IDLE_SESSIONS", "OPEN_RUNS", "OPEN_RUNS_STARTED"]

IDLE_SESSIONS = (
    "SELECT channel, user_id FROM sessions WHERE active_at < ? AND active_at > 0 "
    "AND json_array_length(state, '$.stack') > 0 ORDER BY active_at LIMIT ?"
)

# The bottom frame of the stack: the flow the resident started (sub-flows sit on top of it).
_ROOT = "$.stack[0]"
_VOLUNTEER = (
    f"CASE json_type(s.state, '{_ROOT}.credit.volunteer_id') WHEN 'integer' "
    f"THEN json_extract(s.state, '{_ROOT}.credit.volunteer_id') END"
)
OPEN_RUNS_STARTED = f"json_extract(s.state, '{_ROOT}.t0')"
OPEN_RUNS = (
    f"SELECT json_extract(s.state, '{_ROOT}.flow'), {OPEN_RUNS_STARTED}, "
    f"json_extract(s.state, '{_ROOT}.credit.village'), "
    f"(SELECT json_group_array(p.value) FROM json_each(s.state, '{_ROOT}.path') p), v.village, "
    f"json_extract(s.state, '{_ROOT}.credit.mode'), v.id "
    f"FROM sessions s LEFT JOIN volunteers v ON v.id = {_VOLUNTEER} "
    f"WHERE json_valid(s.state) AND json_type(s.state, '{_ROOT}') = 'object' "
    f"AND json_type(s.state, '{_ROOT}.flow') IS NOT NULL "
    f"AND json_type(s.state, '{_ROOT}.t0') IN ('integer', 'real') AND "
)
