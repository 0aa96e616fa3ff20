//! Sessions people understand (issue 15): a person's own list of where
//! they are signed in (browser in plain words, address, started and last
//! used, this device marked) and of their API tokens' last use; ending one
//! session; and signing out everywhere. Pages on the account page, and
//! the same under `/api/v1/me/sessions`. Only ever the person's own: a
//! session of someone else's is "not found", never "forbidden".
//!
//! When a session or token was last used is written by the
//! [`crate::http::auth::Auth`] extractor, at most once a minute.

use crate::http::api::path_id;
use crate::http::auth::{self, Auth, SESSION_COOKIE};
use crate::http::error::{AppResult, ErrorBody};
use crate::http::form_data::FormData;
use crate::http::page::{parse_id, Page};
use crate::http::parse::local_date_time;
use crate::i18n::{self, Lang};
use crate::AppState;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::post;
use axum::{Json, Router};
use chrono::{DateTime, Utc};
use minijinja::{context, Value};
use serde::Serialize;
use std::collections::HashMap;
use thirdplace_domain::sessions::{classify, Browser, Os};
use thirdplace_store::{ApiTokenSeen, SessionInfo};
use utoipa::ToSchema;
use uuid::Uuid;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/account/sessions/{id}/end", post(end_session_page))
        .route(
            "/account/sessions/sign-out-everywhere",
            post(sign_out_everywhere_page),
        )
}

/// "Firefox på Windows": the browser family and system a user agent
/// names, in the page's language.
pub fn device_name(lang: Lang, user_agent: &str) -> String {
    let (browser, os) = classify(user_agent);
    let t = |key: String| i18n::t(lang, &key);
    match (browser, os) {
        (Browser::Other, Os::Other) if user_agent.is_empty() => t("session.unknown_device".into()),
        (_, Os::Other) => t(format!("session.browser.{}", browser.key())),
        _ => t("session.browser_on_os".into())
            .replace(
                "{browser}",
                &t(format!("session.browser.{}", browser.key())),
            )
            .replace("{os}", &t(format!("session.os.{}", os.key()))),
    }
}

/// The sessions part of the account page: the person's sessions (this
/// one marked) and when and where each token was last used, by token id.
pub async fn account_context(
    state: &AppState,
    page: &Page,
    person_id: Uuid,
) -> AppResult<(Value, HashMap<Uuid, Value>)> {
    let sessions: Vec<Value> = state
        .store
        .list_sessions(person_id, state.now())
        .await?
        .into_iter()
        .map(|s| {
            context! {
                id => s.public_id.to_string(),
                current => page.session_hash.as_deref() == Some(s.id_hash.as_str()),
                device => device_name(page.lang, &s.user_agent),
                user_agent => s.user_agent,
                source => s.source,
                created_at => local_date_time(s.created_at),
                last_used_at => s.last_used_at.map(local_date_time),
            }
        })
        .collect();
    let tokens = state
        .store
        .api_tokens_seen(person_id)
        .await?
        .into_iter()
        .map(|t| {
            let seen = context! {
                last_used_at => t.last_used_at.map(local_date_time),
                last_used_source => t.last_used_source,
            };
            (t.token_id, seen)
        })
        .collect();
    Ok((Value::from(sessions), tokens))
}

/// Ends one of the signed-in person's sessions. Ending this browser's own
/// is signing out.
async fn end_session_page(
    State(state): State<AppState>,
    headers: HeaderMap,
    page: Page,
    Path(id): Path<String>,
    body: Bytes,
) -> AppResult<Response> {
    FormData::parse(&page, &body)?;
    let user = page.user()?;
    let id = parse_id(&id)?;
    let own = own_session_id(&state, &page).await?;
    state.store.delete_session_by_id(user.person_id, id).await?;
    if own == Some(id) {
        let mut resp = auth::redirect_with_cookie(&state, &headers, "/", (SESSION_COOKIE, ""), 0);
        auth::rotate_csrf(&state, resp.headers_mut(), &headers);
        return Ok(resp);
    }
    Ok(Redirect::to("/account#sessions-h").into_response())
}

/// The public id of this browser's session.
async fn own_session_id(state: &AppState, page: &Page) -> AppResult<Option<Uuid>> {
    let (Some(user), Some(hash)) = (&page.user, &page.session_hash) else {
        return Ok(None);
    };
    let sessions = state
        .store
        .list_sessions(user.person_id, state.now())
        .await?;
    Ok(sessions
        .into_iter()
        .find(|s| &s.id_hash == hash)
        .map(|s| s.public_id))
}

/// Ends every session of the person, this one too (what people expect of
/// "everywhere": afterwards nobody is signed in as them, here included),
/// and says so on a page of its own with the way back to signing in. API
/// tokens stay: they are revoked one by one.
async fn sign_out_everywhere_page(
    State(state): State<AppState>,
    headers: HeaderMap,
    page: Page,
    body: Bytes,
) -> AppResult<Response> {
    FormData::parse(&page, &body)?;
    let user = page.user()?;
    state.store.delete_sessions_of(user.person_id, None).await?;
    tracing::info!(person_id = %user.person_id, "signed out everywhere");
    let signed_out = Page {
        user: None,
        session_hash: None,
        ..page.clone()
    };
    let mut resp = signed_out.render("account/signed_out.html", context! {})?;
    let secure = auth::is_secure(&state, &headers);
    auth::set_cookie(resp.headers_mut(), SESSION_COOKIE, "", 0, true, secure);
    auth::rotate_csrf(&state, resp.headers_mut(), &headers);
    Ok(resp)
}

// ------------------------------------------------------------------ API

/// One of the person's active sessions.
#[derive(Serialize, ToSchema)]
pub struct SessionOut {
    /// The session's public id (never its secret).
    pub id: Uuid,
    /// Whether this is the session the request came with.
    pub current: bool,
    /// The browser family: edge, opera, samsung, chrome, firefox, safari
    /// or other.
    pub browser: &'static str,
    /// The system: windows, macos, ios, android, chromeos, linux or other.
    pub os: &'static str,
    /// The browser's user agent, shortened.
    pub user_agent: String,
    /// The address it was last used from, as the app sees it.
    pub source: Option<String>,
    pub created_at: DateTime<Utc>,
    /// Recorded at most once a minute.
    pub last_used_at: Option<DateTime<Utc>>,
    pub expires_at: DateTime<Utc>,
}

/// One of the person's unrevoked API tokens.
#[derive(Serialize, ToSchema)]
pub struct TokenOut {
    pub id: Uuid,
    pub name: String,
    pub created_at: DateTime<Utc>,
    /// Recorded at most once a minute.
    pub last_used_at: Option<DateTime<Utc>>,
    pub last_used_source: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct SessionsOut {
    /// The most recently used first.
    pub sessions: Vec<SessionOut>,
    /// The newest first.
    pub tokens: Vec<TokenOut>,
}

fn session_out(s: SessionInfo, current: Option<&str>) -> SessionOut {
    let (browser, os) = classify(&s.user_agent);
    SessionOut {
        id: s.public_id,
        current: current == Some(s.id_hash.as_str()),
        browser: browser.key(),
        os: os.key(),
        user_agent: s.user_agent,
        source: s.source,
        created_at: s.created_at,
        last_used_at: s.last_used_at,
        expires_at: s.expires_at,
    }
}

/// The signed-in person's active sessions and API tokens, with where and
/// when each was last used.
#[utoipa::path(get, path = "/me/sessions", tag = "people", security(("token" = [])), responses((status = 200, body = SessionsOut), (status = 401, body = ErrorBody)))]
pub async fn list_my_sessions(
    State(state): State<AppState>,
    auth: Auth,
) -> AppResult<Json<SessionsOut>> {
    let me = auth.require()?.person_id;
    let current = auth.session_hash.as_deref();
    let sessions = state
        .store
        .list_sessions(me, state.now())
        .await?
        .into_iter()
        .map(|s| session_out(s, current))
        .collect();
    let seen: HashMap<Uuid, ApiTokenSeen> = state
        .store
        .api_tokens_seen(me)
        .await?
        .into_iter()
        .map(|s| (s.token_id, s))
        .collect();
    let tokens = state
        .store
        .list_api_tokens(me)
        .await?
        .into_iter()
        .filter(|t| t.revoked_at.is_none())
        .map(|t| {
            let seen = seen.get(&t.id);
            TokenOut {
                id: t.id,
                name: t.name,
                created_at: t.created_at,
                last_used_at: seen.and_then(|s| s.last_used_at),
                last_used_source: seen.and_then(|s| s.last_used_source.clone()),
            }
        })
        .collect();
    Ok(Json(SessionsOut { sessions, tokens }))
}

/// Ends one of the signed-in person's sessions; another person's, or one
/// that has ended, is not found.
#[utoipa::path(delete, path = "/me/sessions/{id}", tag = "people", security(("token" = [])), params(("id" = Uuid, Path, description = "The session's public id")),
    responses((status = 204, description = "Ended"), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn end_my_session(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> AppResult<StatusCode> {
    let me = auth.require()?.person_id;
    state.store.delete_session_by_id(me, path_id(&id)?).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Ends every session of the signed-in person (browsers must sign in
/// again); API tokens stay valid.
#[utoipa::path(post, path = "/me/sessions/sign-out-everywhere", tag = "people", security(("token" = [])),
    responses((status = 204, description = "Every session ended"), (status = 401, body = ErrorBody)))]
pub async fn sign_out_everywhere(
    State(state): State<AppState>,
    auth: Auth,
) -> AppResult<StatusCode> {
    let me = auth.require()?.person_id;
    state.store.delete_sessions_of(me, None).await?;
    tracing::info!(person_id = %me, "signed out everywhere");
    Ok(StatusCode::NO_CONTENT)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn devices_are_named_in_plain_words_in_both_languages() {
        let firefox =
            "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0";
        assert_eq!(device_name(Lang::Sv, firefox), "Firefox på Windows");
        assert_eq!(device_name(Lang::En, firefox), "Firefox on Windows");
        assert_eq!(device_name(Lang::Sv, "curl/8.5.0"), "En annan webbläsare");
        assert_eq!(device_name(Lang::En, ""), "Unknown device");
    }
}
