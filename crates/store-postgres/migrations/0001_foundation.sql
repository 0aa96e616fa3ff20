-- The network, its hubs, organisations and people; sign-in.
-- The same tables, columns and constraint names as the SQLite backend's
-- first migration, in PostgreSQL's own types: ids are UUID (v7, made by the
-- application), instants TIMESTAMPTZ, flags BOOLEAN, counts and öre BIGINT.
--
-- Every unique and foreign-key constraint is named explicitly: the store maps
-- a violated constraint's name to the field the caller gets back in
-- StoreError::Conflict / StoreError::Reference (see constraint_field in
-- src/lib.rs), so these names are part of the contract.

CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

CREATE TABLE regions (
    id       UUID PRIMARY KEY,
    name     TEXT NOT NULL,
    code     TEXT NOT NULL,
    archived BOOLEAN NOT NULL DEFAULT FALSE,
    CONSTRAINT regions_code_key UNIQUE (code)
);

CREATE TABLE municipalities (
    id           UUID PRIMARY KEY,
    region_id    UUID NOT NULL,
    name         TEXT NOT NULL,
    code         TEXT NOT NULL,
    central_town TEXT NOT NULL,
    archived     BOOLEAN NOT NULL DEFAULT FALSE,
    CONSTRAINT municipalities_code_key UNIQUE (code),
    CONSTRAINT municipalities_region_id_fkey FOREIGN KEY (region_id) REFERENCES regions (id)
);
CREATE INDEX municipalities_region ON municipalities (region_id);

CREATE TABLE operators (
    id            UUID PRIMARY KEY,
    name          TEXT NOT NULL,
    org_number    TEXT,
    contact_email TEXT,
    archived      BOOLEAN NOT NULL DEFAULT FALSE
);

CREATE TABLE hubs (
    id              UUID PRIMARY KEY,
    municipality_id UUID NOT NULL,
    operator_id     UUID NOT NULL,
    name            TEXT NOT NULL,
    description     TEXT NOT NULL,
    street_address  TEXT NOT NULL,
    postal_code     TEXT NOT NULL,
    city            TEXT NOT NULL,
    latitude        DOUBLE PRECISION NOT NULL,
    longitude       DOUBLE PRECISION NOT NULL,
    in_central_town BOOLEAN NOT NULL,
    -- thirdplace_domain::OpeningHours as serde_json writes it.
    opening_hours   JSONB NOT NULL,
    archived        BOOLEAN NOT NULL DEFAULT FALSE,
    CONSTRAINT hubs_municipality_id_fkey FOREIGN KEY (municipality_id) REFERENCES municipalities (id),
    CONSTRAINT hubs_operator_id_fkey FOREIGN KEY (operator_id) REFERENCES operators (id)
);
CREATE INDEX hubs_municipality ON hubs (municipality_id);
CREATE INDEX hubs_operator ON hubs (operator_id);

CREATE TABLE zones (
    id       UUID PRIMARY KEY,
    hub_id   UUID NOT NULL,
    name     TEXT NOT NULL,
    purpose  TEXT NOT NULL,
    capacity BIGINT NOT NULL,
    archived BOOLEAN NOT NULL DEFAULT FALSE,
    CONSTRAINT zones_hub_id_fkey FOREIGN KEY (hub_id) REFERENCES hubs (id)
);
CREATE INDEX zones_hub ON zones (hub_id);

CREATE TABLE rooms (
    id               UUID PRIMARY KEY,
    hub_id           UUID NOT NULL,
    name             TEXT NOT NULL,
    kind             TEXT NOT NULL,
    capacity         BIGINT NOT NULL,
    hourly_price_ore BIGINT NOT NULL,
    vat_rate_percent SMALLINT NOT NULL,
    archived         BOOLEAN NOT NULL DEFAULT FALSE,
    CONSTRAINT rooms_hub_id_fkey FOREIGN KEY (hub_id) REFERENCES hubs (id)
);
CREATE INDEX rooms_hub ON rooms (hub_id);

CREATE TABLE organisations (
    id         UUID PRIMARY KEY,
    name       TEXT NOT NULL,
    org_number TEXT NOT NULL,
    kind       TEXT NOT NULL,
    archived   BOOLEAN NOT NULL DEFAULT FALSE,
    CONSTRAINT organisations_org_number_key UNIQUE (org_number)
);

CREATE TABLE people (
    id               UUID PRIMARY KEY,
    first_name       TEXT NOT NULL,
    last_name        TEXT NOT NULL,
    email            TEXT NOT NULL,
    organisation_id  UUID,
    is_network_admin BOOLEAN NOT NULL DEFAULT FALSE,
    password_hash    TEXT,
    archived         BOOLEAN NOT NULL DEFAULT FALSE,
    CONSTRAINT people_email_key UNIQUE (email),
    CONSTRAINT people_organisation_id_fkey FOREIGN KEY (organisation_id) REFERENCES organisations (id)
);
CREATE INDEX people_organisation ON people (organisation_id);

CREATE TABLE hub_hosts (
    person_id UUID NOT NULL,
    hub_id    UUID NOT NULL,
    CONSTRAINT hub_hosts_pkey PRIMARY KEY (person_id, hub_id),
    CONSTRAINT hub_hosts_person_id_fkey FOREIGN KEY (person_id) REFERENCES people (id),
    CONSTRAINT hub_hosts_hub_id_fkey FOREIGN KEY (hub_id) REFERENCES hubs (id)
);
CREATE INDEX hub_hosts_hub ON hub_hosts (hub_id);

CREATE TABLE organisation_admins (
    person_id       UUID NOT NULL,
    organisation_id UUID NOT NULL,
    CONSTRAINT organisation_admins_pkey PRIMARY KEY (person_id, organisation_id),
    CONSTRAINT organisation_admins_person_id_fkey FOREIGN KEY (person_id) REFERENCES people (id),
    CONSTRAINT organisation_admins_organisation_id_fkey FOREIGN KEY (organisation_id) REFERENCES organisations (id)
);
CREATE INDEX organisation_admins_organisation ON organisation_admins (organisation_id);

CREATE TABLE sessions (
    id_hash    TEXT PRIMARY KEY,
    person_id  UUID NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    expires_at TIMESTAMPTZ NOT NULL,
    CONSTRAINT sessions_person_id_fkey FOREIGN KEY (person_id) REFERENCES people (id)
);
CREATE INDEX sessions_person ON sessions (person_id);

CREATE TABLE login_failures (
    email TEXT NOT NULL,
    at    TIMESTAMPTZ NOT NULL
);
CREATE INDEX login_failures_email_at ON login_failures (email, at);

CREATE TABLE api_tokens (
    id         UUID PRIMARY KEY,
    person_id  UUID NOT NULL,
    name       TEXT NOT NULL,
    token_hash TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    revoked_at TIMESTAMPTZ,
    CONSTRAINT api_tokens_token_hash_key UNIQUE (token_hash),
    CONSTRAINT api_tokens_person_id_fkey FOREIGN KEY (person_id) REFERENCES people (id)
);
CREATE INDEX api_tokens_person ON api_tokens (person_id);
