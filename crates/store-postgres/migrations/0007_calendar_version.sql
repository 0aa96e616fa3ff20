-- A counter that every change to what the open calendar shows raises: an
-- event written or removed, a sign-up or a cancellation (places left), a
-- hub, room, zone, municipality or region written. The web layer keeps
-- rendered feeds and calendar pages under the generation it read before
-- rendering, so a cache entry is never used after a change, whichever
-- process made it.
--
-- The counter is a row updated in the writing transaction (a sequence
-- would be seen before the change commits). The triggers are deferred
-- constraint triggers, so the row is locked only at commit, after every
-- other lock the transaction takes: writers queue on it briefly but can
-- never deadlock on it.

-- `feed_version` is the same for what the iCalendar feeds show, which is
-- everything but places left: sign-ups do not raise it, so they do not
-- make the next feed request render a large feed again.
CREATE TABLE calendar_version (
    id           INTEGER PRIMARY KEY CHECK (id = 1),
    version      BIGINT NOT NULL,
    feed_version BIGINT NOT NULL
);
INSERT INTO calendar_version (id, version, feed_version) VALUES (1, 0, 0);

CREATE FUNCTION calendar_version_bump() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE calendar_version SET version = version + 1,
        feed_version = feed_version
            + CASE WHEN TG_TABLE_NAME = 'event_registrations' THEN 0 ELSE 1 END
        WHERE id = 1;
    RETURN NULL;
END;
$$;

-- Every column but `reminded_at`: the reminder job's bookkeeping changes
-- nothing the calendar shows.
CREATE CONSTRAINT TRIGGER calendar_events AFTER INSERT OR DELETE OR UPDATE OF
    hub_id, venue, room_id, zone_id, booking_id, title, description, topics, topic_keys, starts_at, ends_at, capacity, visibility, status, organiser_id, co_organiser_ids, sequence, updated_at
    ON events
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION calendar_version_bump();
CREATE CONSTRAINT TRIGGER calendar_registrations AFTER INSERT OR UPDATE OR DELETE ON event_registrations
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION calendar_version_bump();
CREATE CONSTRAINT TRIGGER calendar_hubs AFTER INSERT OR UPDATE ON hubs
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION calendar_version_bump();
CREATE CONSTRAINT TRIGGER calendar_rooms AFTER UPDATE ON rooms
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION calendar_version_bump();
CREATE CONSTRAINT TRIGGER calendar_zones AFTER UPDATE ON zones
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION calendar_version_bump();
CREATE CONSTRAINT TRIGGER calendar_municipalities AFTER UPDATE ON municipalities
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION calendar_version_bump();
CREATE CONSTRAINT TRIGGER calendar_regions AFTER INSERT OR UPDATE ON regions
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION calendar_version_bump();
