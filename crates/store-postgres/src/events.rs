//! Events in PostgreSQL: what its queries say their own way for the
//! events written once in `thirdplace_store::sql::events`
//! ([`EventsDialect`]): topics and co-organisers as arrays, the partial
//! unique indexes' names, room bookings with their rooms locked, and the
//! calendar's filtered list.
//!
//! Sign-ups for one event are decided one at a time, also across processes:
//! every transaction that changes who holds a place first locks the event's
//! row (`FOR UPDATE`), so a second transaction waits for the first to commit
//! and then sees its registration. The room booking's overlap rule is the
//! exclusion constraint of migration 0003.

use crate::db;
use crate::dialect::Pg;
use crate::rows;
use sqlx::postgres::PgRow;
use sqlx::{PgConnection, Postgres, QueryBuilder, Row};
use thirdplace_store::sql::events::{self, EventsDialect};
use thirdplace_store::StoreResult;
use thirdplace_store::{EventFilter, EventListing};
use uuid::Uuid;

/// `param`'s JSON array as the elements' texts, in their order.
fn elements(param: &str, cast: &str) -> String {
    format!(
        "ARRAY(SELECT x.v{cast} FROM jsonb_array_elements_text({param}::jsonb) \
         WITH ORDINALITY AS x(v, n) ORDER BY x.n)"
    )
}

impl EventsDialect for Pg {
    fn texts(r: &PgRow, name: &str) -> Result<Vec<String>, sqlx::Error> {
        r.try_get(name)
    }

    fn ids(r: &PgRow, name: &str) -> Result<Vec<Uuid>, sqlx::Error> {
        r.try_get(name)
    }

    /// A `TEXT[]` of the array's elements.
    fn texts_from_json(param: &str) -> String {
        elements(param, "")
    }

    /// A `UUID[]` of the array's elements.
    fn ids_from_json(param: &str) -> String {
        elements(param, "::uuid")
    }

    /// The partial unique indexes say "already registered".
    fn already_registered(e: &sqlx::Error) -> bool {
        matches!(e, sqlx::Error::Database(d) if matches!(
            d.constraint(),
            Some("event_registrations_one_person" | "event_registrations_one_external")
        ))
    }

    /// The calendar's list: arrays for the sets, `@>` for a topic.
    async fn list_events(
        conn: &mut PgConnection,
        f: &EventFilter,
    ) -> StoreResult<Vec<EventListing>> {
        let mut q = QueryBuilder::<Postgres>::new(events::listing_select(f.without_counts));
        if let Some(from) = f.from {
            q.push(" AND e.ends_at > ").push_bind(from);
        }
        if let Some(to) = f.to {
            q.push(" AND e.starts_at < ").push_bind(to);
        }
        if let Some(hubs) = &f.hub_ids {
            if hubs.is_empty() {
                return Ok(Vec::new());
            }
            q.push(" AND e.hub_id = ANY(")
                .push_bind(hubs.clone())
                .push(")");
        }
        if let Some(ids) = &f.ids {
            if ids.is_empty() {
                return Ok(Vec::new());
            }
            q.push(" AND e.id = ANY(").push_bind(ids.clone()).push(")");
        }
        if let Some(topic) = &f.topic {
            q.push(" AND e.topic_keys @> ARRAY[")
                .push_bind(topic.trim().to_lowercase())
                .push("]::TEXT[]");
        }
        if let Some(vs) = &f.visibilities {
            if vs.is_empty() {
                return Ok(Vec::new());
            }
            let keys: Vec<String> = vs.iter().map(|v| v.key().to_string()).collect();
            q.push(" AND e.visibility = ANY(").push_bind(keys).push(")");
        }
        if let Some(ss) = &f.statuses {
            if ss.is_empty() {
                return Ok(Vec::new());
            }
            let keys: Vec<String> = ss.iter().map(|s| s.key().to_string()).collect();
            q.push(" AND e.status = ANY(").push_bind(keys).push(")");
        }
        if let Some(p) = f.involving {
            q.push(" AND (e.organiser_id = ")
                .push_bind(p)
                .push(" OR ")
                .push_bind(p)
                .push(" = ANY(e.co_organiser_ids) OR EXISTS (SELECT 1 FROM event_registrations x ")
                .push("WHERE x.event_id = e.id AND x.status <> 'cancelled' AND x.person_id = ")
                .push_bind(p)
                .push("))");
        }
        if let Some((start, id)) = f.after {
            q.push(" AND (e.starts_at, e.id) > (")
                .push_bind(start)
                .push(", ")
                .push_bind(id)
                .push(")");
        }
        q.push(events::LISTING_ORDER).push_bind(f.limit.max(0));
        let r = q.build().fetch_all(&mut *conn).await.map_err(db)?;
        rows(&r, events::listing::<Pg>)
    }
}
