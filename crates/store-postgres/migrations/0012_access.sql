-- One-time links into an account (issue 15): invitations and password
-- resets. Only the SHA-256 of a link's secret is kept; a link is used at
-- most once, before it expires, unless revoked.
CREATE TABLE one_time_tokens (
    id         UUID PRIMARY KEY,
    kind       TEXT NOT NULL CHECK (kind IN ('invitation', 'password_reset')),
    person_id  UUID NOT NULL REFERENCES people (id),
    token_hash TEXT NOT NULL,
    created_by UUID REFERENCES people (id),
    created_at TIMESTAMPTZ NOT NULL,
    expires_at TIMESTAMPTZ NOT NULL,
    used_at    TIMESTAMPTZ,
    revoked_at TIMESTAMPTZ,
    CONSTRAINT one_time_tokens_token_hash_key UNIQUE (token_hash)
);
CREATE INDEX one_time_tokens_person ON one_time_tokens (person_id, kind);
