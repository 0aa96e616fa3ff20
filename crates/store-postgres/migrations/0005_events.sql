-- The open calendar: events, their registrations (with the waiting list in
-- arrival order) and one-time invitations: the same tables as the SQLite
-- backend's 0004, in PostgreSQL's own types. Topic tags are a text array,
-- with their lower-cased keys (made by the store) for the topic filter.
--
-- Sign-ups for one event are decided one at a time: the writing
-- transaction locks the event's row (`FOR UPDATE`) before it counts the
-- places taken and gives the next arrival position.

CREATE TABLE events (
    id               UUID PRIMARY KEY,
    hub_id           UUID NOT NULL,
    venue            TEXT NOT NULL,
    room_id          UUID,
    zone_id          UUID,
    booking_id       UUID,
    title            TEXT NOT NULL,
    description      TEXT NOT NULL,
    topics           TEXT[] NOT NULL DEFAULT '{}',
    topic_keys       TEXT[] NOT NULL DEFAULT '{}',
    starts_at        TIMESTAMPTZ NOT NULL,
    ends_at          TIMESTAMPTZ NOT NULL,
    capacity         BIGINT NOT NULL,
    visibility       TEXT NOT NULL,
    status           TEXT NOT NULL,
    organiser_id     UUID NOT NULL,
    co_organiser_ids UUID[] NOT NULL DEFAULT '{}',
    sequence         BIGINT NOT NULL DEFAULT 0,
    created_at       TIMESTAMPTZ NOT NULL,
    updated_at       TIMESTAMPTZ NOT NULL,
    -- When the 24-hour reminder was queued; cleared when the event moves.
    reminded_at      TIMESTAMPTZ,
    CONSTRAINT events_hub_id_fkey FOREIGN KEY (hub_id) REFERENCES hubs (id),
    CONSTRAINT events_room_id_fkey FOREIGN KEY (room_id) REFERENCES rooms (id),
    CONSTRAINT events_zone_id_fkey FOREIGN KEY (zone_id) REFERENCES zones (id),
    CONSTRAINT events_booking_id_fkey FOREIGN KEY (booking_id) REFERENCES bookings (id),
    CONSTRAINT events_organiser_id_fkey FOREIGN KEY (organiser_id) REFERENCES people (id),
    CONSTRAINT events_length_check CHECK (ends_at > starts_at),
    CONSTRAINT events_capacity_check CHECK (capacity BETWEEN 1 AND 1000),
    CONSTRAINT events_venue_check CHECK (venue IN ('room', 'zone', 'online')),
    CONSTRAINT events_visibility_check CHECK (visibility IN ('public', 'members_only', 'invitation_only')),
    CONSTRAINT events_status_check CHECK (status IN ('proposed', 'published', 'cancelled')),
    CONSTRAINT events_room_check CHECK ((venue = 'room') = (room_id IS NOT NULL)),
    CONSTRAINT events_zone_check CHECK ((venue = 'zone') = (zone_id IS NOT NULL))
);
CREATE INDEX events_start ON events (starts_at);
CREATE INDEX events_hub_start ON events (hub_id, starts_at);
CREATE INDEX events_organiser ON events (organiser_id);
CREATE INDEX events_topic_keys ON events USING gin (topic_keys);

CREATE TABLE event_registrations (
    id                    UUID PRIMARY KEY,
    event_id              UUID NOT NULL,
    position              BIGINT NOT NULL,
    person_id             UUID,
    external_name         TEXT,
    external_email        TEXT,
    external_organisation TEXT,
    registered_by         UUID,
    invitation_id         UUID,
    status                TEXT NOT NULL,
    created_at            TIMESTAMPTZ NOT NULL,
    cancelled_at          TIMESTAMPTZ,
    attended              BOOLEAN NOT NULL DEFAULT FALSE,
    CONSTRAINT event_registrations_event_id_fkey FOREIGN KEY (event_id) REFERENCES events (id),
    CONSTRAINT event_registrations_person_id_fkey FOREIGN KEY (person_id) REFERENCES people (id),
    CONSTRAINT event_registrations_registered_by_fkey FOREIGN KEY (registered_by) REFERENCES people (id),
    CONSTRAINT event_registrations_status_check CHECK (status IN ('confirmed', 'waitlisted', 'cancelled')),
    CONSTRAINT event_registrations_registrant_check CHECK ((person_id IS NULL) = (external_email IS NOT NULL)),
    CONSTRAINT event_registrations_position_key UNIQUE (event_id, position)
);
-- One active registration per person or invited address and event.
CREATE UNIQUE INDEX event_registrations_one_person ON event_registrations (event_id, person_id)
    WHERE status <> 'cancelled' AND person_id IS NOT NULL;
CREATE UNIQUE INDEX event_registrations_one_external ON event_registrations (event_id, external_email)
    WHERE status <> 'cancelled' AND external_email IS NOT NULL;
CREATE INDEX event_registrations_status ON event_registrations (event_id, status);
CREATE INDEX event_registrations_person ON event_registrations (person_id) WHERE person_id IS NOT NULL;

CREATE TABLE event_invitations (
    id              UUID PRIMARY KEY,
    event_id        UUID NOT NULL,
    email           TEXT NOT NULL,
    token_hash      TEXT NOT NULL,
    invited_by      UUID NOT NULL,
    created_at      TIMESTAMPTZ NOT NULL,
    used_at         TIMESTAMPTZ,
    registration_id UUID,
    CONSTRAINT event_invitations_event_id_fkey FOREIGN KEY (event_id) REFERENCES events (id),
    CONSTRAINT event_invitations_invited_by_fkey FOREIGN KEY (invited_by) REFERENCES people (id),
    CONSTRAINT event_invitations_registration_id_fkey FOREIGN KEY (registration_id) REFERENCES event_registrations (id),
    CONSTRAINT event_invitations_token_hash_key UNIQUE (token_hash)
);
CREATE INDEX event_invitations_event ON event_invitations (event_id, created_at);
