//! The audit trail of administrative actions: prices, plans, roles, seats,
//! hub settings, cancellations by hosts, erasures (and invoices when they
//! come). Append-only: the trait has no update or delete, and each backend's
//! database refuses them (triggers), so that not even a bug or a hand-typed
//! SQL statement rewrites the trail.
//!
//! Entries name people by id only, never by name or e-mail: the names are
//! looked up when the trail is read, so an erased person shows as erased
//! while the trail itself is never changed.

use crate::StoreResult;
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use uuid::Uuid;

/// One administrative action.
#[derive(Debug, Clone, PartialEq)]
pub struct AuditEntry {
    pub id: Uuid,
    pub at: DateTime<Utc>,
    /// Who did it; `None` for the system (the command line, a scheduled job).
    pub actor_id: Option<Uuid>,
    /// What was done, as a stable code: `room.updated`, `plan.created`,
    /// `person.roles_changed`, `seats.bought`, `booking.cancelled_by_host`, …
    pub action: String,
    /// The kind of thing it was done to: `room`, `plan`, `person`, …
    pub object_kind: String,
    pub object_id: Uuid,
    /// What changed, without personal data: field names with the values
    /// before and after (`{"hourly_price_ore": [30000, 35000]}`), counts, codes.
    pub details: serde_json::Value,
}

/// Which entries to read, newest first.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct AuditFilter {
    pub actor_id: Option<Uuid>,
    pub object_id: Option<Uuid>,
    pub object_kind: Option<String>,
    /// Entries at or after this instant…
    pub from: Option<DateTime<Utc>>,
    /// …and before this one.
    pub to: Option<DateTime<Utc>>,
    /// Paging: entries strictly older than this one (`(at, id)`, the last
    /// entry of the previous page).
    pub before: Option<(DateTime<Utc>, Uuid)>,
    pub limit: i64,
}

/// The append-only audit trail.
#[async_trait]
pub trait AuditStore: Send + Sync {
    async fn append_audit(&self, e: &AuditEntry) -> StoreResult<()>;

    /// Entries matching `f`, newest first (by `at`, then `id`), at most
    /// `f.limit`.
    async fn list_audit(&self, f: &AuditFilter) -> StoreResult<Vec<AuditEntry>>;
}

/// The audit log in both SQL backends, written once: appending, the row
/// mapper, the list query and `impl AuditStore` (the `details` column is
/// read as JSON text: SQLite keeps text, PostgreSQL `jsonb` cast to text).
#[cfg(feature = "sql")]
pub mod sql {
    use super::{AuditEntry, AuditFilter, AuditStore};
    use crate::sql::backend::Backend;
    use crate::sql::dialect::{self, param, Arg, Conn, Dialect, Run};
    use crate::sql::SqlRow;
    use crate::StoreResult;
    use async_trait::async_trait;

    /// Appends `e` (the caller's transaction, if any). Instants are the
    /// database's own type in both backends (RFC 3339 text in SQLite);
    /// the details go as JSON text, cast where the column is `jsonb`
    /// ([`Dialect::JSON_CAST`]).
    pub async fn append<D: Dialect>(conn: &mut Conn<D>, e: &AuditEntry) -> StoreResult<()> {
        let sql = format!(
            "INSERT INTO audit_log (id, at, actor_id, action, object_kind, object_id, details) \
             VALUES ($1, $2, $3, $4, $5, $6, $7{})",
            D::JSON_CAST
        );
        let args = vec![
            Arg::Id(e.id),
            Arg::Timestamp(e.at),
            Arg::OptId(e.actor_id),
            Arg::Text(&e.action),
            Arg::Text(&e.object_kind),
            Arg::Id(e.object_id),
            Arg::Owned(e.details.to_string()),
        ];
        D::DB::run(conn, &sql, args).await.map_err(D::write_err)?;
        Ok(())
    }

    /// Entries appended by one statement at most.
    const ENTRIES_PER_INSERT: usize = 500;

    /// Appends `entries` in the caller's transaction, many to a statement.
    pub async fn append_many<D: Dialect>(
        conn: &mut Conn<D>,
        entries: &[AuditEntry],
    ) -> StoreResult<()> {
        for chunk in entries.chunks(ENTRIES_PER_INSERT) {
            let mut args = Vec::with_capacity(chunk.len() * 7);
            let rows: Vec<String> = chunk
                .iter()
                .map(|e| {
                    let values = [
                        Arg::Id(e.id),
                        Arg::Timestamp(e.at),
                        Arg::OptId(e.actor_id),
                        Arg::Text(&e.action),
                        Arg::Text(&e.object_kind),
                        Arg::Id(e.object_id),
                    ];
                    let mut p: Vec<String> =
                        values.into_iter().map(|a| param(&mut args, a)).collect();
                    let details = param(&mut args, Arg::Owned(e.details.to_string()));
                    p.push(format!("{details}{}", D::JSON_CAST));
                    format!("({})", p.join(", "))
                })
                .collect();
            let sql = format!(
                "INSERT INTO audit_log (id, at, actor_id, action, object_kind, object_id, details) \
                 VALUES {}",
                rows.join(", ")
            );
            D::DB::run(conn, &sql, args).await.map_err(D::write_err)?;
        }
        Ok(())
    }

    pub fn audit_entry(r: &impl SqlRow) -> Result<AuditEntry, sqlx::Error> {
        let details: String = r.column("details")?;
        Ok(AuditEntry {
            id: r.column("id")?,
            at: r.column("at")?,
            actor_id: r.column("actor_id")?,
            action: r.column("action")?,
            object_kind: r.column("object_kind")?,
            object_id: r.column("object_id")?,
            details: serde_json::from_str(&details)
                .map_err(|e| sqlx::Error::Decode(Box::new(e)))?,
        })
    }

    /// `SELECT … FROM audit_log WHERE …` for `f`, newest first, with its
    /// arguments; the details column is read as JSON text
    /// ([`Dialect::JSON_TEXT`]).
    pub fn list_query<D: Dialect>(f: &AuditFilter) -> (String, Vec<Arg<'_>>) {
        let mut sql = format!(
            "SELECT id, at, actor_id, action, object_kind, object_id, details{} AS details \
             FROM audit_log WHERE 1 = 1",
            D::JSON_TEXT
        );
        let mut args = Vec::new();
        fn and<'q>(sql: &mut String, args: &mut Vec<Arg<'q>>, cond: &str, a: Arg<'q>) {
            let p = param(args, a);
            sql.push_str(&format!(" AND {cond} {p}"));
        }
        if let Some(a) = f.actor_id {
            and(&mut sql, &mut args, "actor_id =", Arg::Id(a));
        }
        if let Some(o) = f.object_id {
            and(&mut sql, &mut args, "object_id =", Arg::Id(o));
        }
        if let Some(k) = &f.object_kind {
            and(&mut sql, &mut args, "object_kind =", Arg::Text(k));
        }
        if let Some(from) = f.from {
            and(&mut sql, &mut args, "at >=", Arg::Timestamp(from));
        }
        if let Some(to) = f.to {
            and(&mut sql, &mut args, "at <", Arg::Timestamp(to));
        }
        if let Some((at, id)) = f.before {
            let (at, id) = (
                param(&mut args, Arg::Timestamp(at)),
                param(&mut args, Arg::Id(id)),
            );
            sql.push_str(&format!(" AND (at < {at} OR (at = {at} AND id < {id}))"));
        }
        let limit = param(&mut args, Arg::Int(f.limit));
        sql.push_str(&format!(" ORDER BY at DESC, id DESC LIMIT {limit}"));
        (sql, args)
    }

    #[async_trait]
    impl<B: Backend> AuditStore for B {
        #[tracing::instrument(level = "debug", skip_all)]
        async fn append_audit(&self, e: &AuditEntry) -> StoreResult<()> {
            let e = e.clone();
            self.write(move |c| Box::pin(async move { append::<B::D>(c, &e).await }))
                .await
        }

        #[tracing::instrument(level = "debug", skip_all)]
        async fn list_audit(&self, f: &AuditFilter) -> StoreResult<Vec<AuditEntry>> {
            let (sql, args) = list_query::<B::D>(f);
            dialect::all::<B::D, _>(&mut *self.reader().await?, &sql, args, audit_entry).await
        }
    }
}
