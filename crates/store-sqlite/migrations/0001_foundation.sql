-- The network, its hubs, organisations and people; sign-in.
-- Ids are UUIDv7 stored as 16-byte blobs; instants are UTC text (RFC 3339).

CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

CREATE TABLE regions (
    id       BLOB PRIMARY KEY,
    name     TEXT NOT NULL,
    code     TEXT NOT NULL,
    archived INTEGER NOT NULL DEFAULT 0,
    CONSTRAINT regions_code_key UNIQUE (code)
);

CREATE TABLE municipalities (
    id           BLOB PRIMARY KEY,
    region_id    BLOB NOT NULL REFERENCES regions (id),
    name         TEXT NOT NULL,
    code         TEXT NOT NULL,
    central_town TEXT NOT NULL,
    archived     INTEGER NOT NULL DEFAULT 0,
    CONSTRAINT municipalities_code_key UNIQUE (code)
);

CREATE TABLE operators (
    id            BLOB PRIMARY KEY,
    name          TEXT NOT NULL,
    org_number    TEXT,
    contact_email TEXT,
    archived      INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE hubs (
    id              BLOB PRIMARY KEY,
    municipality_id BLOB NOT NULL REFERENCES municipalities (id),
    operator_id     BLOB NOT NULL REFERENCES operators (id),
    name            TEXT NOT NULL,
    description     TEXT NOT NULL,
    street_address  TEXT NOT NULL,
    postal_code     TEXT NOT NULL,
    city            TEXT NOT NULL,
    latitude        REAL NOT NULL,
    longitude       REAL NOT NULL,
    in_central_town INTEGER NOT NULL,
    opening_hours   TEXT NOT NULL,
    archived        INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE zones (
    id       BLOB PRIMARY KEY,
    hub_id   BLOB NOT NULL REFERENCES hubs (id),
    name     TEXT NOT NULL,
    purpose  TEXT NOT NULL,
    capacity INTEGER NOT NULL,
    archived INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX zones_hub ON zones (hub_id);

CREATE TABLE rooms (
    id               BLOB PRIMARY KEY,
    hub_id           BLOB NOT NULL REFERENCES hubs (id),
    name             TEXT NOT NULL,
    kind             TEXT NOT NULL,
    capacity         INTEGER NOT NULL,
    hourly_price_ore INTEGER NOT NULL,
    vat_rate_percent INTEGER NOT NULL,
    archived         INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX rooms_hub ON rooms (hub_id);

CREATE TABLE organisations (
    id         BLOB PRIMARY KEY,
    name       TEXT NOT NULL,
    org_number TEXT NOT NULL,
    kind       TEXT NOT NULL,
    archived   INTEGER NOT NULL DEFAULT 0,
    CONSTRAINT organisations_org_number_key UNIQUE (org_number)
);

CREATE TABLE people (
    id               BLOB PRIMARY KEY,
    first_name       TEXT NOT NULL,
    last_name        TEXT NOT NULL,
    email            TEXT NOT NULL,
    organisation_id  BLOB REFERENCES organisations (id),
    is_network_admin INTEGER NOT NULL DEFAULT 0,
    password_hash    TEXT,
    archived         INTEGER NOT NULL DEFAULT 0,
    CONSTRAINT people_email_key UNIQUE (email)
);
CREATE INDEX people_organisation ON people (organisation_id);

CREATE TABLE hub_hosts (
    person_id BLOB NOT NULL REFERENCES people (id),
    hub_id    BLOB NOT NULL REFERENCES hubs (id),
    PRIMARY KEY (person_id, hub_id)
);

CREATE TABLE organisation_admins (
    person_id       BLOB NOT NULL REFERENCES people (id),
    organisation_id BLOB NOT NULL REFERENCES organisations (id),
    PRIMARY KEY (person_id, organisation_id)
);

CREATE TABLE sessions (
    id_hash    TEXT PRIMARY KEY,
    person_id  BLOB NOT NULL REFERENCES people (id),
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL
);
CREATE INDEX sessions_person ON sessions (person_id);

CREATE TABLE login_failures (
    email TEXT NOT NULL,
    at    TEXT NOT NULL
);
CREATE INDEX login_failures_email_at ON login_failures (email, at);

CREATE TABLE api_tokens (
    id         BLOB PRIMARY KEY,
    person_id  BLOB NOT NULL REFERENCES people (id),
    name       TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL,
    revoked_at TEXT
);
CREATE INDEX api_tokens_person ON api_tokens (person_id);
