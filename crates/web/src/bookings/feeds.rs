//! `GET /rooms/{id}/calendar.ics`: when a room is taken, as an iCalendar
//! feed for Outlook, Google Calendar and Apple Calendar. Public, so it must
//! never carry a booking's title or who booked: only "Upptaget".

use crate::http::api::path_id;
use crate::http::error::AppResult;
use crate::http::ical::{booking_event as event, calendar, ics_response, FeedQuery, MAX_EVENTS};
use crate::i18n;
use crate::AppState;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use axum::routing::get;
use axum::Router;
use chrono::Duration;
use thirdplace_store::BookingFilter;

/// How far back a room's feed shows bookings.
pub const ROOM_FEED_PAST_DAYS: i64 = 30;

pub fn router() -> Router<AppState> {
    Router::new().route("/rooms/{id}/calendar.ics", get(room_feed))
}

/// A room's busy times: no titles, no names.
#[tracing::instrument(skip_all, fields(room_id = %id))]
async fn room_feed(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Query(q): Query<FeedQuery>,
) -> AppResult<Response> {
    let lang = q.lang();
    let room = state.store.get_room(path_id(&id)?).await?;
    let hub = state.store.get_hub(room.hub_id).await?.hub;
    let rules = state.store.booking_rules(room.hub_id).await?;
    let now = state.now();
    let bookings = state
        .store
        .list_bookings(&BookingFilter {
            room_id: Some(room.id),
            from: Some(now - Duration::days(ROOM_FEED_PAST_DAYS)),
            // A civil day more than the rules allow: "days ahead" counts
            // in Swedish time from today.
            to: Some(now + Duration::days(rules.max_days_ahead + 1)),
            include_cancelled: false,
            limit: MAX_EVENTS,
            ..Default::default()
        })
        .await?;
    let busy = i18n::t(lang, "feeds.busy");
    let location = format!("{}, {}", room.name, hub.name);
    let events = bookings
        .iter()
        .map(|v| &v.booking)
        .filter(|b| b.is_active())
        .map(|b| event(format!("busy-{}@thirdplace", b.id), b, &busy, &location));
    let body = calendar(&format!("{} – {}", room.name, hub.name), events);
    Ok(ics_response(body, "public, max-age=300"))
}
