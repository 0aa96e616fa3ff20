//! Retention in both SQL backends: the policy's one row, the run marker,
//! and the reductions, each kind in a write of its own ([`Backend::write`]);
//! check-ins go as the backend says ([`Backend::reduce_checkins`]). Instants are compared as each
//! table keeps them: in SQLite check-ins, guests, deliveries, sessions and
//! tokens as sqlx's RFC 3339 text ([`Arg::Timestamp`]), e-mails as
//! [`Dialect::INSTANTS`], sign-in strikes and the last run as
//! [`Dialect::PRECISE_INSTANTS`].

use super::backend::Backend;
use super::dialect::{self, Arg, Conn, Dialect};
use crate::RetentionStore;
use crate::StoreResult;
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use thirdplace_domain::retention::{RetentionCounts, RetentionPolicy, ERASED_GUEST_NAME};

/// Runs one reduction as a write of its own (a kind is reduced whole or
/// not at all); how many rows it changed.
async fn reduce<B: Backend>(s: &B, sql: &'static str, args: Vec<Arg<'static>>) -> StoreResult<u64> {
    s.write(move |c| Box::pin(async move { dialect::run::<B::D>(c, sql, args).await }))
        .await
}

/// The policy, or the default one if none was set.
pub async fn policy<D: Dialect>(conn: &mut Conn<D>) -> StoreResult<RetentionPolicy> {
    let sql = "SELECT * FROM retention_policy WHERE id = 1";
    let p = dialect::optional::<D, _>(conn, sql, Vec::new(), super::retention_policy).await?;
    Ok(p.unwrap_or_default())
}

pub async fn set_policy<D: Dialect>(conn: &mut Conn<D>, p: &RetentionPolicy) -> StoreResult<()> {
    let sql = "INSERT INTO retention_policy (id, checkin_days, guest_name_days, outbox_days, \
               webhook_days, session_days, sign_in_failure_days) VALUES (1, $1, $2, $3, $4, $5, $6) \
               ON CONFLICT (id) DO UPDATE SET checkin_days = excluded.checkin_days, \
               guest_name_days = excluded.guest_name_days, outbox_days = excluded.outbox_days, \
               webhook_days = excluded.webhook_days, session_days = excluded.session_days, \
               sign_in_failure_days = excluded.sign_in_failure_days";
    let days = [
        p.checkin_days,
        p.guest_name_days,
        p.email_days,
        p.webhook_days,
        p.session_days,
        p.sign_in_failure_days,
    ];
    dialect::run::<D>(conn, sql, days.into_iter().map(Arg::Int).collect()).await?;
    Ok(())
}

/// Reduces what `p` says is kept too long at `now`.
pub async fn apply<B: Backend>(
    s: &B,
    p: &RetentionPolicy,
    now: DateTime<Utc>,
) -> StoreResult<RetentionCounts> {
    let c = p.cutoffs(now);
    let (checkins, guest_visits) = s.reduce_checkins(c.checkins).await?;
    let guest_names = reduce(
        s,
        "UPDATE guest_visits SET first_name = $2, last_name = '' \
             WHERE arrived_at < $1 AND (first_name <> $2 OR last_name <> '')",
        vec![Arg::Timestamp(c.guest_names), Arg::Text(ERASED_GUEST_NAME)],
    )
    .await?;
    // Sent, or given up on: an unsent e-mail waiting in the queue keeps
    // what it needs to be sent.
    let emails = reduce(
        s,
        "UPDATE email_outbox SET to_address = '', body = '', last_error = NULL \
             WHERE (sent_at < $1 OR (sent_at IS NULL AND failed AND created_at < $1)) \
             AND (to_address <> '' OR body <> '' OR last_error IS NOT NULL)",
        vec![B::D::at(c.emails)],
    )
    .await?;
    let webhook_payloads = reduce(
        s,
        "UPDATE webhook_deliveries SET payload = '', last_error = NULL \
             WHERE created_at < $1 AND (delivered_at IS NOT NULL OR failed) \
             AND (payload <> '' OR last_error IS NOT NULL)",
        vec![Arg::Timestamp(c.webhook_payloads)],
    )
    .await?;
    let sessions = reduce(
        s,
        "DELETE FROM sessions WHERE expires_at < $1",
        vec![Arg::Timestamp(c.sessions)],
    )
    .await?;
    let api_tokens = reduce(
        s,
        "DELETE FROM api_tokens WHERE revoked_at < $1",
        vec![Arg::Timestamp(c.sessions)],
    )
    .await?;
    // A one-time link is finished once used or revoked, and a password
    // reset also once run out. An invitation that ran out unused stays:
    // the admins' lists say "invitation expired" from it, and there is at
    // most one per person (a new invitation revokes it). A single sign-on
    // under way is finished once run out (a used one is kept to refuse a
    // replayed callback until then).
    let sign_in_links = reduce(
        s,
        "DELETE FROM one_time_tokens WHERE used_at < $1 OR revoked_at < $1 \
         OR (kind = 'password_reset' AND expires_at < $1)",
        vec![Arg::Timestamp(c.sessions)],
    )
    .await?
        + reduce(
            s,
            "DELETE FROM sso_flows WHERE expires_at < $1",
            vec![Arg::Timestamp(c.sessions)],
        )
        .await?;
    let sign_in_failures = reduce(
        s,
        "DELETE FROM sign_in_strikes WHERE last_at < $1",
        vec![B::D::PRECISE_INSTANTS.arg(Some(c.sign_in_failures))],
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
        sign_in_links,
        sign_in_failures,
    })
}

/// Marks a run at `now` unless one ran after `not_since`; whether it did.
pub async fn claim_run<D: Dialect>(
    conn: &mut Conn<D>,
    now: DateTime<Utc>,
    not_since: DateTime<Utc>,
) -> StoreResult<bool> {
    let sql = "UPDATE retention_policy SET last_run_at = $1 \
               WHERE id = 1 AND (last_run_at IS NULL OR last_run_at <= $2)";
    let at = |t| D::PRECISE_INSTANTS.arg(Some(t));
    Ok(dialect::run::<D>(conn, sql, vec![at(now), at(not_since)]).await? == 1)
}

pub async fn last_run<D: Dialect>(conn: &mut Conn<D>) -> StoreResult<Option<DateTime<Utc>>> {
    let sql = "SELECT last_run_at FROM retention_policy WHERE id = 1";
    let at = dialect::optional::<D, _>(conn, sql, Vec::new(), |r| {
        D::PRECISE_INSTANTS.read(r, "last_run_at")
    })
    .await?;
    Ok(at.flatten())
}

#[async_trait]
impl<B: Backend> RetentionStore for B {
    #[tracing::instrument(level = "debug", skip_all)]
    async fn retention_policy(&self) -> StoreResult<RetentionPolicy> {
        policy::<B::D>(&mut *self.reader().await?).await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn set_retention_policy(&self, p: &RetentionPolicy) -> StoreResult<()> {
        let p = *p;
        self.write(move |c| Box::pin(async move { set_policy::<B::D>(c, &p).await }))
            .await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn apply_retention(
        &self,
        p: &RetentionPolicy,
        now: DateTime<Utc>,
    ) -> StoreResult<RetentionCounts> {
        apply(self, p, now).await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn claim_retention_run(
        &self,
        now: DateTime<Utc>,
        not_since: DateTime<Utc>,
    ) -> StoreResult<bool> {
        self.write(move |c| Box::pin(async move { claim_run::<B::D>(c, now, not_since).await }))
            .await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn last_retention_run(&self) -> StoreResult<Option<DateTime<Utc>>> {
        last_run::<B::D>(&mut *self.reader().await?).await
    }
}
