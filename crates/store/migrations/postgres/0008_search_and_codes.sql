-- Officers find dossiers by the applicant's name typed with or without marks: the name
-- folded (lower case, no marks, đ as d) beside it. Filled by the server for dossiers that
-- existed before (the setting asks for it once). A phone number is looked up by its last four
-- digits first.
ALTER TABLE dossiers ADD COLUMN applicant_folded TEXT;
CREATE INDEX dossiers_phone ON dossiers(phone_last4);
INSERT INTO settings (key, value) SELECT 'search_backfill', 'needed' WHERE EXISTS (SELECT 1 FROM dossiers);
-- One-time codes are delivered ahead of any backlog of other notifications.
CREATE INDEX outbox_codes ON outbox(next_attempt_at, id) WHERE topic = 'citizen.code' AND delivered_at IS NULL AND dead_at IS NULL;
