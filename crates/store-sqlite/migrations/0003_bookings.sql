-- Room bookings, hubs' booking rules, private calendar feed generations and
-- the e-mail outbox. Booking and e-mail instants are Unix seconds (UTC) as
-- INTEGER, so that range comparisons are numeric.

CREATE TABLE booking_rules (
    hub_id                BLOB PRIMARY KEY REFERENCES hubs (id),
    cancel_notice_minutes INTEGER NOT NULL,
    max_length_minutes    INTEGER NOT NULL,
    max_days_ahead        INTEGER NOT NULL,
    non_members_may_book  INTEGER NOT NULL
);

CREATE TABLE bookings (
    id                   BLOB PRIMARY KEY,
    room_id              BLOB NOT NULL REFERENCES rooms (id),
    hub_id               BLOB NOT NULL REFERENCES hubs (id),
    booker_id            BLOB NOT NULL REFERENCES people (id),
    organisation_id      BLOB NOT NULL REFERENCES organisations (id),
    on_behalf            INTEGER NOT NULL,
    seat_id              BLOB REFERENCES seats (id),
    series_id            BLOB,
    title                TEXT NOT NULL,
    starts_at            INTEGER NOT NULL,
    ends_at              INTEGER NOT NULL CHECK (ends_at > starts_at),
    status               TEXT NOT NULL CHECK (status IN ('confirmed', 'cancelled')),
    included_minutes     INTEGER NOT NULL,
    billable_minutes     INTEGER NOT NULL,
    price_ex_vat_ore     INTEGER NOT NULL,
    vat_percent          INTEGER NOT NULL,
    vat_ore              INTEGER NOT NULL,
    total_ore            INTEGER NOT NULL,
    -- 'YYYY-MM' in Swedish time: the month whose included hours it uses.
    usage_month          TEXT NOT NULL,
    created_at           INTEGER NOT NULL,
    cancelled_at         INTEGER,
    cancelled_by         BLOB REFERENCES people (id),
    cancel_reason        TEXT NOT NULL DEFAULT '',
    cancellation_charged INTEGER NOT NULL DEFAULT 0
);
-- The overlap check looks only at confirmed bookings of the room that end
-- after the new one starts: the future, a short range.
CREATE INDEX bookings_room_end ON bookings (room_id, ends_at) WHERE status = 'confirmed';
CREATE INDEX bookings_hub_time ON bookings (hub_id, starts_at);
CREATE INDEX bookings_booker_time ON bookings (booker_id, starts_at);
CREATE INDEX bookings_seat_month ON bookings (seat_id, usage_month) WHERE seat_id IS NOT NULL;

-- Never two confirmed bookings of one room that overlap. The store checks
-- this in its write transaction too; the triggers make the database itself
-- refuse, whatever writes to it.
CREATE TRIGGER bookings_no_overlap_insert BEFORE INSERT ON bookings
WHEN NEW.status = 'confirmed' AND EXISTS (
    SELECT 1 FROM bookings b
    WHERE b.room_id = NEW.room_id AND b.status = 'confirmed'
      AND b.ends_at > NEW.starts_at AND b.starts_at < NEW.ends_at)
BEGIN
    SELECT RAISE(ABORT, 'booking_conflict');
END;

CREATE TRIGGER bookings_no_overlap_update BEFORE UPDATE OF room_id, starts_at, ends_at, status ON bookings
WHEN NEW.status = 'confirmed' AND EXISTS (
    SELECT 1 FROM bookings b
    WHERE b.id <> NEW.id AND b.room_id = NEW.room_id AND b.status = 'confirmed'
      AND b.ends_at > NEW.starts_at AND b.starts_at < NEW.ends_at)
BEGIN
    SELECT RAISE(ABORT, 'booking_conflict');
END;

ALTER TABLE member_profiles ADD COLUMN calendar_generation INTEGER NOT NULL DEFAULT 0;

CREATE TABLE email_outbox (
    id              BLOB PRIMARY KEY,
    to_address      TEXT NOT NULL,
    subject         TEXT NOT NULL,
    body            TEXT NOT NULL,
    created_at      INTEGER NOT NULL,
    sent_at         INTEGER,
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER NOT NULL,
    last_error      TEXT,
    failed          INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX email_outbox_due ON email_outbox (next_attempt_at) WHERE sent_at IS NULL AND failed = 0;
CREATE INDEX email_outbox_created ON email_outbox (created_at);
