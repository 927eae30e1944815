-- A petition's published question and answer, kept on its row for the public search: the
-- answer, the question when the petitioner agreed to its publication (personal numbers and
-- e-mail addresses hidden), and both folded (no accents, lower case) for matching words.
ALTER TABLE petitions ADD COLUMN published_question TEXT;
ALTER TABLE petitions ADD COLUMN published_answer TEXT;
ALTER TABLE petitions ADD COLUMN published_words TEXT;
CREATE INDEX petitions_published ON petitions(published_at);
