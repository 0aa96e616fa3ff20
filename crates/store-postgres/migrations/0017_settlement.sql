-- The network's tariff for the settlement between operators (issue 16,
-- item 6), one row: what a home operator pays a host operator per visit
-- day of its members at the host's hubs, and the host's share of their
-- bookings' amounts in per mille. Nothing is owed until an admin sets it.
CREATE TABLE settlement_tariff (
    id                      INTEGER PRIMARY KEY CHECK (id = 1),
    visit_day_ore           BIGINT NOT NULL CHECK (visit_day_ore >= 0),
    booking_share_per_mille BIGINT NOT NULL
        CHECK (booking_share_per_mille BETWEEN 0 AND 1000)
);
INSERT INTO settlement_tariff (id, visit_day_ore, booking_share_per_mille) VALUES (1, 0, 0);

-- The month's check-ins are found by time (`checkins_time`, 0011); its
-- bookings too (`bookings_hub_time` is per hub, the statement reads them all).
CREATE INDEX bookings_time ON bookings (starts_at);
