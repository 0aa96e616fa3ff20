//! Room bookings: the one path the API and the pages take to see a room's
//! day, price a booking, book it (alone or as a weekly series) and cancel it.
//! The domain ([`thirdplace_domain::booking`]) decides every rule; this
//! module loads what it needs, prices occurrences against the seats'
//! remaining included hours, and writes through the store, whose database
//! refuses overlaps and over-spent included hours inside the transaction.

use crate::http::api::referenced;
use crate::http::audit;
use crate::http::error::booking_refusal as refusal;
use crate::http::error::{AppError, AppResult};
use crate::http::idempotency::IdempotencyKey;
use crate::http::paging::streamed;
use crate::http::spreadsheet::{self, Cell, Csv};
use crate::i18n::{self, Lang};
use crate::AppState;
use chrono::{DateTime, Duration, NaiveDate, NaiveTime, Utc};
use std::collections::HashMap;
use thirdplace_domain::booking::{
    self, check_slot, decide_payer, occurrences, open_intervals, pick_seat, usage_month, Booking,
    BookingRefusal, BookingRules, BookingStatus, Canceller, Price, Recurrence, Span,
    MAX_TITLE_CHARS,
};
use thirdplace_domain::membership::{local_date, local_instant};
use thirdplace_domain::{new_id, Principal, Room, ValidationErrors, HUB_TIME_ZONE};
use thirdplace_store::{
    BookingFilter, BookingView, Cancellation, HubListing, IncludedCap, OutgoingEmail, Store,
    StoreError,
};
use uuid::Uuid;

/// How often a booking is re-priced when a concurrent booking spent the
/// included hours it was priced with.
const PRICE_RETRIES: usize = 4;

fn check_title(raw: &str) -> Result<String, ValidationErrors> {
    let t = raw.trim();
    if t.is_empty() {
        return Err(ValidationErrors::single(
            "title",
            "required",
            "give the booking a title, e.g. the meeting's name",
        ));
    }
    if t.chars().count() > MAX_TITLE_CHARS {
        return Err(ValidationErrors::single(
            "title",
            "too_long",
            format!("at most {MAX_TITLE_CHARS} characters"),
        ));
    }
    if t.chars().any(char::is_control) {
        return Err(ValidationErrors::single(
            "title",
            "invalid_characters",
            "must not contain control characters",
        ));
    }
    if thirdplace_domain::text::has_bidi_override(t) {
        let e = thirdplace_domain::text::bidi_override();
        return Err(ValidationErrors::single("title", e.code, e.message));
    }
    Ok(t.to_string())
}

/// The room of a request; an unknown id is a field error, not a 404 of the
/// whole request.
async fn room_for_request(store: &dyn Store, room_id: Uuid) -> AppResult<Room> {
    let load = store.get_room(room_id);
    referenced(load, |_| true, "room_id", "is not a room of this network").await
}

// ------------------------------------------------------------ availability

/// A room's day: the hub's opening hours that civil day and the busy times,
/// all as instants.
#[derive(Debug, Clone)]
pub struct Day {
    pub date: NaiveDate,
    pub open: Vec<Span>,
    pub busy: Vec<Span>,
}

/// The civil day `[00:00, next 00:00)` in Swedish time, as instants (23 or
/// 25 hours long on the days the clocks change).
pub fn day_bounds(date: NaiveDate) -> Span {
    (
        local_instant(date, NaiveTime::MIN),
        local_instant(date + Duration::days(1), NaiveTime::MIN),
    )
}

/// A room's availability on a date.
pub async fn availability(
    state: &AppState,
    room: &Room,
    hub: &HubListing,
    date: NaiveDate,
) -> AppResult<Day> {
    let (from, to) = day_bounds(date);
    let busy = state.store.busy_times(room.id, from, to).await?;
    let open = if room.archived || hub.hub.archived {
        vec![]
    } else {
        open_intervals(&hub.hub.opening_hours, date)
    };
    Ok(Day { date, open, busy })
}

// ----------------------------------------------------------------- booking

/// What someone asks to book.
#[derive(Debug, Clone)]
pub struct Request {
    pub room_id: Uuid,
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    pub title: String,
    /// Book on behalf of this organisation (the booker must administer it).
    pub organisation_id: Option<Uuid>,
    pub recurrence: Option<Recurrence>,
}

/// One occurrence of a request, priced, or the reason it cannot be booked.
#[derive(Debug, Clone)]
pub struct Occurrence {
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    pub price: Price,
    pub seat_id: Option<Uuid>,
    pub problem: Option<BookingRefusal>,
}

/// A priced request: what would be written, before it is.
#[derive(Debug, Clone)]
pub struct Quote {
    pub room: Room,
    pub hub: HubListing,
    pub rules: BookingRules,
    pub title: String,
    pub organisation_id: Option<Uuid>,
    pub on_behalf_of_organisation: bool,
    pub occurrences: Vec<Occurrence>,
    /// Monthly included minutes of the seats the occurrences draw on.
    allowances: HashMap<Uuid, i64>,
}

impl Quote {
    pub fn free(&self) -> impl Iterator<Item = &Occurrence> {
        self.occurrences.iter().filter(|o| o.problem.is_none())
    }

    /// The sum of the free occurrences' prices.
    pub fn total(&self) -> Price {
        booking::sum_prices(self.room.vat_rate_percent, self.free().map(|o| &o.price))
    }
}

/// Prices a request for `p` against the room's bookings and the seats'
/// remaining included hours. A refusal that holds for every occurrence
/// (a bad slot, an organisation the booker cannot charge) is an error; one
/// that holds for some occurrences of a series (a conflict, a closed day) is
/// recorded on them.
pub async fn quote(state: &AppState, p: &Principal, req: &Request) -> AppResult<Quote> {
    quote_with(state.store.as_ref(), state.now(), p, req).await
}

/// [`quote`] on a store at an instant (the demo seeding prices this way).
pub async fn quote_with(
    store: &dyn Store,
    now: DateTime<Utc>,
    p: &Principal,
    req: &Request,
) -> AppResult<Quote> {
    let title = check_title(&req.title)?;
    let room = room_for_request(store, req.room_id).await?;
    // The slot's shape is the same for every occurrence: judge it once.
    if let Err(r) = check_slot_shape(&room, req.start, req.end) {
        return Err(refusal(&r));
    }
    let spans = match &req.recurrence {
        None => vec![(req.start, req.end)],
        Some(rec) => occurrences(req.start, req.end, rec)
            .map_err(|e| ValidationErrors { errors: vec![e] })?,
    };
    let (hub, rules, held, busy) = tokio::try_join!(
        store.get_hub(room.hub_id),
        store.booking_rules(room.hub_id),
        store.held_seats(p.person_id, now),
        store.busy_times(
            room.id,
            spans.first().map(|s| s.0).unwrap_or(req.start),
            spans.last().map(|s| s.1).unwrap_or(req.end),
        ),
    )?;

    let mut occ = Vec::with_capacity(spans.len());
    let mut payer_of = Vec::with_capacity(spans.len());
    for &(start, end) in &spans {
        let mut problem = check_slot(&room, &hub.hub.opening_hours, &rules, start, end, now).err();
        let payer = decide_payer(
            p.organisation_id,
            &p.admin_of_organisation_ids,
            req.organisation_id,
            &held,
            &room,
            hub.region_id,
            &rules,
            local_date(start),
        );
        let payer = match payer {
            Ok(payer) => Some(payer),
            Err(r) => {
                if matches!(
                    r,
                    BookingRefusal::CannotCharge | BookingRefusal::NoOrganisation
                ) {
                    return Err(refusal(&r));
                }
                problem.get_or_insert(r);
                None
            }
        };
        if problem.is_none()
            && busy
                .iter()
                .any(|&(b0, b1)| booking::overlaps(start, end, b0, b1))
        {
            problem = Some(BookingRefusal::Conflict);
        }
        occ.push(Occurrence {
            start,
            end,
            price: booking::price(&room, (end - start).num_minutes(), 0),
            seat_id: None,
            problem,
        });
        payer_of.push(payer);
    }
    if req.recurrence.is_none() {
        if let Some(r) = &occ[0].problem {
            return Err(refusal(r));
        }
    }

    // Included hours: per seat and month, consumed in order.
    let mut allowances = HashMap::new();
    let mut used: HashMap<String, HashMap<Uuid, i64>> = HashMap::new();
    let seat_ids: Vec<Uuid> = {
        let mut ids: Vec<Uuid> = payer_of
            .iter()
            .flatten()
            .flat_map(|p| p.seats.iter().map(|s| s.0))
            .collect();
        ids.sort();
        ids.dedup();
        ids
    };
    let (mut organisation_id, mut on_behalf) = (req.organisation_id.or(p.organisation_id), false);
    for (o, payer) in occ.iter_mut().zip(&payer_of) {
        let Some(payer) = payer else { continue };
        organisation_id = Some(payer.organisation_id);
        on_behalf = payer.on_behalf_of_organisation;
        if o.problem.is_some() || payer.seats.is_empty() {
            continue;
        }
        let month = usage_month(o.start);
        if !used.contains_key(&month) {
            let rows = store.seat_minutes_used(&seat_ids, &month).await?;
            used.insert(month.clone(), rows.into_iter().collect());
        }
        let month_used = used.get_mut(&month).expect("inserted above");
        let minutes = (o.end - o.start).num_minutes();
        if let Some((seat, left)) = pick_seat(&payer.seats, month_used) {
            o.price = booking::price(&room, minutes, left);
            if o.price.included_minutes > 0 {
                o.seat_id = Some(seat);
                *month_used.entry(seat).or_insert(0) += o.price.included_minutes;
                let allowance = payer.seats.iter().find(|s| s.0 == seat).map(|s| s.1);
                allowances.insert(seat, allowance.unwrap_or(0));
            }
        }
    }
    Ok(Quote {
        room,
        hub,
        rules,
        title,
        organisation_id,
        on_behalf_of_organisation: on_behalf,
        occurrences: occ,
        allowances,
    })
}

/// The parts of [`check_slot`] that do not depend on the day.
fn check_slot_shape(
    room: &Room,
    start: DateTime<Utc>,
    end: DateTime<Utc>,
) -> Result<(), BookingRefusal> {
    if end < start {
        return Err(BookingRefusal::EndBeforeStart);
    }
    if end == start {
        return Err(BookingRefusal::ZeroLength);
    }
    if !booking::on_grid(start) || !booking::on_grid(end) {
        return Err(BookingRefusal::OffGrid);
    }
    if room.archived {
        return Err(BookingRefusal::RoomArchived);
    }
    Ok(())
}

/// What [`book`] wrote, and the occurrences it skipped (with `free_only`).
#[derive(Debug, Clone)]
pub struct Booked {
    pub bookings: Vec<Booking>,
    pub skipped: Vec<(Span, BookingRefusal)>,
}

/// Books a request: one booking, or a series. A series with occurrences
/// that cannot be booked is refused with the list of them unless
/// `free_only`, in which case only the free ones are booked.
pub async fn book(
    state: &AppState,
    p: &Principal,
    req: &Request,
    free_only: bool,
) -> AppResult<Booked> {
    book_once(state, p, req, free_only, &IdempotencyKey::default()).await
}

/// [`book`] with an `Idempotency-Key`: a retry of a request that was written
/// (answered or not) is answered with what it wrote, and books nothing more.
pub async fn book_once(
    state: &AppState,
    p: &Principal,
    req: &Request,
    free_only: bool,
    key: &IdempotencyKey,
) -> AppResult<Booked> {
    book_with(state.store.as_ref(), state.now(), p, req, free_only, key).await
}

/// What an earlier attempt with the same key booked, if it was written:
/// the booking, or the bookings of the series (whose skipped occurrences
/// are not told again).
async fn booked_before(
    store: &dyn Store,
    p: &Principal,
    req: &Request,
    key: &IdempotencyKey,
    series_id: Option<Uuid>,
) -> AppResult<Option<Booked>> {
    if !key.is_set() {
        return Ok(None);
    }
    let bookings = match series_id {
        None => match store
            .get_booking(key.id_for(p.person_id, "booking", new_id))
            .await
        {
            Ok(b) => vec![b],
            Err(StoreError::NotFound) => vec![],
            Err(e) => return Err(e.into()),
        },
        Some(series_id) => store
            .list_bookings(&BookingFilter {
                room_id: Some(req.room_id),
                booker_id: Some(p.person_id),
                from: Some(req.start),
                include_cancelled: true,
                limit: 10_000,
                ..BookingFilter::default()
            })
            .await?
            .into_iter()
            .map(|v| v.booking)
            .filter(|b| b.series_id == Some(series_id))
            .collect(),
    };
    Ok(
        (!bookings.is_empty() && bookings.iter().all(|b| b.booker_id == p.person_id)).then_some(
            Booked {
                bookings,
                skipped: vec![],
            },
        ),
    )
}

/// [`book_once`] on a store at an instant (the demo seeding books this way).
pub async fn book_with(
    store: &dyn Store,
    now: DateTime<Utc>,
    p: &Principal,
    req: &Request,
    free_only: bool,
    key: &IdempotencyKey,
) -> AppResult<Booked> {
    let series_id = req
        .recurrence
        .map(|_| key.id_for(p.person_id, "booking series", new_id));
    if let Some(done) = booked_before(store, p, req, key, series_id).await? {
        return Ok(done);
    }
    match book_new(store, now, p, req, free_only, key, series_id).await {
        // A retry that raced its first attempt: answer with what that wrote.
        Err(e) if key.is_set() => booked_before(store, p, req, key, series_id).await?.ok_or(e),
        booked => booked,
    }
}

async fn book_new(
    store: &dyn Store,
    now: DateTime<Utc>,
    p: &Principal,
    req: &Request,
    free_only: bool,
    key: &IdempotencyKey,
    series_id: Option<Uuid>,
) -> AppResult<Booked> {
    let mut attempt = 0;
    loop {
        let q = quote_with(store, now, p, req).await?;
        let problems: Vec<(Span, BookingRefusal)> = q
            .occurrences
            .iter()
            .filter_map(|o| o.problem.clone().map(|r| ((o.start, o.end), r)))
            .collect();
        if q.free().next().is_none() {
            // Nothing can be booked: say why, with the first reason. When
            // every occurrence is refused because the person may not book
            // the room at all (the same 403 each time), that is the answer,
            // as for a single booking, not a conflict of the series.
            let (_, r) = problems.first().cloned().expect("an occurrence exists");
            let first = refusal(&r);
            let forbidden = first.status() == axum::http::StatusCode::FORBIDDEN
                && problems.iter().all(|(_, other)| *other == r);
            return Err(if problems.len() > 1 && !forbidden {
                AppError::SeriesConflict(problems)
            } else {
                first
            });
        }
        if !problems.is_empty() && !free_only {
            return Err(AppError::SeriesConflict(problems));
        }
        let organisation_id = q
            .organisation_id
            .ok_or_else(|| refusal(&BookingRefusal::NoOrganisation))?;
        let bookings: Vec<Booking> = q
            .free()
            .map(|o| Booking {
                id: match series_id {
                    None => key.id_for(p.person_id, "booking", new_id),
                    Some(_) => key.id_for(
                        p.person_id,
                        &format!("booking at {}", o.start.timestamp()),
                        new_id,
                    ),
                },
                room_id: q.room.id,
                hub_id: q.room.hub_id,
                booker_id: p.person_id,
                organisation_id,
                on_behalf_of_organisation: q.on_behalf_of_organisation,
                seat_id: o.seat_id,
                series_id,
                title: q.title.clone(),
                start: o.start,
                end: o.end,
                status: BookingStatus::Confirmed,
                price: o.price,
                created_at: now,
                cancelled_at: None,
                cancelled_by: None,
                cancel_reason: String::new(),
                cancellation_charged: false,
            })
            .collect();
        let mut caps: Vec<IncludedCap> = bookings
            .iter()
            .filter_map(|b| {
                b.seat_id.map(|seat| IncludedCap {
                    seat_id: seat,
                    month: b.usage_month(),
                    allowance_minutes: q.allowances.get(&seat).copied().unwrap_or(0),
                })
            })
            .collect();
        caps.sort_by(|a, b| (a.seat_id, &a.month).cmp(&(b.seat_id, &b.month)));
        caps.dedup_by(|a, b| a.seat_id == b.seat_id && a.month == b.month);
        match store.insert_bookings(&bookings, &caps).await {
            Ok(()) => {
                return Ok(Booked {
                    bookings,
                    skipped: problems,
                })
            }
            // Someone spent the included hours this was priced with: price
            // again with what is left.
            Err(StoreError::Refused(thirdplace_store::Refusal::IncludedHoursSpent))
                if attempt < PRICE_RETRIES =>
            {
                attempt += 1;
            }
            Err(e) => return Err(e.into()),
        }
    }
}

/// Sets a hub's booking rules (the person may edit the hub) and records the
/// change in the audit trail.
pub async fn set_rules(
    state: &AppState,
    actor: Uuid,
    hub_id: Uuid,
    rules: &thirdplace_domain::booking::BookingRules,
) -> thirdplace_store::StoreResult<()> {
    let old = state.store.booking_rules(hub_id).await?;
    state.store.set_booking_rules(hub_id, rules).await?;
    let details = audit::changes(&old, rules);
    audit::record(
        state,
        Some(actor),
        "hub.booking_rules_changed",
        ("hub", hub_id),
        details,
    )
    .await;
    Ok(())
}

// ------------------------------------------------------------------ cancel

/// The booking `id` if `p` may cancel it: 404 if they may not see it, 403
/// `not_your_booking` if they may see it but not cancel it.
pub async fn may_cancel(
    state: &AppState,
    p: &Principal,
    id: Uuid,
) -> AppResult<(Booking, Canceller)> {
    let b = state.store.get_booking(id).await?;
    if !booking::may_see(p, &b) {
        return Err(AppError::NotFound);
    }
    let canceller = booking::canceller(p, &b).map_err(|r| refusal(&r))?;
    Ok((b, canceller))
}

/// Whether `p` cancelling booking `id` now would be charged (a booker
/// after the hub's free-cancellation deadline; never a host), so that the
/// page can say so and ask first. Refusals are [`cancel`]'s.
pub async fn cancelling_would_charge(state: &AppState, p: &Principal, id: Uuid) -> AppResult<bool> {
    let (b, canceller) = may_cancel(state, p, id).await?;
    if b.status == BookingStatus::Cancelled || canceller == Canceller::Host {
        return Ok(false);
    }
    let rules = state.store.booking_rules(b.hub_id).await?;
    booking::cancellation_charged(b.start, &rules, state.now()).map_err(|r| refusal(&r))
}

/// Cancels a booking. Its booker (or an administrator of the organisation
/// it was booked on behalf of) cancels free of charge until the hub's
/// deadline and charged after it; a host cancels any booking of their hub,
/// free for the booker, with a reason the booker is sent by e-mail.
pub async fn cancel(state: &AppState, p: &Principal, id: Uuid, reason: &str) -> AppResult<Booking> {
    let (b, canceller) = may_cancel(state, p, id).await?;
    let by_host = canceller == Canceller::Host;
    if b.status == BookingStatus::Cancelled {
        return Err(refusal(&BookingRefusal::AlreadyCancelled));
    }
    let reason = reason.trim();
    if reason.chars().count() > 500 {
        return Err(
            ValidationErrors::single("reason", "too_long", "at most 500 characters").into(),
        );
    }
    let now = state.now();
    let rules = state.store.booking_rules(b.hub_id).await?;
    let charged = booking::cancellation_charged(b.start, &rules, now).map_err(|r| refusal(&r))?;
    if by_host && reason.is_empty() {
        return Err(ValidationErrors::single(
            "reason",
            "required",
            "tell the booker why their booking is cancelled",
        )
        .into());
    }
    let notice = if by_host {
        let booker = state.store.get_person(b.booker_id).await?;
        let room = state.store.get_room(b.room_id).await?;
        let hub = state.store.get_hub(b.hub_id).await?;
        Some(cancellation_email(
            booker.email.as_str(),
            &booker.first_name,
            &b,
            &room.name,
            &hub.hub.name,
            reason,
            now,
        ))
    } else {
        None
    };
    let c = Cancellation {
        at: now,
        by: p.person_id,
        reason: reason.to_string(),
        // A host's cancellation never costs the booker anything.
        charged: charged && !by_host,
    };
    match state.store.cancel_booking(id, &c, notice.as_ref()).await {
        Ok(b) => {
            if notice.is_some() {
                state.mail_wake.notify_one();
            }
            if by_host {
                let details = serde_json::json!({ "hub_id": b.hub_id, "room_id": b.room_id, "start": b.start });
                audit::record(
                    state,
                    Some(p.person_id),
                    "booking.cancelled_by_host",
                    ("booking", b.id),
                    details,
                )
                .await;
            }
            Ok(b)
        }
        // The store's refusals (already cancelled, an event's room) map in
        // the error layer.
        Err(e) => Err(e.into()),
    }
}

/// A booking's time in Swedish time for e-mails: "2026-12-01 10:00–11:00".
fn local_span(start: DateTime<Utc>, end: DateTime<Utc>) -> String {
    let s = start.with_timezone(&HUB_TIME_ZONE);
    let e = end.with_timezone(&HUB_TIME_ZONE);
    format!(
        "{} {}–{}",
        s.format("%Y-%m-%d"),
        s.format("%H:%M"),
        e.format("%H:%M")
    )
}

fn cancellation_email(
    to: &str,
    first_name: &str,
    b: &Booking,
    room: &str,
    hub: &str,
    reason: &str,
    now: DateTime<Utc>,
) -> OutgoingEmail {
    let when = local_span(b.start, b.end);
    crate::http::mail::email(
        to,
        &format!("Din bokning av {room} är avbokad / Your booking of {room} is cancelled"),
        &format!(
            "Hej {first_name}!\n\n\
             Värden på {hub} har avbokat din bokning \"{title}\" av {room} {when}.\n\
             Anledning: {reason}\n\
             Avbokningen kostar dig ingenting, och inkluderade timmar har lagts tillbaka.\n\n\
             ---\n\n\
             Hello {first_name},\n\n\
             The host of {hub} has cancelled your booking \"{title}\" of {room} on {when} (Swedish time).\n\
             Reason: {reason}\n\
             The cancellation costs you nothing, and any included hours have been given back.\n",
            title = b.title,
        ),
        now,
    )
}

// ------------------------------------------------------------------- lists

/// Bookings per export page: the export reads the store this many at a time.
pub const CSV_PAGE: i64 = 500;

/// The most bookings an XLSX export holds: a workbook is built whole in
/// memory, unlike the streamed CSV, so a request for more is refused with a
/// pointer to the CSV (a sheet holds about a million rows; a hub's year of
/// bookings is a few thousand).
pub const XLSX_MAX: usize = 50_000;

/// One store page of `f` after `after`, and the keyset of the next page.
async fn export_page(
    state: &AppState,
    f: &BookingFilter,
    after: Option<(DateTime<Utc>, Uuid)>,
) -> AppResult<(Vec<BookingView>, Option<(DateTime<Utc>, Uuid)>)> {
    let f = BookingFilter {
        after,
        limit: CSV_PAGE,
        ..f.clone()
    };
    let rows = state.store.list_bookings(&f).await?;
    let next = if rows.len() as i64 == CSV_PAGE {
        rows.last().map(|v| (v.booking.start, v.booking.id))
    } else {
        None
    };
    Ok((rows, next))
}

/// Every booking of `f` (its `after` and `limit` are ignored) as the API's
/// CSV, streamed [`CSV_PAGE`] bookings at a time ([`streamed`]).
pub fn csv_body(state: &AppState, f: BookingFilter) -> axum::body::Body {
    let state = state.clone();
    streamed(api_csv_rows(&[], true).into_bytes(), move |after| {
        let state = state.clone();
        let f = f.clone();
        async move {
            let (rows, next) = export_page(&state, &f, after).await?;
            Ok((api_csv_rows(&rows, false).into_bytes(), next))
        }
    })
}

/// The bookings `f` gives as the API's CSV, an attachment `bookings.csv`,
/// streamed.
pub fn csv_response(state: &AppState, f: BookingFilter) -> axum::response::Response {
    spreadsheet::csv_attachment("bookings.csv", csv_body(state, f))
}

/// Bookings as the API's CSV rows, for programs: comma-separated, without
/// a byte-order mark, English keys, amounts in öre and times as Swedish
/// local time; after the header line when `header`.
pub fn api_csv_rows(rows: &[BookingView], header: bool) -> String {
    let local = crate::http::parse::local_date_time;
    let mut w = csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .from_writer(Vec::new());
    const HEADER: [&str; 15] = [
        "id",
        "hub",
        "room",
        "start",
        "end",
        "title",
        "booker",
        "organisation",
        "status",
        "included_minutes",
        "billable_minutes",
        "price_ex_vat_ore",
        "vat_ore",
        "total_ore",
        "cancellation_charged",
    ];
    // Writing to a Vec cannot fail.
    if header {
        let _ = w.write_record(HEADER);
    }
    let text = spreadsheet::text;
    for v in rows {
        let b = &v.booking;
        let _ = w.write_record([
            b.id.to_string(),
            text(&v.hub_name),
            text(&v.room_name),
            local(b.start),
            local(b.end),
            text(&b.title),
            text(&format!("{} {}", v.booker_first_name, v.booker_last_name)),
            text(&v.organisation_name),
            b.status.key().to_string(),
            b.price.included_minutes.to_string(),
            b.price.billable_minutes.to_string(),
            b.price.price_ex_vat_ore.to_string(),
            b.price.vat_ore.to_string(),
            b.price.total_ore.to_string(),
            b.cancellation_charged.to_string(),
        ]);
    }
    String::from_utf8(w.into_inner().unwrap_or_default()).unwrap_or_default()
}

/// The columns of the bookings download from the hosts' page, in `lang`.
pub fn export_headings(lang: Lang) -> Vec<String> {
    [
        "id",
        "hub",
        "room",
        "start",
        "end",
        "title",
        "booker",
        "organisation",
        "status",
        "included_minutes",
        "billable_minutes",
        "price_ex_vat",
        "vat",
        "total",
        "cancellation_charged",
    ]
    .iter()
    .map(|c| i18n::t(lang, &format!("booking.export.{c}")))
    .collect()
}

/// One booking as a row of the hosts' download ([`export_headings`]).
pub fn export_row(v: &BookingView, lang: Lang) -> Vec<Cell> {
    let b = &v.booking;
    let yes_no = if b.cancellation_charged { "yes" } else { "no" };
    vec![
        Cell::Text(b.id.to_string()),
        Cell::Text(v.hub_name.clone()),
        Cell::Text(v.room_name.clone()),
        Cell::DateTime(b.start),
        Cell::DateTime(b.end),
        Cell::Text(b.title.clone()),
        Cell::Text(format!("{} {}", v.booker_first_name, v.booker_last_name)),
        Cell::Text(v.organisation_name.clone()),
        Cell::Text(i18n::t(lang, &format!("booking.status.{}", b.status.key()))),
        Cell::Int(b.price.included_minutes),
        Cell::Int(b.price.billable_minutes),
        Cell::Kronor(b.price.price_ex_vat_ore),
        Cell::Kronor(b.price.vat_ore),
        Cell::Kronor(b.price.total_ore),
        Cell::Text(i18n::t(lang, &format!("booking.export.{yes_no}"))),
    ]
}

/// Every booking of `f` as the hosts' CSV download (see
/// [`spreadsheet::Csv`]), streamed a store page at a time.
pub fn export_csv(state: &AppState, f: BookingFilter, lang: Lang) -> axum::response::Response {
    let state = state.clone();
    let body = streamed(Csv::start(&export_headings(lang)), move |after| {
        let state = state.clone();
        let f = f.clone();
        async move {
            let (rows, next) = export_page(&state, &f, after).await?;
            let mut csv = Csv::new();
            for v in &rows {
                csv.cells(&export_row(v, lang), lang);
            }
            Ok((csv.into_bytes(), next))
        }
    });
    spreadsheet::csv_attachment("bookings.csv", body)
}

/// Every booking of `f` as an XLSX workbook, for hosts who filter and sum.
pub async fn export_xlsx(
    state: &AppState,
    f: BookingFilter,
    lang: Lang,
) -> AppResult<axum::response::Response> {
    let mut rows = Vec::new();
    let mut after = None;
    loop {
        let (page, next) = export_page(state, &f, after).await?;
        rows.extend(page.iter().map(|v| export_row(v, lang)));
        if rows.len() > XLSX_MAX {
            return Err(AppError::Refused {
                status: axum::http::StatusCode::UNPROCESSABLE_ENTITY,
                code: "too_many_rows",
                message: i18n::t(lang, "booking.export.too_many")
                    .replace("{max}", &XLSX_MAX.to_string()),
            });
        }
        match next {
            Some(n) => after = Some(n),
            None => break,
        }
    }
    let sheet = i18n::t(lang, "booking.export.sheet");
    let body = spreadsheet::xlsx(&sheet, &export_headings(lang), &rows)?;
    Ok(spreadsheet::xlsx_attachment("bookings.xlsx", body))
}
