-- Feedback and petitions (phản ánh, kiến nghị): each is an event stream `pakn:{code}` in the
-- audit chain; this row says where it stands for the work lists, the public lookup and the
-- service index (a step taken late, the rating, reopenings, when its handling ended), and is
-- written with its events. Codes are drawn per day like dossier codes.
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
    updated_at   BIGINT NOT NULL,
    -- 1 when some step was taken after its limit.
    late         BIGINT NOT NULL DEFAULT 0,
    -- 1 satisfied, 0 dissatisfied, none while not rated.
    satisfied    BIGINT,
    reopened     BIGINT NOT NULL DEFAULT 0,
    published_at BIGINT,
    -- When its handling ended (published, refused or closed); none while open.
    ended_at     BIGINT
);
CREATE INDEX petitions_filed ON petitions(filed_at);
CREATE INDEX petitions_agency ON petitions(agency_code, state, due_at);

CREATE TABLE petition_sequences (
    day  TEXT PRIMARY KEY,
    last BIGINT NOT NULL
);
