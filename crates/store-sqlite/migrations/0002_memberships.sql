-- Memberships: plans, seats and who held them when, check-ins, guests,
-- community profiles and QR card generations, webhooks and their queue.
-- Dates are civil dates in Europe/Stockholm as 'YYYY-MM-DD' text; instants
-- are UTC text (RFC 3339), as in 0001.

CREATE TABLE plans (
    id                       BLOB PRIMARY KEY,
    name                     TEXT NOT NULL,
    description              TEXT NOT NULL,
    scope_kind               TEXT NOT NULL CHECK (scope_kind IN ('network', 'region', 'hub')),
    scope_region_id          BLOB REFERENCES regions (id),
    scope_hub_id             BLOB REFERENCES hubs (id),
    monthly_price_ore        INTEGER NOT NULL,
    included_hours_per_month INTEGER NOT NULL,
    max_guests               INTEGER NOT NULL,
    validity_kind            TEXT NOT NULL CHECK (validity_kind IN ('monthly_rolling', 'fixed_days')),
    validity_days            INTEGER,
    archived                 INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE seats (
    id              BLOB PRIMARY KEY,
    plan_id         BLOB NOT NULL REFERENCES plans (id),
    organisation_id BLOB NOT NULL REFERENCES organisations (id),
    start_date      TEXT NOT NULL,
    end_date        TEXT,
    created_at      TEXT NOT NULL
);
CREATE INDEX seats_organisation ON seats (organisation_id);

-- Who held a seat when; held_until is exclusive, NULL while holding.
CREATE TABLE seat_holdings (
    seat_id    BLOB NOT NULL REFERENCES seats (id),
    person_id  BLOB NOT NULL REFERENCES people (id),
    held_from  TEXT NOT NULL,
    held_until TEXT
);
-- A seat has at most one current holder.
CREATE UNIQUE INDEX seat_holdings_current ON seat_holdings (seat_id) WHERE held_until IS NULL;
CREATE INDEX seat_holdings_seat ON seat_holdings (seat_id, held_from);
CREATE INDEX seat_holdings_person ON seat_holdings (person_id);

CREATE TABLE member_profiles (
    person_id     BLOB PRIMARY KEY REFERENCES people (id),
    visible       INTEGER NOT NULL DEFAULT 0,
    -- JSON array of strings.
    expertise     TEXT NOT NULL DEFAULT '[]',
    qr_generation INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE checkins (
    id             BLOB PRIMARY KEY,
    person_id      BLOB NOT NULL REFERENCES people (id),
    hub_id         BLOB NOT NULL REFERENCES hubs (id),
    seat_id        BLOB NOT NULL REFERENCES seats (id),
    method         TEXT NOT NULL CHECK (method IN ('page', 'scan', 'api')),
    checked_in_at  TEXT NOT NULL,
    checked_out_at TEXT,
    auto_closed    INTEGER NOT NULL DEFAULT 0
);
-- One open check-in per person, whatever the hub: two kiosks scanning the
-- same member at once give one check-in and one conflict.
CREATE UNIQUE INDEX checkins_one_open ON checkins (person_id) WHERE checked_out_at IS NULL;
CREATE INDEX checkins_open_hub ON checkins (hub_id) WHERE checked_out_at IS NULL;
CREATE INDEX checkins_hub_time ON checkins (hub_id, checked_in_at);
CREATE INDEX checkins_person_time ON checkins (person_id, checked_in_at);

CREATE TABLE guest_visits (
    id              BLOB PRIMARY KEY,
    host_checkin_id BLOB NOT NULL REFERENCES checkins (id),
    host_person_id  BLOB NOT NULL REFERENCES people (id),
    hub_id          BLOB NOT NULL REFERENCES hubs (id),
    first_name      TEXT NOT NULL,
    last_name       TEXT NOT NULL,
    organisation_id BLOB NOT NULL REFERENCES organisations (id),
    arrived_at      TEXT NOT NULL,
    left_at         TEXT
);
CREATE INDEX guest_visits_checkin ON guest_visits (host_checkin_id);
CREATE INDEX guest_visits_hub_time ON guest_visits (hub_id, arrived_at);

-- Visits and guest visits per hub and civil day (Europe/Stockholm), kept
-- in the transactions that record them: the access summary sums at most a
-- month of rows instead of counting every visit.
CREATE TABLE hub_visit_days (
    hub_id       BLOB NOT NULL REFERENCES hubs (id),
    day          TEXT NOT NULL,
    visits       INTEGER NOT NULL DEFAULT 0,
    guest_visits INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (hub_id, day)
);

CREATE TABLE webhooks (
    id         BLOB PRIMARY KEY,
    url        TEXT NOT NULL,
    -- Comma-separated event keys, e.g. 'checkin.created,checkin.ended'.
    events     TEXT NOT NULL,
    secret     TEXT NOT NULL,
    active     INTEGER NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL
);

CREATE TABLE webhook_deliveries (
    id              BLOB PRIMARY KEY,
    webhook_id      BLOB NOT NULL REFERENCES webhooks (id),
    event           TEXT NOT NULL,
    payload         TEXT NOT NULL,
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TEXT NOT NULL,
    delivered_at    TEXT,
    failed          INTEGER NOT NULL DEFAULT 0,
    last_error      TEXT,
    created_at      TEXT NOT NULL
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (next_attempt_at)
    WHERE delivered_at IS NULL AND failed = 0;
CREATE INDEX webhook_deliveries_webhook ON webhook_deliveries (webhook_id, created_at);
