-- Room bookings, hubs' booking rules, private calendar feed generations and
-- the e-mail outbox: the same tables as the SQLite backend's 0003, in
-- PostgreSQL's own types.
--
-- Never two confirmed bookings of one room that overlap: an exclusion
-- constraint over the booking's time range, so the database refuses the
-- second of two concurrent inserts, whichever process makes them. It needs
-- btree_gist (for `room_id WITH =`), a trusted extension that ships with
-- PostgreSQL; the database owner may create it.

CREATE EXTENSION IF NOT EXISTS btree_gist;

CREATE TABLE booking_rules (
    hub_id                UUID PRIMARY KEY,
    cancel_notice_minutes BIGINT NOT NULL,
    max_length_minutes    BIGINT NOT NULL,
    max_days_ahead        BIGINT NOT NULL,
    non_members_may_book  BOOLEAN NOT NULL,
    CONSTRAINT booking_rules_hub_id_fkey FOREIGN KEY (hub_id) REFERENCES hubs (id)
);

CREATE TABLE bookings (
    id                   UUID PRIMARY KEY,
    room_id              UUID NOT NULL,
    hub_id               UUID NOT NULL,
    booker_id            UUID NOT NULL,
    organisation_id      UUID NOT NULL,
    on_behalf            BOOLEAN NOT NULL,
    seat_id              UUID,
    series_id            UUID,
    title                TEXT NOT NULL,
    starts_at            TIMESTAMPTZ NOT NULL,
    ends_at              TIMESTAMPTZ NOT NULL,
    status               TEXT NOT NULL,
    included_minutes     BIGINT NOT NULL,
    billable_minutes     BIGINT NOT NULL,
    price_ex_vat_ore     BIGINT NOT NULL,
    vat_percent          SMALLINT NOT NULL,
    vat_ore              BIGINT NOT NULL,
    total_ore            BIGINT NOT NULL,
    usage_month          TEXT NOT NULL,
    created_at           TIMESTAMPTZ NOT NULL,
    cancelled_at         TIMESTAMPTZ,
    cancelled_by         UUID,
    cancel_reason        TEXT NOT NULL DEFAULT '',
    cancellation_charged BOOLEAN NOT NULL DEFAULT FALSE,
    CONSTRAINT bookings_room_id_fkey FOREIGN KEY (room_id) REFERENCES rooms (id),
    CONSTRAINT bookings_hub_id_fkey FOREIGN KEY (hub_id) REFERENCES hubs (id),
    CONSTRAINT bookings_booker_id_fkey FOREIGN KEY (booker_id) REFERENCES people (id),
    CONSTRAINT bookings_organisation_id_fkey FOREIGN KEY (organisation_id) REFERENCES organisations (id),
    CONSTRAINT bookings_seat_id_fkey FOREIGN KEY (seat_id) REFERENCES seats (id),
    CONSTRAINT bookings_cancelled_by_fkey FOREIGN KEY (cancelled_by) REFERENCES people (id),
    CONSTRAINT bookings_length_check CHECK (ends_at > starts_at),
    CONSTRAINT bookings_status_check CHECK (status IN ('confirmed', 'cancelled')),
    CONSTRAINT bookings_no_overlap EXCLUDE USING gist (
        room_id WITH =,
        tstzrange(starts_at, ends_at, '[)') WITH &&
    ) WHERE (status = 'confirmed')
);
CREATE INDEX bookings_hub_time ON bookings (hub_id, starts_at);
CREATE INDEX bookings_booker_time ON bookings (booker_id, starts_at);
CREATE INDEX bookings_seat_month ON bookings (seat_id, usage_month) WHERE seat_id IS NOT NULL;

ALTER TABLE member_profiles ADD COLUMN calendar_generation BIGINT NOT NULL DEFAULT 0;

CREATE TABLE email_outbox (
    id              UUID PRIMARY KEY,
    to_address      TEXT NOT NULL,
    subject         TEXT NOT NULL,
    body            TEXT NOT NULL,
    created_at      TIMESTAMPTZ NOT NULL,
    sent_at         TIMESTAMPTZ,
    attempts        BIGINT NOT NULL DEFAULT 0,
    next_attempt_at TIMESTAMPTZ NOT NULL,
    last_error      TEXT,
    failed          BOOLEAN NOT NULL DEFAULT FALSE
);
CREATE INDEX email_outbox_due ON email_outbox (next_attempt_at) WHERE sent_at IS NULL AND NOT failed;
CREATE INDEX email_outbox_created ON email_outbox (created_at);
