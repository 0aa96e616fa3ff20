//! Erasing a person (GDPR art. 17) in SQLite: one job of the store's
//! writer, inside a savepoint of its own, so that on an error nothing of it
//! stays; the writer runs erasures one after another. The steps are
//! [`thirdplace_store::sql::privacy`]'s.

use crate::dialect::Lite;
use crate::SqliteStore;
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use sqlx::sqlite::SqliteConnection;
use thirdplace_store::sql::privacy::{erase_person, Erase};
use thirdplace_store::{
    Cancellation, Erased, Erasure, OutgoingEmail, PrivacyStore, RegistrationCancelled, StoreResult,
};
use uuid::Uuid;

impl Erase for Lite {
    async fn cancel_booking(
        conn: &mut SqliteConnection,
        id: Uuid,
        c: &Cancellation,
    ) -> StoreResult<()> {
        crate::bookings::cancel_booking(conn, id, c, None).await?;
        Ok(())
    }

    async fn cancel_registration(
        conn: &mut SqliteConnection,
        id: Uuid,
        at: DateTime<Utc>,
        promotion: Option<&OutgoingEmail>,
    ) -> StoreResult<RegistrationCancelled> {
        crate::events::cancel_registration(conn, id, at, promotion).await
    }
}

#[async_trait]
impl PrivacyStore for SqliteStore {
    #[tracing::instrument(level = "debug", skip_all)]
    async fn erase_person(&self, e: &Erasure) -> StoreResult<Erased> {
        let e = e.clone();
        write!(self, |conn| erase_person::<Lite>(conn, &e).await)
    }
}
