-- The language an asker is answered in; the alerts the escalation rules raise about overdue
-- petitions (once per petition, rule, due instant and officer); and the questions the
-- assistant could not answer, personal numbers hidden, for the weekly report per agency.
ALTER TABLE questions ADD COLUMN lang TEXT NOT NULL DEFAULT 'vi';

CREATE TABLE petition_alerts (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    petition_code TEXT NOT NULL REFERENCES petitions(code),
    rule          TEXT NOT NULL,
    due_at        BIGINT NOT NULL,
    recipient     TEXT NOT NULL,
    created_at    BIGINT NOT NULL,
    read_at       BIGINT,
    UNIQUE (petition_code, rule, due_at, recipient)
);
CREATE INDEX petition_alerts_recipient ON petition_alerts(recipient, read_at, created_at);

CREATE TABLE unanswered_questions (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    asked_at       BIGINT NOT NULL,
    question       TEXT NOT NULL,
    lang           TEXT NOT NULL,
    procedure_code TEXT,
    agency_code    TEXT NOT NULL
);
CREATE INDEX unanswered_questions_asked ON unanswered_questions(asked_at);
CREATE INDEX questions_asked ON questions(asked_at);
