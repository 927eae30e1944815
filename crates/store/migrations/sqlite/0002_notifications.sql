-- Delivery state of outbox messages, and the record of every notification sent.
ALTER TABLE outbox ADD COLUMN last_error TEXT;
ALTER TABLE outbox ADD COLUMN dead_at INTEGER;

CREATE TABLE notifications (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    outbox_id    INTEGER NOT NULL,
    dossier_code TEXT,
    channel      TEXT NOT NULL,
    recipient    TEXT NOT NULL,
    subject      TEXT NOT NULL,
    body         TEXT NOT NULL,
    sent_at      INTEGER NOT NULL
);
CREATE INDEX notifications_dossier ON notifications(dossier_code);
CREATE INDEX notifications_outbox ON notifications(outbox_id);
