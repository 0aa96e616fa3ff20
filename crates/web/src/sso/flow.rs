//! Signing in through an organisation's provider: `POST /sso/start` (from
//! the sign-in page's "sign in with your organisation" e-mail field, or
//! from an invitation) redirects to the provider; `GET /sso/callback`
//! takes the sign-in under way once, checks `state` against the browser's
//! cookie, exchanges the code with the PKCE verifier and verifies the ID
//! token (signature against the provider's published keys, issuer,
//! audience, expiry, nonce), then finds or links the person and signs them
//! in. Every refusal is a 403 page that says why, and is in the audit log.

use super::seal::SealKey;
use crate::http::audit;
use crate::http::auth::{self as http_auth, cookie_value, random_secret, sha256_hex};
use crate::http::error::AppResult;
use crate::http::form_data::FormData;
use crate::http::origin::Origin;
use crate::http::page::{safe_next, Page};
use crate::http::sign_in as auth;
use crate::AppState;
use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;
use chrono::Duration;
use minijinja::context;
use openidconnect::core::{CoreClient, CoreProviderMetadata, CoreResponseType};
use openidconnect::{
    AuthenticationFlow, AuthorizationCode, ClientId, ClientSecret, CsrfToken, IssuerUrl, Nonce,
    PkceCodeChallenge, PkceCodeVerifier, RedirectUrl, Scope,
};
use serde::Deserialize;
use serde_json::json;
use subtle::ConstantTimeEq;
use thirdplace_domain::{Email, Person};
use thirdplace_store::{IdentityLink, IdentityProvider, SsoFlow, StoreError, TokenKind, Unusable};
use uuid::Uuid;

/// The cookie holding the `state` of the browser's sign-in under way.
pub const FLOW_COOKIE: &str = "tp_sso";
/// How long a sign-in at the provider may take.
const FLOW_MINUTES: i64 = 10;
/// Where the provider sends the browser back.
pub const CALLBACK_PATH: &str = "/sso/callback";

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/sso/start", post(start))
        .route(CALLBACK_PATH, get(callback))
}

/// Why a single sign-on was refused; each has its text under
/// `sso.refused.<code>` and its code in the audit log.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refused {
    /// The provider said no (the person cancelled, or it refused them).
    ProviderError,
    /// No sign-in under way matches (forged, or from another browser).
    State,
    /// The callback came a second time.
    Replayed,
    Expired,
    Disabled,
    /// The provider cannot be reached or its secret cannot be opened.
    Unavailable,
    /// The code or the ID token did not pass the checks.
    Token,
    /// The provider did not vouch for the e-mail address.
    Unverified,
    /// The address is not in one of the provider's domains.
    Domain,
    /// Nobody here has the address.
    Unknown,
    Archived,
    /// The person has neither a seat nor a role.
    NoSeat,
    /// The person is already linked to another account at the provider.
    LinkedElsewhere,
    /// The invitation came with the sign-in but cannot be used.
    Invitation,
}

impl Refused {
    pub fn code(self) -> &'static str {
        match self {
            Refused::ProviderError => "provider_error",
            Refused::State => "state",
            Refused::Replayed => "replayed",
            Refused::Expired => "expired",
            Refused::Disabled => "disabled",
            Refused::Unavailable => "unavailable",
            Refused::Token => "token",
            Refused::Unverified => "unverified",
            Refused::Domain => "domain",
            Refused::Unknown => "unknown",
            Refused::Archived => "archived",
            Refused::NoSeat => "no_seat",
            Refused::LinkedElsewhere => "linked_elsewhere",
            Refused::Invitation => "invitation",
        }
    }

    fn status(self) -> StatusCode {
        match self {
            Refused::Unavailable => StatusCode::BAD_GATEWAY,
            _ => StatusCode::FORBIDDEN,
        }
    }
}

/// The refusal page, recorded in the audit log with the provider (if
/// known) and the address the provider gave (if any).
async fn refuse(
    state: &AppState,
    page: &Page,
    headers: &HeaderMap,
    why: Refused,
    provider: Option<Uuid>,
    person: Option<Uuid>,
    email: Option<&str>,
) -> AppResult<Response> {
    tracing::info!(reason = why.code(), "single sign-on refused");
    audit::record(
        state,
        person,
        "sso.refused",
        ("identity_provider", provider.unwrap_or(Uuid::nil())),
        json!({ "reason": why.code(), "email": email }),
    )
    .await;
    refusal_page(state, page, headers, why)
}

/// The page that says why, forgetting the browser's sign-in under way.
fn refusal_page(
    state: &AppState,
    page: &Page,
    headers: &HeaderMap,
    why: Refused,
) -> AppResult<Response> {
    let mut resp = page.render_with_status(
        why.status(),
        "sso/refused.html",
        context! { message => page.t(&format!("sso.refused.{}", why.code())) },
    )?;
    clear_flow_cookie(state, headers, &mut resp);
    Ok(resp)
}

fn clear_flow_cookie(state: &AppState, headers: &HeaderMap, resp: &mut Response) {
    http_auth::set_cookie(
        resp.headers_mut(),
        FLOW_COOKIE,
        "",
        0,
        true,
        http_auth::is_secure(state, headers),
    );
}

/// `scheme://host[:port]` of the callback: the public URL, else where the
/// server listens, else the request's own origin (the app inside tests).
fn callback_url(state: &AppState, origin: &Origin) -> String {
    let base = state
        .config
        .public_url
        .clone()
        .or_else(|| state.config.listen_origin.clone())
        .unwrap_or_else(|| origin.0.clone());
    format!("{}{CALLBACK_PATH}", base.trim_end_matches('/'))
}

/// The HTTP client towards providers: no redirects followed (the
/// `openidconnect` crate's advice against SSRF), a short timeout.
fn http_client() -> Result<reqwest::Client, reqwest::Error> {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(std::time::Duration::from_secs(10))
        .build()
}

/// The e-mail domain of an address, in lower case.
pub fn domain_of(email: &str) -> String {
    email
        .rsplit_once('@')
        .map(|(_, d)| d.to_lowercase())
        .unwrap_or_default()
}

/// The provider's discovered metadata, or why not.
async fn discover(
    http: &reqwest::Client,
    p: &IdentityProvider,
) -> Result<CoreProviderMetadata, String> {
    let issuer = IssuerUrl::new(p.issuer_url.clone()).map_err(|e| e.to_string())?;
    CoreProviderMetadata::discover_async(issuer, http)
        .await
        .map_err(|e| e.to_string())
}

/// The configured sealing key, if any.
pub fn seal_key(state: &AppState) -> Option<SealKey> {
    state
        .config
        .secret_key
        .as_deref()
        .and_then(SealKey::from_secret)
}

#[derive(Deserialize)]
pub struct Callback {
    #[serde(default)]
    code: String,
    #[serde(default)]
    state: String,
    #[serde(default)]
    error: String,
}

/// Starts a sign-in at the provider of the typed address's domain (or of
/// the invited person's), keeping its state in the database.
async fn start(
    State(state): State<AppState>,
    headers: HeaderMap,
    origin: Origin,
    page: Page,
    body: Bytes,
) -> AppResult<Response> {
    let form = FormData::parse(&page, &body)?;
    let invitation = form.get("invitation");
    let (email, next, invitation_hash) = if invitation.is_empty() {
        let raw = form.get("email");
        let Ok(email) = Email::parse(&raw) else {
            return login_again(&page, &form, "sso.start.invalid");
        };
        (
            email.as_str().to_string(),
            safe_next(&form.get("next")).to_string(),
            None,
        )
    } else {
        let hash = sha256_hex(&invitation);
        let token = state.store.find_token(TokenKind::Invitation, &hash).await?;
        let usable = token.filter(|t| t.usable_at(state.now()).is_ok());
        let Some(token) = usable else {
            return refuse(
                &state,
                &page,
                &headers,
                Refused::Invitation,
                None,
                None,
                None,
            )
            .await;
        };
        if form.get("accept") != "yes" {
            return page.render_with_status(
                StatusCode::UNPROCESSABLE_ENTITY,
                "sso/refused.html",
                context! {
                    message => page.t("access.accept_required"),
                    back => format!("/access/invitation/{invitation}"),
                },
            );
        }
        let person = state.store.get_person(token.person_id).await?;
        (
            person.email.as_str().to_string(),
            "/account/card".to_string(),
            Some(hash),
        )
    };
    let Some(provider) = state.store.provider_for_domain(&domain_of(&email)).await? else {
        return login_again(&page, &form, "sso.start.no_provider");
    };
    if !provider.enabled {
        return refuse(
            &state,
            &page,
            &headers,
            Refused::Disabled,
            Some(provider.id),
            None,
            Some(&email),
        )
        .await;
    }
    let http = http_client().map_err(|e| crate::AppError::Internal(Box::new(e)))?;
    let metadata = match discover(&http, &provider).await {
        Ok(m) => m,
        Err(e) => {
            tracing::warn!(error = %e, issuer = %provider.issuer_url, "identity provider discovery failed");
            return refuse(
                &state,
                &page,
                &headers,
                Refused::Unavailable,
                Some(provider.id),
                None,
                Some(&email),
            )
            .await;
        }
    };
    let Ok(redirect) = RedirectUrl::new(callback_url(&state, &origin)) else {
        return refuse(
            &state,
            &page,
            &headers,
            Refused::Unavailable,
            Some(provider.id),
            None,
            Some(&email),
        )
        .await;
    };
    let client = CoreClient::from_provider_metadata(
        metadata,
        ClientId::new(provider.client_id.clone()),
        None,
    )
    .set_redirect_uri(redirect);
    let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
    let secret_state = random_secret();
    let for_state = secret_state.clone();
    let (url, _, nonce) = client
        .authorize_url(
            AuthenticationFlow::<CoreResponseType>::AuthorizationCode,
            move || CsrfToken::new(for_state),
            Nonce::new_random,
        )
        .add_scope(Scope::new("email".into()))
        .set_pkce_challenge(challenge)
        .add_extra_param("login_hint", email.clone())
        .url();
    let now = state.now();
    state
        .store
        .start_flow(&SsoFlow {
            state_hash: sha256_hex(&secret_state),
            provider_id: provider.id,
            nonce: nonce.secret().clone(),
            pkce_verifier: verifier.secret().clone(),
            next,
            invitation_hash,
            created_at: now,
            expires_at: now + Duration::minutes(FLOW_MINUTES),
            used_at: None,
        })
        .await?;
    // Not a redirect: the page's Content-Security-Policy (`form-action
    // 'self'`) keeps the browser from following a form's answer to
    // another site, so a page on this site sends the browser on (a meta
    // refresh, with a link for a browser that does not follow it).
    let org = state
        .store
        .get_organisation(provider.organisation_id)
        .await?;
    let mut resp = page.render(
        "sso/continue.html",
        context! { url => url.as_str(), org => org.name },
    )?;
    http_auth::set_cookie(
        resp.headers_mut(),
        FLOW_COOKIE,
        &secret_state,
        FLOW_MINUTES * 60,
        true,
        http_auth::is_secure(&state, &headers),
    );
    // It carries this sign-in's state: never kept by a cache.
    resp.headers_mut().insert(
        axum::http::header::CACHE_CONTROL,
        axum::http::HeaderValue::from_static("no-store"),
    );
    Ok(resp)
}

/// The sign-in page again, with a message at the organisation field.
fn login_again(page: &Page, form: &FormData, key: &str) -> AppResult<Response> {
    page.render_with_status(
        StatusCode::UNPROCESSABLE_ENTITY,
        "login.html",
        context! {
            next => safe_next(&form.get("next")),
            email => "",
            message => None::<String>,
            sso_email => form.get("email").trim(),
            sso_message => page.t(key),
        },
    )
}

/// Whether the person may use the service at all: a seat held now or a role.
async fn has_seat_or_role(state: &AppState, p: &Person) -> AppResult<bool> {
    if p.is_network_admin
        || !p.hosted_hub_ids.is_empty()
        || !p.admin_of_organisation_ids.is_empty()
        || !p.staff_of_operator_ids.is_empty()
    {
        return Ok(true);
    }
    Ok(!state.store.held_seats(p.id, state.now()).await?.is_empty())
}

/// The provider's answer: completes the sign-in under way, at most once.
async fn callback(
    State(state): State<AppState>,
    headers: HeaderMap,
    origin: Origin,
    page: Page,
    Query(q): Query<Callback>,
) -> AppResult<Response> {
    let cookie = cookie_value(&headers, FLOW_COOKIE).unwrap_or("");
    if cookie.is_empty() {
        // No sign-in was started in this browser: anyone can send this, so
        // it is only logged, not written to the (append-only) audit log.
        tracing::info!(reason = Refused::State.code(), "single sign-on refused");
        return refusal_page(&state, &page, &headers, Refused::State);
    }
    let same_browser =
        !q.state.is_empty() && bool::from(cookie.as_bytes().ct_eq(q.state.as_bytes()));
    if !same_browser {
        return refuse(&state, &page, &headers, Refused::State, None, None, None).await;
    }
    let flow = match state
        .store
        .take_flow(&sha256_hex(&q.state), state.now())
        .await
    {
        Ok(Ok(f)) => f,
        Ok(Err(Unusable::Used)) => {
            return refuse(&state, &page, &headers, Refused::Replayed, None, None, None).await
        }
        Ok(Err(_)) => {
            return refuse(&state, &page, &headers, Refused::Expired, None, None, None).await
        }
        Err(StoreError::NotFound) => {
            return refuse(&state, &page, &headers, Refused::State, None, None, None).await
        }
        Err(e) => return Err(e.into()),
    };
    let pid = Some(flow.provider_id);
    let refuse_here = |why: Refused, person: Option<Uuid>, email: Option<String>| {
        let (state, page, headers) = (&state, &page, &headers);
        async move { refuse(state, page, headers, why, pid, person, email.as_deref()).await }
    };
    if !q.error.is_empty() || q.code.is_empty() {
        return refuse_here(Refused::ProviderError, None, None).await;
    }
    let provider = state.store.provider(flow.provider_id).await?;
    let Some(provider) = provider.filter(|p| p.enabled) else {
        return refuse_here(Refused::Disabled, None, None).await;
    };
    let Some(secret) = seal_key(&state).and_then(|k| k.open(provider.id, &provider.sealed_secret))
    else {
        tracing::error!(provider = %provider.id, "the client secret cannot be opened: is THIRDPLACE_SECRET_KEY the one it was saved with?");
        return refuse_here(Refused::Unavailable, None, None).await;
    };
    let http = http_client().map_err(|e| crate::AppError::Internal(Box::new(e)))?;
    let metadata = match discover(&http, &provider).await {
        Ok(m) => m,
        Err(e) => {
            tracing::warn!(error = %e, issuer = %provider.issuer_url, "identity provider discovery failed");
            return refuse_here(Refused::Unavailable, None, None).await;
        }
    };
    let Ok(redirect) = RedirectUrl::new(callback_url(&state, &origin)) else {
        return refuse_here(Refused::Unavailable, None, None).await;
    };
    let client = CoreClient::from_provider_metadata(
        metadata,
        ClientId::new(provider.client_id.clone()),
        Some(ClientSecret::new(secret)),
    )
    .set_redirect_uri(redirect);
    let claims = async {
        let request = client
            .exchange_code(AuthorizationCode::new(q.code.clone()))
            .map_err(|e| e.to_string())?
            .set_pkce_verifier(PkceCodeVerifier::new(flow.pkce_verifier.clone()));
        let tokens = request
            .request_async(&http)
            .await
            .map_err(|e| e.to_string())?;
        let id_token = openidconnect::TokenResponse::id_token(&tokens)
            .ok_or_else(|| "no ID token in the token response".to_string())?;
        id_token
            .claims(&client.id_token_verifier(), &Nonce::new(flow.nonce.clone()))
            .cloned()
            .map_err(|e| e.to_string())
    }
    .await;
    let claims = match claims {
        Ok(c) => c,
        Err(e) => {
            tracing::warn!(error = %e, "the provider's code or ID token was refused");
            return refuse_here(Refused::Token, None, None).await;
        }
    };
    let subject = claims.subject().as_str().to_string();
    let email = claims.email().map(|e| e.as_str().to_lowercase());
    let Some(email) = email.filter(|_| claims.email_verified() == Some(true)) else {
        return refuse_here(
            Refused::Unverified,
            None,
            claims.email().map(|e| e.to_string()),
        )
        .await;
    };
    if !provider.domains.contains(&domain_of(&email)) {
        return refuse_here(Refused::Domain, None, Some(email)).await;
    }
    let linked = state.store.identity_link(provider.id, &subject).await?;
    let person = match &linked {
        Some(l) => Some(state.store.get_person(l.person_id).await?),
        None => state.store.find_person_by_email(&email).await?,
    };
    let Some(person) = person else {
        return refuse_here(Refused::Unknown, None, Some(email)).await;
    };
    if person.archived {
        return refuse_here(Refused::Archived, Some(person.id), Some(email)).await;
    }
    if !has_seat_or_role(&state, &person).await? {
        return refuse_here(Refused::NoSeat, Some(person.id), Some(email)).await;
    }
    if linked.is_none() {
        let link = IdentityLink {
            provider_id: provider.id,
            subject: subject.clone(),
            person_id: person.id,
            created_at: state.now(),
        };
        let done = state
            .store
            .link_identity(&link, flow.invitation_hash.as_deref(), state.now())
            .await;
        match done {
            Ok(Ok(())) => {
                audit::record(
                    &state,
                    Some(person.id),
                    "sso.linked",
                    ("person", person.id),
                    json!({ "provider_id": provider.id, "invitation": flow.invitation_hash.is_some() }),
                )
                .await;
            }
            Ok(Err(_)) | Err(StoreError::NotFound) => {
                return refuse_here(Refused::Invitation, Some(person.id), Some(email)).await
            }
            Err(StoreError::Conflict(_)) => {
                return refuse_here(Refused::LinkedElsewhere, Some(person.id), Some(email)).await
            }
            Err(e) => return Err(e.into()),
        }
    }
    audit::record(
        &state,
        Some(person.id),
        "sso.signed_in",
        ("person", person.id),
        json!({ "provider_id": provider.id }),
    )
    .await;
    if let Some(old) = &page.session_hash {
        state.store.delete_session(old).await?;
    }
    let mut resp = Redirect::to(safe_next(&flow.next)).into_response();
    auth::start_session(&state, resp.headers_mut(), &headers, person.id).await?;
    http_auth::rotate_csrf(&state, resp.headers_mut(), &headers);
    clear_flow_cookie(&state, &headers, &mut resp);
    Ok(resp)
}
