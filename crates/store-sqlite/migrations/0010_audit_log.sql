-- The audit trail of administrative actions. Append-only: the triggers
-- refuse every UPDATE and DELETE, whoever sends it.
CREATE TABLE audit_log (
    id          BLOB PRIMARY KEY,
    at          TEXT NOT NULL,
    actor_id    BLOB,
    action      TEXT NOT NULL,
    object_kind TEXT NOT NULL,
    object_id   BLOB NOT NULL,
    details     TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX audit_log_at ON audit_log (at DESC, id DESC);
CREATE INDEX audit_log_actor ON audit_log (actor_id, at DESC);
CREATE INDEX audit_log_object ON audit_log (object_id, at DESC);

CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'the audit log is append-only');
END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'the audit log is append-only');
END;
