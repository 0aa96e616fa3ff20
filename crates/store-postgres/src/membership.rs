//! Memberships on PostgreSQL: plans, seats and their holdings, profiles and
//! QR card generations, check-ins (which queue their webhook deliveries),
//! guests, presence and the access summary (migration
//! `0002_memberships.sql`).
//!
//! `impl MembershipStore` at the end holds the queries; the steps that
//! several transactions share are functions over a connection. Every rule that several
//! `serve` processes could race on is settled in the database: a partial
//! unique index (one open check-in per person, one current holder per seat)
//! or a row lock taken first (`SELECT … FOR UPDATE`) by every writer that
//! reads before it writes.

use crate::WriteOne;
use crate::{db, write_err, PostgresStore, BY_NAME};
use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};
use sqlx::postgres::{PgPool, PgRow};
use sqlx::{PgConnection, Postgres, Row};
use thirdplace_domain::membership::{
    AccessSummary, CheckIn, GuestVisit, HeldSeat, Plan, PresentPerson, Profile, Seat, SeatHolding,
};
use thirdplace_store::sql::membership::{
    checkin, checkins_of, guest_visit, held_seat, held_seats, holding, plan, seat_by_id, seat_page,
    seat_view, set_seat_end, Locks, Steps, GUESTS_AT_HUB, GUESTS_OF_CHECKIN, HOLDINGS_OF_SEAT,
    OPEN_CHECKINS, OPEN_CHECKIN_OF,
};
use thirdplace_store::sql::network::NetworkBackend;
use thirdplace_store::sql::record::{all_rows, row_by_id, rows_where, Record};
use thirdplace_store::sql::{Fetch, FetchValue};
use thirdplace_store::{
    MembershipStore, OutboundEvent, Refusal, SeatView, StoreError, StoreResult,
};
use uuid::Uuid;

// ------------------------------------------------------------ row mapping

fn present_person(r: &PgRow) -> Result<PresentPerson, sqlx::Error> {
    Ok(PresentPerson {
        person_id: r.try_get("person_id")?,
        first_name: r.try_get("first_name")?,
        last_name: r.try_get("last_name")?,
        organisation_name: r.try_get("organisation_name")?,
        visible: r.try_get("visible")?,
        expertise: r.try_get("expertise")?,
        since: r.try_get("since")?,
    })
}

/// `NotFound` instead of a foreign-key error, for writes keyed by a person
/// (their profile), as on SQLite.
pub(crate) fn person_write_err(e: sqlx::Error) -> StoreError {
    match &e {
        sqlx::Error::Database(d) if d.is_foreign_key_violation() => StoreError::NotFound,
        _ => write_err(e),
    }
}

// ---------------------------------------------------- profile and QR card

pub(crate) async fn qr_generation(pool: &PgPool, person_id: Uuid) -> StoreResult<i64> {
    let g: Option<i64> =
        sqlx::query_scalar("SELECT qr_generation FROM member_profiles WHERE person_id = $1")
            .bind(person_id)
            .optional_value(pool)
            .await?;
    Ok(g.unwrap_or(0))
}

// -------------------------------------------------------------- check-ins

/// Queues one delivery of `e` for every active webhook subscribed to it, in
/// the caller's transaction.
async fn queue_event(conn: &mut PgConnection, e: &OutboundEvent) -> StoreResult<()> {
    let hooks: Vec<Uuid> = sqlx::query_scalar(
        "SELECT id FROM webhooks WHERE active AND $1 = ANY (events) ORDER BY created_at, id",
    )
    .bind(e.event.key())
    .fetch_all(&mut *conn)
    .await
    .map_err(db)?;
    if hooks.is_empty() {
        return Ok(());
    }
    let ids: Vec<Uuid> = hooks.iter().map(|_| thirdplace_domain::new_id()).collect();
    sqlx::query(
        "INSERT INTO webhook_deliveries (id, webhook_id, event, payload, attempts, next_attempt_at, failed, created_at) \
         SELECT d.id, d.webhook_id, $3, $4, 0, $5, FALSE, $5 FROM unnest($1::uuid[], $2::uuid[]) AS d (id, webhook_id)",
    )
    .bind(ids)
    .bind(hooks)
    .bind(e.event.key())
    .bind(&e.payload)
    .bind(e.at)
    .execute(&mut *conn)
    .await
    .map_err(write_err)
    .map(|_| ())
}

/// Counts a visit (or a guest visit) on its hub's civil day.
async fn count_visit(
    tx: &mut sqlx::Transaction<'static, sqlx::Postgres>,
    hub_id: Uuid,
    at: DateTime<Utc>,
    guest: bool,
) -> StoreResult<()> {
    let (v, g): (i64, i64) = if guest { (0, 1) } else { (1, 0) };
    sqlx::query(
        "INSERT INTO hub_visit_days (hub_id, day, visits, guest_visits) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (hub_id, day) DO UPDATE SET visits = hub_visit_days.visits + EXCLUDED.visits, \
         guest_visits = hub_visit_days.guest_visits + EXCLUDED.guest_visits",
    )
    .bind(hub_id)
    .bind(thirdplace_domain::membership::local_date(at))
    .bind(v)
    .bind(g)
    .execute(&mut **tx)
    .await
    .map_err(write_err)?;
    Ok(())
}

pub(crate) async fn checkout(
    pool: &PgPool,
    id: Uuid,
    at: DateTime<Utc>,
    auto_closed: bool,
    e: &OutboundEvent,
) -> StoreResult<CheckIn> {
    // The check-in ended (only if still open: the update waits for a
    // concurrent checkout or guest registration of the same check-in and
    // then sees it ended), its guests gone, and a delivery for every
    // webhook subscribed to the event, in one statement.
    let row = sqlx::query(
        "WITH c AS (UPDATE checkins SET checked_out_at = $2, auto_closed = $3 \
           WHERE id = $1 AND checked_out_at IS NULL RETURNING *), \
         g AS (UPDATE guest_visits SET left_at = $2 \
           WHERE host_checkin_id IN (SELECT id FROM c) AND left_at IS NULL), \
         d AS (INSERT INTO webhook_deliveries (id, webhook_id, event, payload, attempts, \
           next_attempt_at, failed, created_at) \
           SELECT gen_random_uuid(), w.id, $4, $5, 0, $6, FALSE, $6 \
           FROM webhooks w, c WHERE w.active AND $4 = ANY (w.events)) \
         SELECT * FROM c",
    )
    .bind(id)
    .bind(at)
    .bind(auto_closed)
    .bind(e.event.key())
    .bind(&e.payload)
    .bind(e.at)
    .fetch_optional(pool)
    .await
    .map_err(db)?;
    if let Some(row) = row {
        // A guest registered while the update waited for that
        // registration's lock on the check-in is not in the statement's
        // snapshot: a second statement (a new snapshot) sends them too.
        sqlx::query(
            "UPDATE guest_visits SET left_at = $2 WHERE host_checkin_id = $1 AND left_at IS NULL",
        )
        .bind(id)
        .bind(at)
        .execute(pool)
        .await
        .map_err(db)?;
        return checkin(&row).map_err(db);
    }
    // Nothing was open under that id: say which.
    let ended: Option<Option<DateTime<Utc>>> =
        sqlx::query_scalar("SELECT checked_out_at FROM checkins WHERE id = $1")
            .bind(id)
            .optional_value(pool)
            .await?;
    Err(match ended {
        None => StoreError::NotFound,
        Some(_) => StoreError::Refused(Refusal::AlreadyCheckedOut),
    })
}

/// Every writer that reads before it writes locks what it read first: the
/// seat's row serialises its assignments, the person's keeps them from
/// being archived or moved to another organisation until the assignment is
/// committed, and the host's check-in serialises guest registrations of
/// one host (and their checkout), so the count of guests stays true.
const LOCKS: Locks = Locks {
    seat: " FOR UPDATE",
    person: " FOR SHARE",
    checkin: " FOR UPDATE",
};

#[async_trait]
impl MembershipStore for PostgresStore {
    #[tracing::instrument(level = "debug", skip_all)]
    async fn list_plans(&self) -> StoreResult<Vec<Plan>> {
        all_rows(&self.pool, (Plan::TABLE, BY_NAME), plan).await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn get_plan(&self, id: Uuid) -> StoreResult<Plan> {
        row_by_id(&self.pool, Plan::TABLE, id, plan).await
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
        if seats.is_empty() {
            return Ok(());
        }
        // One statement, so all or none; an unknown plan or organisation fails
        // on `seats_plan_id_fkey` / `seats_organisation_id_fkey`.
        let ids: Vec<Uuid> = seats.iter().map(|s| s.id).collect();
        let plans: Vec<Uuid> = seats.iter().map(|s| s.plan_id).collect();
        let orgs: Vec<Uuid> = seats.iter().map(|s| s.organisation_id).collect();
        let starts: Vec<NaiveDate> = seats.iter().map(|s| s.start_date).collect();
        let ends: Vec<Option<NaiveDate>> = seats.iter().map(|s| s.end_date).collect();
        let created: Vec<DateTime<Utc>> = seats.iter().map(|s| s.created_at).collect();
        let sellers: Vec<Option<Uuid>> = seats.iter().map(|s| s.selling_operator_id).collect();
        // The selling operator, unless given, is the plan's when bought.
        sqlx::query(
            "INSERT INTO seats (id, plan_id, organisation_id, start_date, end_date, created_at, \
             selling_operator_id) \
             SELECT u.id, u.plan_id, u.organisation_id, u.start_date, u.end_date, u.created_at, \
             COALESCE(u.seller, pl.selling_operator_id) \
             FROM unnest($1::uuid[], $2::uuid[], $3::uuid[], $4::date[], $5::date[], \
             $6::timestamptz[], $7::uuid[]) \
             AS u (id, plan_id, organisation_id, start_date, end_date, created_at, seller) \
             LEFT JOIN plans pl ON pl.id = u.plan_id",
        )
        .bind(ids)
        .bind(plans)
        .bind(orgs)
        .bind(starts)
        .bind(ends)
        .bind(created)
        .bind(sellers)
        .execute(&self.pool)
        .await
        .map_err(write_err)
        .map(|_| ())
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn get_seat(&self, id: Uuid) -> StoreResult<SeatView> {
        let mut q = seat_by_id::<Postgres>(id);
        q.build().one(&self.pool, seat_view).await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn list_seats_after(
        &self,
        organisation_id: Uuid,
        after: Option<(DateTime<Utc>, Uuid)>,
        limit: i64,
    ) -> StoreResult<Vec<SeatView>> {
        let mut q = seat_page::<Postgres>(organisation_id, after, limit);
        q.build().all(&self.pool, seat_view).await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn seat_history(&self, seat_id: Uuid) -> StoreResult<Vec<SeatHolding>> {
        rows_where(&self.pool, HOLDINGS_OF_SEAT, seat_id, holding).await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn assign_seat(
        &self,
        seat_id: Uuid,
        holder: Option<Uuid>,
        at: DateTime<Utc>,
    ) -> StoreResult<()> {
        let mut tx = self.pool.begin().await.map_err(db)?;
        Steps::<Postgres>(&mut tx)
            .assign_seat((seat_id, holder, at), false, LOCKS, write_err)
            .await?;
        tx.commit().await.map_err(db)
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn give_vacant_seat(
        &self,
        seat_id: Uuid,
        holder: Uuid,
        at: DateTime<Utc>,
    ) -> StoreResult<()> {
        // The seat row is locked (LOCKS.seat) before its holder is read.
        let mut tx = self.pool.begin().await.map_err(db)?;
        Steps::<Postgres>(&mut tx)
            .assign_seat((seat_id, Some(holder), at), true, LOCKS, write_err)
            .await?;
        tx.commit().await.map_err(db)
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn set_seat_end(&self, seat_id: Uuid, end_date: Option<NaiveDate>) -> StoreResult<()> {
        let mut q = set_seat_end::<Postgres>(seat_id, end_date);
        q.build().write_one(&self.pool, db).await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn held_seats(&self, person_id: Uuid, at: DateTime<Utc>) -> StoreResult<Vec<HeldSeat>> {
        let mut q = held_seats::<Postgres>(person_id, at);
        q.build().all(&self.pool, held_seat).await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn get_profile(&self, person_id: Uuid) -> StoreResult<Profile> {
        let row: Option<(bool, Vec<String>)> =
            sqlx::query_as("SELECT visible, expertise FROM member_profiles WHERE person_id = $1")
                .bind(person_id)
                .optional_value(&self.pool)
                .await?;
        Ok(row
            .map(|(visible, expertise)| Profile { visible, expertise })
            .unwrap_or_default())
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn set_profile(&self, person_id: Uuid, p: &Profile) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO member_profiles (person_id, visible, expertise) VALUES ($1, $2, $3) \
             ON CONFLICT (person_id) DO UPDATE SET visible = excluded.visible, expertise = excluded.expertise",
        )
        .bind(person_id)
        .bind(p.visible)
        .bind(&p.expertise)
        .execute(&self.pool)
        .await
        .map_err(person_write_err)
        .map(|_| ())
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn qr_generation(&self, person_id: Uuid) -> StoreResult<i64> {
        qr_generation(&self.pool, person_id).await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn rotate_qr(&self, person_id: Uuid) -> StoreResult<i64> {
        // One statement: concurrent rotations each get their own generation.
        sqlx::query_scalar(
            "INSERT INTO member_profiles (person_id, qr_generation) VALUES ($1, 1) \
             ON CONFLICT (person_id) DO UPDATE SET qr_generation = member_profiles.qr_generation + 1 \
             RETURNING qr_generation",
        )
        .bind(person_id)
        .fetch_one(&self.pool)
        .await
        .map_err(person_write_err)
    }

    /// One statement: the check-in, its count on the hub's day and a
    /// delivery for every webhook subscribed to the event (ids made by the
    /// database), all or nothing. A second open check-in of the person
    /// breaks `checkins_one_open`, which `constraint_field` names
    /// `checkin`; of two racing inserts the second waits for the first and
    /// then fails, and the statement writes nothing.
    #[tracing::instrument(level = "debug", skip_all)]
    async fn insert_checkin(&self, c: &CheckIn, e: &OutboundEvent) -> StoreResult<()> {
        sqlx::query(
            "WITH c AS (INSERT INTO checkins (id, person_id, hub_id, seat_id, method, \
               checked_in_at, checked_out_at, auto_closed) \
               VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING hub_id), \
             v AS (INSERT INTO hub_visit_days (hub_id, day, visits, guest_visits) \
               SELECT hub_id, $9, 1, 0 FROM c \
               ON CONFLICT (hub_id, day) DO UPDATE SET visits = hub_visit_days.visits + 1), \
             d AS (INSERT INTO webhook_deliveries (id, webhook_id, event, payload, attempts, \
               next_attempt_at, failed, created_at) \
               SELECT gen_random_uuid(), w.id, $10, $11, 0, $12, FALSE, $12 \
               FROM webhooks w, c WHERE w.active AND $10 = ANY (w.events)) \
             SELECT count(*) FROM c",
        )
        .bind(c.id)
        .bind(c.person_id)
        .bind(c.hub_id)
        .bind(c.seat_id)
        .bind(c.method.key())
        .bind(c.checked_in_at)
        .bind(c.checked_out_at)
        .bind(c.auto_closed)
        .bind(thirdplace_domain::membership::local_date(c.checked_in_at))
        .bind(e.event.key())
        .bind(&e.payload)
        .bind(e.at)
        .execute(&self.pool)
        .await
        .map_err(write_err)?;
        Ok(())
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn get_checkin(&self, id: Uuid) -> StoreResult<CheckIn> {
        row_by_id(&self.pool, "checkins", id, checkin).await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn open_checkin_of(&self, person_id: Uuid) -> StoreResult<Option<CheckIn>> {
        Ok(rows_where(&self.pool, OPEN_CHECKIN_OF, person_id, checkin)
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
        checkout(&self.pool, id, at, auto_closed, event).await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn list_open_checkins(&self) -> StoreResult<Vec<CheckIn>> {
        sqlx::query(OPEN_CHECKINS).all(&self.pool, checkin).await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn insert_guest_visit(
        &self,
        g: &GuestVisit,
        max_guests: i64,
        e: &OutboundEvent,
    ) -> StoreResult<()> {
        let mut tx = self.pool.begin().await.map_err(db)?;
        let mut steps = Steps::<Postgres>(&mut tx);
        steps
            .guest_room(g.host_checkin_id, max_guests, LOCKS)
            .await?;
        steps.insert_guest(g, write_err).await?;
        count_visit(&mut tx, g.hub_id, g.arrived_at, true).await?;
        queue_event(&mut tx, e).await?;
        tx.commit().await.map_err(db)
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn list_guests(&self, checkin_id: Uuid) -> StoreResult<Vec<GuestVisit>> {
        rows_where(&self.pool, GUESTS_OF_CHECKIN, checkin_id, guest_visit).await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn present_at(&self, hub_id: Uuid) -> StoreResult<Vec<PresentPerson>> {
        sqlx::query(
            "SELECT c.person_id, p.first_name, p.last_name, o.name AS organisation_name, \
             coalesce(mp.visible, FALSE) AS visible, coalesce(mp.expertise, '{}'::text[]) AS expertise, \
             c.checked_in_at AS since \
             FROM checkins c JOIN people p ON p.id = c.person_id \
             LEFT JOIN organisations o ON o.id = p.organisation_id \
             LEFT JOIN member_profiles mp ON mp.person_id = c.person_id \
             WHERE c.hub_id = $1 AND c.checked_out_at IS NULL ORDER BY c.checked_in_at, c.id",
        )
        .bind(hub_id)
        .all(&self.pool, present_person)
        .await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn present_guests(&self, hub_id: Uuid) -> StoreResult<Vec<GuestVisit>> {
        rows_where(&self.pool, GUESTS_AT_HUB, hub_id, guest_visit).await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn list_checkins_of(&self, person_id: Uuid, limit: i64) -> StoreResult<Vec<CheckIn>> {
        let mut q = checkins_of::<Postgres>(person_id, limit);
        q.build().all(&self.pool, checkin).await
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
        // The counts of check-ins and guest visits are index range scans
        // (`checkins_open_hub`, `checkins_hub_time`, `guest_visits_hub_time`);
        // the access part reads only holdings, seats and plans.
        let row = sqlx::query(
            "WITH access AS ( \
                 SELECT h.person_id, s.organisation_id \
                 FROM seat_holdings h JOIN seats s ON s.id = h.seat_id JOIN plans pl ON pl.id = s.plan_id \
                 WHERE h.held_from <= $4 AND (h.held_until IS NULL OR h.held_until > $4) \
                   AND s.start_date <= $3 AND (s.end_date IS NULL OR s.end_date >= $3) \
                   AND (pl.scope_kind = 'network' OR pl.scope_region_id = $2 OR pl.scope_hub_id = $1) \
             ), counts AS ( \
                 SELECT count(DISTINCT person_id) AS people_with_access, \
                        count(DISTINCT organisation_id) AS organisations_with_access FROM access \
             ), days AS ( \
                 SELECT coalesce(sum(visits), 0)::bigint AS visits_last_30_days, \
                        coalesce(sum(guest_visits), 0)::bigint AS guest_visits_last_30_days \
                 FROM hub_visit_days WHERE hub_id = $1 AND day >= $5 AND day <= $3 \
             ) SELECT counts.*, days.*, \
                 (SELECT count(*) FROM checkins WHERE hub_id = $1 AND checked_out_at IS NULL) AS checked_in_now \
             FROM counts, days",
        )
        .bind(hub_id)
        .bind(region_id)
        .bind(today)
        .bind(now)
        .bind(first_day)
        .fetch_one(&self.pool)
        .await
        .map_err(db)?;
        let get = |c: &str| -> StoreResult<i64> { row.try_get(c).map_err(db) };
        Ok(AccessSummary {
            people_with_access: get("people_with_access")?,
            organisations_with_access: get("organisations_with_access")?,
            checked_in_now: get("checked_in_now")?,
            visits_last_30_days: get("visits_last_30_days")?,
            guest_visits_last_30_days: get("guest_visits_last_30_days")?,
        })
    }
}
