//! Membership plans, the seats organisations buy and who holds them, and a
//! member's own card (memberships, the hubs they open, included hours, the
//! QR code) and community profile.

use crate::http::api::{bool_str, path_id, referenced, require, seen_by, ApiJson};
use crate::http::api_resource::{plain_record, ApiDoc, ApiResource, At};
use crate::http::audit;
use crate::http::auth::Auth;
use crate::http::error::{AppError, AppResult, ErrorBody};
use crate::http::idempotency::IdempotencyKey;
use crate::http::one_time_links::invite_if_new;
use crate::http::origin::Origin;
use crate::http::paging::Paging;
use crate::AppState;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::Json;
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use thirdplace_domain::membership::{
    check_assignment, end_seat, local_date, parse_expertise, seats_opening, HeldSeat, IncludedLeft,
    Plan, PlanInput, Profile, SeatPurchaseInput,
};
use thirdplace_domain::{new_id, Principal, ValidationErrors};
use thirdplace_store::{SeatView, StoreError};
use utoipa::ToSchema;
use uuid::Uuid;

// -------------------------------------------------------------------- plans

#[derive(Serialize, ToSchema)]
pub struct PlanOut {
    pub id: Uuid,
    pub name: String,
    pub description: String,
    /// `network`, `region` or `hub`.
    pub scope: String,
    /// The region or hub the plan opens (none for `network`).
    pub scope_id: Option<Uuid>,
    pub monthly_price_ore: i64,
    pub included_hours_per_month: i64,
    pub guests_allowed: bool,
    pub max_guests: i64,
    /// `monthly_rolling` or `fixed_days`.
    pub validity: String,
    pub validity_days: Option<u32>,
    pub archived: bool,
    /// The operator that sells and invoices it (none on older plans).
    pub selling_operator_id: Option<Uuid>,
    /// VAT rate of the monthly price: 25, 12, 6 or 0.
    pub vat_rate_percent: u8,
}

impl From<Plan> for PlanOut {
    fn from(p: Plan) -> Self {
        PlanOut {
            id: p.id,
            guests_allowed: p.guests_allowed(),
            scope: p.scope.key().into(),
            scope_id: p.scope.target_id(),
            validity: p.validity.key().into(),
            validity_days: p.validity.days(),
            name: p.name,
            description: p.description,
            monthly_price_ore: p.monthly_price_ore,
            included_hours_per_month: p.included_hours_per_month,
            max_guests: p.max_guests,
            archived: p.archived,
            selling_operator_id: p.selling_operator_id,
            vat_rate_percent: p.vat_rate_percent,
        }
    }
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PlanBody {
    pub name: String,
    #[serde(default)]
    pub description: String,
    /// `network`, `region` or `hub`.
    pub scope: String,
    #[serde(default)]
    pub scope_id: Option<Uuid>,
    pub monthly_price_ore: i64,
    #[serde(default)]
    pub included_hours_per_month: i64,
    #[serde(default)]
    pub guests_allowed: bool,
    #[serde(default)]
    pub max_guests: i64,
    /// `monthly_rolling` or `fixed_days`.
    pub validity: String,
    #[serde(default)]
    pub validity_days: Option<i64>,
    #[serde(default)]
    pub archived: bool,
    /// The operator that sells and invoices it. A network-wide plan must
    /// name one (422 `seller_required`); a hub's plan defaults to the hub's
    /// operator.
    #[serde(default)]
    pub selling_operator_id: Option<Uuid>,
    /// 25 (the default), 12, 6 or 0.
    #[serde(default)]
    pub vat_rate_percent: Option<i64>,
}

impl PlanBody {
    fn validate(&self, id: Uuid) -> Result<Plan, ValidationErrors> {
        if self.monthly_price_ore < 0 {
            return Err(ValidationErrors::single(
                "monthly_price_ore",
                "negative",
                "must not be negative",
            ));
        }
        let input = PlanInput {
            name: self.name.clone(),
            description: self.description.clone(),
            scope: self.scope.clone(),
            scope_id: self.scope_id.map(|i| i.to_string()).unwrap_or_default(),
            monthly_price_sek: format!(
                "{},{:02}",
                self.monthly_price_ore / 100,
                self.monthly_price_ore % 100
            ),
            included_hours_per_month: self.included_hours_per_month.to_string(),
            guests_allowed: bool_str(self.guests_allowed),
            max_guests: self.max_guests.to_string(),
            validity: self.validity.clone(),
            validity_days: self
                .validity_days
                .map(|d| d.to_string())
                .unwrap_or_default(),
            archived: bool_str(self.archived),
            selling_operator_id: self
                .selling_operator_id
                .map(|i| i.to_string())
                .unwrap_or_default(),
            vat_rate_percent: self
                .vat_rate_percent
                .map(|v| v.to_string())
                .unwrap_or_default(),
        };
        input.validate(id).map_err(|mut e| {
            for f in &mut e.errors {
                if f.field == "monthly_price_sek" {
                    f.field = "monthly_price_ore".into();
                }
            }
            e
        })
    }
}

pub struct Plans;

impl ApiResource for Plans {
    plain_record!(Plan as PlanOut, PlanBody; list_plans, get_plan, insert_plan, update_plan);
    const DOC: ApiDoc = ApiDoc::new("memberships", "plan", "plans")
        .replaced("Replaces the plan; seats already sold keep their dates. Network admins only.");

    fn record(_: &AppState, body: PlanBody, at: At<Plan>) -> AppResult<Plan> {
        Ok(body.validate(at.id)?)
    }
}

// -------------------------------------------------------------------- seats

#[derive(Serialize, ToSchema)]
pub struct HolderOut {
    pub person_id: Uuid,
    pub first_name: String,
    pub last_name: String,
    pub since: DateTime<Utc>,
}

#[derive(Serialize, ToSchema)]
pub struct SeatOut {
    pub id: Uuid,
    pub plan_id: Uuid,
    pub plan_name: String,
    pub organisation_id: Uuid,
    pub start_date: NaiveDate,
    /// The last valid day; none while it runs until ended.
    pub end_date: Option<NaiveDate>,
    /// Whether it is valid today (it still grants access only with a holder).
    pub active_today: bool,
    pub holder: Option<HolderOut>,
}

pub fn seat_out(v: SeatView, today: NaiveDate) -> SeatOut {
    SeatOut {
        active_today: v.seat.active_on(today),
        id: v.seat.id,
        plan_id: v.seat.plan_id,
        plan_name: v.plan_name,
        organisation_id: v.seat.organisation_id,
        start_date: v.seat.start_date,
        end_date: v.seat.end_date,
        holder: v.holder.map(|h| HolderOut {
            person_id: h.person_id,
            first_name: h.first_name,
            last_name: h.last_name,
            since: h.since,
        }),
    }
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PurchaseBody {
    pub plan_id: Uuid,
    /// How many seats (1–500).
    pub count: i64,
    /// First valid day, today or later (YYYY-MM-DD).
    pub start_date: String,
    /// Optional last day (YYYY-MM-DD); a fixed-period plan ends by itself.
    #[serde(default)]
    pub end_date: Option<String>,
}

fn may_manage_seats(p: &Principal, org: Uuid) -> bool {
    p.can_edit_organisation(org)
}

/// An organisation's seats, newest purchase first, a page at a time
/// (`limit`, `cursor`, and a `Link: <…>; rel="next"` header while there are
/// more). Its admins and network admins.
#[utoipa::path(get, path = "/organisations/{id}/seats", tag = "memberships", params(Paging), security(("token" = [])),
    responses((status = 200, body = [SeatOut], headers(("Link" = String, description = "`<url>; rel=\"next\"` (RFC 8288) when there are more seats"))), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn list_seats(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    paging: Paging,
) -> AppResult<Response> {
    let org = path_id(&id)?;
    let viewer = auth.require()?;
    if !may_manage_seats(viewer, org) {
        return Err(AppError::NotFound);
    }
    state.store.get_organisation(org).await?;
    let today = local_date(state.now());
    let seats = state
        .store
        .list_seats_after(org, paging.cursor(SEATS)?, paging.fetch())
        .await?;
    let (seats, next) = paging.page(SEATS, seats, |s| (s.seat.created_at, s.seat.id));
    let out: Vec<SeatOut> = seats.into_iter().map(|s| seat_out(s, today)).collect();
    Ok(paging.respond(Json(out), next.as_deref()))
}

/// The name of the seats list's cursors.
const SEATS: &str = "seats";

/// Buys seats of a plan for the organisation. Its admins and network admins.
#[utoipa::path(post, path = "/organisations/{id}/seats", tag = "memberships", request_body = PurchaseBody, security(("token" = [])), params(IdempotencyKey),
    responses((status = 201, body = [SeatOut]), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn buy_seats(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    key: IdempotencyKey,
    body: ApiJson<PurchaseBody>,
) -> AppResult<(StatusCode, Json<Vec<SeatOut>>)> {
    let org = path_id(&id)?;
    let buyer = require(&auth, |p| may_manage_seats(p, org))?;
    let body = body.parse()?;
    let input = SeatPurchaseInput {
        plan_id: body.plan_id.to_string(),
        count: body.count.to_string(),
        start_date: body.start_date,
        end_date: body.end_date.unwrap_or_default(),
    };
    let seats = purchase_once(&state, org, &input, (buyer.person_id, &key)).await?;
    let today = local_date(state.now());
    let out = seats.into_iter().map(|s| seat_out(s, today)).collect();
    Ok((StatusCode::CREATED, Json(out)))
}

/// Validates and records a purchase by `buyer` (shared with the
/// organisation's page); with the buyer's `Idempotency-Key`, a retry of a
/// purchase that was written (answered or not) is answered with its seats
/// and buys nothing more.
pub async fn purchase_once(
    state: &AppState,
    org: Uuid,
    input: &SeatPurchaseInput,
    (buyer, key): (Uuid, &IdempotencyKey),
) -> AppResult<Vec<SeatView>> {
    let seat_id = |n: usize| key.id_for(buyer, &format!("seat {n} for {org}"), new_id);
    if key.is_set() {
        let mut bought = Vec::new();
        loop {
            match state.store.get_seat(seat_id(bought.len())).await {
                Ok(s) => bought.push(s),
                Err(StoreError::NotFound) => break,
                Err(e) => return Err(e.into()),
            }
        }
        if !bought.is_empty() {
            return Ok(bought);
        }
    }
    let now = state.now();
    let organisation = state.store.get_organisation(org).await?;
    let purchase = input.validate(local_date(now))?;
    let load = state.store.get_plan(purchase.plan_id);
    let plan = referenced(load, |_| true, "plan_id", "is not a plan of this network").await?;
    if plan.archived {
        return Err(ValidationErrors::single(
            "plan_id",
            "plan_archived",
            "this plan is no longer sold",
        )
        .into());
    }
    if organisation.archived {
        return Err(AppError::refused(
            StatusCode::UNPROCESSABLE_ENTITY,
            "organisation_archived",
            "The organisation is archived.",
        ));
    }
    let mut n = 0;
    let seats = purchase.seats(&plan, org, now, || {
        n += 1;
        seat_id(n - 1)
    });
    state.store.insert_seats(&seats).await?;
    let details = serde_json::json!({
        "count": seats.len(), "plan_id": plan.id, "monthly_price_ore": plan.monthly_price_ore,
        "start_date": purchase.start_date, "end_date": purchase.end_date,
    });
    audit::record(
        state,
        Some(buyer),
        "seats.bought",
        ("organisation", org),
        details,
    )
    .await;
    let mut out = Vec::with_capacity(seats.len());
    for s in &seats {
        out.push(state.store.get_seat(s.id).await?);
    }
    Ok(out)
}

#[derive(Serialize, ToSchema)]
pub struct HoldingOut {
    pub person_id: Uuid,
    pub from: DateTime<Utc>,
    pub until: Option<DateTime<Utc>>,
}

#[derive(Serialize, ToSchema)]
pub struct SeatDetailOut {
    #[serde(flatten)]
    pub seat: SeatOut,
    /// Who held the seat when, oldest first.
    pub history: Vec<HoldingOut>,
}

async fn seat_for(state: &AppState, who: &Principal, id: Uuid) -> AppResult<SeatView> {
    seen_by(who, state.store.get_seat(id), |p, v| {
        may_manage_seats(p, v.seat.organisation_id)
    })
    .await
}

async fn seat_detail(state: &AppState, v: SeatView) -> AppResult<SeatDetailOut> {
    let history = state.store.seat_history(v.seat.id).await?;
    Ok(SeatDetailOut {
        seat: seat_out(v, local_date(state.now())),
        history: history
            .into_iter()
            .map(|h| HoldingOut {
                person_id: h.person_id,
                from: h.from,
                until: h.until,
            })
            .collect(),
    })
}

#[utoipa::path(get, path = "/seats/{id}", tag = "memberships", security(("token" = [])),
    responses((status = 200, body = SeatDetailOut), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn get_seat(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> AppResult<Json<SeatDetailOut>> {
    let who = auth.require()?;
    let v = seat_for(&state, who, path_id(&id)?).await?;
    Ok(Json(seat_detail(&state, v).await?))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct HolderBody {
    /// The new holder (someone in the seat's organisation), or null to
    /// leave the seat without a holder.
    pub person_id: Option<Uuid>,
}

/// Gives the seat to someone (or to no one) from now on; the history keeps
/// who held it before.
#[utoipa::path(put, path = "/seats/{id}/holder", tag = "memberships", request_body = HolderBody, security(("token" = [])),
    responses((status = 200, body = SeatDetailOut), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn set_holder(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    origin: Origin,
    body: ApiJson<HolderBody>,
) -> AppResult<Json<SeatDetailOut>> {
    let who = require(&auth, |_| true)?;
    let v = seat_for(&state, &who, path_id(&id)?).await?;
    let holder = body.parse()?.person_id;
    assign(&state, &origin, who.person_id, &v, holder, false).await?;
    let v = state.store.get_seat(v.seat.id).await?;
    Ok(Json(seat_detail(&state, v).await?))
}

/// Checks and records a (re)assignment; shared with the organisation's
/// page. A new holder without a password yet gets an invitation by e-mail.
pub async fn assign(
    state: &AppState,
    origin: &Origin,
    actor: Uuid,
    v: &SeatView,
    holder: Option<Uuid>,
    only_if_vacant: bool,
) -> AppResult<()> {
    let now = state.now();
    let mut invitee = None;
    if let Some(pid) = holder {
        let load = state.store.get_person(pid);
        let no_person = "is not a person of this network";
        let person = referenced(load, |_| true, "person_id", no_person).await?;
        let org = state.store.get_organisation(v.seat.organisation_id).await?;
        check_assignment(
            &v.seat,
            org.archived,
            person.organisation_id,
            person.archived,
            local_date(now),
        )
        .map_err(|mut e| {
            e.field = "person_id".into();
            ValidationErrors { errors: vec![e] }
        })?;
        invitee = Some(person);
    }
    let given = match holder {
        Some(pid) if only_if_vacant => state.store.give_vacant_seat(v.seat.id, pid, now).await,
        _ => state.store.assign_seat(v.seat.id, holder, now).await,
    };
    match given {
        Ok(()) => {
            if let Some(person) = &invitee {
                invite_if_new(state, &origin.0, person, actor).await?;
            }
            let before = v.holder.as_ref().map(|h| h.person_id);
            let details = serde_json::json!({ "holder_id": [before, holder] });
            audit::record(
                state,
                Some(actor),
                "seat.assigned",
                ("seat", v.seat.id),
                details,
            )
            .await;
            Ok(())
        }
        Err(StoreError::Reference(_)) => Err(ValidationErrors::single(
            "person_id",
            "outside_organisation",
            "a seat can only be given to someone in the organisation that bought it",
        )
        .into()),
        Err(e) => Err(e.into()),
    }
}

/// Ends the seat: it stays valid to the end of the period already paid
/// (a monthly seat to the end of its current month; a fixed one to its end).
#[utoipa::path(post, path = "/seats/{id}/end", tag = "memberships", security(("token" = [])),
    responses((status = 200, body = SeatDetailOut), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn end(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> AppResult<Json<SeatDetailOut>> {
    let who = require(&auth, |_| true)?;
    let v = seat_for(&state, &who, path_id(&id)?).await?;
    end_seat_now(&state, who.person_id, &v).await?;
    let v = state.store.get_seat(v.seat.id).await?;
    Ok(Json(seat_detail(&state, v).await?))
}

pub async fn end_seat_now(state: &AppState, actor: Uuid, v: &SeatView) -> AppResult<NaiveDate> {
    let plan = state.store.get_plan(v.seat.plan_id).await?;
    let last = end_seat(&v.seat, plan.validity, local_date(state.now()));
    state.store.set_seat_end(v.seat.id, Some(last)).await?;
    let details = serde_json::json!({ "end_date": [v.seat.end_date, last] });
    audit::record(
        state,
        Some(actor),
        "seat.ended",
        ("seat", v.seat.id),
        details,
    )
    .await;
    Ok(last)
}

// --------------------------------------------------------------- the card

#[derive(Serialize, ToSchema, Clone)]
pub struct HubRef {
    pub id: Uuid,
    pub name: String,
}

#[derive(Serialize, ToSchema)]
pub struct MembershipOut {
    pub seat_id: Uuid,
    pub plan: PlanOut,
    pub organisation_name: String,
    pub start_date: NaiveDate,
    pub end_date: Option<NaiveDate>,
    pub active_today: bool,
    /// The hubs this membership opens today.
    pub hubs: Vec<HubRef>,
}

#[derive(Serialize, ToSchema)]
pub struct CardOut {
    pub person_id: Uuid,
    pub first_name: String,
    pub memberships: Vec<MembershipOut>,
    /// Room hours the held seats include this calendar month (Swedish
    /// time), in minutes: the sum over the seats.
    pub included_minutes_this_month: i64,
    /// Included minutes not yet used this month: the sum of what is left
    /// of each seat's (a seat used beyond its hours counts as 0).
    pub remaining_minutes_this_month: i64,
    /// The code to show at a hub's kiosk (valid for 12 hours, voided by rotation).
    pub qr_token: String,
    /// The open check-in, if any.
    pub checked_in: Option<thirdplace_domain::membership::CheckIn>,
}

/// A member's card: what they hold and where it lets them in.
pub async fn card(state: &AppState, person_id: Uuid) -> AppResult<CardOut> {
    let now = state.now();
    let today = local_date(now);
    let person = state.store.get_person(person_id).await?;
    let held: Vec<HeldSeat> = state.store.held_seats(person_id, now).await?;
    let hubs = state.store.list_hubs().await?;
    let memberships = held
        .iter()
        .map(|h| {
            let opens: Vec<HubRef> = hubs
                .iter()
                .filter(|l| {
                    !l.hub.archived
                        && !seats_opening(std::slice::from_ref(h), l.hub.id, l.region_id, today)
                            .is_empty()
                })
                .map(|l| HubRef {
                    id: l.hub.id,
                    name: l.hub.name.clone(),
                })
                .collect();
            MembershipOut {
                seat_id: h.seat.id,
                plan: h.plan.clone().into(),
                organisation_name: h.organisation_name.clone(),
                start_date: h.seat.start_date,
                end_date: h.seat.end_date,
                active_today: h.seat.active_on(today),
                hubs: opens,
            }
        })
        .collect();
    // The totals are the sums of what the card and the booking form show
    // per seat, so the figures agree wherever they are shown.
    let left = crate::http::included_hours::left_of(state, &held, now).await?;
    let open = state.store.open_checkin_of(person_id).await?;
    Ok(CardOut {
        person_id,
        first_name: person.first_name,
        memberships,
        included_minutes_this_month: left.iter().map(|i| i.allowance_minutes).sum(),
        remaining_minutes_this_month: left.iter().map(IncludedLeft::left_minutes).sum(),
        qr_token: crate::memberships::qr::issue(state, person_id, now).await?,
        checked_in: open,
    })
}

/// The caller's memberships, the hubs they open, included hours and QR code.
#[utoipa::path(get, path = "/me/card", tag = "memberships", security(("token" = [])),
    responses((status = 200, body = CardOut), (status = 401, body = ErrorBody)))]
pub async fn my_card(State(state): State<AppState>, auth: Auth) -> AppResult<Json<CardOut>> {
    let p = auth.require()?;
    Ok(Json(card(&state, p.person_id).await?))
}

#[derive(Serialize, ToSchema)]
pub struct RotatedOut {
    /// The new code; every code shown before no longer works.
    pub qr_token: String,
}

/// Replaces the caller's QR code (e.g. after a screenshot was shared).
#[utoipa::path(post, path = "/me/card/rotate", tag = "memberships", security(("token" = [])),
    responses((status = 200, body = RotatedOut), (status = 401, body = ErrorBody)))]
pub async fn rotate_card(State(state): State<AppState>, auth: Auth) -> AppResult<Json<RotatedOut>> {
    let p = require(&auth, |_| true)?;
    state.store.rotate_qr(p.person_id).await?;
    Ok(Json(RotatedOut {
        qr_token: crate::memberships::qr::issue(&state, p.person_id, state.now()).await?,
    }))
}

#[derive(Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ProfileBody {
    /// Show first name, organisation and expertise to other members at hubs.
    pub visible: bool,
    /// Up to 10 tags of at most 40 characters.
    #[serde(default)]
    pub expertise: Vec<String>,
}

#[utoipa::path(get, path = "/me/profile", tag = "memberships", security(("token" = [])),
    responses((status = 200, body = ProfileBody), (status = 401, body = ErrorBody)))]
pub async fn my_profile(State(state): State<AppState>, auth: Auth) -> AppResult<Json<ProfileBody>> {
    let p = auth.require()?;
    let profile = state.store.get_profile(p.person_id).await?;
    Ok(Json(ProfileBody {
        visible: profile.visible,
        expertise: profile.expertise,
    }))
}

/// Opt in (or out) of being shown to other members.
#[utoipa::path(put, path = "/me/profile", tag = "memberships", request_body = ProfileBody, security(("token" = [])),
    responses((status = 200, body = ProfileBody), (status = 401, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn set_my_profile(
    State(state): State<AppState>,
    auth: Auth,
    body: ApiJson<ProfileBody>,
) -> AppResult<Json<ProfileBody>> {
    let p = require(&auth, |_| true)?;
    let body = body.parse()?;
    let expertise = parse_expertise(&body.expertise.join(",")).map_err(|mut e| {
        e.field = "expertise".into();
        ValidationErrors { errors: vec![e] }
    })?;
    let profile = Profile {
        visible: body.visible,
        expertise,
    };
    state.store.set_profile(p.person_id, &profile).await?;
    Ok(Json(ProfileBody {
        visible: profile.visible,
        expertise: profile.expertise,
    }))
}
