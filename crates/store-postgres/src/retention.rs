//! [`RetentionStore`] for PostgreSQL: the policy in its one row of
//! `retention_policy`, and each kind's reduction in a transaction of its
//! own. Several processes may reduce at once: a second `DELETE` or
//! `UPDATE` of the same rows waits for the first, then finds its condition
//! no longer true and changes nothing, so every row is counted once.

use crate::{db, PostgresStore};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use thirdplace_domain::retention::{RetentionCounts, RetentionPolicy, ERASED_GUEST_NAME};
use thirdplace_store::sql::retention_policy;
use thirdplace_store::{RetentionStore, StoreResult};

impl PostgresStore {
    /// Runs one statement in a transaction of its own, binding `at` as `$1`
    /// (and `name` as `$2` when given); how many rows it changed.
    async fn reduce(
        &self,
        sql: &'static str,
        at: DateTime<Utc>,
        name: Option<&str>,
    ) -> StoreResult<u64> {
        let mut q = sqlx::query(sql).bind(at);
        if let Some(n) = name {
            q = q.bind(n);
        }
        Ok(q.execute(&self.pool).await.map_err(db)?.rows_affected())
    }
}

#[async_trait]
impl RetentionStore for PostgresStore {
    #[tracing::instrument(level = "debug", skip_all)]
    async fn retention_policy(&self) -> StoreResult<RetentionPolicy> {
        let row = sqlx::query("SELECT * FROM retention_policy WHERE id = 1")
            .fetch_optional(&self.pool)
            .await
            .map_err(db)?;
        match row {
            Some(r) => retention_policy(&r).map_err(db),
            None => Ok(RetentionPolicy::default()),
        }
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn set_retention_policy(&self, p: &RetentionPolicy) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO retention_policy (id, checkin_days, guest_name_days, outbox_days, \
             webhook_days, session_days, sign_in_failure_days) VALUES (1, $1, $2, $3, $4, $5, $6) \
             ON CONFLICT (id) DO UPDATE SET checkin_days = EXCLUDED.checkin_days, \
             guest_name_days = EXCLUDED.guest_name_days, outbox_days = EXCLUDED.outbox_days, \
             webhook_days = EXCLUDED.webhook_days, session_days = EXCLUDED.session_days, \
             sign_in_failure_days = EXCLUDED.sign_in_failure_days",
        )
        .bind(p.checkin_days)
        .bind(p.guest_name_days)
        .bind(p.email_days)
        .bind(p.webhook_days)
        .bind(p.session_days)
        .bind(p.sign_in_failure_days)
        .execute(&self.pool)
        .await
        .map_err(db)?;
        Ok(())
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn apply_retention(
        &self,
        p: &RetentionPolicy,
        now: DateTime<Utc>,
    ) -> StoreResult<RetentionCounts> {
        let c = p.cutoffs(now);
        // Check-ins with their guest visits, in one transaction: the visits
        // stay counted in `hub_visit_days`.
        let mut tx = self.pool.begin().await.map_err(db)?;
        let old: Vec<uuid::Uuid> = sqlx::query_scalar(
            "SELECT id FROM checkins WHERE checked_in_at < $1 AND checked_out_at IS NOT NULL \
             ORDER BY id FOR UPDATE",
        )
        .bind(c.checkins)
        .fetch_all(&mut *tx)
        .await
        .map_err(db)?;
        let guest_visits = sqlx::query("DELETE FROM guest_visits WHERE host_checkin_id = ANY($1)")
            .bind(&old)
            .execute(&mut *tx)
            .await
            .map_err(db)?
            .rows_affected();
        let checkins = sqlx::query("DELETE FROM checkins WHERE id = ANY($1)")
            .bind(&old)
            .execute(&mut *tx)
            .await
            .map_err(db)?
            .rows_affected();
        tx.commit().await.map_err(db)?;

        let guest_names = self
            .reduce(
                "UPDATE guest_visits SET first_name = $2, last_name = '' \
                 WHERE arrived_at < $1 AND (first_name <> $2 OR last_name <> '')",
                c.guest_names,
                Some(ERASED_GUEST_NAME),
            )
            .await?;
        // Sent, or given up on: an unsent e-mail waiting in the queue keeps
        // what it needs to be sent.
        let emails = self
            .reduce(
                "UPDATE email_outbox SET to_address = '', body = '', last_error = NULL \
                 WHERE (sent_at < $1 OR (sent_at IS NULL AND failed AND created_at < $1)) \
                 AND (to_address <> '' OR body <> '' OR last_error IS NOT NULL)",
                c.emails,
                None,
            )
            .await?;
        let webhook_payloads = self
            .reduce(
                "UPDATE webhook_deliveries SET payload = '', last_error = NULL \
                 WHERE created_at < $1 AND (delivered_at IS NOT NULL OR failed) \
                 AND (payload <> '' OR last_error IS NOT NULL)",
                c.webhook_payloads,
                None,
            )
            .await?;
        let sessions = self
            .reduce(
                "DELETE FROM sessions WHERE expires_at < $1",
                c.sessions,
                None,
            )
            .await?;
        let api_tokens = self
            .reduce(
                "DELETE FROM api_tokens WHERE revoked_at < $1",
                c.sessions,
                None,
            )
            .await?;
        let sign_in_failures = self
            .reduce(
                "DELETE FROM sign_in_strikes WHERE last_at < $1",
                c.sign_in_failures,
                None,
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
        let n = sqlx::query(
            "UPDATE retention_policy SET last_run_at = $1 \
             WHERE id = 1 AND (last_run_at IS NULL OR last_run_at <= $2)",
        )
        .bind(now)
        .bind(not_since)
        .execute(&self.pool)
        .await
        .map_err(db)?
        .rows_affected();
        Ok(n == 1)
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn last_retention_run(&self) -> StoreResult<Option<DateTime<Utc>>> {
        let at: Option<Option<DateTime<Utc>>> =
            sqlx::query_scalar("SELECT last_run_at FROM retention_policy WHERE id = 1")
                .fetch_optional(&self.pool)
                .await
                .map_err(db)?;
        Ok(at.flatten())
    }
}
