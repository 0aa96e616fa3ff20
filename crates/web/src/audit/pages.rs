//! `/admin/audit`: the trail for network admins, filtered by person, object
//! and time, a page at a time; `/admin/audit.csv` streams every matching
//! entry.

use super::read::{details_text, page_of, with_names, AuditQuery};
use crate::http::error::{AppError, AppResult};
use crate::http::page::Page;
use crate::http::paging::streamed;
use crate::http::roles::require_network_admin;
use crate::AppState;
use axum::extract::{Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use minijinja::context;
use thirdplace_store::AuditFilter;

/// Entries a page.
const PAGE: i64 = 100;
/// The kinds of objects the trail names, for the filter.
const KINDS: &[&str] = &[
    "region",
    "municipality",
    "operator",
    "hub",
    "room",
    "zone",
    "plan",
    "seat",
    "person",
    "organisation",
    "booking",
    "webhook",
    "retention",
    "settlement",
    "invoice",
    "bank_file",
];

fn internal(e: impl std::error::Error + Send + Sync + 'static) -> AppError {
    AppError::Internal(Box::new(e))
}

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/admin/audit", get(list))
        .route("/admin/audit.csv", get(csv))
}

/// The query string of the filter, without the cursor.
fn filter_query(q: &AuditQuery) -> String {
    let pairs = [
        ("person_id", &q.person_id),
        ("object_id", &q.object_id),
        ("object_kind", &q.object_kind),
        ("from", &q.from),
        ("to", &q.to),
    ];
    pairs
        .iter()
        .filter_map(|(k, v)| {
            v.as_deref()
                .filter(|v| !v.trim().is_empty())
                .map(|v| format!("{k}={}", crate::http::page::urlencode(v.trim())))
        })
        .collect::<Vec<_>>()
        .join("&")
}

async fn list(
    State(state): State<AppState>,
    page: Page,
    Query(q): Query<AuditQuery>,
) -> AppResult<Response> {
    require_network_admin(&page)?;
    let (entries, next) = page_of(&state, q.filter(PAGE)?).await?;
    let query = filter_query(&q);
    let rows: Vec<_> = with_names(&state, entries)
        .await?
        .into_iter()
        .map(|e| {
            context! {
                time => e.local_time,
                actor => e.actor_name,
                actor_id => e.actor_id.map(|a| a.to_string()),
                action => e.action,
                kind => e.object_kind,
                object_id => e.object_id.to_string(),
                object_name => e.object_name,
                details => details_text(&e.details),
            }
        })
        .collect();
    page.render(
        "audit/log.html",
        context! {
            rows,
            kinds => KINDS,
            q => context! {
                person_id => q.person_id, object_id => q.object_id, object_kind => q.object_kind,
                from => q.from, to => q.to,
            },
            next_href => next.map(|n| format!("/admin/audit?{query}{}before={n}", if query.is_empty() { "" } else { "&" })),
            csv_href => format!("/admin/audit.csv?{query}"),
        },
    )
}

/// Every matching entry as CSV, streamed a store page at a time (a given
/// `limit` or `before` is ignored: the export is the whole trail filtered).
async fn csv(
    State(state): State<AppState>,
    page: Page,
    Query(q): Query<AuditQuery>,
) -> AppResult<Response> {
    require_network_admin(&page)?;
    let f = AuditFilter {
        before: None,
        limit: super::read::MAX_PAGE,
        ..q.filter(super::read::MAX_PAGE)?
    };
    let mut w = csv::Writer::from_writer(Vec::new());
    let header = [
        "time",
        "person_id",
        "person",
        "action",
        "object_kind",
        "object_id",
        "object",
        "details",
    ];
    w.write_record(header).map_err(internal)?;
    let header = w.into_inner().map_err(|e| internal(e.into_error()))?;
    let body = streamed(header, move |before| {
        let state = state.clone();
        let f = AuditFilter {
            before,
            ..f.clone()
        };
        async move {
            let entries = state.store.list_audit(&f).await?;
            let last = (entries.len() as i64 == f.limit)
                .then(|| entries.last().map(|e| (e.at, e.id)))
                .flatten();
            let mut w = csv::WriterBuilder::new()
                .has_headers(false)
                .from_writer(Vec::new());
            for e in with_names(&state, entries).await? {
                w.write_record([
                    e.at.to_rfc3339(),
                    e.actor_id.map(|a| a.to_string()).unwrap_or_default(),
                    e.actor_name,
                    e.action,
                    e.object_kind,
                    e.object_id.to_string(),
                    e.object_name,
                    e.details.to_string(),
                ])
                .map_err(internal)?;
            }
            Ok((w.into_inner().map_err(|e| internal(e.into_error()))?, last))
        }
    });
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"audit.csv\"",
            ),
            (header::CACHE_CONTROL, "no-store"),
        ],
        body,
    )
        .into_response())
}
