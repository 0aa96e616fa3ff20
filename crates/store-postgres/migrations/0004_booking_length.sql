-- No booking is longer than 24 hours (the hubs' rules allow at most 24), and
-- the database says so, as on SQLite, where it bounds the overlap check.
ALTER TABLE bookings ADD CONSTRAINT bookings_max_length
    CHECK (ends_at - starts_at <= interval '24 hours');
