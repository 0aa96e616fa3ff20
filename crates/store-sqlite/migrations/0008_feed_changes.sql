-- What changed in each feed version (see 0007): the event, or NULL when a
-- hub, room, zone, municipality or region changed. A server keeping a
-- feed at version V reads the rows after V and lists only those events
-- again, instead of the whole calendar; a NULL, or a gap (the oldest rows
-- are dropped once 10 000 newer ones exist), means it must list it all.
-- Every raise of `feed_version` writes exactly one row, in the same
-- transaction.
CREATE TABLE calendar_changes (
    feed_version INTEGER PRIMARY KEY,
    event_id     BLOB
);

DROP TRIGGER calendar_events_insert;
DROP TRIGGER calendar_events_update;
DROP TRIGGER calendar_events_delete;
DROP TRIGGER calendar_hubs_update;
DROP TRIGGER calendar_rooms_update;
DROP TRIGGER calendar_zones_update;
DROP TRIGGER calendar_municipalities_update;
DROP TRIGGER calendar_regions_update;
DROP TRIGGER calendar_hubs_insert;
DROP TRIGGER calendar_regions_insert;

CREATE TRIGGER calendar_events_insert AFTER INSERT ON events
BEGIN
    UPDATE calendar_version SET version = version + 1, feed_version = feed_version + 1 WHERE id = 1;
    INSERT INTO calendar_changes (feed_version, event_id) SELECT feed_version, NEW.id FROM calendar_version WHERE id = 1;
    DELETE FROM calendar_changes WHERE feed_version <= (SELECT feed_version - 10000 FROM calendar_version WHERE id = 1);
END;
-- Every column but `reminded_at`: the reminder job's bookkeeping changes
-- nothing the calendar shows.
CREATE TRIGGER calendar_events_update AFTER UPDATE OF
    hub_id, venue, room_id, zone_id, booking_id, title, description, topics, topic_keys, starts_at, ends_at, capacity, visibility, status, organiser_id, co_organiser_ids, sequence, updated_at
    ON events
BEGIN
    UPDATE calendar_version SET version = version + 1, feed_version = feed_version + 1 WHERE id = 1;
    INSERT INTO calendar_changes (feed_version, event_id) SELECT feed_version, NEW.id FROM calendar_version WHERE id = 1;
    DELETE FROM calendar_changes WHERE feed_version <= (SELECT feed_version - 10000 FROM calendar_version WHERE id = 1);
END;
CREATE TRIGGER calendar_events_delete AFTER DELETE ON events
BEGIN
    UPDATE calendar_version SET version = version + 1, feed_version = feed_version + 1 WHERE id = 1;
    INSERT INTO calendar_changes (feed_version, event_id) SELECT feed_version, OLD.id FROM calendar_version WHERE id = 1;
    DELETE FROM calendar_changes WHERE feed_version <= (SELECT feed_version - 10000 FROM calendar_version WHERE id = 1);
END;
CREATE TRIGGER calendar_hubs_update AFTER UPDATE ON hubs
BEGIN
    UPDATE calendar_version SET version = version + 1, feed_version = feed_version + 1 WHERE id = 1;
    INSERT INTO calendar_changes (feed_version, event_id) SELECT feed_version, NULL FROM calendar_version WHERE id = 1;
END;
CREATE TRIGGER calendar_rooms_update AFTER UPDATE ON rooms
BEGIN
    UPDATE calendar_version SET version = version + 1, feed_version = feed_version + 1 WHERE id = 1;
    INSERT INTO calendar_changes (feed_version, event_id) SELECT feed_version, NULL FROM calendar_version WHERE id = 1;
END;
CREATE TRIGGER calendar_zones_update AFTER UPDATE ON zones
BEGIN
    UPDATE calendar_version SET version = version + 1, feed_version = feed_version + 1 WHERE id = 1;
    INSERT INTO calendar_changes (feed_version, event_id) SELECT feed_version, NULL FROM calendar_version WHERE id = 1;
END;
-- Hubs may move between regions (a region filter).
CREATE TRIGGER calendar_municipalities_update AFTER UPDATE ON municipalities
BEGIN
    UPDATE calendar_version SET version = version + 1, feed_version = feed_version + 1 WHERE id = 1;
    INSERT INTO calendar_changes (feed_version, event_id) SELECT feed_version, NULL FROM calendar_version WHERE id = 1;
END;
CREATE TRIGGER calendar_regions_update AFTER UPDATE ON regions
BEGIN
    UPDATE calendar_version SET version = version + 1, feed_version = feed_version + 1 WHERE id = 1;
    INSERT INTO calendar_changes (feed_version, event_id) SELECT feed_version, NULL FROM calendar_version WHERE id = 1;
END;
CREATE TRIGGER calendar_hubs_insert AFTER INSERT ON hubs
BEGIN
    UPDATE calendar_version SET version = version + 1, feed_version = feed_version + 1 WHERE id = 1;
    INSERT INTO calendar_changes (feed_version, event_id) SELECT feed_version, NULL FROM calendar_version WHERE id = 1;
END;
CREATE TRIGGER calendar_regions_insert AFTER INSERT ON regions
BEGIN
    UPDATE calendar_version SET version = version + 1, feed_version = feed_version + 1 WHERE id = 1;
    INSERT INTO calendar_changes (feed_version, event_id) SELECT feed_version, NULL FROM calendar_version WHERE id = 1;
END;

-- Calendars and feeds list events by start, then id. With the id in the
-- index the order comes straight from it; before, SQLite sorted every
-- group of events with the same start (a third of listing a network's
-- 10 000 events).
DROP INDEX events_start;
DROP INDEX events_hub_start;
CREATE INDEX events_start ON events (starts_at, id);
CREATE INDEX events_hub_start ON events (hub_id, starts_at, id);
