//! `thirdplace retention run`: applies the network's retention policy once,
//! as a server does every hour, and prints what was reduced. For a cron job
//! when no server runs, or to see at once what a new policy reduces.

use anyhow::Result;
use chrono::{DateTime, Utc};
use clap::Subcommand;
use std::fmt::Write;
use thirdplace_domain::new_id;
use thirdplace_domain::retention::RetentionCounts;
use thirdplace_store::{AuditEntry, Store};
use uuid::Uuid;

#[derive(Subcommand, Debug)]
pub enum RetentionCommand {
    /// Reduce old details now by the network's retention settings (set on
    /// the admin page "Gallring" or with `PUT /api/v1/retention`) and print
    /// how many of each kind were reduced.
    Run,
}

/// Applies the policy at `now`, records it in the audit trail as the
/// system's when anything was reduced, and returns the report to print.
pub async fn run(store: &dyn Store, now: DateTime<Utc>) -> Result<String> {
    let policy = store.retention_policy().await?;
    let c = store.apply_retention(&policy, now).await?;
    if c.total() > 0 {
        store
            .append_audit(&AuditEntry {
                id: new_id(),
                at: now,
                actor_id: None,
                action: "retention.applied".into(),
                object_kind: "retention".into(),
                object_id: Uuid::nil(),
                details: serde_json::to_value(c)?,
            })
            .await?;
    }
    Ok(report(&c))
}

fn report(c: &RetentionCounts) -> String {
    // In the order of [`RetentionCounts::by_kind`].
    let labels = [
        "check-ins deleted (still counted per hub and day)",
        "guest visits deleted with their check-ins",
        "guest names erased",
        "sent e-mails cleared of address and text",
        "webhook deliveries cleared of payload",
        "expired sessions deleted",
        "revoked API tokens deleted",
        "counts of failed sign-ins deleted",
    ];
    let mut out = String::from("Retention applied.\n");
    for ((_, n), what) in c.by_kind().into_iter().zip(labels) {
        let _ = writeln!(out, "{n:>8}  {what}");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Duration;
    use thirdplace_store::{AuditFilter, Session};

    #[tokio::test]
    async fn a_run_reduces_prints_and_leaves_a_trail_once() {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}", dir.path().join("t.db").display());
        let store = crate::open_store(&url).await.unwrap();
        let now = Utc::now();
        let p = thirdplace_domain::Person {
            id: new_id(),
            first_name: "Ada".into(),
            last_name: "Lovelace".into(),
            email: thirdplace_domain::Email::parse("ada@example.se").unwrap(),
            organisation_id: None,
            is_network_admin: true,
            hosted_hub_ids: vec![],
            admin_of_organisation_ids: vec![],
            staff_of_operator_ids: vec![],
            archived: false,
        };
        store.insert_person(&p).await.unwrap();
        store
            .insert_session(&Session {
                id_hash: "old".into(),
                person_id: p.id,
                created_at: now - Duration::days(20),
                expires_at: now - Duration::days(6),
            })
            .await
            .unwrap();
        let out = run(store.as_ref(), now).await.unwrap();
        assert!(out.contains("       1  expired sessions deleted"), "{out}");
        let again = run(store.as_ref(), now).await.unwrap();
        assert!(
            again.contains("       0  expired sessions deleted"),
            "{again}"
        );
        let trail = store
            .list_audit(&AuditFilter {
                limit: 10,
                ..AuditFilter::default()
            })
            .await
            .unwrap();
        assert_eq!(trail.len(), 1);
        assert_eq!(trail[0].action, "retention.applied");
        assert_eq!(trail[0].details["sessions"], 1);
    }
}
