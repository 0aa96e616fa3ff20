//! Erasing a person (GDPR art. 17) in PostgreSQL: one transaction, which
//! locks the person (and, for an admin, every network admin) before it
//! decides. The steps are [`thirdplace_store::sql::privacy`]'s.

use crate::dialect::Pg;
use crate::{db, PostgresStore};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use sqlx::PgConnection;
use thirdplace_store::sql::privacy::{erase_person, Erase};
use thirdplace_store::{
    Cancellation, Erased, Erasure, OutgoingEmail, PrivacyStore, RegistrationCancelled, StoreResult,
};
use uuid::Uuid;

impl Erase for Pg {
    async fn cancel_booking(
        conn: &mut PgConnection,
        id: Uuid,
        c: &Cancellation,
    ) -> StoreResult<()> {
        crate::bookings::cancel_booking_in(conn, id, c, None).await?;
        Ok(())
    }

    async fn cancel_registration(
        conn: &mut PgConnection,
        id: Uuid,
        at: DateTime<Utc>,
        promotion: Option<&OutgoingEmail>,
    ) -> StoreResult<RegistrationCancelled> {
        crate::events::cancel_registration_in(conn, id, at, promotion).await
    }
}

#[async_trait]
impl PrivacyStore for PostgresStore {
    #[tracing::instrument(level = "debug", skip_all)]
    async fn erase_person(&self, e: &Erasure) -> StoreResult<Erased> {
        let mut tx = self.pool.begin().await.map_err(db)?;
        let erased = erase_person::<Pg>(&mut tx, e).await?;
        tx.commit().await.map_err(db)?;
        Ok(erased)
    }
}
