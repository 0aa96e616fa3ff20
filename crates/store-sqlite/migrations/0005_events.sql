-- The open calendar: events, their registrations (with the waiting list in
-- arrival order) and one-time invitations. Instants are Unix seconds (UTC)
-- as INTEGER, as in 0003. Topic tags and co-organisers are JSON arrays.

CREATE TABLE events (
    id               BLOB PRIMARY KEY,
    hub_id           BLOB NOT NULL REFERENCES hubs (id),
    venue            TEXT NOT NULL CHECK (venue IN ('room', 'zone', 'online')),
    room_id          BLOB REFERENCES rooms (id),
    zone_id          BLOB REFERENCES zones (id),
    -- The room booking an event in a room holds.
    booking_id       BLOB REFERENCES bookings (id),
    title            TEXT NOT NULL,
    description      TEXT NOT NULL,
    topics           TEXT NOT NULL DEFAULT '[]',
    -- The tags lower-cased by the store (SQLite's lower() knows only
    -- ASCII, and topics are Swedish), for the topic filter.
    topic_keys       TEXT NOT NULL DEFAULT '[]',
    starts_at        INTEGER NOT NULL,
    ends_at          INTEGER NOT NULL CHECK (ends_at > starts_at),
    capacity         INTEGER NOT NULL CHECK (capacity BETWEEN 1 AND 1000),
    visibility       TEXT NOT NULL CHECK (visibility IN ('public', 'members_only', 'invitation_only')),
    status           TEXT NOT NULL CHECK (status IN ('proposed', 'published', 'cancelled')),
    organiser_id     BLOB NOT NULL REFERENCES people (id),
    co_organiser_ids TEXT NOT NULL DEFAULT '[]',
    sequence         INTEGER NOT NULL DEFAULT 0,
    created_at       INTEGER NOT NULL,
    updated_at       INTEGER NOT NULL,
    -- When the 24-hour reminder was queued; cleared when the event moves.
    reminded_at      INTEGER,
    CHECK ((venue = 'room') = (room_id IS NOT NULL)),
    CHECK ((venue = 'zone') = (zone_id IS NOT NULL))
);
CREATE INDEX events_start ON events (starts_at);
CREATE INDEX events_hub_start ON events (hub_id, starts_at);
CREATE INDEX events_organiser ON events (organiser_id);

CREATE TABLE event_registrations (
    id                    BLOB PRIMARY KEY,
    event_id              BLOB NOT NULL REFERENCES events (id),
    -- Arrival order within the event, given by the writing transaction.
    position              INTEGER NOT NULL,
    -- A person with an account, or an invited external participant.
    person_id             BLOB REFERENCES people (id),
    external_name         TEXT,
    external_email        TEXT,
    external_organisation TEXT,
    registered_by         BLOB REFERENCES people (id),
    invitation_id         BLOB,
    status                TEXT NOT NULL CHECK (status IN ('confirmed', 'waitlisted', 'cancelled')),
    created_at            INTEGER NOT NULL,
    cancelled_at          INTEGER,
    attended              INTEGER NOT NULL DEFAULT 0,
    CHECK ((person_id IS NULL) = (external_email IS NOT NULL)),
    UNIQUE (event_id, position)
);
-- One active registration per person or invited address and event, whatever
-- writes to the database.
CREATE UNIQUE INDEX event_registrations_one_person ON event_registrations (event_id, person_id)
    WHERE status <> 'cancelled' AND person_id IS NOT NULL;
CREATE UNIQUE INDEX event_registrations_one_external ON event_registrations (event_id, external_email)
    WHERE status <> 'cancelled' AND external_email IS NOT NULL;
CREATE INDEX event_registrations_status ON event_registrations (event_id, status);
CREATE INDEX event_registrations_person ON event_registrations (person_id) WHERE person_id IS NOT NULL;

CREATE TABLE event_invitations (
    id              BLOB PRIMARY KEY,
    event_id        BLOB NOT NULL REFERENCES events (id),
    email           TEXT NOT NULL,
    -- Only a hash of the link's secret token is kept.
    token_hash      TEXT NOT NULL UNIQUE,
    invited_by      BLOB NOT NULL REFERENCES people (id),
    created_at      INTEGER NOT NULL,
    used_at         INTEGER,
    registration_id BLOB REFERENCES event_registrations (id)
);
CREATE INDEX event_invitations_event ON event_invitations (event_id, created_at);
