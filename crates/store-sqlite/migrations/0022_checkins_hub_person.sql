-- A pilot's evaluation (issue 17) needs each person's first visit to each
-- of its hubs (a network card counts at a hub only once its holder has
-- been there): with the person beside the hub, that is a walk of one
-- index, not a look-up of every check-in the hub ever had.
CREATE INDEX checkins_hub_person ON checkins (hub_id, person_id, checked_in_at);
