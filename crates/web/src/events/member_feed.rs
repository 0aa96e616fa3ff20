//! `GET /feeds/{token}.ics`: a member's own bookings and events
//! ([`super::feeds`]), cancelled ones included (`STATUS:CANCELLED`, so
//! subscribed calendars drop them). The token is the address's only
//! protection ([`crate::http::feed_token`]); whatever is wrong with it
//! answers 404, never saying why.
//!
//! It lives with the events since the member's calendar is theirs; the
//! bookings on it are read from the store and written by the shared
//! [`crate::http::ical`]. Also the API's `/api/v1/me/calendar-feed`.

use crate::http::api::require;
use crate::http::auth::Auth;
use crate::http::error::{AppError, AppResult, ErrorBody};
use crate::http::feed_token::{self, feed_url, rotate_feed, verify_feed_token};
use crate::http::ical::{booking_event as event, calendar, ics_response, FeedQuery, MAX_EVENTS};
use crate::http::origin::Origin;
use crate::i18n;
use crate::AppState;
use axum::extract::{Path, Query, State};
use axum::http::header;
use axum::response::Response;
use axum::routing::get;
use axum::{Json, Router};
use chrono::Duration;
use serde::Serialize;
use thirdplace_store::BookingFilter;
use utoipa::ToSchema;

/// How far back a member's feed shows their bookings.
pub const MEMBER_FEED_PAST_DAYS: i64 = 180;

pub fn router() -> Router<AppState> {
    Router::new().route("/feeds/{file}", get(member_feed))
}

/// A member's own bookings, from the secret address.
#[tracing::instrument(skip_all)]
async fn member_feed(
    State(state): State<AppState>,
    origin: Origin,
    Path(file): Path<String>,
    Query(q): Query<FeedQuery>,
) -> AppResult<Response> {
    let lang = q.lang();
    let token = file.strip_suffix(".ics").ok_or(AppError::NotFound)?;
    let key = feed_token::key(&state).await?;
    let (person_id, generation) = verify_feed_token(&key, token).ok_or(AppError::NotFound)?;
    if state.store.calendar_generation(person_id).await? != generation {
        return Err(AppError::NotFound);
    }
    let person = state.store.get_person(person_id).await?;
    if person.archived {
        return Err(AppError::NotFound);
    }
    let bookings = state
        .store
        .list_bookings(&BookingFilter {
            booker_id: Some(person_id),
            from: Some(state.now() - Duration::days(MEMBER_FEED_PAST_DAYS)),
            include_cancelled: true,
            limit: MAX_EVENTS,
            ..Default::default()
        })
        .await?;
    let events = bookings
        .iter()
        .filter(|v| v.booking.booker_id == person_id)
        .map(|v| {
            let b = &v.booking;
            let summary = if b.title.trim().is_empty() {
                v.room_name.as_str()
            } else {
                b.title.as_str()
            };
            let location = format!("{}, {}", v.room_name, v.hub_name);
            event(format!("{}@thirdplace", b.id), b, summary, &location)
        });
    // The member's own events (organised or signed up for) on the same
    // address.
    let own_events = super::feeds::member_events(&state, person_id, &origin).await?;
    let body = calendar(
        &i18n::t(lang, "feeds.my_bookings"),
        events.chain(own_events),
    );
    let mut resp = ics_response(body, "private, max-age=300");
    resp.headers_mut().insert(
        header::HeaderName::from_static("x-robots-tag"),
        header::HeaderValue::from_static("noindex"),
    );
    Ok(resp)
}

// ----------------------------------------------------------------- the API

#[derive(Serialize, ToSchema)]
pub struct CalendarFeedOut {
    /// The caller's private iCalendar feed of their bookings. Anyone who has
    /// the address sees them; rotating gives a new one and voids this.
    pub url: String,
}

/// The address of the caller's private calendar feed, for subscribing in
/// Outlook, Google Calendar or Apple Calendar.
#[utoipa::path(get, path = "/me/calendar-feed", tag = "bookings", security(("token" = [])),
    responses((status = 200, body = CalendarFeedOut), (status = 401, body = ErrorBody)))]
pub async fn my_calendar_feed(
    State(state): State<AppState>,
    origin: Origin,
    auth: Auth,
) -> AppResult<Json<CalendarFeedOut>> {
    let p = auth.require()?;
    Ok(Json(CalendarFeedOut {
        url: feed_url(&state, &origin, p.person_id).await?,
    }))
}

/// Replaces the caller's calendar feed address; the old one answers 404
/// from now on.
#[utoipa::path(post, path = "/me/calendar-feed/rotate", tag = "bookings", security(("token" = [])),
    responses((status = 200, body = CalendarFeedOut), (status = 401, body = ErrorBody)))]
pub async fn rotate_calendar_feed(
    State(state): State<AppState>,
    origin: Origin,
    auth: Auth,
) -> AppResult<Json<CalendarFeedOut>> {
    let p = require(&auth, |_| true)?;
    Ok(Json(CalendarFeedOut {
        url: rotate_feed(&state, &origin, p.person_id).await?,
    }))
}
