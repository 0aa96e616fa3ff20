-- Failed sign-ins counted per key ('account:<e-mail>' or
-- 'source:<address>') instead of one row per failure and e-mail address:
-- a delay that grows per account and per source replaces the lockout per
-- e-mail address (see thirdplace_domain::sign_in). Rows older than an hour
-- are deleted as failures are recorded.
DROP TABLE login_failures;

CREATE TABLE sign_in_strikes (
    key      TEXT PRIMARY KEY,
    failures BIGINT NOT NULL,
    last_at  TIMESTAMPTZ NOT NULL
);
CREATE INDEX sign_in_strikes_last_at ON sign_in_strikes (last_at);
