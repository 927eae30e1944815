-- motcua schema, PostgreSQL. Timestamps are milliseconds since the Unix epoch (UTC); dates are
-- ISO text (YYYY-MM-DD) in Asia/Ho_Chi_Minh; JSON documents are TEXT.

CREATE TABLE agencies (
    code            TEXT PRIMARY KEY,
    parent_code     TEXT REFERENCES agencies(code),
    name            TEXT NOT NULL,
    name_en         TEXT,
    kind            TEXT NOT NULL,
    admin_unit_code TEXT
);
CREATE INDEX agencies_parent ON agencies(parent_code);

CREATE TABLE branches (
    code        TEXT PRIMARY KEY,
    agency_code TEXT NOT NULL REFERENCES agencies(code),
    name        TEXT NOT NULL,
    address     TEXT NOT NULL,
    hours       TEXT NOT NULL
);

CREATE TABLE counters (
    branch_code TEXT NOT NULL REFERENCES branches(code),
    number      BIGINT NOT NULL,
    label       TEXT NOT NULL,
    PRIMARY KEY (branch_code, number)
);

CREATE TABLE users (
    username      TEXT PRIMARY KEY,
    full_name     TEXT NOT NULL,
    role          TEXT NOT NULL,
    agency_code   TEXT REFERENCES agencies(code),
    password_hash TEXT NOT NULL,
    active        BIGINT NOT NULL DEFAULT 1,
    created_at    BIGINT NOT NULL
);

CREATE TABLE auth_tokens (
    token_hash TEXT PRIMARY KEY,
    username   TEXT NOT NULL REFERENCES users(username),
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL
);
CREATE INDEX auth_tokens_expiry ON auth_tokens(expires_at);

CREATE TABLE api_keys (
    key_hash    TEXT PRIMARY KEY,
    name        TEXT NOT NULL UNIQUE,
    agency_code TEXT NOT NULL REFERENCES agencies(code),
    scopes      TEXT NOT NULL,
    created_at  BIGINT NOT NULL,
    revoked_at  BIGINT
);

CREATE TABLE procedures (
    code         TEXT PRIMARY KEY,
    name         TEXT NOT NULL,
    field        TEXT NOT NULL,
    level        TEXT NOT NULL,
    agency_code  TEXT NOT NULL REFERENCES agencies(code),
    online_level TEXT NOT NULL,
    record       TEXT NOT NULL,
    updated_at   BIGINT NOT NULL
);
CREATE INDEX procedures_agency ON procedures(agency_code);

CREATE TABLE calendar_days (
    day  TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    name TEXT NOT NULL
);

CREATE TABLE dossier_sequences (
    agency_code TEXT NOT NULL,
    day         TEXT NOT NULL,
    last        BIGINT NOT NULL,
    PRIMARY KEY (agency_code, day)
);

CREATE TABLE dossiers (
    code              TEXT PRIMARY KEY,
    procedure_code    TEXT NOT NULL,
    status            TEXT NOT NULL,
    channel           TEXT NOT NULL,
    receiving_agency  TEXT NOT NULL,
    competent_agency  TEXT NOT NULL,
    current_agency    TEXT NOT NULL,
    branch_code       TEXT,
    owner             TEXT,
    applicant_name    TEXT NOT NULL,
    applicant_cccd    TEXT,
    phone_last4       TEXT,
    submitted_at      BIGINT NOT NULL,
    received_at       BIGINT,
    due_at            BIGINT,
    result_at         BIGINT,
    timeliness        TEXT,
    version           BIGINT NOT NULL,
    state             TEXT NOT NULL,
    form              TEXT NOT NULL
);
CREATE INDEX dossiers_current ON dossiers(current_agency, status, due_at);
CREATE INDEX dossiers_cccd ON dossiers(applicant_cccd);
CREATE INDEX dossiers_owner ON dossiers(owner);

CREATE TABLE dossier_agencies (
    dossier_code TEXT NOT NULL REFERENCES dossiers(code),
    agency_code  TEXT NOT NULL,
    PRIMARY KEY (dossier_code, agency_code)
);
CREATE INDEX dossier_agencies_agency ON dossier_agencies(agency_code);

-- Append-only, hash-chained history. `seq` is the global order of the chain.
CREATE TABLE events (
    seq       BIGINT PRIMARY KEY,
    stream    TEXT NOT NULL,
    version   BIGINT NOT NULL,
    kind      TEXT NOT NULL,
    at        BIGINT NOT NULL,
    body      TEXT NOT NULL,
    prev_hash TEXT NOT NULL,
    hash      TEXT NOT NULL,
    UNIQUE (stream, version)
);

CREATE TABLE chain_head (
    id   BIGINT PRIMARY KEY CHECK (id = 1),
    seq  BIGINT NOT NULL,
    hash TEXT NOT NULL
);
INSERT INTO chain_head (id, seq, hash) VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');

CREATE TABLE outbox (
    id              BIGSERIAL PRIMARY KEY,
    event_seq       BIGINT NOT NULL,
    topic           TEXT NOT NULL,
    payload         TEXT NOT NULL,
    created_at      BIGINT NOT NULL,
    attempts        BIGINT NOT NULL DEFAULT 0,
    next_attempt_at BIGINT NOT NULL,
    delivered_at    BIGINT
);
CREATE INDEX outbox_pending ON outbox(delivered_at, next_attempt_at);

CREATE TABLE daily_stats (
    day            TEXT NOT NULL,
    agency_code    TEXT NOT NULL,
    procedure_code TEXT NOT NULL,
    branch_code    TEXT NOT NULL,
    channel        TEXT NOT NULL,
    metric         TEXT NOT NULL,
    count          BIGINT NOT NULL,
    PRIMARY KEY (day, agency_code, procedure_code, branch_code, channel, metric)
);

CREATE TABLE settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
