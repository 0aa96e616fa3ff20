-- What changed in each feed version (see 0007): the event, or NULL when a
-- hub, room, zone, municipality or region changed. A server keeping a
-- feed at version V reads the rows after V and lists only those events
-- again, instead of the whole calendar; a NULL, or a gap (the oldest rows
-- are dropped once 10 000 newer ones exist), means it must list it all.
-- Every raise of `feed_version` writes exactly one row, in the same
-- transaction: the deferred trigger holds the counter row's lock, so the
-- rows are numbered in commit order.
CREATE TABLE calendar_changes (
    feed_version BIGINT PRIMARY KEY,
    event_id     UUID
);

CREATE OR REPLACE FUNCTION calendar_version_bump() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    v BIGINT;
    changed UUID;
BEGIN
    IF TG_TABLE_NAME = 'event_registrations' THEN
        UPDATE calendar_version SET version = version + 1 WHERE id = 1;
        RETURN NULL;
    END IF;
    UPDATE calendar_version SET version = version + 1, feed_version = feed_version + 1
        WHERE id = 1 RETURNING feed_version INTO v;
    IF TG_TABLE_NAME = 'events' THEN
        IF TG_OP = 'DELETE' THEN
            changed := OLD.id;
        ELSE
            changed := NEW.id;
        END IF;
    END IF;
    INSERT INTO calendar_changes (feed_version, event_id) VALUES (v, changed);
    DELETE FROM calendar_changes WHERE feed_version <= v - 10000;
    RETURN NULL;
END;
$$;

-- Calendars and feeds list events by start, then id: with the id in the
-- index the order comes straight from it.
DROP INDEX events_start;
DROP INDEX events_hub_start;
CREATE INDEX events_start ON events (starts_at, id);
CREATE INDEX events_hub_start ON events (hub_id, starts_at, id);
