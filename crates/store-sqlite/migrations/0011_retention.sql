-- The network's retention policy ("gallring"), one row, in whole days; the
-- defaults are thirdplace_domain::retention::RetentionPolicy::default().
-- `outbox_days` is how long sent mail in the outbox keeps address and text.
-- `last_run_at` (Unix milliseconds) is when a server process last claimed
-- the periodic run, so that of several processes one runs each period.
CREATE TABLE retention_policy (
    id                   INTEGER PRIMARY KEY CHECK (id = 1),
    checkin_days         INTEGER NOT NULL,
    guest_name_days      INTEGER NOT NULL,
    outbox_days          INTEGER NOT NULL,
    webhook_days         INTEGER NOT NULL,
    session_days         INTEGER NOT NULL,
    sign_in_failure_days INTEGER NOT NULL,
    last_run_at          INTEGER
);
INSERT INTO retention_policy (id, checkin_days, guest_name_days, outbox_days, webhook_days,
    session_days, sign_in_failure_days) VALUES (1, 396, 30, 90, 30, 1, 1);

-- What the reductions look up by age.
CREATE INDEX checkins_time ON checkins (checked_in_at);
CREATE INDEX guest_visits_time ON guest_visits (arrived_at);
CREATE INDEX email_outbox_sent ON email_outbox (sent_at) WHERE sent_at IS NOT NULL;
CREATE INDEX webhook_deliveries_created ON webhook_deliveries (created_at);
CREATE INDEX sessions_expiry ON sessions (expires_at);
