-- A file reused from an earlier one keeps where it came from: the earlier dossier's code, or
-- the earlier file's id when it was never filed. A dossier filed online records its
-- components (given as files, and which were reused) in its opening event, and its cohort
-- counts whether it had digitised components and reused data; the cohorts stored before
-- did not, so the facts' cohorts and the cohort rollups are emptied here and computed again
-- from the events when the database is next opened.
ALTER TABLE attachments ADD COLUMN reused_from TEXT;
UPDATE dossier_facts SET cohort = '';
DELETE FROM stats_cohorts;
DELETE FROM stats_online_use;
INSERT INTO settings (key, value) SELECT 'stats_rebuild', 'needed' WHERE EXISTS (SELECT 1 FROM dossiers)
    ON CONFLICT (key) DO UPDATE SET value = 'needed';
