//! Pages anyone can read: the hub list and a hub's own page, and the
//! language switch.

use crate::http::auth::{self, LANG_COOKIE};
use crate::http::error::{AppError, AppResult};
use crate::http::form_data::FormData;
use crate::http::page::{parse_id, safe_next, Page};
use crate::i18n::Lang;
use crate::AppState;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::Response;
use axum::routing::{get, post};
use axum::Router;
use chrono::NaiveDate;
use minijinja::{context, Value};
use serde::Serialize;
use thirdplace_domain::membership::public_presence;
use thirdplace_domain::{Interval, Weekday};
use thirdplace_store::HubListing;
use uuid::Uuid;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/", get(index))
        .route("/hubs/{id}", get(hub_page))
        .route("/lang", post(switch_language))
}

/// Today's civil date in the hubs' time zone, by the app's clock.
pub fn today(state: &AppState) -> NaiveDate {
    thirdplace_domain::membership::local_date(state.now())
}

#[derive(Serialize)]
struct HubCard {
    id: String,
    name: String,
    municipality: String,
    region: String,
    today: Vec<Interval>,
    in_central_town: bool,
    short_description: String,
}

/// The first sentence, or the first 160 characters, of a description.
fn short(description: &str) -> String {
    let first = description
        .split_inclusive(". ")
        .next()
        .unwrap_or("")
        .trim();
    if first.chars().count() <= 160 {
        first.to_string()
    } else {
        let cut: String = first.chars().take(157).collect();
        format!("{}…", cut.trim_end())
    }
}

async fn index(State(state): State<AppState>, page: Page) -> AppResult<Response> {
    page.render_public(&state, "index.html", || async {
        let today = today(&state);
        let hubs: Vec<HubCard> = state
            .store
            .list_hubs()
            .await?
            .into_iter()
            .filter(|l| !l.hub.archived)
            .map(|l| HubCard {
                id: l.hub.id.to_string(),
                today: l.hub.opening_hours.hours_on(today).to_vec(),
                short_description: short(&l.hub.description),
                name: l.hub.name,
                municipality: l.municipality_name,
                region: l.region_name,
                in_central_town: l.hub.in_central_town,
            })
            .collect();
        Ok(context! { hubs })
    })
    .await
}

#[derive(Serialize)]
struct DayHours {
    day: &'static str,
    intervals: Vec<Interval>,
}

fn hub_context(l: &HubListing, today: NaiveDate) -> minijinja::Value {
    let h = &l.hub;
    let week: Vec<DayHours> = Weekday::ALL
        .iter()
        .map(|d| DayHours {
            day: d.key(),
            intervals: h.opening_hours.weekly[d.index()].clone(),
        })
        .collect();
    let exceptions: Vec<_> = h
        .opening_hours
        .exceptions
        .iter()
        .filter(|e| e.date >= today)
        .take(20)
        .collect();
    context! {
        id => h.id.to_string(),
        name => h.name,
        description => h.description,
        street_address => h.street_address,
        postal_code => h.postal_code,
        city => h.city,
        latitude => format!("{:.4}", h.latitude),
        longitude => format!("{:.4}", h.longitude),
        in_central_town => h.in_central_town,
        central_town => l.central_town,
        municipality => l.municipality_name,
        region => l.region_name,
        operator => l.operator_name,
        archived => h.archived,
        week => week,
        exceptions => exceptions,
    }
}

#[derive(Serialize)]
struct RoomView {
    name: String,
    kind: &'static str,
    capacity: i64,
    hourly_price_ore: i64,
    price_incl_vat_ore: i64,
}

async fn hub_page(
    State(state): State<AppState>,
    page: Page,
    Path(id): Path<String>,
) -> AppResult<Response> {
    let id = parse_id(&id)?;
    let can_edit = page.user.as_ref().is_some_and(|u| u.can_edit_hub(id));
    page.render_public(&state, "hub.html", || async {
        let listing = state.store.get_hub(id).await?;
        if listing.hub.archived && !can_edit {
            return Err(AppError::NotFound);
        }
        let zones: Vec<_> = state
            .store
            .list_zones(id)
            .await?
            .into_iter()
            .filter(|z| !z.archived)
            .collect();
        let rooms: Vec<RoomView> = state
            .store
            .list_rooms(id)
            .await?
            .into_iter()
            .filter(|r| !r.archived)
            .map(|r| RoomView {
                kind: r.kind.key(),
                capacity: r.capacity,
                price_incl_vat_ore: thirdplace_domain::money::price_incl_vat(
                    r.hourly_price_ore,
                    r.vat_rate_percent,
                ),
                hourly_price_ore: r.hourly_price_ore,
                name: r.name,
            })
            .collect();
        let here = here_now(&state, id).await?;
        Ok(context! { hub => hub_context(&listing, today(&state)), zones, rooms, can_edit, here })
    })
    .await
}

/// Who is here, as anyone may see it on the hub's page: first name,
/// organisation and expertise of those who opted in, a count of the rest,
/// and how many guests. The check-ins are the memberships', but the hub
/// page is the network's: it reads them from the store, and the domain
/// ([`public_presence`]) decides what may be shown.
pub async fn here_now(state: &AppState, hub_id: Uuid) -> AppResult<Value> {
    let people = state.store.present_at(hub_id).await?;
    let guests = state.store.present_guests(hub_id).await?.len();
    let (shown, others) = public_presence(&people);
    Ok(context! {
        visible => shown,
        others,
        guests,
        total => people.len() + guests,
    })
}

async fn switch_language(
    State(state): State<AppState>,
    headers: HeaderMap,
    page: Page,
    body: Bytes,
) -> AppResult<Response> {
    let form = FormData::parse(&page, &body)?;
    let lang = Lang::parse(&form.get("lang")).unwrap_or_default();
    auth::keep_language(&state, page.user.as_ref(), lang).await?;
    let next = form.get("next");
    let next = safe_next(&next);
    let cookie = (LANG_COOKIE, lang.code());
    Ok(auth::redirect_with_cookie(
        &state,
        &headers,
        next,
        cookie,
        365 * 86_400,
    ))
}

#[cfg(test)]
mod tests {
    use super::short;

    #[test]
    fn short_descriptions_end_at_the_first_sentence() {
        assert_eq!(short("En hubb. Med mer."), "En hubb.");
        assert_eq!(short(""), "");
        assert!(short(&"a".repeat(300)).chars().count() <= 160);
    }
}
