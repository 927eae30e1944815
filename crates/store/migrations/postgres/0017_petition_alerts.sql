-- The language an asker is answered in, and the alerts the escalation rules raise about
-- overdue petitions: once per petition, rule, due instant and officer.
ALTER TABLE questions ADD COLUMN lang TEXT NOT NULL DEFAULT 'vi';

CREATE TABLE petition_alerts (
    id            BIGSERIAL PRIMARY KEY,
    petition_code TEXT NOT NULL REFERENCES petitions(code),
    rule          TEXT NOT NULL,
    due_at        BIGINT NOT NULL,
    recipient     TEXT NOT NULL,
    created_at    BIGINT NOT NULL,
    read_at       BIGINT,
    UNIQUE (petition_code, rule, due_at, recipient)
);
CREATE INDEX petition_alerts_recipient ON petition_alerts(recipient, read_at, created_at);
