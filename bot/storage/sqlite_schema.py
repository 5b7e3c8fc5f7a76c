"""The SQLite schema, as the list of migrations that build it (a file records how far it got)."""

from __future__ import annotations

__all__ = ["MIGRATIONS", "SCHEMA_VERSION"]

# Each entry moves the file from version N to N+1. Never edit an entry once released: add one.
MIGRATIONS: tuple[str, ...] = (
    """
    CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
    CREATE TABLE sessions (
        channel TEXT NOT NULL,
        user_id TEXT NOT NULL,
        state TEXT NOT NULL,
        updated_at REAL NOT NULL,
        PRIMARY KEY (channel, user_id)
    ) WITHOUT ROWID;
    CREATE TABLE runs (
        id INTEGER PRIMARY KEY,
        user_ref TEXT NOT NULL,
        channel TEXT NOT NULL,
        flow_id TEXT NOT NULL,
        flow_version INTEGER NOT NULL,
        lang TEXT NOT NULL,
        started_at REAL NOT NULL,
        ended_at REAL NOT NULL,
        outcome TEXT NOT NULL,
        path TEXT NOT NULL,
        parent_flow TEXT NOT NULL DEFAULT ''
    );
    CREATE INDEX runs_by_flow ON runs (flow_id, ended_at);
    """,
    """
    CREATE TABLE staff_alerts (
        id INTEGER PRIMARY KEY,
        channel TEXT NOT NULL,
        user_id TEXT NOT NULL,
        flow_id TEXT NOT NULL,
        step TEXT NOT NULL,
        text TEXT NOT NULL,
        at REAL NOT NULL,
        delivered_at REAL
    );
    CREATE INDEX staff_alerts_pending ON staff_alerts (delivered_at);
    """,
    """
    CREATE TABLE processed_updates (update_key TEXT PRIMARY KEY, at REAL NOT NULL) WITHOUT ROWID;
    CREATE INDEX processed_updates_at ON processed_updates (at);
    CREATE TABLE outbox (
        id INTEGER PRIMARY KEY,
        channel TEXT NOT NULL,
        user_id TEXT NOT NULL,
        message TEXT NOT NULL,
        created_at REAL NOT NULL,
        sent_at REAL,
        dropped INTEGER NOT NULL DEFAULT 0
    );
    CREATE INDEX outbox_pending ON outbox (sent_at, channel, user_id);
    CREATE TABLE unreachable (
        channel TEXT NOT NULL,
        user_id TEXT NOT NULL,
        since REAL NOT NULL,
        PRIMARY KEY (channel, user_id)
    ) WITHOUT ROWID;
    CREATE TABLE file_cache (ref TEXT PRIMARY KEY, file_id TEXT NOT NULL) WITHOUT ROWID;
    """,
    """
    CREATE TABLE flow_versions (
        flow_id TEXT NOT NULL,
        version INTEGER NOT NULL,
        digest TEXT NOT NULL,
        loaded_at REAL NOT NULL,
        PRIMARY KEY (flow_id, digest)
    ) WITHOUT ROWID;
    """,
    # Volunteers, households and visits (door-to-door help), and what admins did.
    """
    ALTER TABLE runs ADD COLUMN mode TEXT NOT NULL DEFAULT 'self';
    ALTER TABLE runs ADD COLUMN volunteer_id INTEGER;
    ALTER TABLE runs ADD COLUMN village TEXT NOT NULL DEFAULT '';
    ALTER TABLE runs ADD COLUMN visit_id INTEGER;
    CREATE INDEX runs_by_village ON runs (village, flow_id);
    CREATE TABLE volunteers (
        id INTEGER PRIMARY KEY,
        channel TEXT NOT NULL,
        user_id TEXT NOT NULL,
        name TEXT NOT NULL DEFAULT '',
        village TEXT NOT NULL,
        commune TEXT NOT NULL DEFAULT '',
        code TEXT NOT NULL UNIQUE,
        active INTEGER NOT NULL DEFAULT 1,
        joined_at REAL NOT NULL,
        deactivated_at REAL,
        UNIQUE (channel, user_id)
    );
    CREATE TABLE invites (
        code_hash TEXT PRIMARY KEY,
        village TEXT NOT NULL,
        commune TEXT NOT NULL DEFAULT '',
        created_by TEXT NOT NULL,
        created_at REAL NOT NULL,
        expires_at REAL NOT NULL,
        used_by INTEGER,
        used_at REAL
    ) WITHOUT ROWID;
    CREATE TABLE households (
        id INTEGER PRIMARY KEY,
        volunteer_id INTEGER NOT NULL,
        village TEXT NOT NULL,
        label TEXT NOT NULL,
        label_key TEXT NOT NULL,
        created_at REAL NOT NULL,
        UNIQUE (volunteer_id, village, label_key)
    );
    CREATE TABLE visits (
        id INTEGER PRIMARY KEY,
        volunteer_id INTEGER NOT NULL,
        household_id INTEGER NOT NULL,
        village TEXT NOT NULL,
        started_at REAL NOT NULL,
        ended_at REAL
    );
    CREATE TABLE visit_outcomes (
        id INTEGER PRIMARY KEY,
        visit_id INTEGER NOT NULL,
        household_id INTEGER NOT NULL,
        volunteer_id INTEGER NOT NULL,
        village TEXT NOT NULL,
        flow_id TEXT NOT NULL,
        outcome TEXT NOT NULL,
        note TEXT NOT NULL DEFAULT '',
        at REAL NOT NULL
    );
    CREATE INDEX visit_outcomes_by_household ON visit_outcomes (household_id, flow_id, at);
    CREATE TABLE admin_actions (
        id INTEGER PRIMARY KEY,
        actor TEXT NOT NULL,
        action TEXT NOT NULL,
        detail TEXT NOT NULL DEFAULT '',
        allowed INTEGER NOT NULL,
        at REAL NOT NULL
    );
    """,
    # Reminders and expiry: scheduled follow-ups, when a resident last did something, and the
    # volunteers' morning lists already sent.
    """
    CREATE TABLE followups (
        -- AUTOINCREMENT: an id is never reused, because "fu:<id>" marks it as sent for good.
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        channel TEXT NOT NULL,
        user_id TEXT NOT NULL,
        job TEXT NOT NULL,
        due REAL NOT NULL,
        created_at REAL NOT NULL
    );
    CREATE INDEX followups_due ON followups (due);
    CREATE INDEX followups_user ON followups (channel, user_id);
    ALTER TABLE sessions ADD COLUMN active_at REAL NOT NULL DEFAULT 0;
    CREATE INDEX sessions_active ON sessions (active_at);
    CREATE TABLE morning_lists (
        volunteer_id INTEGER NOT NULL,
        day TEXT NOT NULL,
        sent_at REAL NOT NULL,
        PRIMARY KEY (volunteer_id, day)
    ) WITHOUT ROWID;
    """,
    # Optimistic concurrency: every save of a session raises its revision by one, and a turn
    # saved with the revision it read fails when another process saved a newer one meanwhile.
    """
    ALTER TABLE sessions ADD COLUMN revision INTEGER NOT NULL DEFAULT 0;
    """,
    # The people of a household, by number (a short name once the volunteer gives one): each
    # person's outcomes are kept apart, and each has their own guided session, on the "visit"
    # channel ("visit:<household id>-<number>"). Outcomes recorded before are the first person's,
    # who is added to every household that has some.
    """
    CREATE TABLE household_members (
        household_id INTEGER NOT NULL,
        number INTEGER NOT NULL,
        label TEXT NOT NULL DEFAULT '',
        label_key TEXT NOT NULL DEFAULT '',
        created_at REAL NOT NULL,
        PRIMARY KEY (household_id, number)
    ) WITHOUT ROWID;
    CREATE UNIQUE INDEX household_members_label ON household_members (household_id, label_key)
        WHERE label_key != '';
    ALTER TABLE visit_outcomes ADD COLUMN member INTEGER NOT NULL DEFAULT 1;
    INSERT INTO household_members (household_id, number, created_at)
        SELECT household_id, 1, MIN(at) FROM visit_outcomes GROUP BY household_id;
    CREATE INDEX visit_outcomes_at ON visit_outcomes (at);
    CREATE INDEX visits_by_household ON visits (household_id);
    """,
    # What a channel keeps for itself (a Zalo OA's access and refresh tokens, when each resident
    # last wrote), with a lease so only one process renews a single-use refresh token.
    """
    CREATE TABLE channel_state (
        channel TEXT NOT NULL,
        name TEXT NOT NULL,
        value TEXT NOT NULL DEFAULT '',
        holder TEXT NOT NULL DEFAULT '',
        lease_until REAL NOT NULL DEFAULT 0,
        updated_at REAL NOT NULL DEFAULT 0,
        PRIMARY KEY (channel, name)
    ) WITHOUT ROWID;
    """,
    # A volunteer's hand-over links (a household member's guide continued on the resident's own
    # phone): only the hash of the token, whose person and visit, until when, when used and by
    # whom (the chat's keyed pseudonym, so the same chat opening it again carries on).
    """
    CREATE TABLE handovers (
        token_hash TEXT PRIMARY KEY,
        household_id INTEGER NOT NULL,
        member INTEGER NOT NULL,
        visit_id INTEGER NOT NULL,
        volunteer_id INTEGER NOT NULL,
        created_at REAL NOT NULL,
        expires_at REAL NOT NULL,
        used_at REAL,
        used_by TEXT NOT NULL DEFAULT ''
    ) WITHOUT ROWID;
    CREATE INDEX handovers_by_volunteer ON handovers (volunteer_id);
    """,
    # Residents' requests for a person (tickets), the conversation relayed through the bot (its
    # notes, masked), and which staff members are off duty (everyone else is on duty).
    """
    CREATE TABLE tickets (
        id INTEGER PRIMARY KEY,
        channel TEXT NOT NULL,
        user_id TEXT NOT NULL,
        status TEXT NOT NULL DEFAULT 'open',
        flow_id TEXT NOT NULL DEFAULT '',
        step TEXT NOT NULL DEFAULT '',
        path TEXT NOT NULL DEFAULT '[]',
        village TEXT NOT NULL DEFAULT '',
        lang TEXT NOT NULL DEFAULT 'vi',
        xung_ho TEXT NOT NULL DEFAULT '',
        opened_at REAL NOT NULL,
        taken_by TEXT NOT NULL DEFAULT '',
        taker_name TEXT NOT NULL DEFAULT '',
        taken_at REAL,
        first_answer_at REAL,
        closed_at REAL,
        outcome TEXT NOT NULL DEFAULT '',
        note TEXT NOT NULL DEFAULT '',
        notified INTEGER NOT NULL DEFAULT 0,
        notified_at REAL,
        contact TEXT NOT NULL DEFAULT ''
    );
    CREATE UNIQUE INDEX tickets_one_open ON tickets (channel, user_id) WHERE status != 'closed';
    CREATE INDEX tickets_opened ON tickets (opened_at);
    CREATE TABLE ticket_notes (
        id INTEGER PRIMARY KEY,
        ticket_id INTEGER NOT NULL,
        author TEXT NOT NULL,
        name TEXT NOT NULL DEFAULT '',
        text TEXT NOT NULL,
        at REAL NOT NULL
    );
    CREATE INDEX ticket_notes_ticket ON ticket_notes (ticket_id);
    CREATE TABLE staff_duty (
        staff TEXT PRIMARY KEY,
        on_duty INTEGER NOT NULL,
        at REAL NOT NULL
    ) WITHOUT ROWID;
    """,
    # Which process claimed a waiting reply or a due follow-up, and until when (several
    # processes on one database: one of them carries it out, another if that one died).
    """
    ALTER TABLE outbox ADD COLUMN holder TEXT NOT NULL DEFAULT '';
    ALTER TABLE outbox ADD COLUMN lease_until REAL NOT NULL DEFAULT 0;
    ALTER TABLE followups ADD COLUMN holder TEXT NOT NULL DEFAULT '';
    ALTER TABLE followups ADD COLUMN lease_until REAL NOT NULL DEFAULT 0;
    """,
    # Until when a volunteer's morning list is claimed by the process sending it (0: sent):
    # the list of a process that died before sending it goes out from another.
    """
    ALTER TABLE morning_lists ADD COLUMN lease_until REAL NOT NULL DEFAULT 0;
    """,
)
SCHEMA_VERSION = len(MIGRATIONS)
