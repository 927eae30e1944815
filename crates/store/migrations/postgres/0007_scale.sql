-- Statistics from facts: one row per dossier with what the figures need, written with each
-- event, and rollups whose size is bounded by the calendar, agencies, procedures, branches and
-- metrics, never by the number of dossiers (crates/store/src/rollup.rs). They replace the
-- per-day counters; an existing database is filled from its event log when it is next opened.
DROP TABLE daily_stats;

CREATE TABLE dossier_facts (
    code                TEXT PRIMARY KEY REFERENCES dossiers(code),
    version             BIGINT NOT NULL,
    procedure_code      TEXT NOT NULL,
    receiving_agency    TEXT NOT NULL,
    competent_agency    TEXT NOT NULL,
    current_agency      TEXT NOT NULL,
    branch_code         TEXT NOT NULL,
    channel             TEXT NOT NULL,
    status              TEXT NOT NULL,
    submitted_at        BIGINT NOT NULL,
    received_at         BIGINT,
    due_at              BIGINT,
    finished_at         BIGINT,
    returned_at         BIGINT,
    timeliness          TEXT,
    supplement_requests BIGINT NOT NULL,
    supplement_secs     BIGINT NOT NULL,
    prepaid_fee         BIGINT NOT NULL,
    fee_paid            BIGINT NOT NULL,
    rating              TEXT,
    tally               TEXT NOT NULL
);

-- grain 'd' (period YYYY-MM-DD) or 'm' (YYYY-MM); '*' in a dimension means all of them; a
-- branch of '' is no branch (filed online or by post).
CREATE TABLE stats_rollup (
    grain          TEXT NOT NULL,
    agency_code    TEXT NOT NULL,
    procedure_code TEXT NOT NULL,
    branch_code    TEXT NOT NULL,
    period         TEXT NOT NULL,
    metric         TEXT NOT NULL,
    count          BIGINT NOT NULL,
    PRIMARY KEY (grain, agency_code, procedure_code, branch_code, period, metric)
);
-- The procedures filed most: month rows of every agency and branch, per procedure.
CREATE INDEX stats_rollup_filed ON stats_rollup(period, procedure_code)
    WHERE grain = 'm' AND agency_code = '*' AND branch_code = '*' AND metric = 'submitted';

INSERT INTO settings (key, value) SELECT 'stats_rebuild', 'needed' WHERE EXISTS (SELECT 1 FROM dossiers);

-- The outbox: a claim takes the first rows of an index that holds only undelivered messages,
-- in the order they are due; delivered messages are pruned in the order they were delivered.
DROP INDEX outbox_pending;
CREATE INDEX outbox_due ON outbox(next_attempt_at, id) WHERE delivered_at IS NULL AND dead_at IS NULL;
CREATE INDEX outbox_delivered ON outbox(delivered_at) WHERE delivered_at IS NOT NULL;

-- Work lists read in index order: `work_due` is the appointment (or the end of time when there
-- is none), `urgent_at` the earliest of the appointment and the current step's due instant.
-- A list is the first rows of one index range per agency and status, merged.
ALTER TABLE dossiers ADD COLUMN work_due BIGINT NOT NULL DEFAULT 9223372036854775807;
ALTER TABLE dossiers ADD COLUMN urgent_at BIGINT NOT NULL DEFAULT 9223372036854775807;
UPDATE dossiers SET work_due = COALESCE(due_at, 9223372036854775807),
    urgent_at = CASE WHEN due_at IS NULL THEN COALESCE(step_due_at, 9223372036854775807)
                     WHEN step_due_at IS NULL THEN due_at
                     ELSE LEAST(due_at, step_due_at) END;
DROP INDEX dossiers_current;
DROP INDEX dossiers_receiving;
DROP INDEX dossiers_assignee;
CREATE INDEX dossiers_holder_due ON dossiers(current_agency, status, work_due, submitted_at, code);
CREATE INDEX dossiers_holder_urgent ON dossiers(current_agency, status, urgent_at, submitted_at, code);
CREATE INDEX dossiers_status_due ON dossiers(status, work_due, submitted_at, code);
CREATE INDEX dossiers_status_urgent ON dossiers(status, urgent_at, submitted_at, code);
CREATE INDEX dossiers_receiver_due ON dossiers(receiving_agency, status, work_due, submitted_at, code);
CREATE INDEX dossiers_assignee_due ON dossiers(assignee, status, work_due, submitted_at, code);

-- The deadline watcher looks at a dossier when `watch_at` has come: at once after any change
-- (0), then when its next deadline enters the warning window or passes.
ALTER TABLE dossiers ADD COLUMN watch_at BIGINT NOT NULL DEFAULT 0;
CREATE INDEX dossiers_watch ON dossiers(status, watch_at);
