-- The cohort rollup also sums over every procedure of an agency (procedure_code '*') and over
-- the whole province (agency_code and procedure_code '*'), so an agency's or the province's
-- figures read one row per cohort instead of one per agency, procedure and cohort. Whether an
-- online service was used in a month, which those sums no longer tell, is its own rollup:
-- online dossiers received per month of each procedure, per competent agency and over the
-- province (agency_code '*'). Both are computed again from the events of an existing
-- database when it is next opened.
CREATE TABLE stats_online_use (
    agency_code    TEXT NOT NULL,
    -- 'YYYY-MM', the month the dossiers were received.
    month          TEXT NOT NULL,
    procedure_code TEXT NOT NULL,
    count          BIGINT NOT NULL,
    PRIMARY KEY (agency_code, month, procedure_code)
);

INSERT INTO settings (key, value) SELECT 'stats_rebuild', 'needed' WHERE EXISTS (SELECT 1 FROM dossiers)
    ON CONFLICT (key) DO UPDATE SET value = 'needed';
