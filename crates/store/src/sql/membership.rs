//! Memberships for both SQL backends: how a plan is written ([`Record`]),
//! the row mappers of plans, seats, holdings, check-ins and guest visits,
//! and the look-ups whose text is the same in both (built with each
//! backend's placeholders). What differs stays in the backends: how a
//! transaction locks what it reads, the expertise column (a `text[]` in
//! PostgreSQL, JSON text in SQLite), and how a check-in queues its webhooks.

use super::record::{Record, Where};
use super::{db, decode, push_keyset_after, Bind, FetchValue, SqlRow, Statement, Towards};
use crate::{Refusal, SeatHolder, SeatView, StoreError, StoreResult};
use chrono::{DateTime, NaiveDate, Utc};
use sqlx::{Database, Encode, Executor, FromRow, IntoArguments, QueryBuilder, Type};
use thirdplace_domain::membership::{
    CheckIn, CheckInMethod, GuestRefusal, GuestVisit, HeldSeat, Plan, PlanScope, Seat, SeatHolding,
    Validity,
};
use uuid::Uuid;

// ------------------------------------------------------------- writing

impl Record for Plan {
    const TABLE: &'static str = "plans";

    fn id(&self) -> Uuid {
        self.id
    }

    fn columns(&self) -> Vec<(&'static str, Bind<'_>)> {
        let (region_id, hub_id) = match self.scope {
            PlanScope::Network => (None, None),
            PlanScope::Region(r) => (Some(r), None),
            PlanScope::Hub(h) => (None, Some(h)),
        };
        vec![
            ("name", Bind::Text(&self.name)),
            ("description", Bind::Text(&self.description)),
            ("scope_kind", Bind::Text(self.scope.key())),
            ("scope_region_id", Bind::OptId(region_id)),
            ("scope_hub_id", Bind::OptId(hub_id)),
            ("monthly_price_ore", Bind::Int(self.monthly_price_ore)),
            (
                "included_hours_per_month",
                Bind::Int(self.included_hours_per_month),
            ),
            ("max_guests", Bind::Int(self.max_guests)),
            ("validity_kind", Bind::Text(self.validity.key())),
            (
                "validity_days",
                Bind::OptInt(self.validity.days().map(i64::from)),
            ),
            ("archived", Bind::Bool(self.archived)),
            ("selling_operator_id", Bind::OptId(self.selling_operator_id)),
            (
                "vat_rate_percent",
                Bind::SmallInt(i16::from(self.vat_rate_percent)),
            ),
        ]
    }

    /// A plan's region or hub, both the caller's `scope_id`.
    fn references(&self) -> Vec<(&'static str, Uuid, &'static str)> {
        match self.scope {
            PlanScope::Network => vec![],
            PlanScope::Region(r) => vec![("regions", r, "scope_id")],
            PlanScope::Hub(h) => vec![("hubs", h, "scope_id")],
        }
    }
}

/// Sets a seat's last day (none: open-ended).
pub fn set_seat_end<'a, DB>(seat_id: Uuid, end_date: Option<NaiveDate>) -> QueryBuilder<'a, DB>
where
    DB: Database,
    Bind<'a>: Encode<'a, DB> + Type<DB>,
{
    let mut q = QueryBuilder::new("UPDATE seats SET end_date = ");
    q.push_bind(Bind::OptDate(end_date))
        .push(" WHERE id = ")
        .push_bind(Bind::Id(seat_id));
    q
}

/// The steps of membership writes that both backends run alike, inside
/// the caller's transaction, on its connection: the connection of a
/// PostgreSQL transaction, or the SQLite writer's. Where they read before
/// they write, the backend says how to lock what they read ([`Locks`]).
pub struct Steps<'t, DB: Database>(pub &'t mut DB::Connection);

impl<DB> Steps<'_, DB>
where
    DB: Database,
    for<'c> &'c mut DB::Connection: Executor<'c, Database = DB>,
    for<'a> Bind<'a>: Encode<'a, DB> + Type<DB>,
    for<'a> DB::Arguments<'a>: IntoArguments<'a, DB>,
    (i64,): for<'r> FromRow<'r, DB::Row>,
    (Uuid,): for<'r> FromRow<'r, DB::Row>,
    (Option<DateTime<Utc>>,): for<'r> FromRow<'r, DB::Row>,
    (Option<Uuid>, bool): for<'r> FromRow<'r, DB::Row>,
{
    /// Gives the seat to `holder` from `at` (or to nobody), ending its
    /// current holding: `NotFound` for an unknown seat, `Reference("person_id")`
    /// for a person who is unknown, archived or not of the seat's
    /// organisation; nothing changes when the seat is theirs already.
    /// `write_err` maps a failed insert.
    /// Gives the seat to `holder` from `at`; with `vacant_only`, refuses
    /// (`SeatTaken`) when someone else holds it.
    pub async fn assign_seat(
        &mut self,
        (seat_id, holder, at): (Uuid, Option<Uuid>, DateTime<Utc>),
        vacant_only: bool,
        locks: Locks,
        write_err: fn(sqlx::Error) -> StoreError,
    ) -> StoreResult<()> {
        let (sql, args) = Statement::<DB>::new("SELECT organisation_id FROM seats WHERE id = ")
            .bind(Bind::Id(seat_id))
            .push(locks.seat)
            .finish()?;
        let seat_org: Uuid = sqlx::query_scalar_with(&sql, args)
            .optional_value(&mut *self.0)
            .await?
            .ok_or(StoreError::NotFound)?;
        if let Some(person_id) = holder {
            let (sql, args) =
                Statement::<DB>::new("SELECT organisation_id, archived FROM people WHERE id = ")
                    .bind(Bind::Id(person_id))
                    .push(locks.person)
                    .finish()?;
            let person: Option<(Option<Uuid>, bool)> = sqlx::query_as_with(&sql, args)
                .optional_value(&mut *self.0)
                .await?;
            match person {
                Some((Some(org), false)) if org == seat_org => {}
                _ => return Err(StoreError::Reference("person_id".into())),
            }
        }
        let (sql, args) =
            Statement::<DB>::new("SELECT person_id FROM seat_holdings WHERE seat_id = ")
                .bind(Bind::Id(seat_id))
                .push(" AND held_until IS NULL")
                .finish()?;
        let current: Option<Uuid> = sqlx::query_scalar_with(&sql, args)
            .optional_value(&mut *self.0)
            .await?;
        if current == holder {
            // Already theirs (or already nobody's): nothing changes.
            return Ok(());
        }
        if vacant_only && current.is_some() {
            return Err(StoreError::Refused(Refusal::SeatTaken));
        }
        if current.is_some() {
            let (sql, args) = Statement::<DB>::new("UPDATE seat_holdings SET held_until = ")
                .bind(Bind::Instant(at))
                .push(" WHERE seat_id = ")
                .bind(Bind::Id(seat_id))
                .push(" AND held_until IS NULL")
                .finish()?;
            sqlx::query_with(&sql, args)
                .execute(&mut *self.0)
                .await
                .map_err(db)?;
        }
        if let Some(person_id) = holder {
            let (sql, args) = Statement::<DB>::new(
                "INSERT INTO seat_holdings (seat_id, person_id, held_from) VALUES (",
            )
            .bind(Bind::Id(seat_id))
            .push(", ")
            .bind(Bind::Id(person_id))
            .push(", ")
            .bind(Bind::Instant(at))
            .push(")")
            .finish()?;
            sqlx::query_with(&sql, args)
                .execute(&mut *self.0)
                .await
                .map_err(write_err)?;
        }
        Ok(())
    }

    /// Whether the check-in `host_checkin_id` may bring one more guest
    /// (fewer than `max_guests` are here): `Reference("host_checkin_id")`
    /// for an unknown check-in, a refusal for an ended one or a full one.
    /// The backend locks the check-in (`locks.checkin`) so that the count
    /// stays true until it commits.
    pub async fn guest_room(
        &mut self,
        host_checkin_id: Uuid,
        max_guests: i64,
        locks: Locks,
    ) -> StoreResult<()> {
        let (sql, args) = Statement::<DB>::new("SELECT checked_out_at FROM checkins WHERE id = ")
            .bind(Bind::Id(host_checkin_id))
            .push(locks.checkin)
            .finish()?;
        let ended: Option<Option<DateTime<Utc>>> = sqlx::query_scalar_with(&sql, args)
            .optional_value(&mut *self.0)
            .await?;
        match ended {
            None => return Err(StoreError::Reference("host_checkin_id".into())),
            Some(Some(_)) => return Err(guest_refused(GuestRefusal::HostNotCheckedIn)),
            Some(None) => {}
        }
        let (sql, args) =
            Statement::<DB>::new("SELECT count(*) FROM guest_visits WHERE host_checkin_id = ")
                .bind(Bind::Id(host_checkin_id))
                .push(" AND left_at IS NULL")
                .finish()?;
        let here: i64 = sqlx::query_scalar_with(&sql, args)
            .value(&mut *self.0)
            .await?;
        if here >= max_guests {
            let limit = max_guests;
            return Err(guest_refused(GuestRefusal::LimitReached { limit }));
        }
        Ok(())
    }

    /// Writes the guest's visit; `write_err` maps a failure.
    pub async fn insert_guest(
        &mut self,
        g: &GuestVisit,
        write_err: fn(sqlx::Error) -> StoreError,
    ) -> StoreResult<()> {
        let values = [
            ("host_checkin_id", Bind::Id(g.host_checkin_id)),
            ("host_person_id", Bind::Id(g.host_person_id)),
            ("hub_id", Bind::Id(g.hub_id)),
            ("first_name", Bind::Text(&g.first_name)),
            ("last_name", Bind::Text(&g.last_name)),
            ("organisation_id", Bind::Id(g.organisation_id)),
            ("arrived_at", Bind::Instant(g.arrived_at)),
            ("left_at", Bind::OptInstant(g.left_at)),
        ];
        let mut insert = Statement::<DB>::new("INSERT INTO guest_visits (id");
        for (column, _) in &values {
            insert = insert.push(", ").push(column);
        }
        insert = insert.push(") VALUES (").bind(Bind::Id(g.id));
        for (_, value) in values {
            insert = insert.push(", ").bind(value);
        }
        let (sql, args) = insert.push(")").finish()?;
        sqlx::query_with(&sql, args)
            .execute(&mut *self.0)
            .await
            .map_err(write_err)?;
        Ok(())
    }
}

/// What a backend appends to the `SELECT`s the [`Steps`] make before they
/// write, to lock the rows they read until it commits: the seat (every
/// assignment of it waits for this one), the person (who cannot be archived
/// or moved meanwhile) and the host's check-in (its guests are counted one
/// registration at a time). PostgreSQL says `FOR UPDATE` / `FOR SHARE`;
/// SQLite's writer already holds the database's write lock and says nothing.
#[derive(Debug, Clone, Copy)]
pub struct Locks {
    pub seat: &'static str,
    pub person: &'static str,
    pub checkin: &'static str,
}

impl Locks {
    /// No locks: the transaction holds the whole database's write lock.
    pub const NONE: Locks = Locks {
        seat: "",
        person: "",
        checkin: "",
    };
}

fn guest_refused(why: GuestRefusal) -> StoreError {
    StoreError::Refused(Refusal::Guest(why))
}

// ------------------------------------------------------------- reading

/// A seat with its plan's name and its current holder (all `holder_*`
/// columns NULL when nobody holds it); map each row with [`seat_view`].
pub const SEAT_VIEW: &str =
    "SELECT s.id, s.plan_id, s.organisation_id, s.start_date, s.end_date, s.created_at, s.selling_operator_id, \
     pl.name AS plan_name, h.person_id AS holder_id, p.first_name AS holder_first_name, \
     p.last_name AS holder_last_name, h.held_from AS holder_since \
     FROM seats s JOIN plans pl ON pl.id = s.plan_id \
     LEFT JOIN seat_holdings h ON h.seat_id = s.id AND h.held_until IS NULL \
     LEFT JOIN people p ON p.id = h.person_id";

/// The seat `id`, a row of [`SEAT_VIEW`].
pub fn seat_by_id<'a, DB>(id: Uuid) -> QueryBuilder<'a, DB>
where
    DB: Database,
    Bind<'a>: Encode<'a, DB> + Type<DB>,
{
    let mut q = QueryBuilder::new(format!("{SEAT_VIEW} WHERE s.id = "));
    q.push_bind(Bind::Id(id));
    q
}

/// A page of an organisation's seats ([`SEAT_VIEW`]): past the cursor
/// `after` (`created_at`, id), newest first then by id, at most `limit`
/// (none if negative). (`created_at` is RFC 3339 text in UTC in SQLite,
/// which sorts as the instants do.)
pub fn seat_page<'a, DB>(
    organisation_id: Uuid,
    after: Option<(DateTime<Utc>, Uuid)>,
    limit: i64,
) -> QueryBuilder<'a, DB>
where
    DB: Database,
    Bind<'a>: Encode<'a, DB> + Type<DB>,
    DateTime<Utc>: 'a + Encode<'a, DB> + Type<DB>,
    Uuid: 'a + Encode<'a, DB> + Type<DB>,
{
    let mut q = QueryBuilder::new(format!("{SEAT_VIEW} WHERE s.organisation_id = "));
    q.push_bind(Bind::Id(organisation_id));
    if let Some((at, id)) = after {
        push_keyset_after(
            &mut q,
            "s.created_at",
            Towards::Smaller,
            "s.id",
            Towards::Greater,
            at,
            id,
        );
    }
    q.push(" ORDER BY s.created_at DESC, s.id LIMIT ")
        .push_bind(Bind::Int(limit.max(0)));
    q
}

/// A seat's holdings, oldest first; two assignments at one instant leave
/// an empty holding (from = until) before the current one, so ended
/// holdings sort before the open one.
pub const HOLDINGS_OF_SEAT: Where = Where {
    table: "seat_holdings",
    column: "seat_id",
    rest: "ORDER BY held_from, held_until IS NULL, held_until",
};

/// A person's open check-in (there is at most one).
pub const OPEN_CHECKIN_OF: Where = Where {
    table: "checkins",
    column: "person_id",
    rest: "AND checked_out_at IS NULL",
};

/// A check-in's guests, in the order they came.
pub const GUESTS_OF_CHECKIN: Where = Where {
    table: "guest_visits",
    column: "host_checkin_id",
    rest: "ORDER BY arrived_at, id",
};

/// The guests at a hub now: a guest's visit ends with the host's
/// check-out, so an open visit is a guest who is here.
pub const GUESTS_AT_HUB: Where = Where {
    table: "guest_visits",
    column: "hub_id",
    rest: "AND left_at IS NULL ORDER BY arrived_at, id",
};

/// The plan's columns as `pl_*`, for queries that join plans to seats.
const PLAN_AS_PL: &str = "pl.id AS pl_id, pl.name AS pl_name, pl.description AS pl_description, \
     pl.scope_kind AS pl_scope_kind, pl.scope_region_id AS pl_scope_region_id, \
     pl.scope_hub_id AS pl_scope_hub_id, pl.monthly_price_ore AS pl_monthly_price_ore, \
     pl.included_hours_per_month AS pl_included_hours_per_month, pl.max_guests AS pl_max_guests, \
     pl.validity_kind AS pl_validity_kind, pl.validity_days AS pl_validity_days, \
     pl.archived AS pl_archived, pl.selling_operator_id AS pl_selling_operator_id, \
     pl.vat_rate_percent AS pl_vat_rate_percent";

/// The seats `person_id` holds at `at`, with their plans and
/// organisations; map each row with [`held_seat`].
pub fn held_seats<'a, DB>(person_id: Uuid, at: DateTime<Utc>) -> QueryBuilder<'a, DB>
where
    DB: Database,
    Bind<'a>: Encode<'a, DB> + Type<DB>,
{
    let mut q = QueryBuilder::new(format!(
        "SELECT s.id, s.plan_id, s.organisation_id, s.start_date, s.end_date, s.created_at, s.selling_operator_id, \
         {PLAN_AS_PL}, o.name AS organisation_name \
         FROM seat_holdings h JOIN seats s ON s.id = h.seat_id JOIN plans pl ON pl.id = s.plan_id \
         JOIN organisations o ON o.id = s.organisation_id \
         WHERE h.person_id = "
    ));
    q.push_bind(Bind::Id(person_id))
        .push(" AND h.held_from <= ")
        .push_bind(Bind::Instant(at))
        .push(" AND (h.held_until IS NULL OR h.held_until > ")
        .push_bind(Bind::Instant(at))
        .push(") ORDER BY s.start_date, s.id");
    q
}

pub fn held_seat<R: SqlRow>(r: &R) -> Result<HeldSeat, sqlx::Error> {
    Ok(HeldSeat {
        seat: seat(r)?,
        plan: plan_prefixed(r, "pl_")?,
        organisation_name: r.column("organisation_name")?,
    })
}

/// The open check-ins, oldest first.
pub const OPEN_CHECKINS: &str =
    "SELECT * FROM checkins WHERE checked_out_at IS NULL ORDER BY checked_in_at, id";

/// A person's latest `limit` check-ins (none if negative), newest first.
pub fn checkins_of<'a, DB>(person_id: Uuid, limit: i64) -> QueryBuilder<'a, DB>
where
    DB: Database,
    Bind<'a>: Encode<'a, DB> + Type<DB>,
{
    let mut q = QueryBuilder::new("SELECT * FROM checkins WHERE person_id = ");
    q.push_bind(Bind::Id(person_id))
        .push(" ORDER BY checked_in_at DESC, id DESC LIMIT ")
        .push_bind(Bind::Int(limit.max(0)));
    q
}

/// A plan whose columns are named `{prefix}id`, `{prefix}name`, … (a
/// query that joins plans to seats names them `pl_*`).
pub fn plan_prefixed<R: SqlRow>(r: &R, prefix: &str) -> Result<Plan, sqlx::Error> {
    let col = |c: &str| format!("{prefix}{c}");
    let scope_kind: String = r.column(&col("scope_kind"))?;
    let region_id: Option<Uuid> = r.column(&col("scope_region_id"))?;
    let hub_id: Option<Uuid> = r.column(&col("scope_hub_id"))?;
    let scope_id = match scope_kind.as_str() {
        "region" => region_id,
        "hub" => hub_id,
        _ => None,
    };
    let validity_kind: String = r.column(&col("validity_kind"))?;
    let validity_days: Option<i64> = r.column(&col("validity_days"))?;
    Ok(Plan {
        id: r.column(&col("id"))?,
        name: r.column(&col("name"))?,
        description: r.column(&col("description"))?,
        scope: PlanScope::from_parts(&scope_kind, scope_id)
            .map_err(|e| decode("scope_kind", e.message))?,
        monthly_price_ore: r.column(&col("monthly_price_ore"))?,
        included_hours_per_month: r.column(&col("included_hours_per_month"))?,
        max_guests: r.column(&col("max_guests"))?,
        validity: Validity::from_parts(&validity_kind, validity_days)
            .map_err(|e| decode("validity_kind", e.message))?,
        archived: r.column(&col("archived"))?,
        selling_operator_id: r.column(&col("selling_operator_id"))?,
        vat_rate_percent: u8::try_from(r.column::<i16>(&col("vat_rate_percent"))?)
            .map_err(|e| decode("vat_rate_percent", e))?,
    })
}

pub fn plan<R: SqlRow>(r: &R) -> Result<Plan, sqlx::Error> {
    plan_prefixed(r, "")
}

fn checkin_method(method: String) -> Result<CheckInMethod, sqlx::Error> {
    CheckInMethod::parse(&method)
        .ok_or_else(|| decode("method", format!("unknown method {method:?}")))
}

pub fn checkin<R: SqlRow>(r: &R) -> Result<CheckIn, sqlx::Error> {
    Ok(CheckIn {
        method: checkin_method(r.column("method")?)?,
        id: r.column("id")?,
        person_id: r.column("person_id")?,
        hub_id: r.column("hub_id")?,
        seat_id: r.column("seat_id")?,
        checked_in_at: r.column("checked_in_at")?,
        checked_out_at: r.column("checked_out_at")?,
        auto_closed: r.column("auto_closed")?,
    })
}

pub fn seat<R: SqlRow>(r: &R) -> Result<Seat, sqlx::Error> {
    Ok(Seat {
        id: r.column("id")?,
        plan_id: r.column("plan_id")?,
        organisation_id: r.column("organisation_id")?,
        start_date: r.column("start_date")?,
        end_date: r.column("end_date")?,
        created_at: r.column("created_at")?,
        selling_operator_id: r.column("selling_operator_id")?,
    })
}

/// A seat with its plan's name and current holder (`holder_*` columns).
pub fn seat_view<R: SqlRow>(r: &R) -> Result<SeatView, sqlx::Error> {
    let holder_id: Option<Uuid> = r.column("holder_id")?;
    let holder = match holder_id {
        Some(person_id) => Some(SeatHolder {
            person_id,
            first_name: r.column("holder_first_name")?,
            last_name: r.column("holder_last_name")?,
            since: r.column("holder_since")?,
        }),
        None => None,
    };
    Ok(SeatView {
        seat: seat(r)?,
        plan_name: r.column("plan_name")?,
        holder,
    })
}

pub fn holding<R: SqlRow>(r: &R) -> Result<SeatHolding, sqlx::Error> {
    Ok(SeatHolding {
        seat_id: r.column("seat_id")?,
        person_id: r.column("person_id")?,
        from: r.column("held_from")?,
        until: r.column("held_until")?,
    })
}

pub fn guest_visit<R: SqlRow>(r: &R) -> Result<GuestVisit, sqlx::Error> {
    Ok(GuestVisit {
        id: r.column("id")?,
        host_checkin_id: r.column("host_checkin_id")?,
        host_person_id: r.column("host_person_id")?,
        hub_id: r.column("hub_id")?,
        first_name: r.column("first_name")?,
        last_name: r.column("last_name")?,
        organisation_id: r.column("organisation_id")?,
        arrived_at: r.column("arrived_at")?,
        left_at: r.column("left_at")?,
    })
}
