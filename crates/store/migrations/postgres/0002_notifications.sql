-- Delivery state of outbox messages, and the record of every notification sent.
ALTER TABLE outbox ADD COLUMN last_error TEXT;
ALTER TABLE outbox ADD COLUMN dead_at BIGINT;

CREATE TABLE notifications (
    id           BIGSERIAL PRIMARY KEY,
    outbox_id    BIGINT NOT NULL,
    dossier_code TEXT,
    channel      TEXT NOT NULL,
    recipient    TEXT NOT NULL,
    subject      TEXT NOT NULL,
    body         TEXT NOT NULL,
    sent_at      BIGINT NOT NULL
);
CREATE INDEX notifications_dossier ON notifications(dossier_code);
CREATE INDEX notifications_outbox ON notifications(outbox_id);
