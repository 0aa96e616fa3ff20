//! The e-mail outbox: e-mails are written to the database (often in the
//! transaction of the change they report) and senders claim them from there.

use crate::StoreResult;
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use uuid::Uuid;

/// An e-mail waiting in the database's outbox. It is sent through SMTP when
/// the server has SMTP configured; otherwise admins read it in the outbox.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutgoingEmail {
    pub id: Uuid,
    pub to_address: String,
    pub subject: String,
    pub body: String,
    pub created_at: DateTime<Utc>,
    pub sent_at: Option<DateTime<Utc>>,
    pub attempts: i64,
    pub last_error: Option<String>,
    /// Given up on after too many attempts; kept for admins.
    pub failed: bool,
}

/// The e-mail outbox.
#[async_trait]
pub trait OutboxStore: Send + Sync {
    async fn queue_email(&self, e: &OutgoingEmail) -> StoreResult<()>;

    /// The outbox, newest first.
    async fn list_emails(&self, limit: i64) -> StoreResult<Vec<OutgoingEmail>>;

    /// Hands out up to `limit` e-mails due at `now`, hiding each from other
    /// senders until `now + lease` and counting an attempt.
    async fn claim_emails(
        &self,
        now: DateTime<Utc>,
        lease: chrono::Duration,
        limit: i64,
    ) -> StoreResult<Vec<OutgoingEmail>>;

    async fn mark_email_sent(&self, id: Uuid, at: DateTime<Utc>) -> StoreResult<()>;

    async fn mark_email_failed(
        &self,
        id: Uuid,
        error: &str,
        next_attempt_at: DateTime<Utc>,
        give_up: bool,
    ) -> StoreResult<()>;
}
