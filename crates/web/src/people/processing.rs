//! The record of processing activities (GDPR art. 30,
//! "registerförteckning"): one table, [`ACTIVITIES`], that both the record
//! for network admins (`/admin/processing`, `.csv`, `.json`) and the public
//! privacy page (`/privacy`) are generated from, so that the two never
//! disagree. Each activity names the database tables it covers; a test
//! reads both backends' migrations and fails when a table holding personal
//! data is covered by no activity.
//!
//! The texts live in [`crate::i18n::privacy`] under
//! `processing.<activity>.<field>`.

use crate::http::error::{AppError, AppResult};
use crate::http::page::Page;
use crate::http::roles::require_network_admin;
use crate::http::spreadsheet::{self, Csv};
use crate::i18n::{self, Lang};
use crate::AppState;
use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use minijinja::context;
use serde::Serialize;
use thirdplace_domain::Operator;

/// The legal basis of a processing activity (GDPR art. 6.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LegalBasis {
    /// Membership and bookings: art. 6.1 b.
    Contract,
    /// Art. 6.1 f.
    LegitimateInterest,
    /// Bookkeeping ("bokföringslagen"): art. 6.1 c.
    LegalObligation,
}

impl LegalBasis {
    pub fn key(self) -> &'static str {
        match self {
            LegalBasis::Contract => "contract",
            LegalBasis::LegitimateInterest => "legitimate_interest",
            LegalBasis::LegalObligation => "legal_obligation",
        }
    }
}

/// One processing activity: its texts are `processing.<key>.<field>`.
#[derive(Debug)]
pub struct Activity {
    pub key: &'static str,
    pub basis: &'static [LegalBasis],
    /// The database tables whose personal data this activity processes.
    pub tables: &'static [&'static str],
}

use LegalBasis::*;

/// Every processing of personal data the product does.
pub const ACTIVITIES: &[Activity] = &[
    Activity {
        key: "accounts",
        basis: &[Contract],
        tables: &[
            "people",
            "sessions",
            "api_tokens",
            "one_time_tokens",
            // Single sign-on: who a provider's subject is, and sign-ins
            // under way (migration 0014).
            "identity_links",
            "sso_flows",
            "hub_hosts",
            "organisation_admins",
            // Operators' staff (migration 0018).
            "operator_staff",
            "member_profiles",
        ],
    },
    Activity {
        key: "sign_in_protection",
        basis: &[LegitimateInterest],
        tables: &["sign_in_strikes", "sessions"],
    },
    Activity {
        key: "register",
        basis: &[Contract, LegalObligation],
        tables: &["organisations", "operators"],
    },
    Activity {
        key: "memberships",
        basis: &[Contract, LegalObligation],
        tables: &["seat_holdings", "seats"],
    },
    Activity {
        key: "presence",
        basis: &[LegitimateInterest],
        tables: &["checkins", "guest_visits"],
    },
    Activity {
        key: "bookings",
        basis: &[Contract, LegalObligation],
        tables: &["bookings"],
    },
    Activity {
        key: "events",
        basis: &[Contract, LegitimateInterest],
        tables: &["events", "event_registrations", "event_invitations"],
    },
    Activity {
        key: "invoicing",
        basis: &[Contract, LegalObligation],
        tables: &[
            "invoices",
            "invoice_lines",
            "invoice_charges",
            "invoice_payments",
            "bank_files",
            "invoice_reminders",
        ],
    },
    Activity {
        key: "email",
        basis: &[Contract],
        tables: &["email_outbox"],
    },
    Activity {
        key: "integrations",
        basis: &[LegitimateInterest],
        tables: &["webhook_deliveries"],
    },
    Activity {
        key: "audit",
        basis: &[LegitimateInterest],
        tables: &["audit_log"],
    },
];

/// Tables that hold no personal data: the network's places and prices,
/// counts per day, and the software's own bookkeeping. A new table must be
/// put here or under an activity (the test below says so).
pub const NO_PERSONAL_DATA: &[&str] = &[
    "regions",
    "municipalities",
    "hubs",
    "zones",
    "rooms",
    "plans",
    "booking_rules",
    "hub_visit_days",
    "calendar_changes",
    "calendar_version",
    "webhooks",
    "meta",
    // The network's retention periods (migration 0011, the retention jobs).
    "retention_policy",
    // Organisations' identity providers and their e-mail domains
    // (migration 0014; the secret is the organisation's, sealed).
    "identity_providers",
    "identity_provider_domains",
    // The next number of each operator's invoice series (migration 0015).
    "invoice_counters",
    // The network's settlement tariff between operators (migration 0017).
    "settlement_tariff",
    // Pilots, their hubs and goals (migration 0021): no one's details.
    "pilots",
    "pilot_hubs",
    "pilot_goals",
];

/// The fields of an activity, in the record's column order.
pub const FIELDS: &[&str] = &[
    "purpose",
    "subjects",
    "data",
    "recipients",
    "retention",
    "security",
];

/// An activity in one language.
#[derive(Debug, Serialize)]
pub struct ActivityText {
    pub key: &'static str,
    pub name: String,
    pub purpose: String,
    pub subjects: String,
    pub data: String,
    pub recipients: String,
    pub retention: String,
    pub legal_basis: Vec<String>,
    pub security: String,
    pub tables: Vec<&'static str>,
}

/// Every activity in `lang`.
pub fn activities(lang: Lang) -> Vec<ActivityText> {
    ACTIVITIES
        .iter()
        .map(|a| {
            let t = |field: &str| i18n::t(lang, &format!("processing.{}.{field}", a.key));
            ActivityText {
                key: a.key,
                name: t("name"),
                purpose: t("purpose"),
                subjects: t("subjects"),
                data: t("data"),
                recipients: t("recipients"),
                retention: t("retention"),
                legal_basis: a
                    .basis
                    .iter()
                    .map(|b| i18n::t(lang, &format!("basis.{}", b.key())))
                    .collect(),
                security: t("security"),
                tables: a.tables.to_vec(),
            }
        })
        .collect()
}

/// The controllers: the operators that run the network's hubs, as the
/// network has registered them (archived ones left out).
pub async fn controllers(state: &AppState) -> AppResult<Vec<Operator>> {
    Ok(state
        .store
        .list_operators()
        .await?
        .into_iter()
        .filter(|o| !o.archived)
        .collect())
}

/// The controllers for a template: name, organisation number, contact.
pub fn controllers_context(ops: &[Operator]) -> Vec<minijinja::Value> {
    ops.iter()
        .map(|o| {
            context! {
                name => o.name,
                org_number => o.org_number.as_ref().map(|n| n.as_str().to_owned()),
                contact_email => o.contact_email.as_ref().map(|e| e.as_str().to_owned()),
            }
        })
        .collect()
}

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/admin/processing", get(record))
        .route("/admin/processing.csv", get(record_csv))
        .route("/admin/processing.json", get(record_json))
}

/// The record as a page for network admins.
async fn record(State(state): State<AppState>, page: Page) -> AppResult<Response> {
    require_network_admin(&page)?;
    let ops = controllers(&state).await?;
    page.render(
        "privacy/processing.html",
        context! {
            controllers => controllers_context(&ops),
            activities => activities(page.lang),
        },
    )
}

fn download(content_type: &str, filename: &str, body: Vec<u8>) -> Response {
    (
        [
            (header::CONTENT_TYPE, content_type.to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{filename}\""),
            ),
            (header::CACHE_CONTROL, "no-store".to_owned()),
        ],
        body,
    )
        .into_response()
}

fn internal(e: impl std::error::Error + Send + Sync + 'static) -> AppError {
    AppError::Internal(Box::new(e))
}

/// The record as CSV, one row per activity, in the page's language.
async fn record_csv(page: Page) -> AppResult<Response> {
    require_network_admin(&page)?;
    let header: Vec<String> = [
        "activity",
        "purpose",
        "subjects",
        "data",
        "recipients",
        "retention",
        "basis",
        "security",
        "tables",
    ]
    .iter()
    .map(|c| page.t(&format!("processing.col.{c}")))
    .collect();
    let mut body = Csv::start(&header);
    let mut w = Csv::new();
    for a in activities(page.lang) {
        w.row([
            a.name,
            a.purpose,
            a.subjects,
            a.data,
            a.recipients,
            a.retention,
            a.legal_basis.join("; "),
            a.security,
            a.tables.join(" "),
        ]);
    }
    body.extend(w.into_bytes());
    Ok(spreadsheet::csv_attachment("processing.csv", body))
}

/// The record as JSON: the controllers and the activities.
async fn record_json(State(state): State<AppState>, page: Page) -> AppResult<Response> {
    require_network_admin(&page)?;
    let ops = controllers(&state).await?;
    let doc = serde_json::json!({
        "language": page.lang.code(),
        "controllers": ops.iter().map(|o| serde_json::json!({
            "name": o.name,
            "org_number": o.org_number.as_ref().map(|n| n.as_str()),
            "contact_email": o.contact_email.as_ref().map(|e| e.as_str()),
        })).collect::<Vec<_>>(),
        "activities": activities(page.lang),
    });
    let body = serde_json::to_vec_pretty(&doc).map_err(internal)?;
    Ok(download("application/json", "processing.json", body))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    /// The tables a backend's migrations leave in place, each with the text
    /// of its `CREATE TABLE` statement.
    fn tables(backend: &str) -> Vec<(String, String)> {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("..")
            .join(backend)
            .join("migrations");
        let mut files: Vec<_> = std::fs::read_dir(&dir)
            .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
            .map(|f| f.unwrap().path())
            .filter(|p| p.extension().is_some_and(|e| e == "sql"))
            .collect();
        files.sort();
        let mut out: Vec<(String, String)> = Vec::new();
        for f in files {
            // Comments (which may hold a `;`) go before statements are split.
            let sql: String = std::fs::read_to_string(&f)
                .unwrap()
                .to_lowercase()
                .lines()
                .map(|l| l.split("--").next().unwrap_or(""))
                .collect::<Vec<_>>()
                .join("\n");
            for stmt in sql.split(';') {
                let stmt = stmt.to_owned();
                let words: Vec<&str> = stmt.split_whitespace().collect();
                let name_after = |n: usize| {
                    let rest = &words[n..];
                    let rest = if rest.starts_with(&["if"]) {
                        &rest[rest.len().min(2)..]
                    } else {
                        rest
                    };
                    rest.first()
                        .map(|w| w.trim_matches(|c: char| c == '(' || c == '"').to_owned())
                };
                match words.as_slice() {
                    ["create", "table", ..] => {
                        if let Some(name) = name_after(2) {
                            out.push((name, stmt.clone()));
                        }
                    }
                    ["drop", "table", ..] => {
                        if let Some(name) = name_after(2) {
                            out.retain(|(n, _)| *n != name);
                        }
                    }
                    ["alter", "table", name, ..] => {
                        let name = name.to_string();
                        if let Some(t) = out.iter_mut().find(|(n, _)| *n == name) {
                            t.1.push_str(&stmt);
                        }
                    }
                    _ => {}
                }
            }
        }
        assert!(out.len() > 10, "{backend}: too few tables read: {out:?}");
        out
    }

    fn covered() -> BTreeSet<&'static str> {
        ACTIVITIES
            .iter()
            .flat_map(|a| a.tables.iter().copied())
            .collect()
    }

    #[test]
    fn every_table_is_covered_by_an_activity_or_holds_no_personal_data() {
        let covered = covered();
        for backend in ["store-sqlite", "store-postgres"] {
            for (name, _) in tables(backend) {
                assert!(
                    covered.contains(name.as_str()) || NO_PERSONAL_DATA.contains(&name.as_str()),
                    "{backend}: the table {name} is in no processing activity of the record \
                     (people/processing.rs) and not listed as holding no personal data"
                );
            }
        }
    }

    #[test]
    fn tables_said_to_hold_no_personal_data_have_no_person_in_them() {
        let hints = [
            "references people",
            "person_id",
            "email",
            "first_name",
            "payload",
            "token",
        ];
        for backend in ["store-sqlite", "store-postgres"] {
            for (name, sql) in tables(backend) {
                if NO_PERSONAL_DATA.contains(&name.as_str()) {
                    for h in hints {
                        assert!(
                            !sql.contains(h),
                            "{backend}: {name} is listed as holding no personal data but has {h}"
                        );
                    }
                }
            }
        }
    }

    #[test]
    fn the_tables_known_to_hold_personal_data_are_covered_and_exist() {
        let covered = covered();
        for t in [
            "people",
            "sessions",
            "api_tokens",
            "one_time_tokens",
            "checkins",
            "guest_visits",
            "bookings",
            "event_registrations",
            "event_invitations",
            "email_outbox",
            "member_profiles",
            "seat_holdings",
            "sign_in_strikes",
            "audit_log",
            "webhook_deliveries",
        ] {
            assert!(covered.contains(t), "{t} is covered by no activity");
        }
        // No activity names a table that is not there (any more); a dropped
        // table (sign-in failures moved to `sign_in_strikes`) is gone.
        for backend in ["store-sqlite", "store-postgres"] {
            let live: BTreeSet<String> = tables(backend).into_iter().map(|t| t.0).collect();
            for t in &covered {
                assert!(
                    live.contains(*t),
                    "{backend}: {t} is named in the record but no longer exists"
                );
            }
            assert!(!live.contains("login_failures"), "{backend}: {live:?}");
        }
    }

    #[test]
    fn every_activity_has_every_text_in_both_languages() {
        for lang in [Lang::Sv, Lang::En] {
            for a in ACTIVITIES {
                for field in FIELDS.iter().chain(&["name"]) {
                    let key = format!("processing.{}.{field}", a.key);
                    assert!(i18n::lookup(lang, &key).is_some(), "{key} ({lang:?})");
                }
                for b in a.basis {
                    assert!(i18n::lookup(lang, &format!("basis.{}", b.key())).is_some());
                }
            }
        }
    }
}
