//! Signing in and out, changing one's password, and personal API tokens.

use super::auth;
use crate::http::auth::{self as http_auth, SESSION_COOKIE};
use crate::http::error::{AppError, AppResult};
use crate::http::feed_token as feeds;
use crate::http::form_data::FormData;
use crate::http::origin::Origin;
use crate::http::page::{safe_next, Page};
use crate::http::source::Source;
use crate::AppState;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;
use minijinja::context;
use serde::Deserialize;
use thirdplace_domain::{new_id, sign_in, Email, Text};
use thirdplace_store::ApiToken;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/login", get(login_form).post(login))
        .route("/logout", post(logout))
        .route("/account", get(account))
        .route("/account/password", post(change_password))
        .route("/account/tokens", post(create_token))
        .route("/account/tokens/{id}/revoke", post(revoke_token))
        .route("/account/calendar-feed/rotate", post(rotate_calendar_feed))
        .route("/account/export", get(export_data))
        .route("/account/erase", post(erase))
}

/// Erases the signed-in person after they typed their e-mail address, and
/// signs them out (their sessions are gone with the erasure).
async fn erase(
    State(state): State<AppState>,
    headers: HeaderMap,
    origin: Origin,
    page: Page,
    body: Bytes,
) -> AppResult<Response> {
    let form = FormData::parse(&page, &body)?;
    let user = page.user()?.clone();
    let refused = |key| {
        render_account(
            &state,
            &origin,
            &page,
            StatusCode::UNPROCESSABLE_ENTITY,
            Some((key, "error")),
            None,
        )
    };
    match crate::people::privacy::erase(&state, user.person_id, &form.get("confirm")).await {
        Ok(_) => {}
        Err(AppError::Refused {
            code: "confirmation_mismatch",
            ..
        }) => return refused("privacy.erase_mismatch").await,
        Err(AppError::Refused {
            code: "last_network_admin",
            ..
        }) => {
            let mut r = refused("privacy.erase_last_admin").await?;
            *r.status_mut() = StatusCode::CONFLICT;
            return Ok(r);
        }
        Err(e) => return Err(e),
    }
    Ok(signed_out(&state, &headers))
}

/// To the start page, with the session cookie removed.
fn signed_out(state: &AppState, headers: &HeaderMap) -> Response {
    http_auth::redirect_with_cookie(state, headers, "/", (SESSION_COOKIE, ""), 0)
}

/// The signed-in person's data as a JSON download (the same document as
/// `GET /api/v1/me/export`).
async fn export_data(State(state): State<AppState>, page: Page) -> AppResult<Response> {
    let user = page.user()?.clone();
    let doc = crate::people::privacy::person_export(&state, user.person_id).await?;
    let today = state
        .clock
        .now()
        .with_timezone(&chrono_tz::Europe::Stockholm)
        .date_naive();
    Ok(crate::people::privacy::attachment(&doc, today))
}

#[derive(Deserialize)]
struct NextQuery {
    #[serde(default)]
    next: String,
}

async fn login_form(page: Page, Query(q): Query<NextQuery>) -> AppResult<Response> {
    if page.user.is_some() {
        return Ok(Redirect::to(safe_next(&q.next)).into_response());
    }
    page.render(
        "login.html",
        context! { next => safe_next(&q.next), email => "", message => None::<String> },
    )
}

async fn login(
    State(state): State<AppState>,
    headers: HeaderMap,
    source: Source,
    page: Page,
    body: Bytes,
) -> AppResult<Response> {
    let form = FormData::parse(&page, &body)?;
    let email_raw = form.get("email");
    let next = form.get("next");
    let again = |status: StatusCode, message: String| {
        page.render_with_status(
            status,
            "login.html",
            context! { next => safe_next(&next), email => email_raw.trim(), message => message },
        )
    };
    let Ok(email) = Email::parse(&email_raw) else {
        return again(StatusCode::UNPROCESSABLE_ENTITY, page.t("login.failed"));
    };
    let throttle = auth::Throttle::new(&email, &source);
    // The slot is held from the throttle's check until the outcome is
    // recorded, so that no more attempts than there are slots can pass the
    // check on the same count.
    let slot = auth::hashing_slot(&state.hashing).await?;
    if let Some(wait) = throttle.wait(&state).await? {
        drop(slot);
        let secs = sign_in::whole_seconds(wait);
        let mut resp = again(StatusCode::TOO_MANY_REQUESTS, throttled_text(&page, secs))?;
        resp.headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from(secs));
        return Ok(resp);
    }
    let person = state
        .store
        .find_person_by_email(email.as_str())
        .await?
        .filter(|p| !p.archived);
    let stored = match &person {
        Some(p) => state.store.password_hash(p.id).await?,
        None => None,
    };
    let password = form.get("password");
    let ok =
        auth::hash_blocking(move || auth::verify_password(&password, stored.as_deref())).await?;
    let Some(person) = person.filter(|_| ok) else {
        throttle.failed(&state).await?;
        drop(slot);
        tracing::info!("failed sign-in");
        return again(StatusCode::UNAUTHORIZED, page.t("login.failed"));
    };
    throttle.succeeded(&state).await?;
    drop(slot);
    if let Some(old) = &page.session_hash {
        state.store.delete_session(old).await?;
    }
    let mut resp = Redirect::to(safe_next(&next)).into_response();
    auth::start_session(&state, resp.headers_mut(), &headers, person.id).await?;
    http_auth::rotate_csrf(&state, resp.headers_mut(), &headers);
    Ok(resp)
}

/// "Too many failed attempts; try again in …", the wait in seconds or,
/// from a minute on, in whole minutes rounded up.
fn throttled_text(page: &Page, secs: i64) -> String {
    let wait = match secs {
        1 => page.t("login.wait_one_second"),
        2..=59 => page
            .t("login.wait_seconds")
            .replace("{n}", &secs.to_string()),
        60 => page.t("login.wait_one_minute"),
        _ => page
            .t("login.wait_minutes")
            .replace("{n}", &((secs + 59) / 60).to_string()),
    };
    page.t("login.throttled").replace("{wait}", &wait)
}

async fn logout(
    State(state): State<AppState>,
    headers: HeaderMap,
    page: Page,
    body: Bytes,
) -> AppResult<Response> {
    FormData::parse(&page, &body)?;
    if let Some(hash) = &page.session_hash {
        state.store.delete_session(hash).await?;
    }
    let mut resp = signed_out(&state, &headers);
    http_auth::rotate_csrf(&state, resp.headers_mut(), &headers);
    Ok(resp)
}

async fn render_account(
    state: &AppState,
    origin: &Origin,
    page: &Page,
    status: StatusCode,
    password_message: Option<(&str, &str)>,
    new_token: Option<String>,
) -> AppResult<Response> {
    let user = page.user()?;
    let me = state.store.get_person(user.person_id).await?;
    let mut roles = Vec::new();
    if me.is_network_admin {
        roles.push(page.t("role.network_admin"));
    }
    for hub_id in &me.hosted_hub_ids {
        let hub = state.store.get_hub(*hub_id).await?;
        roles.push(format!("{} {}", page.t("role.host"), hub.hub.name));
    }
    for org_id in &me.admin_of_organisation_ids {
        let org = state.store.get_organisation(*org_id).await?;
        roles.push(format!("{} {}", page.t("role.org_admin"), org.name));
    }
    if let Some(org_id) = me.organisation_id {
        let org = state.store.get_organisation(org_id).await?;
        roles.push(format!("{} – {}", page.t("role.member"), org.name));
    }
    let (sessions, mut tokens_seen) =
        crate::people::sessions::account_context(state, page, me.id).await?;
    let tokens: Vec<_> = state
        .store
        .list_api_tokens(me.id)
        .await?
        .into_iter()
        .map(|t| {
            context! {
                id => t.id.to_string(),
                name => t.name,
                created_at => crate::http::parse::local_date_time(t.created_at),
                revoked => t.revoked_at.is_some(),
                seen => tokens_seen.remove(&t.id),
            }
        })
        .collect();
    let calendar_feed = feeds::feed_url(state, origin, me.id).await?;
    let ctx = context! {
        me => context! { first_name => me.first_name, last_name => me.last_name, email => me.email },
        calendar_feed,
        calendar_webcal => calendar_feed.replacen("https://", "webcal://", 1).replacen("http://", "webcal://", 1),
        roles,
        sessions,
        tokens,
        new_token,
        password_message => password_message.filter(|m| !m.0.starts_with("privacy.")).map(|m| m.0),
        password_status => password_message.map(|m| m.1),
        erase_message => password_message.filter(|m| m.0.starts_with("privacy.")).map(|m| m.0),
    };
    page.render_with_status(status, "account.html", ctx)
}

async fn account(State(state): State<AppState>, origin: Origin, page: Page) -> AppResult<Response> {
    render_account(&state, &origin, &page, StatusCode::OK, None, None).await
}

async fn change_password(
    State(state): State<AppState>,
    origin: Origin,
    page: Page,
    body: Bytes,
) -> AppResult<Response> {
    let form = FormData::parse(&page, &body)?;
    let user = page.user()?.clone();
    let stored = state.store.password_hash(user.person_id).await?;
    let current = form.get("current_password");
    let ok = auth::hashing(&state.hashing, move || {
        auth::verify_password(&current, stored.as_deref())
    })
    .await?;
    let new_password = form.get("new_password");
    let problem = if !ok {
        Some("account.wrong_password")
    } else if new_password.chars().count() < auth::MIN_PASSWORD_LEN {
        Some("error.password_too_short")
    } else {
        None
    };
    if let Some(problem) = problem {
        let status = StatusCode::UNPROCESSABLE_ENTITY;
        let message = Some((problem, "error"));
        return render_account(&state, &origin, &page, status, message, None).await;
    }
    let hash = auth::hashing(&state.hashing, move || auth::hash_password(&new_password)).await?;
    state.store.set_password_hash(user.person_id, &hash).await?;
    state
        .store
        .delete_sessions_of(user.person_id, page.session_hash.as_deref())
        .await?;
    render_account(
        &state,
        &origin,
        &page,
        StatusCode::OK,
        Some(("account.password_changed", "success")),
        None,
    )
    .await
}

async fn create_token(
    State(state): State<AppState>,
    origin: Origin,
    page: Page,
    body: Bytes,
) -> AppResult<Response> {
    let form = FormData::parse(&page, &body)?;
    let user = page.user()?;
    let name = Text::parse(&form.get("name"), 120).map_err(|mut e| {
        e.field = "name".into();
        AppError::Validation(thirdplace_domain::ValidationErrors { errors: vec![e] })
    })?;
    let (token, hash) = auth::new_api_token();
    let t = ApiToken {
        id: new_id(),
        person_id: user.person_id,
        name: name.into_string(),
        token_hash: hash,
        created_at: state.now(),
        revoked_at: None,
    };
    state.store.insert_api_token(&t).await?;
    render_account(
        &state,
        &origin,
        &page,
        StatusCode::CREATED,
        None,
        Some(token),
    )
    .await
}

async fn revoke_token(
    State(state): State<AppState>,
    page: Page,
    Path(id): Path<String>,
    body: Bytes,
) -> AppResult<Response> {
    FormData::parse(&page, &body)?;
    let user = page.user()?;
    let id = crate::http::page::parse_id(&id)?;
    state
        .store
        .revoke_api_token(user.person_id, id, state.now())
        .await?;
    Ok(Redirect::to("/account#tokens-h").into_response())
}

/// Voids the member's calendar feed address (see [`crate::http::feed_token`]).
async fn rotate_calendar_feed(
    State(state): State<AppState>,
    page: Page,
    body: Bytes,
) -> AppResult<Response> {
    FormData::parse(&page, &body)?;
    let user = page.user()?;
    state.store.rotate_calendar(user.person_id).await?;
    Ok(Redirect::to("/account#calendar-h").into_response())
}
