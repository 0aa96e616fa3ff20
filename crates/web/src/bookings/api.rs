//! Room availability, booking (single and weekly series), prices before
//! booking, cancelling, lists, and the hubs' booking rules.

use super::service::{self as bookings, Occurrence, Request};
use crate::http::api::{path_id, require, seen_by, ApiJson};
use crate::http::auth::Auth;
use crate::http::error::{AppError, AppResult, ErrorBody};
use crate::http::idempotency::IdempotencyKey;
use crate::http::paging::Paging;
use crate::http::parse::{parse_date, parse_instant};
use crate::AppState;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::Json;
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use thirdplace_domain::booking::{Booking, BookingRules, Price, Recurrence, Span};
use thirdplace_domain::{Principal, ValidationErrors};
use thirdplace_store::BookingFilter;
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

#[derive(Serialize, ToSchema)]
pub struct SpanOut {
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
}

fn spans(v: &[Span]) -> Vec<SpanOut> {
    v.iter()
        .map(|&(start, end)| SpanOut { start, end })
        .collect()
}

#[derive(Serialize, ToSchema)]
pub struct AvailabilityOut {
    /// The civil date in Swedish time.
    #[schema(value_type = String, example = "2026-12-01")]
    pub date: NaiveDate,
    /// The hub's opening hours that day, as instants (empty when closed).
    pub open: Vec<SpanOut>,
    /// Booked times of the room that day (no names).
    pub busy: Vec<SpanOut>,
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DateQuery {
    /// `YYYY-MM-DD`, a civil date in Swedish time; today when left out.
    pub date: Option<String>,
}

/// A room's day: the hub's opening hours and the busy times, as RFC 3339
/// instants. Anyone may ask; it shows no names.
#[utoipa::path(get, path = "/rooms/{id}/availability", tag = "bookings", params(DateQuery),
    responses((status = 200, body = AvailabilityOut), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn availability(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Query(q): Query<DateQuery>,
) -> AppResult<Json<AvailabilityOut>> {
    let room = state.store.get_room(path_id(&id)?).await?;
    let date = match q.date.as_deref() {
        Some(d) => parse_date("date", d)?,
        None => state
            .now()
            .with_timezone(&thirdplace_domain::HUB_TIME_ZONE)
            .date_naive(),
    };
    let hub = state.store.get_hub(room.hub_id).await?;
    let day = bookings::availability(&state, &room, &hub, date).await?;
    Ok(Json(AvailabilityOut {
        date: day.date,
        open: spans(&day.open),
        busy: spans(&day.busy),
    }))
}

#[derive(Serialize, ToSchema)]
pub struct BookingOut {
    pub id: Uuid,
    pub room_id: Uuid,
    pub hub_id: Uuid,
    pub series_id: Option<Uuid>,
    pub booker_id: Uuid,
    /// The organisation billed.
    pub organisation_id: Uuid,
    pub on_behalf_of_organisation: bool,
    pub title: String,
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    /// `confirmed` or `cancelled`.
    pub status: String,
    pub included_minutes: i64,
    pub billable_minutes: i64,
    pub price_ex_vat_ore: i64,
    pub vat_percent: u8,
    pub vat_ore: i64,
    pub total_ore: i64,
    pub created_at: DateTime<Utc>,
    pub cancelled_at: Option<DateTime<Utc>>,
    pub cancel_reason: String,
    /// Cancelled after the deadline: the price is still charged.
    pub cancellation_charged: bool,
}

impl From<Booking> for BookingOut {
    fn from(b: Booking) -> Self {
        BookingOut {
            id: b.id,
            room_id: b.room_id,
            hub_id: b.hub_id,
            series_id: b.series_id,
            booker_id: b.booker_id,
            organisation_id: b.organisation_id,
            on_behalf_of_organisation: b.on_behalf_of_organisation,
            title: b.title,
            start: b.start,
            end: b.end,
            status: b.status.key().into(),
            included_minutes: b.price.included_minutes,
            billable_minutes: b.price.billable_minutes,
            price_ex_vat_ore: b.price.price_ex_vat_ore,
            vat_percent: b.price.vat_percent,
            vat_ore: b.price.vat_ore,
            total_ore: b.price.total_ore,
            created_at: b.created_at,
            cancelled_at: b.cancelled_at,
            cancel_reason: b.cancel_reason,
            cancellation_charged: b.cancellation_charged,
        }
    }
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BookingBody {
    pub room_id: Uuid,
    /// RFC 3339 with offset, on a quarter hour.
    #[schema(example = "2026-12-01T10:00:00+01:00")]
    pub start: String,
    #[schema(example = "2026-12-01T11:00:00+01:00")]
    pub end: String,
    pub title: String,
    /// Book on behalf of this organisation (you must administer it); it is
    /// billed and no included hours are used.
    pub organisation_id: Option<Uuid>,
}

#[derive(Deserialize, ToSchema, Clone, Copy)]
#[serde(deny_unknown_fields)]
pub struct RecurrenceBody {
    /// 1 = weekly, 2 = every other week.
    pub every_weeks: u32,
    /// Number of occurrences (the first included)…
    pub count: Option<u32>,
    /// …or the last date an occurrence may fall on.
    #[schema(value_type = Option<String>, example = "2027-03-31")]
    pub until: Option<NaiveDate>,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SeriesBody {
    pub room_id: Uuid,
    /// The first occurrence, RFC 3339 with offset.
    pub start: String,
    pub end: String,
    pub title: String,
    pub organisation_id: Option<Uuid>,
    pub recurrence: RecurrenceBody,
    /// Book the free occurrences and skip those that cannot be booked
    /// (default false: refuse the whole series with the list).
    #[serde(default)]
    pub free_only: bool,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct QuoteBody {
    pub room_id: Uuid,
    pub start: String,
    pub end: String,
    #[serde(default)]
    pub title: Option<String>,
    pub organisation_id: Option<Uuid>,
    pub recurrence: Option<RecurrenceBody>,
}

fn request(
    room_id: Uuid,
    start: &str,
    end: &str,
    title: String,
    organisation_id: Option<Uuid>,
    recurrence: Option<RecurrenceBody>,
) -> AppResult<Request> {
    let mut errors = ValidationErrors::new();
    let start = parse_instant("start", start).map_err(|e| errors.errors.extend(e.errors));
    let end = parse_instant("end", end).map_err(|e| errors.errors.extend(e.errors));
    match (start, end) {
        (Ok(start), Ok(end)) => Ok(Request {
            room_id,
            start,
            end,
            title,
            organisation_id,
            recurrence: recurrence.map(|r| Recurrence {
                every_weeks: r.every_weeks,
                count: r.count,
                until: r.until,
            }),
        }),
        _ => Err(errors.into()),
    }
}

/// Books what a body asks for, for the caller: `read` turns the body into
/// the request and whether only the free occurrences are booked. The caller
/// must be signed in before the body is read at all.
async fn book_body<B: serde::de::DeserializeOwned>(
    state: &AppState,
    auth: &Auth,
    key: &IdempotencyKey,
    body: ApiJson<B>,
    read: impl FnOnce(B) -> (AppResult<Request>, bool),
) -> AppResult<bookings::Booked> {
    let p = require(auth, |_| true)?;
    // Who may book depends on the room the body names.
    let (req, free_only) = read(body.parse()?);
    bookings::book_once(state, &p, &req?, free_only, key).await
}

/// Books a room for the caller (or on behalf of their organisation). The
/// price uses the caller's included hours first. 409 `booking_conflict`
/// when the room is taken; 422 with a specific code (`outside_opening_hours`,
/// `in_the_past`, `too_long`, `too_far_ahead`, `off_grid`, `end_before_start`,
/// `zero_length`, `room_archived`); 403 `members_only`,
/// `cannot_charge_organisation`, `no_organisation`.
#[utoipa::path(post, path = "/bookings", tag = "bookings", request_body = BookingBody, security(("token" = [])), params(IdempotencyKey),
    responses((status = 201, body = BookingOut), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create_booking(
    State(state): State<AppState>,
    auth: Auth,
    key: IdempotencyKey,
    body: ApiJson<BookingBody>,
) -> AppResult<(StatusCode, Json<BookingOut>)> {
    let booked = book_body(&state, &auth, &key, body, |b| {
        let req = request(
            b.room_id,
            &b.start,
            &b.end,
            b.title,
            b.organisation_id,
            None,
        );
        (req, false)
    });
    let mut made = booked.await?.bookings;
    let b = made
        .pop()
        .ok_or_else(|| AppError::Internal("no booking was made".into()))?;
    Ok((StatusCode::CREATED, Json(b.into())))
}

#[derive(Serialize, ToSchema)]
pub struct SeriesOut {
    pub series_id: Option<Uuid>,
    pub bookings: Vec<BookingOut>,
    /// Occurrences not booked (with `free_only`), each with its reason.
    pub skipped: Vec<SkippedOut>,
}

#[derive(Serialize, ToSchema)]
pub struct SkippedOut {
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    pub code: String,
    pub message: String,
}

/// Books a weekly or every-other-week series. If some occurrences cannot be
/// booked, the answer is 409 `series_conflict` listing them in
/// `error.occurrences`, and nothing is written — unless `free_only` is set,
/// when the free ones are booked and the others listed in `skipped`.
#[utoipa::path(post, path = "/booking-series", tag = "bookings", request_body = SeriesBody, security(("token" = [])), params(IdempotencyKey),
    responses((status = 201, body = SeriesOut), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create_series(
    State(state): State<AppState>,
    auth: Auth,
    key: IdempotencyKey,
    body: ApiJson<SeriesBody>,
) -> AppResult<(StatusCode, Json<SeriesOut>)> {
    let booked = book_body(&state, &auth, &key, body, |b| {
        let (room, org) = (b.room_id, b.organisation_id);
        let req = request(room, &b.start, &b.end, b.title, org, Some(b.recurrence));
        (req, b.free_only)
    });
    let made = booked.await?;
    let skipped = made
        .skipped
        .iter()
        .map(|((start, end), r)| SkippedOut {
            start: *start,
            end: *end,
            code: r.code().into(),
            message: r.message(),
        })
        .collect();
    let made = made.bookings;
    Ok((
        StatusCode::CREATED,
        Json(SeriesOut {
            series_id: made.first().and_then(|b| b.series_id),
            bookings: made.into_iter().map(Into::into).collect(),
            skipped,
        }),
    ))
}

#[derive(Serialize, ToSchema)]
pub struct ProblemOut {
    pub code: String,
    pub message: String,
}

#[derive(Serialize, ToSchema)]
pub struct OccurrenceOut {
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    pub bookable: bool,
    /// Why it cannot be booked.
    pub problem: Option<ProblemOut>,
    pub price: Price,
}

impl From<&Occurrence> for OccurrenceOut {
    fn from(o: &Occurrence) -> Self {
        OccurrenceOut {
            start: o.start,
            end: o.end,
            bookable: o.problem.is_none(),
            problem: o.problem.as_ref().map(|r| ProblemOut {
                code: r.code().into(),
                message: r.message(),
            }),
            price: o.price,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct QuoteOut {
    pub room_id: Uuid,
    /// The organisation that would be billed.
    pub organisation_id: Option<Uuid>,
    pub on_behalf_of_organisation: bool,
    pub occurrences: Vec<OccurrenceOut>,
    /// The sum over the bookable occurrences.
    pub total: Price,
}

/// What a booking (or series) would cost the caller, and which occurrences
/// are free, without booking anything.
#[utoipa::path(post, path = "/bookings/quote", tag = "bookings", request_body = QuoteBody, security(("token" = [])),
    responses((status = 200, body = QuoteOut), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn quote(
    State(state): State<AppState>,
    auth: Auth,
    body: ApiJson<QuoteBody>,
) -> AppResult<Json<QuoteOut>> {
    let p = require(&auth, |_| true)?;
    // Who may book depends on the room the body names.
    let body = body.parse()?;
    let title = body.title.unwrap_or_else(|| "-".into());
    let req = request(
        body.room_id,
        &body.start,
        &body.end,
        title,
        body.organisation_id,
        body.recurrence,
    )?;
    let q = bookings::quote(&state, &p, &req).await?;
    Ok(Json(QuoteOut {
        room_id: q.room.id,
        organisation_id: q.organisation_id,
        on_behalf_of_organisation: q.on_behalf_of_organisation,
        total: q.total(),
        occurrences: q.occurrences.iter().map(Into::into).collect(),
    }))
}

/// A booking: its booker, the billed organisation's administrators and the
/// hub's hosts.
#[utoipa::path(get, path = "/bookings/{id}", tag = "bookings", security(("token" = [])),
    responses((status = 200, body = BookingOut), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn get_booking(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> AppResult<Json<BookingOut>> {
    let load = state.store.get_booking(path_id(&id)?);
    let b = seen_by(auth.require()?, load, thirdplace_domain::booking::may_see).await?;
    Ok(Json(b.into()))
}

#[derive(Deserialize, ToSchema, Default)]
#[serde(deny_unknown_fields)]
pub struct CancelBody {
    /// Required when a host cancels someone else's booking; sent to the
    /// booker by e-mail.
    #[serde(default)]
    pub reason: String,
}

/// Cancels a booking. Free until the hub's cancellation deadline (included
/// hours are given back), charged after it (`cancellation_charged`);
/// 422 `already_started` once it has begun. Hosts cancel any booking of
/// their hub with a `reason`, free for the booker, who is told by e-mail.
/// 403 `not_your_booking` for anyone else, 409 `already_cancelled`.
#[utoipa::path(delete, path = "/bookings/{id}", tag = "bookings", request_body(content = Option<CancelBody>), security(("token" = [])),
    responses((status = 200, body = BookingOut), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn cancel_booking(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    body: ApiJson<CancelBody>,
) -> AppResult<Json<BookingOut>> {
    let p = require(&auth, |_| true)?;
    let id = path_id(&id)?;
    bookings::may_cancel(&state, &p, id).await?;
    // The body is optional: an empty one is no reason.
    let reason = body
        .parse_optional("expected {\"reason\": \"…\"} or no body")?
        .map(|b| b.reason)
        .unwrap_or_default();
    let b = bookings::cancel(&state, &p, id, &reason).await?;
    Ok(Json(b.into()))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListBookingsQuery {
    /// A hub you host: all its bookings. Without it: your own bookings.
    pub hub_id: Option<String>,
    pub room_id: Option<String>,
    /// Bookings ending after this instant (RFC 3339; default now).
    pub from: Option<String>,
    /// Bookings starting before this instant (RFC 3339).
    pub to: Option<String>,
    /// Include cancelled bookings (default false).
    pub include_cancelled: Option<bool>,
    /// `json` (default) or `csv`.
    pub format: Option<String>,
}

/// Filters of a booking list, shared by the API and the host's page.
pub(crate) fn filter_for(
    p: &Principal,
    hub_id: Option<&str>,
    room_id: Option<&str>,
    from: Option<&str>,
    to: Option<&str>,
    include_cancelled: bool,
    now: DateTime<Utc>,
) -> AppResult<BookingFilter> {
    let mut errors = ValidationErrors::new();
    let mut id = |field: &str, raw: Option<&str>| match raw.map(str::trim).filter(|s| !s.is_empty())
    {
        None => None,
        Some(s) => match Uuid::parse_str(s) {
            Ok(u) => Some(u),
            Err(_) => {
                errors.add(field, "invalid_id", "is not an id");
                None
            }
        },
    };
    let hub = id("hub_id", hub_id);
    let room = id("room_id", room_id);
    let mut instant =
        |field: &str, raw: Option<&str>| match raw.map(str::trim).filter(|s| !s.is_empty()) {
            None => None,
            Some(s) => parse_instant(field, s)
                .or_else(|_| parse_date(field, s).map(|d| bookings::day_bounds(d).0))
                .map_err(|e| errors.errors.extend(e.errors))
                .ok(),
        };
    let from = instant("from", from);
    let to = instant("to", to);
    errors.into_result()?;
    let mut f = BookingFilter {
        room_id: room,
        from: Some(from.unwrap_or(now)),
        to,
        include_cancelled,
        ..BookingFilter::default()
    };
    match hub {
        Some(h) if p.can_edit_hub(h) => f.hub_ids = Some(vec![h]),
        Some(_) => return Err(AppError::Forbidden),
        None => f.booker_id = Some(p.person_id),
    }
    Ok(f)
}

/// Your bookings, or with `hub_id` all bookings of a hub you host, by
/// start; as JSON a page at a time (`limit`, `cursor`, and a
/// `Link: <…>; rel="next"` header while there are more) or, with
/// `format=csv`, every booking as CSV for programs (comma-separated,
/// without a byte-order mark, English keys, Swedish time, amounts in öre;
/// `limit` and `cursor` are ignored).
#[utoipa::path(get, path = "/bookings", tag = "bookings", params(ListBookingsQuery, Paging), security(("token" = [])),
    responses((status = 200, body = [BookingOut], headers(("Link" = String, description = "`<url>; rel=\"next\"` (RFC 8288) when there are more bookings"))), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn list_bookings(
    State(state): State<AppState>,
    auth: Auth,
    paging: Result<Paging, AppError>,
    Query(q): Query<ListBookingsQuery>,
) -> AppResult<Response> {
    let p = auth.require()?;
    let mut f = filter_for(
        p,
        q.hub_id.as_deref(),
        q.room_id.as_deref(),
        q.from.as_deref(),
        q.to.as_deref(),
        q.include_cancelled.unwrap_or(false),
        state.now(),
    )?;
    match q.format.as_deref() {
        Some("csv") => Ok(bookings::csv_response(&state, f)),
        None | Some("json") => {
            let paging = paging?;
            f.after = paging.cursor(BOOKINGS)?;
            f.limit = paging.fetch();
            let rows = state.store.list_bookings(&f).await?;
            let (rows, next) = paging.page(BOOKINGS, rows, |v| (v.booking.start, v.booking.id));
            let out: Vec<BookingOut> = rows.into_iter().map(|v| v.booking.into()).collect();
            Ok(paging.respond(Json(out), next.as_deref()))
        }
        Some(_) => {
            Err(ValidationErrors::single("format", "invalid_choice", "must be json or csv").into())
        }
    }
}

/// The name of the bookings list's cursors.
const BOOKINGS: &str = "bookings";

#[derive(Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BookingRulesBody {
    /// Cancelling is free until this many hours before the start.
    pub cancel_notice_hours: i64,
    /// Longest booking, in hours.
    pub max_length_hours: i64,
    /// How many days ahead bookings are taken.
    pub max_days_ahead: i64,
    /// People from organisations without seats may book conference rooms
    /// and event spaces at the hourly price.
    pub non_members_may_book: bool,
    /// Events members propose at the hub are published at once, without a
    /// host's publishing (default false).
    #[serde(default)]
    pub publish_member_events: bool,
}

impl From<BookingRules> for BookingRulesBody {
    fn from(r: BookingRules) -> Self {
        BookingRulesBody {
            cancel_notice_hours: r.cancel_notice_minutes / 60,
            max_length_hours: r.max_length_minutes / 60,
            max_days_ahead: r.max_days_ahead,
            non_members_may_book: r.non_members_may_book,
            publish_member_events: r.publish_member_events,
        }
    }
}

/// A hub's booking rules (the defaults unless its hosts set their own).
#[utoipa::path(get, path = "/hubs/{id}/booking-rules", tag = "bookings",
    responses((status = 200, body = BookingRulesBody), (status = 404, body = ErrorBody)))]
pub async fn get_rules(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> AppResult<Json<BookingRulesBody>> {
    let hub = state.store.get_hub(path_id(&id)?).await?;
    Ok(Json(state.store.booking_rules(hub.hub.id).await?.into()))
}

/// Sets a hub's booking rules: its hosts and network admins.
#[utoipa::path(put, path = "/hubs/{id}/booking-rules", tag = "bookings", request_body = BookingRulesBody, security(("token" = [])),
    responses((status = 200, body = BookingRulesBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn set_rules(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    body: ApiJson<BookingRulesBody>,
) -> AppResult<Json<BookingRulesBody>> {
    let hub_id = path_id(&id)?;
    let who = require(&auth, |p| p.can_edit_hub(hub_id))?;
    let hub = state.store.get_hub(hub_id).await?;
    let body = body.parse()?;
    let input = thirdplace_domain::booking::BookingRulesInput {
        cancel_notice_hours: body.cancel_notice_hours.to_string(),
        max_length_hours: body.max_length_hours.to_string(),
        max_days_ahead: body.max_days_ahead.to_string(),
        non_members_may_book: crate::http::api::bool_str(body.non_members_may_book),
        publish_member_events: crate::http::api::bool_str(body.publish_member_events),
    };
    let rules = input.validate()?;
    bookings::set_rules(&state, who.person_id, hub.hub.id, &rules).await?;
    Ok(Json(rules.into()))
}
