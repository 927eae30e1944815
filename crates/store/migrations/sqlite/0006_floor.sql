-- The rest of the floor: tickets moved to another group or counter and linked to the dossier
-- served; appointments booked by slot; satisfaction ratings as an append-only log.
-- group_code is the group that numbered the ticket; queue_group the one it waits in or was
-- served by (they differ after a transfer).
ALTER TABLE tickets ADD COLUMN queue_group TEXT;
UPDATE tickets SET queue_group = group_code;
ALTER TABLE tickets ADD COLUMN target_counter BIGINT;
ALTER TABLE tickets ADD COLUMN dossier_code TEXT;
ALTER TABLE tickets ADD COLUMN transfers BIGINT NOT NULL DEFAULT 0;
CREATE INDEX tickets_day ON tickets(day, branch_code, status);

-- Bookings per slot, counted by a conditional upsert so that a full slot refuses the next.
CREATE TABLE appointment_slots (
    branch_code TEXT NOT NULL,
    group_code  TEXT NOT NULL,
    slot_at     BIGINT NOT NULL,
    booked      BIGINT NOT NULL,
    PRIMARY KEY (branch_code, group_code, slot_at)
);

CREATE TABLE appointments (
    code        TEXT PRIMARY KEY,
    branch_code TEXT NOT NULL,
    group_code  TEXT NOT NULL,
    slot_at     BIGINT NOT NULL,
    minutes     BIGINT NOT NULL,
    name        TEXT NOT NULL,
    phone       TEXT NOT NULL,
    status      TEXT NOT NULL,
    created_at  BIGINT NOT NULL,
    ticket_id   BIGINT
);
CREATE INDEX appointments_slot ON appointments(branch_code, group_code, slot_at);

-- Every rating given, at a counter's tablet (per ticket) or online (per dossier); at most one
-- of each. Criteria are the per-dossier indicators of Circular 01/2018, scored 2/1/0.
CREATE TABLE ratings (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    ticket_id       BIGINT UNIQUE,
    dossier_code    TEXT UNIQUE,
    day             TEXT NOT NULL,
    branch_code     TEXT,
    group_code      TEXT,
    counter         BIGINT,
    officer         TEXT,
    agency_code     TEXT,
    level           TEXT NOT NULL,
    resolution_time BIGINT,
    contacts        BIGINT,
    agencies        BIGINT,
    attitude        BIGINT,
    comment         TEXT,
    given_by        TEXT NOT NULL,
    at              BIGINT NOT NULL
);
CREATE INDEX ratings_day ON ratings(day);
