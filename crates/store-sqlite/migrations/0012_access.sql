-- One-time links into an account (issue 15): invitations and password
-- resets. Only the SHA-256 of a link's secret is kept; a link is used at
-- most once, before it expires, unless revoked. Instants are RFC 3339 text,
-- compared by the application, never in SQL.
CREATE TABLE one_time_tokens (
    id         BLOB PRIMARY KEY,
    kind       TEXT NOT NULL CHECK (kind IN ('invitation', 'password_reset')),
    person_id  BLOB NOT NULL REFERENCES people (id),
    token_hash TEXT NOT NULL,
    created_by BLOB REFERENCES people (id),
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    used_at    TEXT,
    revoked_at TEXT,
    CONSTRAINT one_time_tokens_token_hash_key UNIQUE (token_hash)
);
CREATE INDEX one_time_tokens_person ON one_time_tokens (person_id, kind);
