-- Pilots (issue 17): a named set of hubs over a period, run by a region,
-- with goals (an indicator, a direction and a target; a hand-entered
-- indicator keeps its value). Dates are civil 'YYYY-MM-DD' text.
CREATE TABLE pilots (
    id                   BLOB PRIMARY KEY,
    name                 TEXT NOT NULL,
    description          TEXT NOT NULL,
    region_id            BLOB NOT NULL REFERENCES regions (id),
    starts_on            TEXT NOT NULL,
    ends_on              TEXT NOT NULL CHECK (ends_on >= starts_on),
    critical_mass_people INTEGER NOT NULL CHECK (critical_mass_people >= 1),
    archived             INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE pilot_hubs (
    pilot_id BLOB NOT NULL REFERENCES pilots (id),
    position INTEGER NOT NULL,
    hub_id   BLOB NOT NULL REFERENCES hubs (id),
    PRIMARY KEY (pilot_id, position),
    UNIQUE (pilot_id, hub_id)
);
CREATE INDEX pilot_hubs_hub ON pilot_hubs (hub_id);

CREATE TABLE pilot_goals (
    pilot_id     BLOB NOT NULL REFERENCES pilots (id),
    position     INTEGER NOT NULL,
    indicator    TEXT NOT NULL,
    label        TEXT NOT NULL,
    direction    TEXT NOT NULL CHECK (direction IN ('at_least', 'at_most')),
    target       INTEGER NOT NULL,
    scope        TEXT NOT NULL CHECK (scope IN ('each_hub', 'pilot')),
    manual_value INTEGER,
    PRIMARY KEY (pilot_id, position)
);
