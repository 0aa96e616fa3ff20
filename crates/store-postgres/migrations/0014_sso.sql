-- Single sign-on with OpenID Connect (issue 15): an identity provider per
-- organisation, the e-mail domains it answers for, the links from a
-- provider's subject to a person, and the short-lived state of sign-ins
-- under way (so that any app process may receive the provider's callback).
CREATE TABLE identity_providers (
    id              UUID PRIMARY KEY,
    organisation_id UUID NOT NULL REFERENCES organisations (id),
    issuer_url      TEXT NOT NULL,
    client_id       TEXT NOT NULL,
    -- The client secret sealed with the configured secret key (never plain).
    sealed_secret   TEXT NOT NULL,
    enabled         BOOLEAN NOT NULL,
    updated_at      TIMESTAMPTZ NOT NULL,
    CONSTRAINT identity_providers_organisation_id_key UNIQUE (organisation_id)
);
CREATE TABLE identity_provider_domains (
    domain      TEXT PRIMARY KEY,
    provider_id UUID NOT NULL REFERENCES identity_providers (id)
);
CREATE INDEX identity_provider_domains_provider ON identity_provider_domains (provider_id);
CREATE TABLE identity_links (
    provider_id UUID NOT NULL REFERENCES identity_providers (id),
    subject     TEXT NOT NULL,
    person_id   UUID NOT NULL REFERENCES people (id),
    created_at  TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (provider_id, subject),
    CONSTRAINT identity_links_person_key UNIQUE (provider_id, person_id)
);
CREATE TABLE sso_flows (
    state_hash      TEXT PRIMARY KEY,
    provider_id     UUID NOT NULL REFERENCES identity_providers (id),
    nonce           TEXT NOT NULL,
    pkce_verifier   TEXT NOT NULL,
    next            TEXT NOT NULL,
    invitation_hash TEXT,
    created_at      TIMESTAMPTZ NOT NULL,
    expires_at      TIMESTAMPTZ NOT NULL,
    used_at         TIMESTAMPTZ
);
