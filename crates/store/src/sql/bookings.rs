//! Bookings in both SQL backends: hubs' booking rules, the bookings
//! themselves, included-hours caps and private calendar generations.
//! `BookingStore` is implemented once, for every [`Backend`]; what differs
//! is named by [`BookingsDialect`]: how a booking write's error reads, how
//! the writers of a room's bookings are kept apart, and how a room's busy
//! times are found quickly.
//!
//! No overlap: the database refuses the second of two overlapping confirmed
//! bookings of a room inside the writing transaction (PostgreSQL: the
//! exclusion constraint `bookings_no_overlap`; SQLite: the triggers of
//! migration 0003 under its one writer's `BEGIN IMMEDIATE`).
//! Included-hours caps: the writing transaction first locks the seats'
//! rows ([`Dialect::LOCK`], in id order, where several writers run at
//! once), so two bookings using one seat are checked one after the other.

use super::backend::Backend;
use super::dialect::{self, param, Arg, Conn, Dialect, RowOf, Run};
use super::{booking_view, one, outbox, SqlRow};
use crate::cache;
use crate::{
    BookingFilter, BookingStore, BookingView, Cancellation, IncludedCap, OutgoingEmail, Refusal,
    StoreError, StoreResult,
};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use std::future::Future;
use thirdplace_domain::booking::{Booking, BookingRefusal, BookingRules, BookingStatus, Price};
use uuid::Uuid;

/// A row an insert refers to: its table, its id and the caller's field.
pub type Ref = (&'static str, Uuid, &'static str);

/// What bookings' queries say differently per backend.
pub trait BookingsDialect: Dialect {
    /// A booking write's error (an overlap is the booking rule's refusal).
    fn booking_err(e: sqlx::Error) -> StoreError;

    /// An insert's error; a foreign-key error names the field of `refs`
    /// whose row is missing.
    fn insert_err(
        conn: &mut Conn<Self>,
        e: sqlx::Error,
        refs: Vec<Ref>,
    ) -> impl Future<Output = StoreError> + Send;

    /// Keeps other writers of `seats`' included hours and of `rooms`'
    /// bookings waiting until the transaction ends (before a booking there
    /// is written or moved): the seats first, then the rooms, each in id
    /// order, so two writers never wait on each other in a circle.
    fn lock_writers(
        conn: &mut Conn<Self>,
        seats: Vec<Uuid>,
        rooms: Vec<Uuid>,
    ) -> impl Future<Output = StoreResult<()>> + Send;

    /// Writes `bookings`, then refuses (`IncludedHoursSpent`) if a seat of
    /// `caps` has spent more than its allowance in a month: by default a
    /// statement per booking and one for all caps.
    fn write_checked<'c>(
        conn: &'c mut Conn<Self>,
        bookings: &'c [Booking],
        caps: &'c [IncludedCap],
    ) -> impl Future<Output = StoreResult<()>> + Send + 'c
    where
        Self: Sized,
    {
        async move {
            for b in bookings {
                insert_booking::<Self>(conn, b).await?;
            }
            check_caps::<Self>(conn, caps).await
        }
    }

    /// The confirmed bookings of a room that overlap `[from, to)`, as
    /// `(start, end)` by start (each backend with the query its indexes
    /// answer best).
    fn busy_times(
        conn: &mut Conn<Self>,
        room_id: Uuid,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> impl Future<Output = StoreResult<Vec<(DateTime<Utc>, DateTime<Utc>)>>> + Send;
}

// ------------------------------------------------------------------ rows

pub fn booking<D: Dialect>(r: &RowOf<D>) -> Result<Booking, sqlx::Error> {
    let status: String = r.column("status")?;
    let vat: i16 = r.column("vat_percent")?;
    Ok(Booking {
        id: r.column("id")?,
        room_id: r.column("room_id")?,
        hub_id: r.column("hub_id")?,
        booker_id: r.column("booker_id")?,
        organisation_id: r.column("organisation_id")?,
        on_behalf_of_organisation: r.column("on_behalf")?,
        seat_id: r.column("seat_id")?,
        series_id: r.column("series_id")?,
        title: r.column("title")?,
        start: D::instant(r, "starts_at")?,
        end: D::instant(r, "ends_at")?,
        status: BookingStatus::parse(&status)
            .ok_or_else(|| sqlx::Error::Decode(format!("unknown status {status}").into()))?,
        price: Price {
            included_minutes: r.column("included_minutes")?,
            billable_minutes: r.column("billable_minutes")?,
            price_ex_vat_ore: r.column("price_ex_vat_ore")?,
            vat_percent: u8::try_from(vat)
                .map_err(|_| sqlx::Error::Decode("VAT out of range".into()))?,
            vat_ore: r.column("vat_ore")?,
            total_ore: r.column("total_ore")?,
        },
        created_at: D::instant(r, "created_at")?,
        cancelled_at: D::opt_instant(r, "cancelled_at")?,
        cancelled_by: r.column("cancelled_by")?,
        cancel_reason: r.column("cancel_reason")?,
        cancellation_charged: r.column("cancellation_charged")?,
    })
}

fn rules<R: SqlRow>(r: &R) -> Result<BookingRules, sqlx::Error> {
    Ok(BookingRules {
        cancel_notice_minutes: r.column("cancel_notice_minutes")?,
        max_length_minutes: r.column("max_length_minutes")?,
        max_days_ahead: r.column("max_days_ahead")?,
        non_members_may_book: r.column("non_members_may_book")?,
        publish_member_events: r.column("publish_member_events")?,
    })
}

// ----------------------------------------------------------------- steps

/// A hub's booking rules; the defaults when it has none of its own.
pub async fn booking_rules<D: Dialect>(
    conn: &mut Conn<D>,
    hub_id: Uuid,
) -> StoreResult<BookingRules> {
    let sql = "SELECT * FROM booking_rules WHERE hub_id = $1";
    let found = dialect::optional::<D, _>(conn, sql, vec![Arg::Id(hub_id)], rules).await?;
    Ok(found.unwrap_or_default())
}

async fn set_booking_rules<D: Dialect>(
    conn: &mut Conn<D>,
    hub_id: Uuid,
    rules: &BookingRules,
) -> StoreResult<()> {
    let sql = "INSERT INTO booking_rules (hub_id, cancel_notice_minutes, max_length_minutes, \
               max_days_ahead, non_members_may_book, publish_member_events) \
               VALUES ($1, $2, $3, $4, $5, $6) \
               ON CONFLICT (hub_id) DO UPDATE SET \
               cancel_notice_minutes = EXCLUDED.cancel_notice_minutes, \
               max_length_minutes = EXCLUDED.max_length_minutes, \
               max_days_ahead = EXCLUDED.max_days_ahead, \
               non_members_may_book = EXCLUDED.non_members_may_book, \
               publish_member_events = EXCLUDED.publish_member_events";
    let args = vec![
        Arg::Id(hub_id),
        Arg::Int(rules.cancel_notice_minutes),
        Arg::Int(rules.max_length_minutes),
        Arg::Int(rules.max_days_ahead),
        Arg::Bool(rules.non_members_may_book),
        Arg::Bool(rules.publish_member_events),
    ];
    match D::DB::run(conn, sql, args).await.map_err(D::write_err) {
        // The hub is the only row the rules refer to.
        Err(StoreError::Reference(_)) => Err(StoreError::Reference("hub_id".into())),
        other => other.map(|_| ()),
    }
}

/// The statement that writes a booking, for [`insert_args`].
pub const INSERT_BOOKING: &str = "INSERT INTO bookings (id, room_id, hub_id, booker_id, \
     organisation_id, on_behalf, seat_id, series_id, title, starts_at, ends_at, status, \
     included_minutes, billable_minutes, price_ex_vat_ore, vat_percent, vat_ore, total_ore, \
     usage_month, created_at, cancelled_at, cancelled_by, cancel_reason, cancellation_charged) \
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, \
     $17, $18, $19, $20, $21, $22, $23, $24)";

/// [`INSERT_BOOKING`]'s values for `b`.
pub fn insert_args<D: Dialect>(b: &Booking) -> Vec<Arg<'_>> {
    vec![
        Arg::Id(b.id),
        Arg::Id(b.room_id),
        Arg::Id(b.hub_id),
        Arg::Id(b.booker_id),
        Arg::Id(b.organisation_id),
        Arg::Bool(b.on_behalf_of_organisation),
        Arg::OptId(b.seat_id),
        Arg::OptId(b.series_id),
        Arg::Text(&b.title),
        D::at(b.start),
        D::at(b.end),
        Arg::Text(b.status.key()),
        Arg::Int(b.price.included_minutes),
        Arg::Int(b.price.billable_minutes),
        Arg::Int(b.price.price_ex_vat_ore),
        Arg::Int(i64::from(b.price.vat_percent)),
        Arg::Int(b.price.vat_ore),
        Arg::Int(b.price.total_ore),
        Arg::Owned(b.usage_month()),
        D::at(b.created_at),
        D::opt_at(b.cancelled_at),
        Arg::OptId(b.cancelled_by),
        Arg::Text(&b.cancel_reason),
        Arg::Bool(b.cancellation_charged),
    ]
}

/// A booking write's error: a missing reference names its field, an
/// overlap is the booking rule's refusal.
pub async fn insert_error<D: BookingsDialect>(
    conn: &mut Conn<D>,
    e: sqlx::Error,
    b: &Booking,
) -> StoreError {
    let mut refs: Vec<Ref> = vec![
        ("rooms", b.room_id, "room_id"),
        ("people", b.booker_id, "booker_id"),
        ("organisations", b.organisation_id, "organisation_id"),
    ];
    refs.extend(b.seat_id.map(|seat| ("seats", seat, "seat_id")));
    let foreign_key = matches!(&e, sqlx::Error::Database(d) if d.is_foreign_key_violation());
    if foreign_key {
        D::insert_err(conn, e, refs).await
    } else {
        D::booking_err(e)
    }
}

/// Writes one booking in the caller's transaction, its room locked by the
/// caller; the database refuses an overlap (`booking_conflict`).
pub async fn insert_booking<D: BookingsDialect>(
    conn: &mut Conn<D>,
    b: &Booking,
) -> StoreResult<()> {
    match D::DB::run(conn, INSERT_BOOKING, insert_args::<D>(b)).await {
        Ok(_) => Ok(()),
        Err(e) => Err(insert_error::<D>(conn, e, b).await),
    }
}

/// What a seat has spent of its included minutes in a month: confirmed
/// bookings and charged cancellations.
pub const SEAT_MONTH_USED: &str =
    "SELECT CAST(COALESCE(SUM(included_minutes), 0) AS BIGINT) AS used \
     FROM bookings WHERE seat_id = $1 AND usage_month = $2 \
     AND (status = 'confirmed' OR cancellation_charged)";

/// Refuses (`IncludedHoursSpent`) if a seat of `caps` has spent more than
/// its allowance in the cap's month, with what the transaction wrote.
pub async fn check_caps<D: Dialect>(conn: &mut Conn<D>, caps: &[IncludedCap]) -> StoreResult<()> {
    for cap in caps {
        let args = vec![Arg::Id(cap.seat_id), Arg::Text(&cap.month)];
        let used: i64 =
            one(dialect::all::<D, _>(conn, SEAT_MONTH_USED, args, |r| r.column("used")).await?)?;
        if used > cap.allowance_minutes {
            // The transaction is rolled back: nothing is written.
            return Err(StoreError::Refused(Refusal::IncludedHoursSpent));
        }
    }
    Ok(())
}

/// Writes bookings all or nothing, in the caller's transaction, under the
/// seats' included-hours caps.
pub async fn insert_bookings<D: BookingsDialect>(
    conn: &mut Conn<D>,
    bookings: &[Booking],
    caps: &[IncludedCap],
) -> StoreResult<()> {
    let seats = caps.iter().map(|c| c.seat_id).collect();
    let rooms = bookings.iter().map(|b| b.room_id).collect();
    D::lock_writers(conn, seats, rooms).await?;
    D::write_checked(conn, bookings, caps).await
}

/// Cancels a booking inside the caller's transaction and queues `notice`.
pub async fn cancel_booking<D: BookingsDialect>(
    conn: &mut Conn<D>,
    id: Uuid,
    c: &Cancellation,
    notice: Option<&OutgoingEmail>,
) -> StoreResult<Booking> {
    let sql = format!("SELECT status FROM bookings WHERE id = $1{}", D::LOCK);
    let status: Option<String> =
        dialect::optional::<D, _>(conn, &sql, vec![Arg::Id(id)], |r| r.column("status")).await?;
    match status.as_deref() {
        None => return Err(StoreError::NotFound),
        Some("cancelled") => {
            return Err(StoreError::Refused(Refusal::Booking(
                BookingRefusal::AlreadyCancelled,
            )))
        }
        Some(_) => {}
    }
    // An event's room booking follows its event (moved and cancelled with
    // it); cancelling it alone would leave the event in a room it no longer
    // holds.
    let sql = "SELECT id FROM events WHERE booking_id = $1 AND status <> 'cancelled' LIMIT 1";
    let of_event: Option<Uuid> =
        dialect::optional::<D, _>(conn, sql, vec![Arg::Id(id)], |r| r.column("id")).await?;
    if of_event.is_some() {
        return Err(StoreError::Refused(Refusal::Booking(
            BookingRefusal::EventBooking,
        )));
    }
    let sql = "UPDATE bookings SET status = 'cancelled', cancelled_at = $1, cancelled_by = $2, \
               cancel_reason = $3, cancellation_charged = $4 WHERE id = $5 RETURNING *";
    let args = vec![
        D::at(c.at),
        Arg::Id(c.by),
        Arg::Text(&c.reason),
        Arg::Bool(c.charged),
        Arg::Id(id),
    ];
    let rows = D::DB::fetch(conn, sql, args)
        .await
        .map_err(D::booking_err)?;
    let b = one(super::rows(&rows, booking::<D>)?)?;
    if let Some(e) = notice {
        outbox::insert_email::<D>(conn, e).await?;
    }
    Ok(b)
}

async fn list_bookings<D: Dialect>(
    conn: &mut Conn<D>,
    f: &BookingFilter,
) -> StoreResult<Vec<BookingView>> {
    let mut sql = String::from(
        "SELECT b.*, r.name AS room_name, h.name AS hub_name, p.first_name AS booker_first_name, \
         p.last_name AS booker_last_name, o.name AS organisation_name \
         FROM bookings b JOIN rooms r ON r.id = b.room_id JOIN hubs h ON h.id = b.hub_id \
         JOIN people p ON p.id = b.booker_id JOIN organisations o ON o.id = b.organisation_id \
         WHERE 1 = 1",
    );
    let mut args = Vec::new();
    if let Some(hubs) = &f.hub_ids {
        if hubs.is_empty() {
            return Ok(Vec::new());
        }
        let ids: Vec<String> = hubs.iter().map(|h| param(&mut args, Arg::Id(*h))).collect();
        sql += &format!(" AND b.hub_id IN ({})", ids.join(", "));
    }
    if let Some(room) = f.room_id {
        sql += &format!(" AND b.room_id = {}", param(&mut args, Arg::Id(room)));
    }
    if let Some(booker) = f.booker_id {
        sql += &format!(" AND b.booker_id = {}", param(&mut args, Arg::Id(booker)));
    }
    if let Some(from) = f.from {
        sql += &format!(" AND b.ends_at > {}", param(&mut args, D::at(from)));
    }
    if let Some(to) = f.to {
        sql += &format!(" AND b.starts_at < {}", param(&mut args, D::at(to)));
    }
    if !f.include_cancelled {
        sql += " AND b.status = 'confirmed'";
    }
    if let Some((start, id)) = f.after {
        let start = param(&mut args, D::at(start));
        let id = param(&mut args, Arg::Id(id));
        sql += &format!(" AND (b.starts_at, b.id) > ({start}, {id})");
    }
    let limit = param(&mut args, Arg::Int(f.limit.max(0)));
    sql += &format!(" ORDER BY b.starts_at, b.id LIMIT {limit}");
    dialect::all::<D, _>(conn, &sql, args, |r| booking_view(r, booking::<D>(r)?)).await
}

/// The generation of a person's private calendar feed address.
pub async fn calendar_generation<D: Dialect>(
    conn: &mut Conn<D>,
    person_id: Uuid,
) -> StoreResult<i64> {
    let sql = "SELECT calendar_generation FROM member_profiles WHERE person_id = $1";
    let g = dialect::optional::<D, _>(conn, sql, vec![Arg::Id(person_id)], |r| {
        r.column("calendar_generation")
    })
    .await?;
    Ok(g.unwrap_or(0))
}

async fn rotate_calendar<D: Dialect>(conn: &mut Conn<D>, person_id: Uuid) -> StoreResult<i64> {
    let sql = "INSERT INTO member_profiles (person_id, calendar_generation) VALUES ($1, 1) \
               ON CONFLICT (person_id) DO UPDATE \
               SET calendar_generation = member_profiles.calendar_generation + 1 \
               RETURNING calendar_generation";
    let rows = D::DB::fetch(conn, sql, vec![Arg::Id(person_id)])
        .await
        .map_err(|e| match &e {
            // An unknown person.
            sqlx::Error::Database(d) if d.is_foreign_key_violation() => StoreError::NotFound,
            _ => D::write_err(e),
        })?;
    one(super::rows(&rows, |r| r.column("calendar_generation"))?)
}

#[async_trait]
impl<B: Backend> BookingStore for B {
    #[tracing::instrument(level = "debug", skip_all)]
    async fn booking_rules(&self, hub_id: Uuid) -> StoreResult<BookingRules> {
        let load = async { booking_rules::<B::D>(&mut *self.reader().await?, hub_id).await };
        cache::through(self.cache(), hub_id, load).await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn set_booking_rules(&self, hub_id: Uuid, rules: &BookingRules) -> StoreResult<()> {
        let rules = *rules;
        let written = self
            .write(move |c| {
                Box::pin(async move { set_booking_rules::<B::D>(c, hub_id, &rules).await })
            })
            .await;
        self.cache().clear();
        written
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn insert_bookings(&self, bookings: &[Booking], caps: &[IncludedCap]) -> StoreResult<()> {
        if bookings.is_empty() {
            return Ok(());
        }
        let (bookings, caps) = (bookings.to_vec(), caps.to_vec());
        self.transaction(move |c| {
            Box::pin(async move { insert_bookings::<B::D>(c, &bookings, &caps).await })
        })
        .await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn get_booking(&self, id: Uuid) -> StoreResult<Booking> {
        let sql = "SELECT * FROM bookings WHERE id = $1";
        let mut conn = self.reader().await?;
        dialect::optional::<B::D, _>(&mut conn, sql, vec![Arg::Id(id)], booking::<B::D>)
            .await?
            .ok_or(StoreError::NotFound)
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn busy_times(
        &self,
        room_id: Uuid,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> StoreResult<Vec<(DateTime<Utc>, DateTime<Utc>)>> {
        B::D::busy_times(&mut *self.reader().await?, room_id, from, to).await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn seat_minutes_used(
        &self,
        seat_ids: &[Uuid],
        month: &str,
    ) -> StoreResult<Vec<(Uuid, i64)>> {
        if seat_ids.is_empty() {
            return Ok(Vec::new());
        }
        let mut args = vec![Arg::Text(month)];
        let ids: Vec<String> = seat_ids
            .iter()
            .map(|s| param(&mut args, Arg::Id(*s)))
            .collect();
        let sql = format!(
            "SELECT seat_id, CAST(SUM(included_minutes) AS BIGINT) AS used FROM bookings \
             WHERE (status = 'confirmed' OR cancellation_charged) AND usage_month = $1 \
             AND seat_id IN ({}) GROUP BY seat_id ORDER BY seat_id",
            ids.join(", ")
        );
        dialect::all::<B::D, _>(&mut *self.reader().await?, &sql, args, |r| {
            Ok((r.column("seat_id")?, r.column("used")?))
        })
        .await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn cancel_booking(
        &self,
        id: Uuid,
        c: &Cancellation,
        notice: Option<&OutgoingEmail>,
    ) -> StoreResult<Booking> {
        let (c, notice) = (c.clone(), notice.cloned());
        self.transaction(move |conn| {
            Box::pin(async move { cancel_booking::<B::D>(conn, id, &c, notice.as_ref()).await })
        })
        .await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn list_bookings(&self, f: &BookingFilter) -> StoreResult<Vec<BookingView>> {
        list_bookings::<B::D>(&mut *self.reader().await?, f).await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn calendar_generation(&self, person_id: Uuid) -> StoreResult<i64> {
        calendar_generation::<B::D>(&mut *self.reader().await?, person_id).await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn rotate_calendar(&self, person_id: Uuid) -> StoreResult<i64> {
        self.write(move |c| Box::pin(async move { rotate_calendar::<B::D>(c, person_id).await }))
            .await
    }
}
