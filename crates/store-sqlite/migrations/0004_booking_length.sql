-- No booking is longer than 24 hours (the hubs' rules allow at most 24), and
-- the database says so. That bounds the overlap check: only bookings that
-- start less than 24 hours before a new one can reach into it, so the check
-- reads an index range on (room_id, starts_at) instead of every future
-- booking of the room.

CREATE TRIGGER bookings_max_length_insert BEFORE INSERT ON bookings
WHEN NEW.ends_at - NEW.starts_at > 86400
BEGIN
    SELECT RAISE(ABORT, 'booking_too_long');
END;

CREATE TRIGGER bookings_max_length_update BEFORE UPDATE OF starts_at, ends_at ON bookings
WHEN NEW.ends_at - NEW.starts_at > 86400
BEGIN
    SELECT RAISE(ABORT, 'booking_too_long');
END;

CREATE INDEX bookings_room_start ON bookings (room_id, starts_at) WHERE status = 'confirmed';
DROP INDEX bookings_room_end;

DROP TRIGGER bookings_no_overlap_insert;
CREATE TRIGGER bookings_no_overlap_insert BEFORE INSERT ON bookings
WHEN NEW.status = 'confirmed' AND EXISTS (
    SELECT 1 FROM bookings b
    WHERE b.room_id = NEW.room_id AND b.status = 'confirmed'
      AND b.starts_at > NEW.starts_at - 86400 AND b.starts_at < NEW.ends_at
      AND b.ends_at > NEW.starts_at)
BEGIN
    SELECT RAISE(ABORT, 'booking_conflict');
END;

DROP TRIGGER bookings_no_overlap_update;
CREATE TRIGGER bookings_no_overlap_update BEFORE UPDATE OF room_id, starts_at, ends_at, status ON bookings
WHEN NEW.status = 'confirmed' AND EXISTS (
    SELECT 1 FROM bookings b
    WHERE b.id <> NEW.id AND b.room_id = NEW.room_id AND b.status = 'confirmed'
      AND b.starts_at > NEW.starts_at - 86400 AND b.starts_at < NEW.ends_at
      AND b.ends_at > NEW.starts_at)
BEGIN
    SELECT RAISE(ABORT, 'booking_conflict');
END;
