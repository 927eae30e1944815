-- The back office: who holds a dossier and when its step runs out (for inboxes), the hash of
-- its electronic result (for the public verification page), leases that
-- let one server instance at a time run a scheduled job, and alerts to officers.
ALTER TABLE dossiers ADD COLUMN assignee TEXT;
ALTER TABLE dossiers ADD COLUMN step_due_at INTEGER;
ALTER TABLE dossiers ADD COLUMN result_sha256 TEXT;
UPDATE dossiers SET assignee = json_extract(state, '$.assignee'),
    result_sha256 = json_extract(state, '$.result.document_sha256');
CREATE INDEX dossiers_assignee ON dossiers(assignee, status);
CREATE INDEX dossiers_result ON dossiers(result_sha256);
CREATE INDEX dossiers_receiving ON dossiers(receiving_agency, status, submitted_at);

CREATE TABLE job_leases (
    name   TEXT PRIMARY KEY,
    holder TEXT NOT NULL,
    until  INTEGER NOT NULL
);

CREATE TABLE staff_alerts (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    dossier_code TEXT NOT NULL REFERENCES dossiers(code),
    kind         TEXT NOT NULL,
    due_at       INTEGER NOT NULL,
    recipient    TEXT NOT NULL,
    created_at   INTEGER NOT NULL,
    read_at      INTEGER,
    UNIQUE (dossier_code, kind, due_at, recipient)
);
CREATE INDEX staff_alerts_recipient ON staff_alerts(recipient, read_at, created_at);
