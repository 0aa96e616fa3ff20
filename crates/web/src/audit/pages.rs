//! `/admin/audit`: the trail for network admins, filtered by person, object
//! and time, a page at a time; `/admin/audit.csv` streams every matching
//! entry for a spreadsheet, in the page's language.

use super::read::{details_text, page_of, with_names, AuditQuery};
use crate::http::error::AppResult;
use crate::http::page::Page;
use crate::http::paging::streamed;
use crate::http::roles::require_network_admin;
use crate::http::spreadsheet::{self, text, Csv};
use crate::i18n;
use crate::AppState;
use axum::extract::{Query, State};
use axum::response::Response;
use axum::routing::get;
use axum::Router;
use minijinja::context;
use thirdplace_domain::HUB_TIME_ZONE;
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

/// The text of `prefix.key` in `lang`, or the key itself where there is
/// none (an action newer than its translation), never the lookup key.
fn readable(lang: i18n::Lang, prefix: &str, key: &str) -> String {
    let lookup = format!("{prefix}.{key}");
    match i18n::t(lang, &lookup) {
        t if t == lookup => key.to_string(),
        t => t,
    }
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
    let lang = page.lang;
    let header: Vec<String> = [
        "audit.time",
        "audit.person_id",
        "audit.who",
        "audit.action",
        "audit.object_kind",
        "audit.object_id",
        "audit.object",
        "audit.details",
    ]
    .iter()
    .map(|k| page.t(k))
    .collect();
    let body = streamed(Csv::start(&header), move |before| {
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
            let mut w = Csv::new();
            for e in with_names(&state, entries).await? {
                // To the second: several changes often fall in one minute.
                let at =
                    e.at.with_timezone(&HUB_TIME_ZONE)
                        .format("%Y-%m-%d %H:%M:%S");
                w.row([
                    at.to_string(),
                    e.actor_id.map(|a| a.to_string()).unwrap_or_default(),
                    text(&e.actor_name),
                    readable(lang, "audit.action", &e.action),
                    readable(lang, "audit.kind", &e.object_kind),
                    e.object_id.to_string(),
                    text(&e.object_name),
                    text(&details_text(&e.details)),
                ]);
            }
            Ok((w.into_bytes(), last))
        }
    });
    Ok(spreadsheet::csv_attachment("audit.csv", body))
}
