-- Operators' staff (issue 16, item 5): the people who work with an
-- operator's invoicing (its run, credit notes, payments, bank files and
-- bookkeeping exports), like the hosts of a hub and the admins of an
-- organisation. Granted by network admins.
CREATE TABLE operator_staff (
    person_id   UUID NOT NULL,
    operator_id UUID NOT NULL,
    CONSTRAINT operator_staff_pkey PRIMARY KEY (person_id, operator_id),
    CONSTRAINT operator_staff_person_id_fkey FOREIGN KEY (person_id) REFERENCES people (id),
    CONSTRAINT operator_staff_operator_id_fkey FOREIGN KEY (operator_id) REFERENCES operators (id)
);
CREATE INDEX operator_staff_operator ON operator_staff (operator_id);
