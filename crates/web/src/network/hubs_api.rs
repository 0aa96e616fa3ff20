//! Hubs with their opening hours, zones and rooms. Everyone may read
//! what is not archived; network admins create hubs; a hub's hosts and
//! network admins change it and its zones and rooms.

use crate::http::api::{bool_str, path_id, require, ApiJson, ListQuery};
use crate::http::auth::Auth;
use crate::http::error::{AppError, AppResult, ErrorBody};
use crate::AppState;
use axum::extract::{Path, Query, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::{Deserialize, Serialize};
use thirdplace_domain::{
    new_id, DateException, HubInput, Interval, OpeningHours, Room, RoomInput, Weekday, Zone,
    ZoneInput,
};
use thirdplace_store::HubListing;
use utoipa::ToSchema;
use uuid::Uuid;

/// Civil times in Europe/Stockholm, "HH:MM".
#[derive(Serialize, Deserialize, ToSchema, Clone)]
#[serde(deny_unknown_fields)]
pub struct IntervalDto {
    #[schema(example = "08:00")]
    pub open: String,
    #[schema(example = "17:00")]
    pub close: String,
}

#[derive(Serialize, Deserialize, ToSchema, Clone)]
#[serde(deny_unknown_fields)]
pub struct ExceptionDto {
    /// A date, YYYY-MM-DD.
    #[schema(example = "2026-12-24")]
    pub date: String,
    /// Empty: closed all day.
    #[serde(default)]
    pub intervals: Vec<IntervalDto>,
    #[serde(default)]
    pub note: String,
}

/// Opening hours per weekday (Europe/Stockholm), an empty list meaning
/// closed, and dated exceptions such as public holidays.
#[derive(Serialize, Deserialize, ToSchema, Clone, Default)]
#[serde(deny_unknown_fields)]
pub struct OpeningHoursDto {
    #[serde(default)]
    pub monday: Vec<IntervalDto>,
    #[serde(default)]
    pub tuesday: Vec<IntervalDto>,
    #[serde(default)]
    pub wednesday: Vec<IntervalDto>,
    #[serde(default)]
    pub thursday: Vec<IntervalDto>,
    #[serde(default)]
    pub friday: Vec<IntervalDto>,
    #[serde(default)]
    pub saturday: Vec<IntervalDto>,
    #[serde(default)]
    pub sunday: Vec<IntervalDto>,
    #[serde(default)]
    pub exceptions: Vec<ExceptionDto>,
}

fn intervals_out(v: &[Interval]) -> Vec<IntervalDto> {
    v.iter()
        .map(|i| IntervalDto {
            open: i.open.format("%H:%M").to_string(),
            close: i.close.format("%H:%M").to_string(),
        })
        .collect()
}

fn intervals_in(v: &[IntervalDto]) -> String {
    v.iter()
        .map(|i| format!("{}-{}", i.open, i.close))
        .collect::<Vec<_>>()
        .join(", ")
}

impl OpeningHoursDto {
    fn from_domain(h: &OpeningHours) -> Self {
        let d = |w: Weekday| intervals_out(&h.weekly[w.index()]);
        OpeningHoursDto {
            monday: d(Weekday::Monday),
            tuesday: d(Weekday::Tuesday),
            wednesday: d(Weekday::Wednesday),
            thursday: d(Weekday::Thursday),
            friday: d(Weekday::Friday),
            saturday: d(Weekday::Saturday),
            sunday: d(Weekday::Sunday),
            exceptions: h.exceptions.iter().map(exception_out).collect(),
        }
    }

    /// The form notation the domain parses, so API and UI share one parser.
    fn days(&self) -> [String; 7] {
        [
            &self.monday,
            &self.tuesday,
            &self.wednesday,
            &self.thursday,
            &self.friday,
            &self.saturday,
            &self.sunday,
        ]
        .map(|d| intervals_in(d))
    }

    fn exception_lines(&self) -> String {
        self.exceptions
            .iter()
            .map(|e| OpeningHours::exception_line(&e.date, &intervals_in(&e.intervals), &e.note))
            .collect::<Vec<_>>()
            .join("\n")
    }
}

fn exception_out(e: &DateException) -> ExceptionDto {
    ExceptionDto {
        date: e.date.to_string(),
        intervals: intervals_out(&e.intervals),
        note: e.note.clone(),
    }
}

#[derive(Serialize, ToSchema)]
pub struct HubOut {
    pub id: Uuid,
    pub name: String,
    pub description: String,
    pub municipality_id: Uuid,
    /// The municipality's name.
    pub municipality: String,
    pub region_id: Uuid,
    /// The region's name.
    pub region: String,
    pub operator_id: Uuid,
    pub operator: String,
    pub street_address: String,
    pub postal_code: String,
    pub city: String,
    pub latitude: f64,
    pub longitude: f64,
    /// Whether the hub stands in its municipality's central town (centralort).
    pub in_central_town: bool,
    /// The name of the municipality's central town.
    pub central_town: String,
    pub time_zone: String,
    pub opening_hours: OpeningHoursDto,
    pub archived: bool,
}

impl From<HubListing> for HubOut {
    fn from(l: HubListing) -> Self {
        let h = l.hub;
        HubOut {
            id: h.id,
            opening_hours: OpeningHoursDto::from_domain(&h.opening_hours),
            name: h.name,
            description: h.description,
            municipality_id: h.municipality_id,
            municipality: l.municipality_name,
            region_id: l.region_id,
            region: l.region_name,
            operator_id: h.operator_id,
            operator: l.operator_name,
            street_address: h.street_address,
            postal_code: h.postal_code,
            city: h.city,
            latitude: h.latitude,
            longitude: h.longitude,
            in_central_town: h.in_central_town,
            central_town: l.central_town,
            time_zone: thirdplace_domain::HUB_TIME_ZONE.name().to_string(),
            archived: h.archived,
        }
    }
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct HubBody {
    pub municipality_id: Uuid,
    pub operator_id: Uuid,
    pub name: String,
    #[serde(default)]
    pub description: String,
    pub street_address: String,
    pub postal_code: String,
    pub city: String,
    pub latitude: f64,
    pub longitude: f64,
    #[serde(default)]
    pub in_central_town: bool,
    #[serde(default)]
    pub opening_hours: OpeningHoursDto,
    #[serde(default)]
    pub archived: bool,
}

impl HubBody {
    fn input(&self) -> HubInput {
        HubInput {
            municipality_id: self.municipality_id.to_string(),
            operator_id: self.operator_id.to_string(),
            name: self.name.clone(),
            description: self.description.clone(),
            street_address: self.street_address.clone(),
            postal_code: self.postal_code.clone(),
            city: self.city.clone(),
            latitude: self.latitude.to_string(),
            longitude: self.longitude.to_string(),
            in_central_town: bool_str(self.in_central_town),
            hours: self.opening_hours.days(),
            exceptions: self.opening_hours.exception_lines(),
            archived: bool_str(self.archived),
        }
    }
}

/// Hubs, by name. Archived hubs only with `include_archived=true`.
#[utoipa::path(get, path = "/hubs", tag = "hubs", params(ListQuery), responses((status = 200, body = [HubOut])))]
pub async fn list_hubs(
    State(state): State<AppState>,
    Query(q): Query<ListQuery>,
) -> AppResult<Response> {
    // The most-read answer of the API: served from the public cache.
    let key = format!("api:hubs:{}", q.include_archived);
    let json = state
        .cache
        .get_or_render(&key, || async {
            let hubs: Vec<HubOut> = state
                .store
                .list_hubs()
                .await?
                .into_iter()
                .filter(|l| q.include_archived || !l.hub.archived)
                .map(Into::into)
                .collect();
            serde_json::to_string(&hubs).map_err(|e| AppError::Internal(Box::new(e)))
        })
        .await?;
    Ok((
        [(header::CONTENT_TYPE, "application/json")],
        json.to_string(),
    )
        .into_response())
}

#[utoipa::path(get, path = "/hubs/{id}", tag = "hubs", responses((status = 200, body = HubOut), (status = 404, body = ErrorBody)))]
pub async fn get_hub(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> AppResult<Json<HubOut>> {
    Ok(Json(state.store.get_hub(path_id(&id)?).await?.into()))
}

/// Network admins only.
#[utoipa::path(post, path = "/hubs", tag = "hubs", request_body = HubBody, security(("token" = [])),
    responses((status = 201, body = HubOut), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create_hub(
    State(state): State<AppState>,
    auth: Auth,
    ApiJson(body): ApiJson<HubBody>,
) -> AppResult<(StatusCode, Json<HubOut>)> {
    require(&auth, |p| p.can_manage_network())?;
    let h = body.input().validate(new_id())?;
    state.store.insert_hub(&h).await?;
    Ok((
        StatusCode::CREATED,
        Json(state.store.get_hub(h.id).await?.into()),
    ))
}

/// Replaces the hub. Its hosts and network admins.
#[utoipa::path(put, path = "/hubs/{id}", tag = "hubs", request_body = HubBody, security(("token" = [])),
    responses((status = 200, body = HubOut), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn update_hub(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<HubBody>,
) -> AppResult<Json<HubOut>> {
    let id = path_id(&id)?;
    require(&auth, |p| p.can_edit_hub(id))?;
    let h = body.input().validate(id)?;
    state.store.update_hub(&h).await?;
    Ok(Json(state.store.get_hub(id).await?.into()))
}

#[derive(Serialize, ToSchema)]
pub struct ZoneOut {
    pub id: Uuid,
    pub hub_id: Uuid,
    pub name: String,
    pub purpose: String,
    pub capacity: i64,
    pub archived: bool,
}

impl From<Zone> for ZoneOut {
    fn from(z: Zone) -> Self {
        ZoneOut {
            id: z.id,
            hub_id: z.hub_id,
            name: z.name,
            purpose: z.purpose,
            capacity: z.capacity,
            archived: z.archived,
        }
    }
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ZoneBody {
    pub name: String,
    #[serde(default)]
    pub purpose: String,
    pub capacity: i64,
    #[serde(default)]
    pub archived: bool,
}

impl ZoneBody {
    fn input(&self) -> ZoneInput {
        ZoneInput {
            name: self.name.clone(),
            purpose: self.purpose.clone(),
            capacity: self.capacity.to_string(),
            archived: bool_str(self.archived),
        }
    }
}

/// A hub's activity zones.
#[utoipa::path(get, path = "/hubs/{id}/zones", tag = "hubs", params(ListQuery), responses((status = 200, body = [ZoneOut]), (status = 404, body = ErrorBody)))]
pub async fn list_zones(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Query(q): Query<ListQuery>,
) -> AppResult<Json<Vec<ZoneOut>>> {
    let hub = state.store.get_hub(path_id(&id)?).await?;
    let all = state.store.list_zones(hub.hub.id).await?;
    Ok(Json(
        all.into_iter()
            .filter(|z| q.include_archived || !z.archived)
            .map(Into::into)
            .collect(),
    ))
}

/// The hub's hosts and network admins.
#[utoipa::path(post, path = "/hubs/{id}/zones", tag = "hubs", request_body = ZoneBody, security(("token" = [])),
    responses((status = 201, body = ZoneOut), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create_zone(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<ZoneBody>,
) -> AppResult<(StatusCode, Json<ZoneOut>)> {
    let hub_id = path_id(&id)?;
    require(&auth, |p| p.can_edit_hub(hub_id))?;
    state.store.get_hub(hub_id).await?;
    let z = body.input().validate(new_id(), hub_id)?;
    state.store.insert_zone(&z).await?;
    Ok((StatusCode::CREATED, Json(z.into())))
}

#[utoipa::path(get, path = "/zones/{id}", tag = "hubs", responses((status = 200, body = ZoneOut), (status = 404, body = ErrorBody)))]
pub async fn get_zone(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> AppResult<Json<ZoneOut>> {
    Ok(Json(state.store.get_zone(path_id(&id)?).await?.into()))
}

/// Replaces the zone. The hub's hosts and network admins.
#[utoipa::path(put, path = "/zones/{id}", tag = "hubs", request_body = ZoneBody, security(("token" = [])),
    responses((status = 200, body = ZoneOut), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn update_zone(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<ZoneBody>,
) -> AppResult<Json<ZoneOut>> {
    auth.require()?;
    let old = state.store.get_zone(path_id(&id)?).await?;
    require(&auth, |p| p.can_edit_hub(old.hub_id))?;
    let z = body.input().validate(old.id, old.hub_id)?;
    state.store.update_zone(&z).await?;
    Ok(Json(z.into()))
}

#[derive(Serialize, ToSchema)]
pub struct RoomOut {
    pub id: Uuid,
    pub hub_id: Uuid,
    pub name: String,
    /// conference, meeting, project_area or event_space
    pub kind: String,
    pub capacity: i64,
    /// Price per hour excluding VAT, in öre (1 SEK = 100 öre).
    pub hourly_price_ore: i64,
    pub vat_rate_percent: u8,
    pub archived: bool,
}

impl From<Room> for RoomOut {
    fn from(r: Room) -> Self {
        RoomOut {
            id: r.id,
            hub_id: r.hub_id,
            name: r.name,
            kind: r.kind.key().to_string(),
            capacity: r.capacity,
            hourly_price_ore: r.hourly_price_ore,
            vat_rate_percent: r.vat_rate_percent,
            archived: r.archived,
        }
    }
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RoomBody {
    pub name: String,
    /// conference, meeting, project_area or event_space
    pub kind: String,
    pub capacity: i64,
    /// Price per hour excluding VAT, in öre.
    pub hourly_price_ore: i64,
    /// 25 (the default), 12, 6 or 0.
    #[serde(default = "default_vat")]
    pub vat_rate_percent: i64,
    #[serde(default)]
    pub archived: bool,
}

fn default_vat() -> i64 {
    25
}

impl RoomBody {
    fn input(&self) -> Result<RoomInput, AppError> {
        if self.hourly_price_ore < 0 {
            return Err(AppError::Validation(
                thirdplace_domain::ValidationErrors::single(
                    "hourly_price_ore",
                    "negative_amount",
                    "must not be negative",
                ),
            ));
        }
        Ok(RoomInput {
            name: self.name.clone(),
            kind: self.kind.clone(),
            capacity: self.capacity.to_string(),
            hourly_price_sek: format!(
                "{}.{:02}",
                self.hourly_price_ore / 100,
                self.hourly_price_ore % 100
            ),
            vat_rate_percent: self.vat_rate_percent.to_string(),
            archived: bool_str(self.archived),
        })
    }
}

/// Renames the form's price field to the API's in validation errors.
fn api_room_errors(e: thirdplace_domain::ValidationErrors) -> AppError {
    let mut e = e;
    for f in &mut e.errors {
        if f.field == "hourly_price_sek" {
            f.field = "hourly_price_ore".into();
        }
    }
    AppError::Validation(e)
}

/// A hub's bookable rooms and areas.
#[utoipa::path(get, path = "/hubs/{id}/rooms", tag = "hubs", params(ListQuery), responses((status = 200, body = [RoomOut]), (status = 404, body = ErrorBody)))]
pub async fn list_rooms(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Query(q): Query<ListQuery>,
) -> AppResult<Json<Vec<RoomOut>>> {
    let hub = state.store.get_hub(path_id(&id)?).await?;
    let all = state.store.list_rooms(hub.hub.id).await?;
    Ok(Json(
        all.into_iter()
            .filter(|r| q.include_archived || !r.archived)
            .map(Into::into)
            .collect(),
    ))
}

/// The hub's hosts and network admins.
#[utoipa::path(post, path = "/hubs/{id}/rooms", tag = "hubs", request_body = RoomBody, security(("token" = [])),
    responses((status = 201, body = RoomOut), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create_room(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<RoomBody>,
) -> AppResult<(StatusCode, Json<RoomOut>)> {
    let hub_id = path_id(&id)?;
    require(&auth, |p| p.can_edit_hub(hub_id))?;
    state.store.get_hub(hub_id).await?;
    let r = body
        .input()?
        .validate(new_id(), hub_id)
        .map_err(api_room_errors)?;
    state.store.insert_room(&r).await?;
    Ok((StatusCode::CREATED, Json(r.into())))
}

#[utoipa::path(get, path = "/rooms/{id}", tag = "hubs", responses((status = 200, body = RoomOut), (status = 404, body = ErrorBody)))]
pub async fn get_room(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> AppResult<Json<RoomOut>> {
    Ok(Json(state.store.get_room(path_id(&id)?).await?.into()))
}

/// Replaces the room. The hub's hosts and network admins.
#[utoipa::path(put, path = "/rooms/{id}", tag = "hubs", request_body = RoomBody, security(("token" = [])),
    responses((status = 200, body = RoomOut), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn update_room(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<RoomBody>,
) -> AppResult<Json<RoomOut>> {
    auth.require()?;
    let old = state.store.get_room(path_id(&id)?).await?;
    require(&auth, |p| p.can_edit_hub(old.hub_id))?;
    let r = body
        .input()?
        .validate(old.id, old.hub_id)
        .map_err(api_room_errors)?;
    state.store.update_room(&r).await?;
    Ok(Json(r.into()))
}
