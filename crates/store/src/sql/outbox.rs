//! The e-mail outbox's queries that both SQL backends run: the row, writing
//! an e-mail (also inside the transaction of the change it reports),
//! listing and marking. Claiming differs (PostgreSQL skips rows other
//! processes have locked), so each backend claims in its own SQL and maps
//! the rows with [`email`].

use super::backend::Backend;
use super::dialect::{self, Arg, Conn, Dialect, RowOf, Run};
use crate::OutboxStore;
use crate::{OutgoingEmail, StoreResult};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use uuid::Uuid;

pub fn email<D: Dialect>(r: &RowOf<D>) -> Result<OutgoingEmail, sqlx::Error> {
    use super::SqlRow;
    Ok(OutgoingEmail {
        id: r.column("id")?,
        to_address: r.column("to_address")?,
        subject: r.column("subject")?,
        body: r.column("body")?,
        created_at: D::instant(r, "created_at")?,
        sent_at: D::opt_instant(r, "sent_at")?,
        attempts: r.column("attempts")?,
        last_error: r.column("last_error")?,
        failed: r.column("failed")?,
    })
}

/// Writes `e`, due at once.
pub async fn insert_email<D: Dialect>(conn: &mut Conn<D>, e: &OutgoingEmail) -> StoreResult<()> {
    let args = vec![
        Arg::Id(e.id),
        Arg::Text(&e.to_address),
        Arg::Text(&e.subject),
        Arg::Text(&e.body),
        D::at(e.created_at),
        D::opt_at(e.sent_at),
        Arg::Int(e.attempts),
        D::at(e.created_at),
        Arg::OptText(e.last_error.as_deref()),
        Arg::Bool(e.failed),
    ];
    let sql = "INSERT INTO email_outbox (id, to_address, subject, body, created_at, sent_at, \
               attempts, next_attempt_at, last_error, failed) \
               VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)";
    D::DB::run(conn, sql, args).await.map_err(D::write_err)?;
    Ok(())
}

/// The outbox, newest first.
pub async fn list_emails<D: Dialect>(
    conn: &mut Conn<D>,
    limit: i64,
) -> StoreResult<Vec<OutgoingEmail>> {
    let sql = "SELECT * FROM email_outbox ORDER BY created_at DESC, id DESC LIMIT $1";
    dialect::all::<D, _>(conn, sql, vec![Arg::Int(limit.max(0))], email::<D>).await
}

pub async fn mark_email_sent<D: Dialect>(
    conn: &mut Conn<D>,
    id: Uuid,
    at: DateTime<Utc>,
) -> StoreResult<()> {
    let sql = "UPDATE email_outbox SET sent_at = $1, last_error = NULL WHERE id = $2";
    dialect::found::<D>(conn, sql, vec![D::at(at), Arg::Id(id)]).await
}

pub async fn mark_email_failed<D: Dialect>(
    conn: &mut Conn<D>,
    id: Uuid,
    error: &str,
    next_attempt_at: DateTime<Utc>,
    give_up: bool,
) -> StoreResult<()> {
    let sql = "UPDATE email_outbox SET last_error = $1, next_attempt_at = $2, failed = $3 \
               WHERE id = $4";
    let args = vec![
        Arg::Text(error),
        D::at(next_attempt_at),
        Arg::Bool(give_up),
        Arg::Id(id),
    ];
    dialect::found::<D>(conn, sql, args).await
}

#[async_trait]
impl<B: Backend> OutboxStore for B {
    #[tracing::instrument(level = "debug", skip_all)]
    async fn queue_email(&self, e: &OutgoingEmail) -> StoreResult<()> {
        let e = e.clone();
        self.write(move |c| Box::pin(async move { insert_email::<B::D>(c, &e).await }))
            .await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn list_emails(&self, limit: i64) -> StoreResult<Vec<OutgoingEmail>> {
        list_emails::<B::D>(&mut *self.reader().await?, limit).await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn claim_emails(
        &self,
        now: DateTime<Utc>,
        lease: chrono::Duration,
        limit: i64,
    ) -> StoreResult<Vec<OutgoingEmail>> {
        if limit <= 0 {
            return Ok(Vec::new());
        }
        self.claim_due_emails(now, lease, limit).await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn mark_email_sent(&self, id: Uuid, at: DateTime<Utc>) -> StoreResult<()> {
        self.write(move |c| Box::pin(async move { mark_email_sent::<B::D>(c, id, at).await }))
            .await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn mark_email_failed(
        &self,
        id: Uuid,
        error: &str,
        next_attempt_at: DateTime<Utc>,
        give_up: bool,
    ) -> StoreResult<()> {
        let error = error.to_owned();
        self.write(move |c| {
            Box::pin(async move {
                mark_email_failed::<B::D>(c, id, &error, next_attempt_at, give_up).await
            })
        })
        .await
    }
}
