//! A member's card: their memberships and the hubs each opens, included
//! room hours, the QR code to show at a hub's kiosk (and rotating it), the
//! open check-in, and the community profile they may opt in to.

use crate::http::error::AppResult;
use crate::http::form_data::FormData;
use crate::http::forms::{done_redirect, DoneQuery};
use crate::http::included_hours::included_left;
use crate::http::page::Page;
use crate::http::parse::local_time;
use crate::memberships::api::card;
use crate::AppState;
use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{Redirect, Response};
use axum::routing::{get, post};
use axum::Router;
use minijinja::{context, Value};
use thirdplace_domain::membership::{parse_expertise, Profile};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/account/card", get(show))
        .route("/account/card/rotate", post(rotate))
        .route("/account/profile", get(profile_link).post(save_profile))
}

/// "3 h" or "2 h 30 min".
fn hours(minutes: i64) -> String {
    match (minutes / 60, minutes % 60) {
        (h, 0) => format!("{h} h"),
        (h, m) => format!("{h} h {m} min"),
    }
}

/// The QR code as inline SVG: without its XML prologue, and hidden from
/// assistive technology, since the element around it carries the text.
fn inline_svg(token: &str) -> String {
    let svg = crate::memberships::qr::svg(token);
    let svg = svg.find("<svg").map(|i| &svg[i..]).unwrap_or("");
    svg.replacen("<svg", "<svg aria-hidden=\"true\" focusable=\"false\"", 1)
}

struct ProfileForm {
    visible: bool,
    expertise: String,
    error: Option<String>,
}

async fn render(
    state: &AppState,
    page: &Page,
    status: StatusCode,
    notice: Option<String>,
    profile: Option<ProfileForm>,
) -> AppResult<Response> {
    let user = page.user()?;
    let c = card(state, user.person_id).await?;
    let profile = match profile {
        Some(p) => p,
        None => {
            let p = state.store.get_profile(user.person_id).await?;
            ProfileForm {
                visible: p.visible,
                expertise: p.expertise.join(", "),
                error: None,
            }
        }
    };
    let memberships: Vec<Value> = c
        .memberships
        .iter()
        .map(|m| {
            context! {
                plan => m.plan.name,
                organisation => m.organisation_name,
                start_date => m.start_date.to_string(),
                end_date => m.end_date.map(|d| d.to_string()),
                active => m.active_today,
                hubs => m.hubs.iter().map(|h| context! { id => h.id.to_string(), name => h.name }).collect::<Vec<_>>(),
            }
        })
        .collect();
    let checked_in = match &c.checked_in {
        Some(ci) => {
            let hub = state.store.get_hub(ci.hub_id).await?;
            Some(context! {
                id => ci.id.to_string(),
                hub_id => ci.hub_id.to_string(),
                hub_name => hub.hub.name,
                since => local_time(ci.checked_in_at),
            })
        }
        None => None,
    };
    // Per seat: "2 h 30 min kvar av 4 h i november".
    let month = page.t(&format!(
        "month.{}",
        chrono::Datelike::month(&thirdplace_domain::membership::local_date(state.now()))
    ));
    let included_left: Vec<Value> = included_left(state, user.person_id)
        .await?
        .into_iter()
        .map(|i| {
            context! {
                plan => i.plan_name,
                left => hours(i.left_minutes()),
                of => hours(i.allowance_minutes),
                month => month.clone(),
            }
        })
        .collect();
    let ctx = context! {
        included_left,
        first_name => c.first_name,
        memberships,
        included => hours(c.included_minutes_this_month),
        remaining => hours(c.remaining_minutes_this_month),
        qr_svg => Value::from_safe_string(inline_svg(&c.qr_token)),
        qr_token => c.qr_token,
        qr_hours => crate::memberships::qr::QR_TOKEN_HOURS,
        checked_in,
        notice,
        profile => context! {
            visible => profile.visible,
            expertise => profile.expertise,
            error => profile.error,
        },
    };
    page.render_with_status(status, "memberships/card.html", ctx)
}

async fn show(
    State(state): State<AppState>,
    page: Page,
    Query(d): Query<DoneQuery>,
) -> AppResult<Response> {
    let notice = match d.done.as_deref() {
        Some("rotated") => Some(page.t("card.rotated")),
        Some("profile") => Some(page.t("profile.saved")),
        Some("checked_out") => Some(page.t("checkin.checked_out")),
        _ => None,
    };
    render(&state, &page, StatusCode::OK, notice, None).await
}

async fn rotate(State(state): State<AppState>, page: Page, body: Bytes) -> AppResult<Response> {
    FormData::parse(&page, &body)?;
    let user = page.user()?;
    state.store.rotate_qr(user.person_id).await?;
    Ok(done_redirect("/account/card", "rotated"))
}

async fn profile_link() -> Redirect {
    Redirect::to("/account/card#profile-h")
}

async fn save_profile(
    State(state): State<AppState>,
    page: Page,
    body: Bytes,
) -> AppResult<Response> {
    let form = FormData::parse(&page, &body)?;
    let user = page.user()?;
    let visible = matches!(form.get("visible").as_str(), "true" | "on");
    let raw = form.get("expertise");
    match parse_expertise(&raw) {
        Ok(expertise) => {
            let profile = Profile { visible, expertise };
            state.store.set_profile(user.person_id, &profile).await?;
            Ok(done_redirect("/account/card", "profile"))
        }
        Err(e) => {
            let again = ProfileForm {
                visible,
                expertise: raw,
                error: Some(page.field_message(&e)),
            };
            render(
                &state,
                &page,
                StatusCode::UNPROCESSABLE_ENTITY,
                None,
                Some(again),
            )
            .await
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hours_read_naturally() {
        assert_eq!(hours(0), "0 h");
        assert_eq!(hours(180), "3 h");
        assert_eq!(hours(150), "2 h 30 min");
    }

    #[test]
    fn the_inline_code_is_bare_svg_hidden_from_screen_readers() {
        let s = inline_svg("token");
        assert!(s.starts_with("<svg aria-hidden=\"true\""), "{}", &s[..40]);
    }
}
