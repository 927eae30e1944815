-- An ended dossier's cohort keeps its due month, and its due day only when it is the month's
-- last (motcua_domain::index::cohort): the figures judge an ended dossier open only on the
-- last days of months before it ended, so other days need not split the rollup. The facts
-- and the cohort rollup of an existing database are computed again from its events when it
-- is next opened.
INSERT INTO settings (key, value) SELECT 'stats_rebuild', 'needed' WHERE EXISTS (SELECT 1 FROM dossiers)
    ON CONFLICT (key) DO UPDATE SET value = 'needed';
