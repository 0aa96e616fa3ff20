//! The network admin's pages of identity providers: `/admin/sso` lists
//! them and registers one for an organisation, `/admin/sso/{id}` edits or
//! disables one. The client secret is write-only: it is sealed before it
//! is stored ([`super::seal`]) and never shown back; left empty when
//! editing, the stored one is kept.

use super::flow::{seal_key, CALLBACK_PATH};
use crate::http::audit;
use crate::http::error::{AppError, AppResult};
use crate::http::form_data::FormData;
use crate::http::origin::Origin;
use crate::http::page::{parse_id, Page};
use crate::http::roles::require_network_admin;
use crate::AppState;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::Router;
use minijinja::context;
use serde::Serialize;
use serde_json::json;
use thirdplace_domain::new_id;
use thirdplace_store::{IdentityProvider, StoreError};
use uuid::Uuid;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/admin/sso", get(list).post(create))
        .route("/admin/sso/{id}", get(edit).post(save))
}

/// What the form shows: never the secret.
#[derive(Serialize, Default)]
struct Shown {
    id: String,
    organisation_id: String,
    organisation: String,
    issuer_url: String,
    client_id: String,
    domains: String,
    enabled: bool,
}

/// The fields as typed, and each field's problem (a text key).
struct Typed {
    organisation_id: Option<Uuid>,
    issuer_url: String,
    client_id: String,
    secret: String,
    domains: Vec<String>,
    enabled: bool,
    errors: Vec<(&'static str, &'static str)>,
}

/// Whether `d` looks like an e-mail domain (`kommun.se`).
fn is_domain(d: &str) -> bool {
    d.contains('.')
        && !d.starts_with('.')
        && !d.ends_with('.')
        && d.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '.')
}

fn read(form: &FormData, new: bool) -> Typed {
    let mut errors = vec![];
    let organisation_id = Uuid::parse_str(form.get("organisation_id").trim()).ok();
    if organisation_id.is_none() {
        errors.push(("organisation_id", "sso.admin.organisation_required"));
    }
    let issuer_url = form
        .get("issuer_url")
        .trim()
        .trim_end_matches('/')
        .to_string();
    let issuer_ok = url::Url::parse(&issuer_url)
        .is_ok_and(|u| matches!(u.scheme(), "https" | "http") && u.host().is_some());
    if !issuer_ok {
        errors.push(("issuer_url", "sso.admin.issuer_invalid"));
    }
    let client_id = form.get("client_id").trim().to_string();
    if client_id.is_empty() {
        errors.push(("client_id", "sso.admin.client_id_required"));
    }
    let secret = form.get("client_secret").trim().to_string();
    if new && secret.is_empty() {
        errors.push(("client_secret", "sso.admin.secret_required"));
    }
    let mut domains: Vec<String> = form
        .get("domains")
        .split(|c: char| c == ',' || c.is_whitespace())
        .map(|d| d.trim().trim_start_matches('@').to_lowercase())
        .filter(|d| !d.is_empty())
        .collect();
    domains.sort();
    domains.dedup();
    if domains.is_empty() || !domains.iter().all(|d| is_domain(d)) {
        errors.push(("domains", "sso.admin.domains_invalid"));
    }
    Typed {
        organisation_id,
        issuer_url,
        client_id,
        secret,
        domains,
        enabled: form.get("enabled") == "yes",
        errors,
    }
}

async fn render(
    state: &AppState,
    page: &Page,
    origin: &Origin,
    status: StatusCode,
    editing: Option<Shown>,
    typed: Option<&Typed>,
) -> AppResult<Response> {
    let orgs = state.store.list_organisations().await?;
    let name_of = |id: Uuid| {
        orgs.iter()
            .find(|o| o.id == id)
            .map(|o| o.name.clone())
            .unwrap_or_default()
    };
    let providers: Vec<Shown> = state
        .store
        .providers()
        .await?
        .into_iter()
        .map(|p| Shown {
            id: p.id.to_string(),
            organisation_id: p.organisation_id.to_string(),
            organisation: name_of(p.organisation_id),
            issuer_url: p.issuer_url,
            client_id: p.client_id,
            domains: p.domains.join(", "),
            enabled: p.enabled,
        })
        .collect();
    let mut shown = editing.unwrap_or(Shown {
        enabled: true,
        ..Shown::default()
    });
    if let Some(t) = typed {
        shown.organisation_id = t.organisation_id.map(|i| i.to_string()).unwrap_or_default();
        shown.issuer_url = t.issuer_url.clone();
        shown.client_id = t.client_id.clone();
        shown.domains = t.domains.join(", ");
        shown.enabled = t.enabled;
    }
    let errors: Vec<(String, String)> = typed
        .map(|t| {
            t.errors
                .iter()
                .map(|(f, k)| (f.to_string(), page.t(k)))
                .collect()
        })
        .unwrap_or_default();
    let organisations: Vec<(String, String)> = orgs
        .iter()
        .filter(|o| !o.archived)
        .map(|o| (o.id.to_string(), o.name.clone()))
        .collect();
    let base = state
        .config
        .public_url
        .clone()
        .or_else(|| state.config.listen_origin.clone())
        .unwrap_or_else(|| origin.0.clone());
    page.render_with_status(
        status,
        "sso/admin.html",
        context! {
            providers,
            organisations,
            form => shown,
            errors,
            key_configured => seal_key(state).is_some(),
            callback => format!("{}{CALLBACK_PATH}", base.trim_end_matches('/')),
        },
    )
}

async fn list(State(state): State<AppState>, origin: Origin, page: Page) -> AppResult<Response> {
    require_network_admin(&page)?;
    render(&state, &page, &origin, StatusCode::OK, None, None).await
}

async fn edit(
    State(state): State<AppState>,
    origin: Origin,
    page: Page,
    Path(id): Path<String>,
) -> AppResult<Response> {
    require_network_admin(&page)?;
    let p = state
        .store
        .provider(parse_id(&id)?)
        .await?
        .ok_or(AppError::NotFound)?;
    let shown = Shown {
        id: p.id.to_string(),
        organisation_id: p.organisation_id.to_string(),
        organisation: String::new(),
        issuer_url: p.issuer_url,
        client_id: p.client_id,
        domains: p.domains.join(", "),
        enabled: p.enabled,
    };
    render(&state, &page, &origin, StatusCode::OK, Some(shown), None).await
}

async fn create(
    State(state): State<AppState>,
    origin: Origin,
    page: Page,
    body: Bytes,
) -> AppResult<Response> {
    let actor = require_network_admin(&page)?.person_id;
    let form = FormData::parse(&page, &body)?;
    write(&state, &page, &origin, actor, None, read(&form, true)).await
}

async fn save(
    State(state): State<AppState>,
    origin: Origin,
    page: Page,
    Path(id): Path<String>,
    body: Bytes,
) -> AppResult<Response> {
    let actor = require_network_admin(&page)?.person_id;
    let form = FormData::parse(&page, &body)?;
    let existing = state
        .store
        .provider(parse_id(&id)?)
        .await?
        .ok_or(AppError::NotFound)?;
    write(
        &state,
        &page,
        &origin,
        actor,
        Some(existing),
        read(&form, false),
    )
    .await
}

/// Seals the secret (or keeps the stored one) and saves; the form again
/// with every problem at once if something is wrong, nothing written.
async fn write(
    state: &AppState,
    page: &Page,
    origin: &Origin,
    actor: Uuid,
    existing: Option<IdentityProvider>,
    mut typed: Typed,
) -> AppResult<Response> {
    let id = existing.as_ref().map_or_else(new_id, |p| p.id);
    let key = seal_key(state);
    if key.is_none() && !typed.secret.is_empty() {
        typed.errors.push(("client_secret", "sso.admin.no_key"));
    }
    let shown_id = existing.as_ref().map(|p| Shown {
        id: p.id.to_string(),
        ..Shown::default()
    });
    if !typed.errors.is_empty() {
        return render(
            state,
            page,
            origin,
            StatusCode::UNPROCESSABLE_ENTITY,
            shown_id_clone(&shown_id),
            Some(&typed),
        )
        .await;
    }
    let sealed_secret = match (&key, typed.secret.is_empty(), &existing) {
        (Some(k), false, _) => k.seal(id, &typed.secret),
        (_, true, Some(p)) => p.sealed_secret.clone(),
        _ => unreachable!("a new provider has a secret and a key, checked above"),
    };
    let p = IdentityProvider {
        id,
        organisation_id: typed.organisation_id.expect("checked above"),
        issuer_url: typed.issuer_url.clone(),
        client_id: typed.client_id.clone(),
        sealed_secret,
        domains: typed.domains.clone(),
        enabled: typed.enabled,
        updated_at: state.now(),
    };
    match state.store.save_provider(&p).await {
        Ok(()) => {}
        Err(StoreError::Conflict(f)) => {
            let key = if f == "domains" {
                ("domains", "sso.admin.domain_taken")
            } else {
                ("organisation_id", "sso.admin.organisation_taken")
            };
            typed.errors.push(key);
            return render(
                state,
                page,
                origin,
                StatusCode::CONFLICT,
                shown_id_clone(&shown_id),
                Some(&typed),
            )
            .await;
        }
        Err(StoreError::Reference(_)) => {
            typed
                .errors
                .push(("organisation_id", "sso.admin.organisation_required"));
            return render(
                state,
                page,
                origin,
                StatusCode::UNPROCESSABLE_ENTITY,
                shown_id_clone(&shown_id),
                Some(&typed),
            )
            .await;
        }
        Err(e) => return Err(e.into()),
    }
    let action = if existing.is_some() {
        "identity_provider.updated"
    } else {
        "identity_provider.created"
    };
    // The secret is never in the log: only whether it changed.
    audit::record(
        state,
        Some(actor),
        action,
        ("identity_provider", p.id),
        json!({
            "organisation_id": p.organisation_id,
            "issuer_url": p.issuer_url,
            "client_id": p.client_id,
            "domains": p.domains,
            "enabled": p.enabled,
            "secret_changed": !typed.secret.is_empty(),
        }),
    )
    .await;
    Ok(Redirect::to("/admin/sso").into_response())
}

fn shown_id_clone(s: &Option<Shown>) -> Option<Shown> {
    s.as_ref().map(|s| Shown {
        id: s.id.clone(),
        ..Shown::default()
    })
}
