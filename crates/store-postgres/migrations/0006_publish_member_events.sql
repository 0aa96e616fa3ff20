-- A hub may publish the events its members propose at once, without waiting
-- for a host (small hubs with few hosts). Off unless the hub's hosts say so.
ALTER TABLE booking_rules ADD COLUMN publish_member_events BOOLEAN NOT NULL DEFAULT false;
