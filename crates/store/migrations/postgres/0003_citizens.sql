-- Citizens' accounts on the portal, their sessions and one-time codes, filing drafts,
-- uploaded files (content stored by SHA-256 outside the database) and fee payments.
CREATE TABLE citizens (
    id            TEXT PRIMARY KEY,
    email         TEXT UNIQUE,
    phone         TEXT UNIQUE,
    password_hash TEXT NOT NULL,
    verified_at   BIGINT,
    full_name     TEXT NOT NULL,
    cccd          TEXT,
    birth_date    TEXT,
    province_code TEXT,
    ward_code     TEXT,
    address_line  TEXT,
    lang          TEXT NOT NULL,
    failed_logins BIGINT NOT NULL DEFAULT 0,
    locked_until  BIGINT,
    created_at    BIGINT NOT NULL
);

CREATE TABLE citizen_codes (
    citizen_id TEXT NOT NULL,
    purpose    TEXT NOT NULL,
    code_hash  TEXT NOT NULL,
    expires_at BIGINT NOT NULL,
    attempts   BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (citizen_id, purpose)
);

CREATE TABLE citizen_sessions (
    token_hash   TEXT PRIMARY KEY,
    citizen_id   TEXT NOT NULL,
    csrf         TEXT NOT NULL,
    created_at   BIGINT NOT NULL,
    last_seen_at BIGINT NOT NULL,
    expires_at   BIGINT NOT NULL,
    user_agent   TEXT NOT NULL,
    revoked_at   BIGINT
);
CREATE INDEX citizen_sessions_citizen ON citizen_sessions(citizen_id);

CREATE TABLE drafts (
    id             TEXT PRIMARY KEY,
    citizen_id     TEXT NOT NULL,
    procedure_code TEXT NOT NULL,
    answers        TEXT NOT NULL,
    created_at     BIGINT NOT NULL,
    updated_at     BIGINT NOT NULL,
    dossier_code   TEXT
);
CREATE INDEX drafts_citizen ON drafts(citizen_id);

CREATE TABLE attachments (
    id           TEXT PRIMARY KEY,
    citizen_id   TEXT NOT NULL,
    draft_id     TEXT,
    dossier_code TEXT,
    document     TEXT NOT NULL,
    file_name    TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size         BIGINT NOT NULL,
    sha256       TEXT NOT NULL,
    created_at   BIGINT NOT NULL
);
CREATE INDEX attachments_citizen ON attachments(citizen_id);
CREATE INDEX attachments_draft ON attachments(draft_id);
CREATE INDEX attachments_dossier ON attachments(dossier_code);

CREATE TABLE payments (
    txn_ref       TEXT PRIMARY KEY,
    dossier_code  TEXT NOT NULL,
    amount        BIGINT NOT NULL,
    status        TEXT NOT NULL,
    created_at    BIGINT NOT NULL,
    paid_at       BIGINT,
    gateway_txn   TEXT,
    bank_code     TEXT,
    response_code TEXT
);
CREATE INDEX payments_dossier ON payments(dossier_code);
