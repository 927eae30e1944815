-- The floor of a branch: service groups (by field) served by counters, and queue tickets
-- numbered per group and day.
CREATE TABLE service_groups (
    branch_code TEXT NOT NULL REFERENCES branches(code),
    code        TEXT NOT NULL,
    name        TEXT NOT NULL,
    prefix      TEXT NOT NULL,
    PRIMARY KEY (branch_code, code)
);

CREATE TABLE group_counters (
    branch_code TEXT NOT NULL,
    group_code  TEXT NOT NULL,
    counter     INTEGER NOT NULL,
    PRIMARY KEY (branch_code, group_code, counter)
);

CREATE TABLE ticket_sequences (
    branch_code TEXT NOT NULL,
    group_code  TEXT NOT NULL,
    day         TEXT NOT NULL,
    last        INTEGER NOT NULL,
    PRIMARY KEY (branch_code, group_code, day)
);

CREATE TABLE tickets (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    branch_code TEXT NOT NULL,
    group_code  TEXT NOT NULL,
    day         TEXT NOT NULL,
    seq         INTEGER NOT NULL,
    number      TEXT NOT NULL,
    priority    TEXT,
    slot_at     INTEGER,
    status      TEXT NOT NULL,
    issued_at   INTEGER NOT NULL,
    called_at   INTEGER,
    counter     INTEGER,
    officer     TEXT,
    ended_at    INTEGER,
    UNIQUE (branch_code, group_code, day, seq)
);
CREATE INDEX tickets_waiting ON tickets(branch_code, status, group_code);

-- Every call of a ticket to a counter, in order: what display boards show and replay.
CREATE TABLE ticket_calls (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    branch_code TEXT NOT NULL,
    ticket_id   INTEGER NOT NULL,
    number      TEXT NOT NULL,
    group_code  TEXT NOT NULL,
    counter     INTEGER NOT NULL,
    at          INTEGER NOT NULL
);
CREATE INDEX ticket_calls_branch ON ticket_calls(branch_code, id);
