//! Memberships in SQLite: plans, seats and their holdings, profiles and QR
//! generations, check-ins (which queue their webhook deliveries), guest
//! visits, presence and the access summary. Free functions over a
//! connection; `impl MembershipStore` at the end calls them.
//!
//! Writes take the writer's connection (`&mut SqliteConnection`) and run
//! inside a transaction that the writer (`writer.rs`) has already begun with
//! `BEGIN IMMEDIATE` and commits; they never begin or commit one themselves.
//! Holding the write lock from the start means a check made before a write
//! cannot be stale.

use super::{db, decode, must_exist, write_err};
use crate::rows;
use crate::SqliteStore;
use crate::WriteOne;
use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};
use sqlx::sqlite::{SqliteConnection, SqliteRow};
use sqlx::Row;
use sqlx::Sqlite;
use thirdplace_domain::membership::{
    AccessSummary, CheckIn, GuestVisit, HeldSeat, Plan, PresentPerson, Profile, Seat, SeatHolding,
};
use thirdplace_store::sql::membership::{
    checkin, checkins_of, guest_visit, held_seat, held_seats, holding, plan, seat_by_id, seat_page,
    seat_view, set_seat_end, Locks, Steps, GUESTS_AT_HUB, GUESTS_OF_CHECKIN, HOLDINGS_OF_SEAT,
    OPEN_CHECKINS, OPEN_CHECKIN_OF,
};
use thirdplace_store::sql::network::NetworkBackend;
use thirdplace_store::sql::record::Record;
use thirdplace_store::sql::{Fetch, FetchValue};
use thirdplace_store::{
    MembershipStore, OutboundEvent, Refusal, SeatView, StoreError, StoreResult,
};
use uuid::Uuid;

/// `NotFound` instead of a foreign-key error, for writes keyed by a person.
pub(crate) fn person_write_err(e: sqlx::Error) -> StoreError {
    match &e {
        sqlx::Error::Database(d) if d.is_foreign_key_violation() => StoreError::NotFound,
        _ => write_err(e),
    }
}

// ------------------------------------------------------------------ seats

pub(crate) async fn insert_seats(conn: &mut SqliteConnection, seats: &[Seat]) -> StoreResult<()> {
    if seats.is_empty() {
        return Ok(());
    }
    let mut checked_plans: Vec<Uuid> = Vec::new();
    let mut checked_orgs: Vec<Uuid> = Vec::new();
    for s in seats {
        if !checked_plans.contains(&s.plan_id) {
            must_exist(conn, "plans", s.plan_id, "plan_id").await?;
            checked_plans.push(s.plan_id);
        }
        if !checked_orgs.contains(&s.organisation_id) {
            must_exist(conn, "organisations", s.organisation_id, "organisation_id").await?;
            checked_orgs.push(s.organisation_id);
        }
        sqlx::query(
            "INSERT INTO seats (id, plan_id, organisation_id, start_date, end_date, created_at, \
             selling_operator_id) VALUES (?1, ?2, ?3, ?4, ?5, ?6, \
             COALESCE(?7, (SELECT selling_operator_id FROM plans WHERE id = ?2)))",
        )
        .bind(s.id)
        .bind(s.plan_id)
        .bind(s.organisation_id)
        .bind(s.start_date)
        .bind(s.end_date)
        .bind(s.created_at)
        .bind(s.selling_operator_id)
        .execute(&mut *conn)
        .await
        .map_err(write_err)?;
    }
    Ok(())
}

// ------------------------------------------------------- profile and card

fn expertise(raw: &str) -> Result<Vec<String>, sqlx::Error> {
    serde_json::from_str(raw).map_err(|e| decode("expertise", e))
}

pub(crate) async fn get_profile(
    conn: &mut SqliteConnection,
    person_id: Uuid,
) -> StoreResult<Profile> {
    let row: Option<(bool, String)> =
        sqlx::query_as("SELECT visible, expertise FROM member_profiles WHERE person_id = ?")
            .bind(person_id)
            .optional_value(&mut *conn)
            .await?;
    match row {
        Some((visible, raw)) => Ok(Profile {
            visible,
            expertise: expertise(&raw).map_err(db)?,
        }),
        None => Ok(Profile::default()),
    }
}

pub(crate) async fn set_profile(
    conn: &mut SqliteConnection,
    person_id: Uuid,
    profile: &Profile,
) -> StoreResult<()> {
    let tags = serde_json::to_string(&profile.expertise).map_err(db)?;
    sqlx::query(
        "INSERT INTO member_profiles (person_id, visible, expertise) VALUES (?, ?, ?) \
         ON CONFLICT (person_id) DO UPDATE SET visible = excluded.visible, \
         expertise = excluded.expertise",
    )
    .bind(person_id)
    .bind(profile.visible)
    .bind(tags)
    .execute(&mut *conn)
    .await
    .map_err(person_write_err)
    .map(|_| ())
}

pub(crate) async fn qr_generation(
    conn: &mut SqliteConnection,
    person_id: Uuid,
) -> StoreResult<i64> {
    let g: Option<i64> =
        sqlx::query_scalar("SELECT qr_generation FROM member_profiles WHERE person_id = ?")
            .bind(person_id)
            .optional_value(&mut *conn)
            .await?;
    Ok(g.unwrap_or(0))
}

pub(crate) async fn rotate_qr(conn: &mut SqliteConnection, person_id: Uuid) -> StoreResult<i64> {
    // One statement: atomic, so two rotations at once give two generations.
    sqlx::query_scalar(
        "INSERT INTO member_profiles (person_id, qr_generation) VALUES (?, 1) \
         ON CONFLICT (person_id) DO UPDATE SET qr_generation = qr_generation + 1 \
         RETURNING qr_generation",
    )
    .bind(person_id)
    .fetch_one(&mut *conn)
    .await
    .map_err(person_write_err)
}

// -------------------------------------------------------------- check-ins

/// Counts a visit (or a guest visit) on its hub's civil day.
async fn count_visit(
    conn: &mut SqliteConnection,
    hub_id: Uuid,
    at: DateTime<Utc>,
    guest: bool,
) -> StoreResult<()> {
    let (v, g) = if guest { (0, 1) } else { (1, 0) };
    sqlx::query(
        "INSERT INTO hub_visit_days (hub_id, day, visits, guest_visits) VALUES (?, ?, ?, ?) \
         ON CONFLICT (hub_id, day) DO UPDATE SET visits = hub_visit_days.visits + excluded.visits, \
         guest_visits = hub_visit_days.guest_visits + excluded.guest_visits",
    )
    .bind(hub_id)
    .bind(thirdplace_domain::membership::local_date(at))
    .bind(v)
    .bind(g)
    .execute(&mut *conn)
    .await
    .map_err(write_err)?;
    Ok(())
}

/// The active webhooks, oldest first, as `(id, events)`.
const ACTIVE_WEBHOOKS: &str =
    "SELECT 'webhook' AS kind, id, events FROM webhooks WHERE active = 1 ORDER BY created_at, id";

/// Queues one delivery of `event` for every active webhook subscribed to
/// it, inside the transaction that makes the change it reports.
async fn fan_out(conn: &mut SqliteConnection, event: &OutboundEvent) -> StoreResult<()> {
    let found = sqlx::query(ACTIVE_WEBHOOKS)
        .fetch_all(&mut *conn)
        .await
        .map_err(db)?;
    queue_deliveries(conn, &found, event).await
}

/// Queues `event` for those of `hooks` (rows of [`ACTIVE_WEBHOOKS`]) that
/// subscribe to it.
async fn queue_deliveries(
    conn: &mut SqliteConnection,
    hooks: &[SqliteRow],
    event: &OutboundEvent,
) -> StoreResult<()> {
    let key = event.event.key();
    for hook in hooks {
        let webhook_id: Uuid = hook.try_get("id").map_err(db)?;
        let events: String = hook.try_get("events").map_err(db)?;
        if !events.split(',').any(|e| e.trim() == key) {
            continue;
        }
        sqlx::query(
            "INSERT INTO webhook_deliveries (id, webhook_id, event, payload, attempts, \
             next_attempt_at, delivered_at, failed, last_error, created_at) \
             VALUES (?, ?, ?, ?, 0, ?, NULL, 0, NULL, ?)",
        )
        .bind(thirdplace_domain::new_id())
        .bind(webhook_id)
        .bind(key)
        .bind(&event.payload)
        .bind(event.at)
        .bind(event.at)
        .execute(&mut *conn)
        .await
        .map_err(write_err)?;
    }
    Ok(())
}

// The two writes that every visit makes (check-in and checkout) send all
// their statements as one query: sqlx runs each query on the connection's
// own thread, and these round trips, not SQLite, were most of a write's
// cost. sqlx binds `?` across the statements in order (`?NNN` counts from
// the first statement), runs them all, and returns the rows of all; a
// failing statement stops the rest, and the writer rolls back the job's
// savepoint, so nothing of a failed write stays.

pub(crate) async fn insert_checkin(
    conn: &mut SqliteConnection,
    c: &CheckIn,
    event: &OutboundEvent,
) -> StoreResult<()> {
    let inserted = sqlx::query(&format!(
        "INSERT INTO checkins (id, person_id, hub_id, seat_id, method, checked_in_at, \
         checked_out_at, auto_closed) VALUES (?, ?, ?, ?, ?, ?, ?, ?); \
         INSERT INTO hub_visit_days (hub_id, day, visits, guest_visits) VALUES (?, ?, 1, 0) \
         ON CONFLICT (hub_id, day) DO UPDATE SET visits = hub_visit_days.visits + 1; \
         {ACTIVE_WEBHOOKS}"
    ))
    .bind(c.id)
    .bind(c.person_id)
    .bind(c.hub_id)
    .bind(c.seat_id)
    .bind(c.method.key())
    .bind(c.checked_in_at)
    .bind(c.checked_out_at)
    .bind(c.auto_closed)
    .bind(c.hub_id)
    .bind(thirdplace_domain::membership::local_date(c.checked_in_at))
    .fetch_all(&mut *conn)
    .await;
    let hooks = match inserted {
        Ok(hooks) => hooks,
        Err(e) => {
            if let sqlx::Error::Database(d) = &e {
                // `checkins_one_open` is on person_id: "UNIQUE constraint failed: checkins.person_id".
                if d.is_unique_violation() && d.message().ends_with("person_id") {
                    return Err(StoreError::Refused(Refusal::AlreadyCheckedIn));
                }
                // SQLite does not say which key failed; find out only then, so
                // the common path costs no extra look-ups.
                if d.is_foreign_key_violation() {
                    must_exist(conn, "people", c.person_id, "person_id").await?;
                    must_exist(conn, "hubs", c.hub_id, "hub_id").await?;
                    must_exist(conn, "seats", c.seat_id, "seat_id").await?;
                }
            }
            return Err(write_err(e));
        }
    };
    queue_deliveries(conn, &hooks, event).await
}

pub(crate) async fn checkout(
    conn: &mut SqliteConnection,
    id: Uuid,
    at: DateTime<Utc>,
    auto_closed: bool,
    event: &OutboundEvent,
) -> StoreResult<CheckIn> {
    let found = sqlx::query(&format!(
        "UPDATE checkins SET checked_out_at = ?1, auto_closed = ?2 \
         WHERE id = ?3 AND checked_out_at IS NULL RETURNING 'checkin' AS kind, *; \
         UPDATE guest_visits SET left_at = ?1 WHERE host_checkin_id = ?3 AND left_at IS NULL; \
         {ACTIVE_WEBHOOKS}"
    ))
    .bind(at)
    .bind(auto_closed)
    .bind(id)
    .fetch_all(&mut *conn)
    .await
    .map_err(db)?;
    let (ended, hooks): (Vec<SqliteRow>, Vec<SqliteRow>) = found
        .into_iter()
        .partition(|r| r.try_get::<&str, _>("kind").ok() == Some("checkin"));
    let Some(ended) = ended.first() else {
        // Unknown, or ended already (the guests' update changed nothing
        // then, and the writer rolls this job back anyway).
        let known: Option<i64> = sqlx::query_scalar("SELECT 1 FROM checkins WHERE id = ?")
            .bind(id)
            .optional_value(&mut *conn)
            .await?;
        return Err(match known {
            Some(_) => StoreError::Refused(Refusal::AlreadyCheckedOut),
            None => StoreError::NotFound,
        });
    };
    let c = checkin(ended).map_err(db)?;
    queue_deliveries(conn, &hooks, event).await?;
    Ok(c)
}

pub(crate) async fn insert_guest_visit(
    conn: &mut SqliteConnection,
    g: &GuestVisit,
    max_guests: i64,
    event: &OutboundEvent,
) -> StoreResult<()> {
    // The writer holds the write lock already: nothing to lock.
    Steps::<Sqlite>(&mut *conn)
        .guest_room(g.host_checkin_id, max_guests, Locks::NONE)
        .await?;
    must_exist(conn, "organisations", g.organisation_id, "organisation_id").await?;
    Steps::<Sqlite>(&mut *conn)
        .insert_guest(g, write_err)
        .await?;
    count_visit(conn, g.hub_id, g.arrived_at, true).await?;
    fan_out(conn, event).await?;
    Ok(())
}

pub(crate) async fn present_at(
    conn: &mut SqliteConnection,
    hub_id: Uuid,
) -> StoreResult<Vec<PresentPerson>> {
    let r = sqlx::query(
        "SELECT c.person_id, p.first_name, p.last_name, o.name AS organisation_name, \
         coalesce(mp.visible, 0) AS visible, coalesce(mp.expertise, '[]') AS expertise, \
         c.checked_in_at AS since \
         FROM checkins c JOIN people p ON p.id = c.person_id \
         LEFT JOIN organisations o ON o.id = p.organisation_id \
         LEFT JOIN member_profiles mp ON mp.person_id = c.person_id \
         WHERE c.hub_id = ? AND c.checked_out_at IS NULL \
         ORDER BY c.checked_in_at, c.id",
    )
    .bind(hub_id)
    .fetch_all(&mut *conn)
    .await
    .map_err(db)?;
    rows(&r, |r| {
        let visible: i64 = r.try_get("visible")?;
        let tags: String = r.try_get("expertise")?;
        Ok(PresentPerson {
            person_id: r.try_get("person_id")?,
            first_name: r.try_get("first_name")?,
            last_name: r.try_get("last_name")?,
            organisation_name: r.try_get("organisation_name")?,
            visible: visible != 0,
            expertise: expertise(&tags)?,
            since: r.try_get("since")?,
        })
    })
}

pub(crate) async fn access_summary(
    conn: &mut SqliteConnection,
    hub_id: Uuid,
    region_id: Uuid,
    today: NaiveDate,
    now: DateTime<Utc>,
    first_day: NaiveDate,
) -> StoreResult<AccessSummary> {
    // One round trip. Open check-ins are a scan of `checkins_open_hub`,
    // visits a sum over at most a month of `hub_visit_days`; the access
    // part reads only current holdings, which are few.
    let row = sqlx::query(
        "WITH access AS ( \
           SELECT h.person_id, s.organisation_id \
           FROM seat_holdings h JOIN seats s ON s.id = h.seat_id \
           JOIN plans pl ON pl.id = s.plan_id \
           WHERE h.held_from <= ?1 AND (h.held_until IS NULL OR h.held_until > ?1) \
             AND s.start_date <= ?2 AND (s.end_date IS NULL OR s.end_date >= ?2) \
             AND (pl.scope_kind = 'network' \
                  OR (pl.scope_kind = 'region' AND pl.scope_region_id = ?3) \
                  OR (pl.scope_kind = 'hub' AND pl.scope_hub_id = ?4)) \
         ), counts AS ( \
           SELECT count(DISTINCT person_id) AS people, \
                  count(DISTINCT organisation_id) AS organisations FROM access \
         ), days AS ( \
           SELECT coalesce(sum(visits), 0) AS visits, coalesce(sum(guest_visits), 0) AS guests \
           FROM hub_visit_days WHERE hub_id = ?4 AND day >= ?5 AND day <= ?2 \
         ) SELECT counts.people, counts.organisations, \
           (SELECT count(*) FROM checkins WHERE hub_id = ?4 AND checked_out_at IS NULL) AS checked_in_now, \
           days.visits, days.guests FROM counts, days",
    )
    .bind(now)
    .bind(today)
    .bind(region_id)
    .bind(hub_id)
    .bind(first_day)
    .fetch_one(&mut *conn)
    .await
    .map_err(db)?;
    let get = |c: &str| row.try_get::<i64, _>(c).map_err(db);
    Ok(AccessSummary {
        people_with_access: get("people")?,
        organisations_with_access: get("organisations")?,
        checked_in_now: get("checked_in_now")?,
        visits_last_30_days: get("visits")?,
        guest_visits_last_30_days: get("guests")?,
    })
}

#[async_trait]
impl MembershipStore for SqliteStore {
    #[tracing::instrument(level = "debug", skip_all)]
    async fn list_plans(&self) -> StoreResult<Vec<Plan>> {
        self.read_all((Plan::TABLE, "ORDER BY name, id"), plan)
            .await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn get_plan(&self, id: Uuid) -> StoreResult<Plan> {
        self.read_by_id(Plan::TABLE, id, plan).await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn insert_plan(&self, p: &Plan) -> StoreResult<()> {
        self.write_row(p, true).await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn update_plan(&self, p: &Plan) -> StoreResult<()> {
        self.write_row(p, false).await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn insert_seats(&self, seats: &[Seat]) -> StoreResult<()> {
        let seats = seats.to_vec();
        write!(self, |conn| insert_seats(conn, &seats).await)
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn get_seat(&self, id: Uuid) -> StoreResult<SeatView> {
        let mut q = seat_by_id::<Sqlite>(id);
        q.build()
            .one(&mut *self.readers.get().await, seat_view)
            .await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn list_seats_after(
        &self,
        organisation_id: Uuid,
        after: Option<(DateTime<Utc>, Uuid)>,
        limit: i64,
    ) -> StoreResult<Vec<SeatView>> {
        let mut q = seat_page::<Sqlite>(organisation_id, after, limit);
        q.build()
            .all(&mut *self.readers.get().await, seat_view)
            .await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn seat_history(&self, seat_id: Uuid) -> StoreResult<Vec<SeatHolding>> {
        self.read_where(HOLDINGS_OF_SEAT, seat_id, holding).await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn assign_seat(
        &self,
        seat_id: Uuid,
        holder: Option<Uuid>,
        at: DateTime<Utc>,
    ) -> StoreResult<()> {
        // The writer holds the write lock already: nothing to lock.
        let seat = (seat_id, holder, at);
        write!(self, |conn| Steps::<Sqlite>(conn)
            .assign_seat(seat, false, Locks::NONE, write_err)
            .await)
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn give_vacant_seat(
        &self,
        seat_id: Uuid,
        holder: Uuid,
        at: DateTime<Utc>,
    ) -> StoreResult<()> {
        let seat = (seat_id, Some(holder), at);
        write!(self, |conn| Steps::<Sqlite>(conn)
            .assign_seat(seat, true, Locks::NONE, write_err)
            .await)
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn set_seat_end(&self, seat_id: Uuid, end_date: Option<NaiveDate>) -> StoreResult<()> {
        write!(self, |conn| {
            let mut q = set_seat_end::<Sqlite>(seat_id, end_date);
            q.build().write_one(&mut *conn, db).await
        })
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn held_seats(&self, person_id: Uuid, at: DateTime<Utc>) -> StoreResult<Vec<HeldSeat>> {
        let mut q = held_seats::<Sqlite>(person_id, at);
        q.build()
            .all(&mut *self.readers.get().await, held_seat)
            .await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn get_profile(&self, person_id: Uuid) -> StoreResult<Profile> {
        get_profile(&mut *self.readers.get().await, person_id).await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn set_profile(&self, person_id: Uuid, profile: &Profile) -> StoreResult<()> {
        let profile = profile.clone();
        write!(self, |conn| set_profile(conn, person_id, &profile).await)
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn qr_generation(&self, person_id: Uuid) -> StoreResult<i64> {
        qr_generation(&mut *self.readers.get().await, person_id).await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn rotate_qr(&self, person_id: Uuid) -> StoreResult<i64> {
        write!(self, |conn| rotate_qr(conn, person_id).await)
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn insert_checkin(&self, c: &CheckIn, event: &OutboundEvent) -> StoreResult<()> {
        let (c, event) = (c.clone(), event.clone());
        write!(self, |conn| insert_checkin(conn, &c, &event).await)
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn get_checkin(&self, id: Uuid) -> StoreResult<CheckIn> {
        self.read_by_id("checkins", id, checkin).await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn open_checkin_of(&self, person_id: Uuid) -> StoreResult<Option<CheckIn>> {
        Ok(self
            .read_where(OPEN_CHECKIN_OF, person_id, checkin)
            .await?
            .pop())
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn checkout(
        &self,
        id: Uuid,
        at: DateTime<Utc>,
        auto_closed: bool,
        event: &OutboundEvent,
    ) -> StoreResult<CheckIn> {
        let event = event.clone();
        write!(self, |conn| checkout(conn, id, at, auto_closed, &event)
            .await)
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn list_open_checkins(&self) -> StoreResult<Vec<CheckIn>> {
        sqlx::query(OPEN_CHECKINS)
            .all(&mut *self.readers.get().await, checkin)
            .await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn insert_guest_visit(
        &self,
        g: &GuestVisit,
        max_guests: i64,
        event: &OutboundEvent,
    ) -> StoreResult<()> {
        let (g, event) = (g.clone(), event.clone());
        write!(self, |conn| insert_guest_visit(
            conn, &g, max_guests, &event
        )
        .await)
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn list_guests(&self, checkin_id: Uuid) -> StoreResult<Vec<GuestVisit>> {
        self.read_where(GUESTS_OF_CHECKIN, checkin_id, guest_visit)
            .await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn present_at(&self, hub_id: Uuid) -> StoreResult<Vec<PresentPerson>> {
        present_at(&mut *self.readers.get().await, hub_id).await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn present_guests(&self, hub_id: Uuid) -> StoreResult<Vec<GuestVisit>> {
        self.read_where(GUESTS_AT_HUB, hub_id, guest_visit).await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn list_checkins_of(&self, person_id: Uuid, limit: i64) -> StoreResult<Vec<CheckIn>> {
        let mut q = checkins_of::<Sqlite>(person_id, limit);
        q.build().all(&mut *self.readers.get().await, checkin).await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn access_summary(
        &self,
        hub_id: Uuid,
        region_id: Uuid,
        today: NaiveDate,
        now: DateTime<Utc>,
        first_day: NaiveDate,
    ) -> StoreResult<AccessSummary> {
        access_summary(
            &mut *self.readers.get().await,
            hub_id,
            region_id,
            today,
            now,
            first_day,
        )
        .await
    }
}
