//! The JSON API at `/api/v1`. Reads of the network's public data need no
//! token; writes need `Authorization: Bearer <token>` and the right role.
//! The OpenAPI document at `/api/v1/openapi.json` is generated from these
//! handlers' annotations, so it cannot drift from the routes.

use crate::auth::Auth;
use crate::error::{AppError, AppResult, ErrorBody};
use crate::AppState;
use axum::extract::{FromRequest, Request};
use axum::Router;
use serde::de::DeserializeOwned;
use thirdplace_domain::Principal;
use utoipa::openapi::security::{Http, HttpAuthScheme, SecurityScheme};
use utoipa::{Modify, OpenApi};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

pub mod bookings;
pub mod checkins;
pub mod events;
pub mod hubs;
pub mod memberships;
pub mod network;
pub mod people;
pub mod privacy;
pub mod sites;
pub mod webhooks;

#[derive(OpenApi)]
#[openapi(
    info(title = "thirdplace API", version = "1", description = "The network's hubs, zones, rooms, regions, municipalities, operators, organisations and people. Errors always have the shape {\"error\": {\"code\", \"message\"}}."),
    components(schemas(ErrorBody)),
    modifiers(&BearerAuth),
    tags((name = "network", description = "Regions, municipalities and operators"), (name = "hubs", description = "Hubs, their zones and rooms"), (name = "people", description = "Organisations and people"), (name = "memberships", description = "Plans, seats, members' cards and profiles"), (name = "checkins", description = "Check-in, check-out, guests, who is here, access summary"), (name = "bookings", description = "Room availability, bookings with prices and included hours, series, cancellation, booking rules"), (name = "events", description = "The open calendar: events, sign-up with a waiting list, colleagues, invitations, attendance and summaries"), (name = "webhooks", description = "Signed event deliveries for door locks and screens"), (name = "sites", description = "Where the next hubs should go (site selection on GeoNames locality data, CC BY 4.0)"))
)]
struct ApiDoc;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "token",
            SecurityScheme::Http(Http::new(HttpAuthScheme::Bearer)),
        );
    }
}

/// The API's routes with their full paths (`/api/v1/...`), and the
/// OpenAPI document generated from them.
pub fn router() -> (Router<AppState>, utoipa::openapi::OpenApi) {
    let v1 = OpenApiRouter::new()
        .routes(routes!(network::list_regions, network::create_region))
        .routes(routes!(network::get_region, network::update_region))
        .routes(routes!(
            network::list_municipalities,
            network::create_municipality
        ))
        .routes(routes!(
            network::get_municipality,
            network::update_municipality
        ))
        .routes(routes!(network::list_operators, network::create_operator))
        .routes(routes!(network::get_operator, network::update_operator))
        .routes(routes!(hubs::list_hubs, hubs::create_hub))
        .routes(routes!(hubs::get_hub, hubs::update_hub))
        .routes(routes!(hubs::list_zones, hubs::create_zone))
        .routes(routes!(hubs::get_zone, hubs::update_zone))
        .routes(routes!(hubs::list_rooms, hubs::create_room))
        .routes(routes!(hubs::get_room, hubs::update_room))
        .routes(routes!(
            people::list_organisations,
            people::create_organisation
        ))
        .routes(routes!(
            people::get_organisation,
            people::update_organisation
        ))
        .routes(routes!(people::list_people, people::create_person))
        .routes(routes!(people::get_person, people::update_person))
        .routes(routes!(people::me))
        .routes(routes!(privacy::export))
        .routes(routes!(privacy::erase_me))
        .routes(routes!(memberships::list_plans, memberships::create_plan))
        .routes(routes!(memberships::get_plan, memberships::update_plan))
        .routes(routes!(memberships::list_seats, memberships::buy_seats))
        .routes(routes!(memberships::get_seat))
        .routes(routes!(memberships::set_holder))
        .routes(routes!(memberships::end))
        .routes(routes!(memberships::my_card))
        .routes(routes!(memberships::rotate_card))
        .routes(routes!(
            memberships::my_profile,
            memberships::set_my_profile
        ))
        .routes(routes!(checkins::create_checkin))
        .routes(routes!(checkins::get_checkin))
        .routes(routes!(checkins::checkout))
        .routes(routes!(checkins::add_guest))
        .routes(routes!(checkins::scan))
        .routes(routes!(checkins::presence))
        .routes(routes!(checkins::access_summary))
        .routes(routes!(webhooks::list_webhooks, webhooks::create_webhook))
        .routes(routes!(webhooks::get_webhook, webhooks::update_webhook))
        .routes(routes!(webhooks::list_deliveries))
        .routes(routes!(webhooks::retry_delivery))
        .routes(routes!(sites::suggest))
        .routes(routes!(bookings::availability))
        .routes(routes!(bookings::list_bookings, bookings::create_booking))
        .routes(routes!(bookings::quote))
        .routes(routes!(bookings::create_series))
        .routes(routes!(bookings::get_booking, bookings::cancel_booking))
        .routes(routes!(bookings::get_rules, bookings::set_rules))
        .routes(routes!(events::list_events, events::create_event))
        .routes(routes!(events::get_event, events::update_event))
        .routes(routes!(events::publish_event))
        .routes(routes!(events::cancel_event))
        .routes(routes!(events::list_registrations, events::register))
        .routes(routes!(events::cancel_registration))
        .routes(routes!(events::set_attended))
        .routes(routes!(events::invite))
        .routes(routes!(events::redeem))
        .routes(routes!(events::summary))
        .routes(routes!(crate::feeds::my_calendar_feed))
        .routes(routes!(crate::feeds::rotate_calendar_feed));
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .nest("/api/v1", v1)
        .split_for_parts()
}

/// A JSON body whose every problem (syntax, type, unknown field, missing
/// field, wrong content type) answers in the API's error shape.
pub struct ApiJson<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for ApiJson<T> {
    type Rejection = AppError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        use axum::extract::rejection::JsonRejection;
        match axum::Json::<T>::from_request(req, state).await {
            Ok(axum::Json(v)) => Ok(ApiJson(v)),
            Err(JsonRejection::JsonDataError(e)) => Err(AppError::Validation(
                thirdplace_domain::ValidationErrors::single(
                    "body",
                    "invalid_body",
                    e.body_text().replace(
                        "Failed to deserialize the JSON body into the target type: ",
                        "",
                    ),
                ),
            )),
            Err(JsonRejection::JsonSyntaxError(e)) => Err(AppError::bad_request(
                "invalid_json",
                format!("the body is not valid JSON: {}", e.body_text()),
            )),
            Err(JsonRejection::MissingJsonContentType(_)) => Err(AppError::bad_request(
                "unsupported_media_type",
                "send the body as JSON with Content-Type: application/json",
            )),
            Err(JsonRejection::BytesRejection(e))
                if e.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE =>
            {
                Err(AppError::PayloadTooLarge)
            }
            Err(e) => Err(AppError::bad_request("invalid_body", e.body_text())),
        }
    }
}

/// An id from the path; a malformed one is simply not found.
pub fn path_id(raw: &str) -> AppResult<Uuid> {
    Uuid::parse_str(raw).map_err(|_| AppError::NotFound)
}

/// Writes need a token, and `allowed` must hold for its person.
pub fn require(auth: &Auth, allowed: impl FnOnce(&Principal) -> bool) -> AppResult<Principal> {
    let p = auth.require()?;
    if !auth.via_token {
        return Err(AppError::Unauthorized);
    }
    if allowed(p) {
        Ok(p.clone())
    } else {
        Err(AppError::Forbidden)
    }
}

#[derive(serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    /// Include archived records (default false).
    #[serde(default)]
    pub include_archived: bool,
}

pub fn bool_str(b: bool) -> String {
    if b {
        "true".into()
    } else {
        String::new()
    }
}
