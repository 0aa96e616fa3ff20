//! An organisation's seats, for its admins and network admins: buy seats
//! of a plan, give each to a named employee (or to nobody), end a seat, and
//! a seat's page with who held it when.

use super::{refusal, yes_no, Notice};
use crate::http::error::{AppError, AppResult};
use crate::http::form_data::FormData;
use crate::http::forms::{Form, NO_ERRORS};
use crate::http::idempotency::IdempotencyKey;
use crate::http::origin::Origin;
use crate::http::page::parse_id;
use crate::http::page::{safe_next, Page};
use crate::http::parse::local_date_time;
use crate::http::roles::require_org;
use crate::memberships::api::{assign, end_seat_now, purchase_once};
use crate::AppState;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;
use minijinja::context;
use serde::{Deserialize, Serialize};
use thirdplace_domain::membership::{local_date, SeatPurchaseInput};
use thirdplace_domain::money::vat_of;
use thirdplace_domain::{format_ore_as_sek, ValidationErrors};
use uuid::Uuid;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/admin/organisations/{id}/seats", get(list).post(buy))
        .route("/admin/seats/{id}", get(seat_page))
        .route("/admin/seats/{id}/holder", post(set_holder))
        .route("/admin/seats/{id}/end", post(end))
}

#[derive(Deserialize, Default)]
struct Done {
    #[serde(default)]
    done: Option<String>,
    #[serde(default)]
    count: Option<u32>,
    #[serde(default)]
    until: Option<chrono::NaiveDate>,
}

#[derive(Serialize)]
struct SeatRow {
    id: String,
    plan_name: String,
    start_date: String,
    end_date: Option<String>,
    active: String,
    holder_id: String,
    holder: Option<String>,
    /// Whether the holder has activated their account or is invited.
    holder_account: Option<String>,
    /// Not ended before today: it can still be given to someone or ended.
    running: bool,
}

fn notice_of(page: &Page, d: &Done) -> Option<Notice> {
    let text = match d.done.as_deref()? {
        "bought" => format!("{} {}", page.t("seats.bought"), d.count.unwrap_or(0)),
        "assigned" => page.t("seats.assigned"),
        "ended" => match d.until {
            Some(u) => format!("{} {u}.", page.t("seats.ended_until")),
            None => page.t("seats.ended"),
        },
        _ => return None,
    };
    Some(Notice::done(text))
}

/// The purchase form as first shown: one seat from today.
fn fresh_purchase(state: &AppState) -> SeatPurchaseInput {
    SeatPurchaseInput {
        count: "1".into(),
        start_date: local_date(state.now()).to_string(),
        ..SeatPurchaseInput::default()
    }
}

/// The organisation's people who can hold a seat, as select options.
async fn holders(state: &AppState, org: Uuid) -> AppResult<Vec<(String, String)>> {
    Ok(state
        .store
        .list_people(Some(org))
        .await?
        .into_iter()
        .filter(|p| !p.archived)
        .map(|p| {
            (
                p.id.to_string(),
                format!("{} {}", p.first_name, p.last_name),
            )
        })
        .collect())
}

/// What the purchase form shows above itself: nothing, a notice, or the
/// purchase to confirm.
enum Top {
    Nothing,
    Notice(Notice),
    Confirm(minijinja::Value),
    /// Giving someone a second running seat of the same plan, to confirm.
    Second(minijinja::Value),
}

impl From<Option<Notice>> for Top {
    fn from(n: Option<Notice>) -> Self {
        n.map_or(Top::Nothing, Top::Notice)
    }
}

async fn render(
    state: &AppState,
    page: &Page,
    org_id: Uuid,
    input: &SeatPurchaseInput,
    errors: &ValidationErrors,
    top: impl Into<Top>,
    status: StatusCode,
) -> AppResult<Response> {
    let (notice, confirm, second) = match top.into() {
        Top::Nothing => (None, None, None),
        Top::Notice(n) => (Some(n), None, None),
        Top::Confirm(c) => (None, Some(c), None),
        Top::Second(c) => (None, None, Some(c)),
    };
    let org = state.store.get_organisation(org_id).await?;
    let today = local_date(state.now());
    let plans: Vec<(String, String)> = state
        .store
        .list_plans()
        .await?
        .into_iter()
        .filter(|p| !p.archived)
        .map(|p| {
            let price = thirdplace_domain::format_ore_as_sek(p.monthly_price_ore);
            let label = format!("{} ({price} kr/{})", p.name, page.t("seats.month"));
            (p.id.to_string(), label)
        })
        .collect();
    let people = holders(state, org_id).await?;
    let access = state.store.access_overview(Some(org_id)).await?;
    let now = state.now();
    let seats: Vec<SeatRow> = state
        .store
        .list_seats(org_id)
        .await?
        .into_iter()
        .map(|v| SeatRow {
            id: v.seat.id.to_string(),
            plan_name: v.plan_name.clone(),
            start_date: v.seat.start_date.to_string(),
            end_date: v.seat.end_date.map(|d| d.to_string()),
            active: yes_no(page, v.seat.active_on(today)),
            holder_id: v
                .holder
                .as_ref()
                .map(|h| h.person_id.to_string())
                .unwrap_or_default(),
            holder: v
                .holder
                .as_ref()
                .map(|h| format!("{} {}", h.first_name, h.last_name)),
            holder_account: v.holder.as_ref().map(|h| {
                let s = access.state_of(h.person_id, false, now);
                page.t(&format!("invitation_state.{}", s.key()))
            }),
            running: v.seat.end_date.is_none_or(|e| e >= today),
        })
        .collect();
    let form = Form::new(page, errors)
        .select("plan_id", &input.plan_id, plans, "admin.choose")
        .required()
        .text("count", &input.count)
        .required()
        .numeric("numeric")
        .text("start_date", &input.start_date)
        .required()
        .help("field.date_help")
        .text("end_date", &input.end_date)
        .help("field.end_date_help");
    let status = if errors.is_empty() {
        status
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let (fields, errors) = form.into_parts();
    let people: Vec<_> = people
        .into_iter()
        .map(|(id, name)| context! { id, name })
        .collect();
    page.render_with_status(
        status,
        "memberships/seats.html",
        context! {
            org => context! { id => org.id.to_string(), name => org.name },
            seats,
            people,
            fields,
            errors,
            notice => notice.map(Notice::value),
            confirm,
            second,
            back_href => format!("/admin/organisations/{org_id}"),
        },
    )
}

async fn list(
    State(state): State<AppState>,
    page: Page,
    Path(id): Path<String>,
    Query(d): Query<Done>,
) -> AppResult<Response> {
    let id = parse_id(&id)?;
    require_org(&page, id)?;
    let input = fresh_purchase(&state);
    let notice = notice_of(&page, &d);
    render(&state, &page, id, &input, NO_ERRORS, notice, StatusCode::OK).await
}

async fn buy(
    State(state): State<AppState>,
    page: Page,
    Path(id): Path<String>,
    body: Bytes,
) -> AppResult<Response> {
    let form = FormData::parse(&page, &body)?;
    let id = parse_id(&id)?;
    require_org(&page, id)?;
    let input = form.decode::<SeatPurchaseInput>()?;
    let buyer = page.user()?.person_id;
    // First the monthly total, to confirm; the confirmation carries a key
    // of its own, so that sending it twice buys once.
    let key = if form.get("confirm") == "yes" {
        IdempotencyKey::parse(Some(form.get("key").as_bytes()).filter(|k| !k.is_empty()))?
    } else {
        let shown = match purchase_summary(&state, &page, &input).await {
            Ok(c) => Top::Confirm(c),
            Err(AppError::Validation(e)) => {
                return render(&state, &page, id, &input, &e, None, StatusCode::OK).await
            }
            Err(e) => Top::Notice(refusal(&page, e)?.1),
        };
        return render(&state, &page, id, &input, NO_ERRORS, shown, StatusCode::OK).await;
    };
    match purchase_once(&state, id, &input, (buyer, &key)).await {
        Ok(seats) => Ok(Redirect::to(&format!(
            "/admin/organisations/{id}/seats?done=bought&count={}",
            seats.len()
        ))
        .into_response()),
        Err(AppError::Validation(e)) => {
            render(&state, &page, id, &input, &e, None, StatusCode::OK).await
        }
        Err(e) => {
            let (status, notice) = refusal(&page, e)?;
            render(&state, &page, id, &input, NO_ERRORS, Some(notice), status).await
        }
    }
}

/// The purchase as the confirmation shows it: how many seats of which plan
/// from when, and what they cost a month without and with VAT.
async fn purchase_summary(
    state: &AppState,
    page: &Page,
    input: &SeatPurchaseInput,
) -> AppResult<minijinja::Value> {
    let purchase = input.validate(local_date(state.now()))?;
    let plan = match state.store.get_plan(purchase.plan_id).await {
        Ok(p) if !p.archived => p,
        _ => {
            return Err(ValidationErrors::single(
                "plan_id",
                "not_found",
                "is not a plan on sale in this network",
            )
            .into())
        }
    };
    let net = plan.monthly_price_ore * purchase.count;
    let gross = net + vat_of(net, plan.vat_rate_percent);
    let kr = |ore: i64| format!("{}\u{a0}kr", format_ore_as_sek(ore));
    let period = match purchase.end_date {
        Some(end) => page
            .t("seats.confirm_period_until")
            .replace("{start}", &purchase.start_date.to_string())
            .replace("{end}", &end.to_string()),
        None => page
            .t("seats.confirm_period")
            .replace("{start}", &purchase.start_date.to_string()),
    };
    let text = page
        .t(if purchase.count == 1 {
            "seats.confirm_text_one"
        } else {
            "seats.confirm_text"
        })
        .replace("{count}", &purchase.count.to_string())
        .replace("{plan}", &plan.name)
        .replace("{price}", &kr(plan.monthly_price_ore))
        .replace("{net}", &kr(net))
        .replace("{gross}", &kr(gross))
        .replace("{vat}", &plan.vat_rate_percent.to_string())
        .replace("{period}", &period);
    Ok(context! {
        text,
        submit => page.t("seats.confirm_submit").replace("{gross}", &kr(gross)),
        key => thirdplace_domain::new_id().to_string(),
        plan_id => input.plan_id.trim(),
        count => input.count.trim(),
        start_date => input.start_date.trim(),
        end_date => input.end_date.trim(),
    })
}

/// The seat, if the signed-in person may manage its organisation's seats.
async fn load_seat(
    state: &AppState,
    page: &Page,
    id: &str,
) -> AppResult<thirdplace_store::SeatView> {
    let v = state.store.get_seat(parse_id(id)?).await?;
    if !page.user()?.can_edit_organisation(v.seat.organisation_id) {
        return Err(AppError::NotFound);
    }
    Ok(v)
}

/// After a seat form: back where the form was (the seat's page or the
/// organisation's list), or the list with the reason it did not work.
async fn after(
    state: &AppState,
    page: &Page,
    org: Uuid,
    back: &str,
    result: AppResult<String>,
) -> AppResult<Response> {
    match result {
        Ok(query) => {
            let sep = if back.contains('?') { '&' } else { '?' };
            Ok(Redirect::to(&format!("{back}{sep}{query}")).into_response())
        }
        Err(e) => {
            let (status, notice) = refusal(page, e)?;
            let input = fresh_purchase(state);
            render(state, page, org, &input, NO_ERRORS, Some(notice), status).await
        }
    }
}

/// A form sent about the seat `id`: the form, the seat (if the person may
/// manage it) and where to go back to afterwards (the form's `next`, or the
/// organisation's list).
async fn sent_about_seat(
    state: &AppState,
    page: &Page,
    id: &str,
    body: &[u8],
) -> AppResult<(FormData, thirdplace_store::SeatView, String)> {
    let form = FormData::parse(page, body)?;
    let v = load_seat(state, page, id).await?;
    let next = form.get("next");
    let back = if next.is_empty() {
        format!("/admin/organisations/{}/seats", v.seat.organisation_id)
    } else {
        safe_next(&next).to_string()
    };
    Ok((form, v, back))
}

async fn set_holder(
    State(state): State<AppState>,
    page: Page,
    origin: Origin,
    Path(id): Path<String>,
    body: Bytes,
) -> AppResult<Response> {
    let (form, v, back) = sent_about_seat(&state, &page, &id, &body).await?;
    let org = v.seat.organisation_id;
    let raw = form.get("person_id");
    let holder = if raw.trim().is_empty() {
        None
    } else {
        match Uuid::parse_str(raw.trim()) {
            Ok(p) => Some(p),
            Err(_) => {
                let e = AppError::Validation(ValidationErrors::single(
                    "person_id",
                    "invalid_id",
                    "choose someone from the list",
                ));
                return after(&state, &page, org, "", Err(e)).await;
            }
        }
    };
    if let (Some(pid), false) = (holder, form.get("confirm_second") == "yes") {
        if let Some(other) = same_plan_held(&state, &v, pid).await? {
            let person = state.store.get_person(pid).await?;
            let text = page
                .t("seats.second_text")
                .replace(
                    "{name}",
                    &format!("{} {}", person.first_name, person.last_name),
                )
                .replace("{plan}", &v.plan_name)
                .replace("{start}", &other.seat.start_date.to_string());
            let second = context! {
                text,
                seat_id => v.seat.id.to_string(),
                person_id => pid.to_string(),
                next => back,
            };
            let input = fresh_purchase(&state);
            return render(
                &state,
                &page,
                org,
                &input,
                NO_ERRORS,
                Top::Second(second),
                StatusCode::OK,
            )
            .await;
        }
    }
    let actor = page.user()?.person_id;
    let result = assign(&state, &origin, actor, &v, holder, false)
        .await
        .map(|_| "done=assigned".to_string());
    after(&state, &page, org, &back, result).await
}

/// Another running seat of `v`'s plan that `person` already holds, if any:
/// giving them a second one is usually a mistake, so the page asks first.
async fn same_plan_held(
    state: &AppState,
    v: &thirdplace_store::SeatView,
    person: Uuid,
) -> AppResult<Option<thirdplace_store::SeatView>> {
    if v.holder.as_ref().is_some_and(|h| h.person_id == person) {
        return Ok(None);
    }
    let today = local_date(state.now());
    Ok(state
        .store
        .list_seats(v.seat.organisation_id)
        .await?
        .into_iter()
        .find(|o| {
            o.seat.id != v.seat.id
                && o.seat.plan_id == v.seat.plan_id
                && o.seat.end_date.is_none_or(|e| e >= today)
                && o.holder.as_ref().is_some_and(|h| h.person_id == person)
        }))
}

async fn end(
    State(state): State<AppState>,
    page: Page,
    Path(id): Path<String>,
    body: Bytes,
) -> AppResult<Response> {
    let (_, v, back) = sent_about_seat(&state, &page, &id, &body).await?;
    let actor = page.user()?.person_id;
    let result = end_seat_now(&state, actor, &v)
        .await
        .map(|last| format!("done=ended&until={last}"));
    let org = v.seat.organisation_id;
    after(&state, &page, org, &back, result).await
}

async fn seat_page(
    State(state): State<AppState>,
    page: Page,
    Path(id): Path<String>,
    Query(d): Query<Done>,
) -> AppResult<Response> {
    let v = load_seat(&state, &page, &id).await?;
    let org = state.store.get_organisation(v.seat.organisation_id).await?;
    let today = local_date(state.now());
    let mut history = Vec::new();
    for h in state.store.seat_history(v.seat.id).await? {
        let name = match state.store.get_person(h.person_id).await {
            Ok(p) => format!("{} {}", p.first_name, p.last_name),
            Err(_) => h.person_id.to_string(),
        };
        history.push(context! {
            name,
            from => local_date_time(h.from),
            until => h.until.map(local_date_time),
        });
    }
    let people: Vec<_> = holders(&state, org.id)
        .await?
        .into_iter()
        .map(|(id, name)| context! { id, name })
        .collect();
    let ctx = context! {
        org => context! { id => org.id.to_string(), name => org.name },
        seat => context! {
            id => v.seat.id.to_string(),
            plan_name => v.plan_name,
            start_date => v.seat.start_date.to_string(),
            end_date => v.seat.end_date.map(|d| d.to_string()),
            active => yes_no(&page, v.seat.active_on(today)),
            holder_id => v.holder.as_ref().map(|h| h.person_id.to_string()).unwrap_or_default(),
            holder => v.holder.as_ref().map(|h| format!("{} {}", h.first_name, h.last_name)),
            running => v.seat.end_date.is_none_or(|e| e >= today),
        },
        history,
        people,
        notice => notice_of(&page, &d).map(Notice::value),
    };
    page.render("memberships/seat.html", ctx)
}
