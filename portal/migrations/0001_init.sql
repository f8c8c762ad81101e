-- The portal's tables. Portable SQL (SQLite and PostgreSQL): TEXT keys, BIGINT numbers.
CREATE TABLE uploads (
    id TEXT PRIMARY KEY,
    sha256 TEXT NOT NULL,
    size BIGINT NOT NULL,
    media_type TEXT NOT NULL,
    created_at TEXT NOT NULL
);

CREATE TABLE documents (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    format TEXT NOT NULL,
    media_type TEXT NOT NULL,
    original_sha256 TEXT NOT NULL,
    -- The current signature: the .p7s (CAdES) or the signed PDF (PAdES); NULL before the first.
    signed_sha256 TEXT,
    -- Bumped by every change of signed_sha256 (compare-and-set: no signature is lost or doubled).
    revision BIGINT NOT NULL DEFAULT 0,
    sender TEXT,
    created_at TEXT NOT NULL
);

CREATE TABLE participants (
    key TEXT PRIMARY KEY,
    document_id TEXT NOT NULL REFERENCES documents(id),
    position BIGINT NOT NULL,
    kind TEXT NOT NULL,
    name TEXT NOT NULL,
    email TEXT,
    cpf TEXT,
    cnpj TEXT,
    step BIGINT NOT NULL,
    certificate_id TEXT,
    status TEXT NOT NULL DEFAULT 'pending',
    signed_at TEXT,
    certificate_sha256 TEXT,
    evidence TEXT,
    prepared_state TEXT,
    prepared_sha256 TEXT,
    prepared_revision BIGINT
);
CREATE INDEX participants_document ON participants (document_id, position);

-- Server signatures to perform: claimed with UPDATE ... WHERE state = 'pending' ... RETURNING,
-- a lease (claimed_until, unix seconds) lets another worker take over after a crash.
CREATE TABLE jobs (
    participant_key TEXT PRIMARY KEY REFERENCES participants(key),
    document_id TEXT NOT NULL,
    state TEXT NOT NULL DEFAULT 'pending',
    attempts BIGINT NOT NULL DEFAULT 0,
    claimed_until BIGINT NOT NULL DEFAULT 0,
    error TEXT
);
