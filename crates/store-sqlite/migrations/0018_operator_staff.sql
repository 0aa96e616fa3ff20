-- Operators' staff (issue 16, item 5): the people who work with an
-- operator's invoicing (its run, credit notes, payments, bank files and
-- bookkeeping exports), like the hosts of a hub and the admins of an
-- organisation. Granted by network admins.
CREATE TABLE operator_staff (
    person_id   BLOB NOT NULL REFERENCES people (id),
    operator_id BLOB NOT NULL REFERENCES operators (id),
    PRIMARY KEY (person_id, operator_id)
);
CREATE INDEX operator_staff_operator ON operator_staff (operator_id);
