-- The service index and the report forms count dossiers by cohort: the months a dossier was
-- received, ended and due, how it ended, came, was paid and rated (motcua_domain::index::Cohort,
-- encoded). Each fact row keeps its dossier's cohort; the rollup counts dossiers per competent
-- agency, procedure and cohort, so a period's figures read rows bounded by the months, agencies
-- and procedures, never by the number of dossiers. An existing database is filled from its
-- event log when it is next opened.
ALTER TABLE dossier_facts ADD COLUMN cohort TEXT NOT NULL DEFAULT '';

CREATE TABLE stats_cohorts (
    agency_code    TEXT NOT NULL,
    procedure_code TEXT NOT NULL,
    -- 'YYYY-MM'; ended is '' while the dossier is open.
    received       TEXT NOT NULL,
    ended          TEXT NOT NULL,
    cohort         TEXT NOT NULL,
    count          BIGINT NOT NULL,
    PRIMARY KEY (agency_code, procedure_code, received, ended, cohort)
);
CREATE INDEX stats_cohorts_received ON stats_cohorts(received, ended);

INSERT INTO settings (key, value) SELECT 'stats_rebuild', 'needed' WHERE EXISTS (SELECT 1 FROM dossiers)
    ON CONFLICT (key) DO UPDATE SET value = 'needed';
