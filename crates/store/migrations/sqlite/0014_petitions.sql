-- Feedback and petitions (phản ánh, kiến nghị): each is an event stream `pakn:{code}` in the
-- audit chain; this row says where it stands for the work lists and the public lookup, and
-- is written with its events. Codes are drawn per day like dossier codes.
CREATE TABLE petitions (
    code         TEXT PRIMARY KEY,
    version      INTEGER NOT NULL,
    state        TEXT NOT NULL,
    agency_code  TEXT NOT NULL,
    category     TEXT,
    channel      TEXT NOT NULL,
    dossier_code TEXT,
    filed_at     BIGINT NOT NULL,
    due_at       BIGINT,
    updated_at   BIGINT NOT NULL
);
CREATE INDEX petitions_agency ON petitions(agency_code, state, due_at);

CREATE TABLE petition_sequences (
    day  TEXT PRIMARY KEY,
    last BIGINT NOT NULL
);
