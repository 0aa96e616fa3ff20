//! `GET /api/v1/audit`: the trail for network admins, newest first, a page
//! at a time with a cursor to the next.

use super::read::{page_of, with_names, AuditOut, AuditQuery};
use crate::http::api::require;
use crate::http::auth::Auth;
use crate::http::error::{AppResult, ErrorBody};
use crate::http::paging::Paging;
use crate::AppState;
use axum::extract::{OriginalUri, Query, State};
use axum::response::Response;
use axum::Json;
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn routes(r: OpenApiRouter<AppState>) -> OpenApiRouter<AppState> {
    r.routes(routes!(list_audit))
}

#[derive(Serialize, ToSchema)]
pub struct AuditPage {
    pub entries: Vec<AuditOut>,
    /// Pass as `before` for the next (older) page; `null` when this is the
    /// last one.
    pub next: Option<String>,
}

/// The audit trail of administrative actions (prices, plans, roles, seats,
/// hub settings, cancellations by hosts, erasures), newest first. Network
/// admins only. Filter by `person_id`, `object_id`, `object_kind` and dates;
/// page with `limit` and `before`.
#[utoipa::path(get, path = "/audit", tag = "audit", params(AuditQuery), security(("token" = [])),
    responses((status = 200, body = AuditPage, headers(("Link" = String, description = "`<url>; rel=\"next\"` (RFC 8288) when there are older entries: this request with `before` set to `next`"))), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn list_audit(
    State(state): State<AppState>,
    auth: Auth,
    uri: OriginalUri,
    Query(q): Query<AuditQuery>,
) -> AppResult<Response> {
    require(&auth, |p| p.can_manage_network())?;
    let (entries, next) = page_of(&state, q.filter(100)?).await?;
    // The body keeps its `next`; the same page also gets the `Link`
    // header every other list gives (here with `before=`).
    let paging = Paging::parse(uri.path(), uri.query())?;
    let body = Json(AuditPage {
        entries: with_names(&state, entries).await?,
        next: next.clone(),
    });
    Ok(paging.respond_with(body, "before", next.as_deref()))
}
