//! Hubs with their opening hours, zones and rooms. Everyone may read
//! what is not archived; network admins create hubs; a hub's hosts and
//! network admins change it and its zones and rooms.

use crate::http::api::bool_str;
use crate::http::api_resource::{plain_record, ApiDoc, ApiResource, At, StoreGet, StoreList};
use crate::http::error::{AppError, AppResult};
use crate::http::forms::StoreWrite;
use crate::AppState;
use serde::{Deserialize, Serialize};
use thirdplace_domain::{
    DateException, Hub, HubInput, Interval, OpeningHours, Principal, Room, RoomInput, Weekday,
    Zone, ZoneInput,
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

pub struct Hubs;

impl ApiResource for Hubs {
    type Stored = HubListing;
    type Record = Hub;
    type Out = HubOut;
    type Body = HubBody;
    const DOC: ApiDoc = ApiDoc::new("hubs", "hub", "hubs")
        .listed("Hubs, by name. Archived hubs only with `include_archived=true`.")
        .replaced("Replaces the hub. Its hosts and network admins.");
    const LIST: StoreList<HubListing> = |store, _| store.list_hubs();
    const GET: StoreGet<HubListing> = |store, id| store.get_hub(id);
    const INSERT: StoreWrite<Hub> = |store, h| store.insert_hub(h);
    const UPDATE: StoreWrite<Hub> = |store, h| store.update_hub(h);
    const ARCHIVED: Option<fn(&HubListing) -> bool> = Some(|l| l.hub.archived);
    // The most-read answer of the API: served from the public cache.
    const CACHED: bool = true;

    fn key(l: &HubListing) -> (Uuid, Option<Uuid>) {
        (l.hub.id, None)
    }

    fn may_replace(p: &Principal, old: &HubListing) -> bool {
        p.can_edit_hub(old.hub.id)
    }

    fn record(_: &AppState, body: HubBody, at: At<HubListing>) -> AppResult<Hub> {
        Ok(body.input().validate(at.id)?)
    }
}

pub struct Zones;

impl ApiResource for Zones {
    plain_record!(Zone in hub_id, ZoneBody; list_zones, get_zone, insert_zone, update_zone);
    const DOC: ApiDoc = ApiDoc::new("hubs", "zone", "zones")
        .of_hub()
        .listed("A hub's activity zones.");

    fn record(_: &AppState, body: ZoneBody, at: At<Zone>) -> AppResult<Zone> {
        Ok(body.input().validate(at.id, at.hub.unwrap_or_default())?)
    }
}

pub struct Rooms;

impl ApiResource for Rooms {
    plain_record!(Room in hub_id, RoomBody; list_rooms, get_room, insert_room, update_room);
    const DOC: ApiDoc = ApiDoc::new("hubs", "room", "rooms")
        .of_hub()
        .listed("A hub's bookable rooms and areas.");

    fn record(_: &AppState, body: RoomBody, at: At<Room>) -> AppResult<Room> {
        body.input()?
            .validate(at.id, at.hub.unwrap_or_default())
            .map_err(api_room_errors)
    }
}
