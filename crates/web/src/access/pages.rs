//! The pages of the links: asking for a password reset ("Glömt
//! lösenordet?"), choosing a new password from a reset link, and accepting
//! an invitation by choosing a first password. A link that cannot be used
//! gets a page that says why (404 or 410), never an error of the server.

use super::service::{self, LinkProblem};
use crate::http::auth as http_auth;
use crate::http::error::{AppError, AppResult};
use crate::http::form_data::FormData;
use crate::http::origin::Origin;
use crate::http::page::Page;
use crate::http::sign_in as auth;
use crate::http::source::Source;
use crate::AppState;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::Router;
use minijinja::context;
use thirdplace_domain::Email;
use thirdplace_store::TokenKind;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/access/forgot", get(forgot_form).post(forgot))
        // `/access/reset/{secret}` and `/access/invitation/{secret}`.
        .route("/access/{kind}/{secret}", get(show).post(choose))
}

async fn forgot_form(page: Page) -> AppResult<Response> {
    page.render(
        "access/forgot.html",
        context! { email => "", message => None::<String> },
    )
}

/// Sends a reset link if the address is known; answers alike either way.
async fn forgot(
    State(state): State<AppState>,
    origin: Origin,
    source: Source,
    page: Page,
    body: Bytes,
) -> AppResult<Response> {
    let form = FormData::parse(&page, &body)?;
    let raw = form.get("email");
    let again = |status: StatusCode, key: &str| {
        page.render_with_status(
            status,
            "access/forgot.html",
            context! { email => raw.trim(), message => page.t(key) },
        )
    };
    let Ok(address) = Email::parse(&raw) else {
        return again(StatusCode::UNPROCESSABLE_ENTITY, "access.forgot.invalid");
    };
    // The public URL, or where the server listens; the request's own
    // `Host` only when neither is known (the app run inside tests).
    let origin = state
        .config
        .public_url
        .clone()
        .or_else(|| state.config.listen_origin.clone())
        .unwrap_or(origin.0);
    match service::request_reset(&state, &origin, &source, &address).await? {
        Some(secs) => {
            let mut resp = again(StatusCode::TOO_MANY_REQUESTS, "access.forgot.throttled")?;
            resp.headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(secs.max(1)));
            Ok(resp)
        }
        None => page.render(
            "access/sent.html",
            context! {
                text => page.t("access.sent.text")
                    .replace("{minutes}", &state.config.reset_link_minutes.to_string()),
            },
        ),
    }
}

/// The kind of link a path names (`reset`, `invitation`); any other is
/// not found.
fn kind_of(name: &str) -> AppResult<TokenKind> {
    let path = format!("/access/{name}/");
    [TokenKind::PasswordReset, TokenKind::Invitation]
        .into_iter()
        .find(|k| service::link_path(*k) == path)
        .ok_or(AppError::NotFound)
}

/// The form to choose a password, if the link may be used.
async fn show(
    State(state): State<AppState>,
    page: Page,
    Path((kind, secret)): Path<(String, String)>,
) -> AppResult<Response> {
    let kind = kind_of(&kind)?;
    match service::usable_link(&state, kind, &secret).await? {
        Ok(token) => {
            let sso = sso_offer(&state, kind, &token).await?;
            form(&page, kind, &secret, StatusCode::OK, None, sso)
        }
        Err(problem) => problem_page(&page, kind, problem),
    }
}

/// The name of the organisation whose single sign-on an invited person may
/// use instead of a password: their address's domain has an enabled
/// provider (see [`crate::sso`]).
async fn sso_offer(
    state: &AppState,
    kind: TokenKind,
    token: &thirdplace_store::OneTimeToken,
) -> AppResult<Option<String>> {
    if kind != TokenKind::Invitation {
        return Ok(None);
    }
    let person = state.store.get_person(token.person_id).await?;
    let domain = person
        .email
        .as_str()
        .rsplit_once('@')
        .map(|(_, d)| d.to_lowercase())
        .unwrap_or_default();
    let Some(p) = state.store.provider_for_domain(&domain).await? else {
        return Ok(None);
    };
    if !p.enabled {
        return Ok(None);
    }
    Ok(Some(
        state.store.get_organisation(p.organisation_id).await?.name,
    ))
}

fn form(
    page: &Page,
    kind: TokenKind,
    secret: &str,
    status: StatusCode,
    message: Option<&str>,
    sso_org: Option<String>,
) -> AppResult<Response> {
    page.render_with_status(
        status,
        "access/choose.html",
        context! {
            invitation => kind == TokenKind::Invitation,
            kind => if kind == TokenKind::Invitation { "invitation" } else { "reset" },
            hint => page.t("access.password_hint").replace("{n}", &auth::MIN_PASSWORD_LEN.to_string()),
            action => format!("{}{secret}", service::link_path(kind)),
            min_length => auth::MIN_PASSWORD_LEN,
            message => message.map(|k| page.t(k)),
            sso_org,
            secret,
        },
    )
}

fn problem_page(page: &Page, kind: TokenKind, problem: LinkProblem) -> AppResult<Response> {
    page.render_with_status(
        problem.status(),
        "access/problem.html",
        context! {
            message => page.t(problem.text_key()),
            invitation => kind == TokenKind::Invitation,
        },
    )
}

/// Where a person lands once the link is used: an invited member on
/// their card, someone who reset their password on their account.
fn landing(kind: TokenKind) -> &'static str {
    match kind {
        TokenKind::Invitation => "/account/card",
        TokenKind::PasswordReset => "/account",
    }
}

/// Sets the chosen password through the link, ends the person's other
/// sessions (the store does, in the same transaction) and signs them in.
async fn choose(
    State(state): State<AppState>,
    headers: HeaderMap,
    page: Page,
    Path((kind, secret)): Path<(String, String)>,
    body: Bytes,
) -> AppResult<Response> {
    let kind = kind_of(&kind)?;
    let form_data = FormData::parse(&page, &body)?;
    let token = match service::usable_link(&state, kind, &secret).await? {
        Ok(token) => token,
        Err(problem) => return problem_page(&page, kind, problem),
    };
    let password = form_data.get("password");
    let refusal = if password.chars().count() < auth::MIN_PASSWORD_LEN {
        Some("error.password_too_short")
    } else if password != form_data.get("password_again") {
        Some("access.passwords_differ")
    } else if kind == TokenKind::Invitation && form_data.get("accept") != "yes" {
        Some("access.accept_required")
    } else {
        None
    };
    if let Some(key) = refusal {
        let sso = sso_offer(&state, kind, &token).await?;
        return form(
            &page,
            kind,
            &secret,
            StatusCode::UNPROCESSABLE_ENTITY,
            Some(key),
            sso,
        );
    }
    let hash = auth::hashing(&state.hashing, move || auth::hash_password(&password)).await?;
    let token = match service::take_link(&state, kind, &secret, &hash).await? {
        Ok(token) => token,
        Err(problem) => return problem_page(&page, kind, problem),
    };
    if let Some(old) = &page.session_hash {
        state.store.delete_session(old).await?;
    }
    let mut resp = Redirect::to(landing(kind)).into_response();
    auth::start_session(&state, resp.headers_mut(), &headers, token.person_id).await?;
    http_auth::rotate_csrf(&state, resp.headers_mut(), &headers);
    Ok(resp)
}
