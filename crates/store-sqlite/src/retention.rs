//! [`RetentionStore`] for SQLite: the policy in its one row of
//! `retention_policy`, and each kind's reduction as one job of the writer
//! (its own savepoint: a kind is reduced whole or not at all). Instants are
//! compared as each table keeps them: check-ins, guests, deliveries,
//! sessions and tokens as sqlx's RFC 3339 text, e-mails in Unix seconds,
//! sign-in strikes and the last run in Unix milliseconds.

use crate::bookings::secs;
use crate::{db, SqliteStore};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use thirdplace_domain::retention::{
    RetentionCounts, RetentionCutoffs, RetentionPolicy, ERASED_GUEST_NAME,
};
use thirdplace_store::sql::retention_policy;
use thirdplace_store::{RetentionStore, StoreError, StoreResult};

/// Runs one statement and returns how many rows it changed.
async fn changed<'q>(
    conn: &mut sqlx::SqliteConnection,
    q: sqlx::query::Query<'q, sqlx::Sqlite, sqlx::sqlite::SqliteArguments<'q>>,
) -> StoreResult<u64> {
    Ok(q.execute(&mut *conn).await.map_err(db)?.rows_affected())
}

impl SqliteStore {
    /// Deletes closed check-ins from before the cut-off with their guest
    /// visits; `hub_visit_days` keeps counting them. Returns (check-ins,
    /// guest visits).
    async fn reduce_checkins(&self, c: RetentionCutoffs) -> StoreResult<(u64, u64)> {
        write!(self, |conn| {
            let guests = changed(
                conn,
                sqlx::query(
                    "DELETE FROM guest_visits WHERE host_checkin_id IN (SELECT id FROM checkins \
                     WHERE checked_in_at < ?1 AND checked_out_at IS NOT NULL)",
                )
                .bind(c.checkins),
            )
            .await?;
            let checkins = changed(
                conn,
                sqlx::query(
                    "DELETE FROM checkins WHERE checked_in_at < ?1 AND checked_out_at IS NOT NULL",
                )
                .bind(c.checkins),
            )
            .await?;
            Ok((checkins, guests))
        })
    }

    async fn run_one(&self, sql: &'static str, binds: OneBinds) -> StoreResult<u64> {
        write!(self, |conn| {
            let mut q = sqlx::query(sql);
            q = match binds {
                OneBinds::At(at) => q.bind(at),
                OneBinds::Int(n) => q.bind(n),
                OneBinds::AtName(at, name) => q.bind(at).bind(name),
            };
            changed(conn, q).await
        })
    }
}

/// What a single-statement reduction binds.
enum OneBinds {
    At(DateTime<Utc>),
    Int(i64),
    AtName(DateTime<Utc>, &'static str),
}

#[async_trait]
impl RetentionStore for SqliteStore {
    #[tracing::instrument(level = "debug", skip_all)]
    async fn retention_policy(&self) -> StoreResult<RetentionPolicy> {
        let row = sqlx::query("SELECT * FROM retention_policy WHERE id = 1")
            .fetch_optional(&mut *self.readers.get().await)
            .await
            .map_err(db)?;
        match row {
            Some(r) => retention_policy(&r).map_err(db),
            None => Ok(RetentionPolicy::default()),
        }
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn set_retention_policy(&self, p: &RetentionPolicy) -> StoreResult<()> {
        let p = *p;
        write!(self, |conn| {
            sqlx::query(
                "INSERT INTO retention_policy (id, checkin_days, guest_name_days, outbox_days, \
                 webhook_days, session_days, sign_in_failure_days) VALUES (1, ?, ?, ?, ?, ?, ?) \
                 ON CONFLICT (id) DO UPDATE SET checkin_days = excluded.checkin_days, \
                 guest_name_days = excluded.guest_name_days, outbox_days = excluded.outbox_days, \
                 webhook_days = excluded.webhook_days, session_days = excluded.session_days, \
                 sign_in_failure_days = excluded.sign_in_failure_days",
            )
            .bind(p.checkin_days)
            .bind(p.guest_name_days)
            .bind(p.email_days)
            .bind(p.webhook_days)
            .bind(p.session_days)
            .bind(p.sign_in_failure_days)
            .execute(&mut *conn)
            .await
            .map_err(db)?;
            Ok(())
        })
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn apply_retention(
        &self,
        p: &RetentionPolicy,
        now: DateTime<Utc>,
    ) -> StoreResult<RetentionCounts> {
        let c = p.cutoffs(now);
        let (checkins, guest_visits) = self.reduce_checkins(c).await?;
        let guest_names = self
            .run_one(
                "UPDATE guest_visits SET first_name = ?2, last_name = '' \
                 WHERE arrived_at < ?1 AND (first_name <> ?2 OR last_name <> '')",
                OneBinds::AtName(c.guest_names, ERASED_GUEST_NAME),
            )
            .await?;
        // Sent, or given up on: an unsent e-mail waiting in the queue keeps
        // what it needs to be sent.
        let emails = self
            .run_one(
                "UPDATE email_outbox SET to_address = '', body = '', last_error = NULL \
                 WHERE (sent_at < ?1 OR (sent_at IS NULL AND failed = 1 AND created_at < ?1)) \
                 AND (to_address <> '' OR body <> '' OR last_error IS NOT NULL)",
                OneBinds::Int(secs(c.emails)),
            )
            .await?;
        let webhook_payloads = self
            .run_one(
                "UPDATE webhook_deliveries SET payload = '', last_error = NULL \
                 WHERE created_at < ?1 AND (delivered_at IS NOT NULL OR failed = 1) \
                 AND (payload <> '' OR last_error IS NOT NULL)",
                OneBinds::At(c.webhook_payloads),
            )
            .await?;
        let sessions = self
            .run_one(
                "DELETE FROM sessions WHERE expires_at < ?1",
                OneBinds::At(c.sessions),
            )
            .await?;
        let api_tokens = self
            .run_one(
                "DELETE FROM api_tokens WHERE revoked_at < ?1",
                OneBinds::At(c.sessions),
            )
            .await?;
        let sign_in_failures = self
            .run_one(
                "DELETE FROM sign_in_strikes WHERE last_at < ?1",
                OneBinds::Int(c.sign_in_failures.timestamp_millis()),
            )
            .await?;
        Ok(RetentionCounts {
            checkins,
            guest_visits,
            guest_names,
            emails,
            webhook_payloads,
            sessions,
            api_tokens,
            sign_in_failures,
        })
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn claim_retention_run(
        &self,
        now: DateTime<Utc>,
        not_since: DateTime<Utc>,
    ) -> StoreResult<bool> {
        let (now, not_since) = (now.timestamp_millis(), not_since.timestamp_millis());
        let n = write!(self, |conn| {
            changed(
                conn,
                sqlx::query(
                    "UPDATE retention_policy SET last_run_at = ?1 \
                     WHERE id = 1 AND (last_run_at IS NULL OR last_run_at <= ?2)",
                )
                .bind(now)
                .bind(not_since),
            )
            .await
        })?;
        Ok(n == 1)
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn last_retention_run(&self) -> StoreResult<Option<DateTime<Utc>>> {
        let ms: Option<Option<i64>> =
            sqlx::query_scalar("SELECT last_run_at FROM retention_policy WHERE id = 1")
                .fetch_optional(&mut *self.readers.get().await)
                .await
                .map_err(db)?;
        ms.flatten()
            .map(|ms| {
                DateTime::from_timestamp_millis(ms).ok_or_else(|| {
                    StoreError::Database(format!("instant out of range: {ms}").into())
                })
            })
            .transpose()
    }
}
