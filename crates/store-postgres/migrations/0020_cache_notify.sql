-- Every process keeps hubs, rooms and booking rules in memory
-- (thirdplace_store::cache). A change to them, or to the municipality,
-- region or operator a hub listing names, from any process (or from psql)
-- tells every process through NOTIFY on the channel `thirdplace_cache`,
-- delivered when the change commits; each process's listener then empties
-- its cache (crates/store-postgres/src/listener.rs). Statement-level: one
-- notification per statement, and PostgreSQL folds identical ones of a
-- transaction into one.
CREATE FUNCTION thirdplace_cache_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('thirdplace_cache', TG_TABLE_NAME);
    RETURN NULL;
END;
$$;

CREATE TRIGGER hubs_cache_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON hubs
    FOR EACH STATEMENT EXECUTE FUNCTION thirdplace_cache_changed();
CREATE TRIGGER rooms_cache_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON rooms
    FOR EACH STATEMENT EXECUTE FUNCTION thirdplace_cache_changed();
CREATE TRIGGER booking_rules_cache_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON booking_rules
    FOR EACH STATEMENT EXECUTE FUNCTION thirdplace_cache_changed();
CREATE TRIGGER municipalities_cache_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON municipalities
    FOR EACH STATEMENT EXECUTE FUNCTION thirdplace_cache_changed();
CREATE TRIGGER regions_cache_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON regions
    FOR EACH STATEMENT EXECUTE FUNCTION thirdplace_cache_changed();
CREATE TRIGGER operators_cache_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON operators
    FOR EACH STATEMENT EXECUTE FUNCTION thirdplace_cache_changed();
