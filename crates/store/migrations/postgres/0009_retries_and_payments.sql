-- Wrong passwords are counted by client and account in the server (not on the account, where
-- anyone could lock its owner out).
ALTER TABLE citizens DROP COLUMN failed_logins;
ALTER TABLE citizens DROP COLUMN locked_until;

-- A request sent again with the same Idempotency-Key gets the first answer for 24 hours:
-- the key's owner (a hash of the credentials), the key, a hash of the request, and the answer
-- once there is one.
CREATE TABLE idempotency_keys (
    scope        TEXT NOT NULL,
    key          TEXT NOT NULL,
    request_hash TEXT NOT NULL,
    status       BIGINT,
    response     TEXT,
    created_at   BIGINT NOT NULL,
    PRIMARY KEY (scope, key)
);
CREATE INDEX idempotency_keys_created ON idempotency_keys(created_at);

-- At most one payment in progress per dossier. Of pending payments found here, the latest of
-- each dossier stays pending and the others are expired (the gateway may still settle them).
UPDATE payments SET status = 'expired'
WHERE status = 'pending' AND EXISTS (
    SELECT 1 FROM payments later
    WHERE later.dossier_code = payments.dossier_code AND later.status = 'pending'
      AND (later.created_at > payments.created_at
           OR (later.created_at = payments.created_at AND later.txn_ref > payments.txn_ref)));
CREATE UNIQUE INDEX payments_one_pending ON payments(dossier_code) WHERE status = 'pending';
