//! Events in SQLite: what its queries say their own way for the events
//! written once in `thirdplace_store::sql::events` ([`EventsDialect`]):
//! topics and co-organisers as JSON text, the partial unique indexes and
//! foreign keys telling their errors, room bookings, and the calendar's
//! filtered list.
//!
//! Every write runs as a job of the store's one writer (`writer.rs`), inside
//! its `BEGIN IMMEDIATE` transaction: the count of places taken that decides
//! between a place and the waiting list, and the position that records the
//! arrival order, are read and written with the write lock held, so two
//! sign-ups for the last place are decided one after the other. A job that
//! fails is rolled back to its savepoint and leaves nothing behind (an
//! event whose room is taken writes neither event nor booking).
//! The partial unique indexes of migration 0004 refuse a second active
//! registration even if a check here were wrong.

use super::bookings::secs;
use super::{db, decode};
use crate::dialect::Lite;
use crate::rows;
use sqlx::sqlite::{SqliteConnection, SqliteRow};
use sqlx::{QueryBuilder, Row, Sqlite};
use thirdplace_store::sql::events::{self, EventsDialect};
use thirdplace_store::sql::{push_keyset_after, Towards};
use thirdplace_store::StoreResult;
use thirdplace_store::{EventFilter, EventListing};
use uuid::Uuid;

impl EventsDialect for Lite {
    /// A JSON array of texts.
    fn texts(r: &SqliteRow, name: &str) -> Result<Vec<String>, sqlx::Error> {
        serde_json::from_str(&r.try_get::<String, _>(name)?).map_err(|e| decode(name, e))
    }

    /// A JSON array of ids as texts.
    fn ids(r: &SqliteRow, name: &str) -> Result<Vec<Uuid>, sqlx::Error> {
        serde_json::from_str(&r.try_get::<String, _>(name)?).map_err(|e| decode(name, e))
    }

    fn texts_from_json(param: &str) -> String {
        param.to_string()
    }

    fn ids_from_json(param: &str) -> String {
        param.to_string()
    }

    /// The unique indexes' error names their columns.
    fn already_registered(e: &sqlx::Error) -> bool {
        matches!(e, sqlx::Error::Database(d)
            if d.message().contains("event_registrations.person_id")
                || d.message().contains("event_registrations.external_email"))
    }

    /// The calendar's list: `IN (…)` for the sets, `json_each` for a topic
    /// or a co-organiser.
    async fn list_events(
        conn: &mut SqliteConnection,
        f: &EventFilter,
    ) -> StoreResult<Vec<EventListing>> {
        let mut q = QueryBuilder::<Sqlite>::new(events::listing_select(f.without_counts));
        if let Some(from) = f.from {
            q.push(" AND e.ends_at > ").push_bind(secs(from));
        }
        if let Some(to) = f.to {
            q.push(" AND e.starts_at < ").push_bind(secs(to));
        }
        if let Some(hubs) = &f.hub_ids {
            if !push_in(&mut q, "e.hub_id", hubs.iter().copied()) {
                return Ok(Vec::new());
            }
        }
        if let Some(ids) = &f.ids {
            if !push_in(&mut q, "e.id", ids.iter().copied()) {
                return Ok(Vec::new());
            }
        }
        if let Some(topic) = &f.topic {
            q.push(" AND EXISTS (SELECT 1 FROM json_each(e.topic_keys) j WHERE j.value = ")
                .push_bind(topic.trim().to_lowercase())
                .push(")");
        }
        if let Some(vs) = &f.visibilities {
            if !push_in(&mut q, "e.visibility", vs.iter().map(|v| v.key())) {
                return Ok(Vec::new());
            }
        }
        if let Some(ss) = &f.statuses {
            if !push_in(&mut q, "e.status", ss.iter().map(|s| s.key())) {
                return Ok(Vec::new());
            }
        }
        if let Some(p) = f.involving {
            q.push(" AND (e.organiser_id = ")
                .push_bind(p)
                .push(" OR EXISTS (SELECT 1 FROM json_each(e.co_organiser_ids) j WHERE j.value = ")
                .push_bind(p.to_string())
                .push(") OR EXISTS (SELECT 1 FROM event_registrations x WHERE x.event_id = e.id ")
                .push("AND x.status <> 'cancelled' AND x.person_id = ")
                .push_bind(p)
                .push("))");
        }
        if let Some((start, id)) = f.after {
            push_keyset_after(
                &mut q,
                "e.starts_at",
                Towards::Greater,
                "e.id",
                Towards::Greater,
                secs(start),
                id,
            );
        }
        q.push(events::LISTING_ORDER).push_bind(f.limit.max(0));
        let r = q.build().fetch_all(&mut *conn).await.map_err(db)?;
        rows(&r, events::listing::<Lite>)
    }
}

/// Adds ` AND column IN (…)` with `values` bound; `false` when there are
/// none, so that nothing can match.
fn push_in<'a, T>(
    q: &mut QueryBuilder<'a, Sqlite>,
    column: &str,
    values: impl IntoIterator<Item = T>,
) -> bool
where
    T: 'a + sqlx::Encode<'a, Sqlite> + sqlx::Type<Sqlite>,
{
    let mut values = values.into_iter().peekable();
    if values.peek().is_none() {
        return false;
    }
    q.push(" AND ").push(column).push(" IN (");
    let mut sep = q.separated(", ");
    for v in values {
        sep.push_bind(v);
    }
    q.push(")");
    true
}
