-- Questions to an officer (hỏi đáp): asked online or on the hotline when the assistant cannot
-- answer, answered by an officer of the agency concerned within a first-response time, and
-- possibly published as a frequently asked question (then the assistant quotes it) or turned
-- into a petition. The question is kept with personal numbers and e-mail addresses hidden;
-- the asker's name and contact are kept to answer them. Codes are drawn per day.
CREATE TABLE questions (
    code            TEXT PRIMARY KEY,
    asked_at        BIGINT NOT NULL,
    channel         TEXT NOT NULL,
    received_by     TEXT,
    name            TEXT NOT NULL,
    phone           TEXT,
    email           TEXT,
    procedure_code  TEXT,
    agency_code     TEXT NOT NULL,
    question        TEXT NOT NULL,
    state           TEXT NOT NULL,
    answer_due_at   BIGINT NOT NULL,
    answer          TEXT,
    answered_at     BIGINT,
    answered_by     TEXT,
    -- Published as a frequently asked question; its words folded for matching.
    published_at    BIGINT,
    published_words TEXT,
    petition_code   TEXT
);
CREATE INDEX questions_agency ON questions(agency_code, state, answer_due_at);
CREATE INDEX questions_published ON questions(published_at);

CREATE TABLE question_sequences (
    day  TEXT PRIMARY KEY,
    last BIGINT NOT NULL
);
