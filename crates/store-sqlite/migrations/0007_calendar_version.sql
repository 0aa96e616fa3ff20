-- A counter that every change to what the open calendar shows raises: an
-- event written or removed, a sign-up or a cancellation (places left), a
-- hub, room or zone renamed. The web layer keeps rendered feeds and
-- calendar pages under the generation it read before rendering, so a
-- cache entry is never used after a change, whichever process made it.
-- The triggers run inside the writing transaction: a reader that sees the
-- new generation also sees the change.

-- `feed_version` is the same for what the iCalendar feeds show, which is
-- everything but places left: sign-ups do not raise it, so they do not
-- make the next feed request render a large feed again.
CREATE TABLE calendar_version (
    id           INTEGER PRIMARY KEY CHECK (id = 1),
    version      INTEGER NOT NULL,
    feed_version INTEGER NOT NULL
);
INSERT INTO calendar_version (id, version, feed_version) VALUES (1, 0, 0);

CREATE TRIGGER calendar_events_insert AFTER INSERT ON events
BEGIN UPDATE calendar_version SET version = version + 1, feed_version = feed_version + 1 WHERE id = 1; END;
-- Every column but `reminded_at`: the reminder job's bookkeeping changes
-- nothing the calendar shows.
CREATE TRIGGER calendar_events_update AFTER UPDATE OF
    hub_id, venue, room_id, zone_id, booking_id, title, description, topics, topic_keys, starts_at, ends_at, capacity, visibility, status, organiser_id, co_organiser_ids, sequence, updated_at
    ON events
BEGIN UPDATE calendar_version SET version = version + 1, feed_version = feed_version + 1 WHERE id = 1; END;
CREATE TRIGGER calendar_events_delete AFTER DELETE ON events
BEGIN UPDATE calendar_version SET version = version + 1, feed_version = feed_version + 1 WHERE id = 1; END;
CREATE TRIGGER calendar_registrations_insert AFTER INSERT ON event_registrations
BEGIN UPDATE calendar_version SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER calendar_registrations_update AFTER UPDATE ON event_registrations
BEGIN UPDATE calendar_version SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER calendar_registrations_delete AFTER DELETE ON event_registrations
BEGIN UPDATE calendar_version SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER calendar_hubs_update AFTER UPDATE ON hubs
BEGIN UPDATE calendar_version SET version = version + 1, feed_version = feed_version + 1 WHERE id = 1; END;
CREATE TRIGGER calendar_rooms_update AFTER UPDATE ON rooms
BEGIN UPDATE calendar_version SET version = version + 1, feed_version = feed_version + 1 WHERE id = 1; END;
CREATE TRIGGER calendar_zones_update AFTER UPDATE ON zones
BEGIN UPDATE calendar_version SET version = version + 1, feed_version = feed_version + 1 WHERE id = 1; END;
-- Hubs may move between regions (a region filter).
CREATE TRIGGER calendar_municipalities_update AFTER UPDATE ON municipalities
BEGIN UPDATE calendar_version SET version = version + 1, feed_version = feed_version + 1 WHERE id = 1; END;
CREATE TRIGGER calendar_regions_update AFTER UPDATE ON regions
BEGIN UPDATE calendar_version SET version = version + 1, feed_version = feed_version + 1 WHERE id = 1; END;
CREATE TRIGGER calendar_hubs_insert AFTER INSERT ON hubs
BEGIN UPDATE calendar_version SET version = version + 1, feed_version = feed_version + 1 WHERE id = 1; END;
CREATE TRIGGER calendar_regions_insert AFTER INSERT ON regions
BEGIN UPDATE calendar_version SET version = version + 1, feed_version = feed_version + 1 WHERE id = 1; END;
