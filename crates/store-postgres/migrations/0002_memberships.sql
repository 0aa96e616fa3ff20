-- Memberships: plans, seats and who held them when, check-ins, guests,
-- community profiles and QR card generations, webhooks and their queue.
-- The same tables, columns and index names as the SQLite backend's 0002, in
-- PostgreSQL's own types: dates (civil, Europe/Stockholm) are DATE, instants
-- TIMESTAMPTZ, flags BOOLEAN, counts and öre BIGINT, lists TEXT[].
--
-- As in 0001, every unique and foreign-key constraint is named: the names
-- are mapped to the caller's field by constraint_field in src/lib.rs.

CREATE TABLE plans (
    id                       UUID PRIMARY KEY,
    name                     TEXT NOT NULL,
    description              TEXT NOT NULL,
    scope_kind               TEXT NOT NULL,
    scope_region_id          UUID,
    scope_hub_id             UUID,
    monthly_price_ore        BIGINT NOT NULL,
    included_hours_per_month BIGINT NOT NULL,
    max_guests               BIGINT NOT NULL,
    validity_kind            TEXT NOT NULL,
    validity_days            BIGINT,
    archived                 BOOLEAN NOT NULL DEFAULT FALSE,
    CONSTRAINT plans_scope_kind_check CHECK (scope_kind IN ('network', 'region', 'hub')),
    -- Exactly the id the kind needs, so a plan's scope always reads back.
    CONSTRAINT plans_scope_check CHECK (
        (scope_kind = 'network' AND scope_region_id IS NULL AND scope_hub_id IS NULL)
        OR (scope_kind = 'region' AND scope_region_id IS NOT NULL AND scope_hub_id IS NULL)
        OR (scope_kind = 'hub' AND scope_hub_id IS NOT NULL AND scope_region_id IS NULL)
    ),
    CONSTRAINT plans_validity_kind_check CHECK (validity_kind IN ('monthly_rolling', 'fixed_days')),
    -- Both map to the caller's `scope_id`.
    CONSTRAINT plans_scope_region_id_fkey FOREIGN KEY (scope_region_id) REFERENCES regions (id),
    CONSTRAINT plans_scope_hub_id_fkey FOREIGN KEY (scope_hub_id) REFERENCES hubs (id)
);
CREATE INDEX plans_scope_region ON plans (scope_region_id) WHERE scope_region_id IS NOT NULL;
CREATE INDEX plans_scope_hub ON plans (scope_hub_id) WHERE scope_hub_id IS NOT NULL;

CREATE TABLE seats (
    id              UUID PRIMARY KEY,
    plan_id         UUID NOT NULL,
    organisation_id UUID NOT NULL,
    start_date      DATE NOT NULL,
    end_date        DATE,
    created_at      TIMESTAMPTZ NOT NULL,
    CONSTRAINT seats_plan_id_fkey FOREIGN KEY (plan_id) REFERENCES plans (id),
    CONSTRAINT seats_organisation_id_fkey FOREIGN KEY (organisation_id) REFERENCES organisations (id)
);
CREATE INDEX seats_organisation ON seats (organisation_id);
CREATE INDEX seats_plan ON seats (plan_id);

-- Who held a seat when; held_until is exclusive, NULL while holding.
CREATE TABLE seat_holdings (
    seat_id    UUID NOT NULL,
    person_id  UUID NOT NULL,
    held_from  TIMESTAMPTZ NOT NULL,
    held_until TIMESTAMPTZ,
    CONSTRAINT seat_holdings_seat_id_fkey FOREIGN KEY (seat_id) REFERENCES seats (id),
    CONSTRAINT seat_holdings_person_id_fkey FOREIGN KEY (person_id) REFERENCES people (id)
);
-- A seat has at most one current holder.
CREATE UNIQUE INDEX seat_holdings_current ON seat_holdings (seat_id) WHERE held_until IS NULL;
CREATE INDEX seat_holdings_seat ON seat_holdings (seat_id, held_from);
CREATE INDEX seat_holdings_person ON seat_holdings (person_id);

CREATE TABLE member_profiles (
    person_id     UUID PRIMARY KEY,
    visible       BOOLEAN NOT NULL DEFAULT FALSE,
    expertise     TEXT[] NOT NULL DEFAULT '{}',
    qr_generation BIGINT NOT NULL DEFAULT 0,
    CONSTRAINT member_profiles_person_id_fkey FOREIGN KEY (person_id) REFERENCES people (id)
);

CREATE TABLE checkins (
    id             UUID PRIMARY KEY,
    person_id      UUID NOT NULL,
    hub_id         UUID NOT NULL,
    seat_id        UUID NOT NULL,
    method         TEXT NOT NULL,
    checked_in_at  TIMESTAMPTZ NOT NULL,
    checked_out_at TIMESTAMPTZ,
    auto_closed    BOOLEAN NOT NULL DEFAULT FALSE,
    CONSTRAINT checkins_method_check CHECK (method IN ('page', 'scan', 'api')),
    CONSTRAINT checkins_person_id_fkey FOREIGN KEY (person_id) REFERENCES people (id),
    CONSTRAINT checkins_hub_id_fkey FOREIGN KEY (hub_id) REFERENCES hubs (id),
    CONSTRAINT checkins_seat_id_fkey FOREIGN KEY (seat_id) REFERENCES seats (id)
);
-- One open check-in per person, whatever the hub: two kiosks scanning the
-- same member at once give one check-in and one conflict ("checkin").
CREATE UNIQUE INDEX checkins_one_open ON checkins (person_id) WHERE checked_out_at IS NULL;
CREATE INDEX checkins_open_hub ON checkins (hub_id, checked_in_at) WHERE checked_out_at IS NULL;
CREATE INDEX checkins_hub_time ON checkins (hub_id, checked_in_at);
CREATE INDEX checkins_person_time ON checkins (person_id, checked_in_at);
CREATE INDEX checkins_seat ON checkins (seat_id);

CREATE TABLE guest_visits (
    id              UUID PRIMARY KEY,
    host_checkin_id UUID NOT NULL,
    host_person_id  UUID NOT NULL,
    hub_id          UUID NOT NULL,
    first_name      TEXT NOT NULL,
    last_name       TEXT NOT NULL,
    organisation_id UUID NOT NULL,
    arrived_at      TIMESTAMPTZ NOT NULL,
    left_at         TIMESTAMPTZ,
    CONSTRAINT guest_visits_host_checkin_id_fkey FOREIGN KEY (host_checkin_id) REFERENCES checkins (id),
    CONSTRAINT guest_visits_host_person_id_fkey FOREIGN KEY (host_person_id) REFERENCES people (id),
    CONSTRAINT guest_visits_hub_id_fkey FOREIGN KEY (hub_id) REFERENCES hubs (id),
    CONSTRAINT guest_visits_organisation_id_fkey FOREIGN KEY (organisation_id) REFERENCES organisations (id)
);
CREATE INDEX guest_visits_checkin ON guest_visits (host_checkin_id);
CREATE INDEX guest_visits_hub_time ON guest_visits (hub_id, arrived_at);
CREATE INDEX guest_visits_present ON guest_visits (hub_id, arrived_at) WHERE left_at IS NULL;

-- Visits and guest visits per hub and civil day (Europe/Stockholm), kept
-- in the transactions that record them: the access summary sums at most a
-- month of rows instead of counting every visit.
CREATE TABLE hub_visit_days (
    hub_id       uuid NOT NULL,
    day          date NOT NULL,
    visits       bigint NOT NULL DEFAULT 0,
    guest_visits bigint NOT NULL DEFAULT 0,
    CONSTRAINT hub_visit_days_pkey PRIMARY KEY (hub_id, day),
    CONSTRAINT hub_visit_days_hub_id_fkey FOREIGN KEY (hub_id) REFERENCES hubs (id)
);

CREATE TABLE webhooks (
    id         UUID PRIMARY KEY,
    url        TEXT NOT NULL,
    -- Event keys, e.g. {checkin.created,checkin.ended}.
    events     TEXT[] NOT NULL,
    secret     TEXT NOT NULL,
    active     BOOLEAN NOT NULL DEFAULT TRUE,
    created_at TIMESTAMPTZ NOT NULL
);

CREATE TABLE webhook_deliveries (
    id              UUID PRIMARY KEY,
    webhook_id      UUID NOT NULL,
    event           TEXT NOT NULL,
    payload         TEXT NOT NULL,
    attempts        BIGINT NOT NULL DEFAULT 0,
    next_attempt_at TIMESTAMPTZ NOT NULL,
    delivered_at    TIMESTAMPTZ,
    failed          BOOLEAN NOT NULL DEFAULT FALSE,
    last_error      TEXT,
    created_at      TIMESTAMPTZ NOT NULL,
    CONSTRAINT webhook_deliveries_webhook_id_fkey FOREIGN KEY (webhook_id) REFERENCES webhooks (id)
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (next_attempt_at)
    WHERE delivered_at IS NULL AND NOT failed;
CREATE INDEX webhook_deliveries_webhook ON webhook_deliveries (webhook_id, created_at);
CREATE INDEX webhook_deliveries_created ON webhook_deliveries (created_at);
