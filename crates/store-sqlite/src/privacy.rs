//! Erasing a person (GDPR art. 17) in SQLite: one job of the store's
//! writer, inside a savepoint of its own, so that on an error nothing of it
//! stays; the writer runs erasures one after another. The steps and
//! `impl PrivacyStore` are [`thirdplace_store::sql::privacy`]'s; here are
//! the steps other capabilities own.

use crate::dialect::Lite;
use chrono::{DateTime, Utc};
use sqlx::sqlite::SqliteConnection;
use thirdplace_store::sql::privacy::Erase;
use thirdplace_store::{Cancellation, OutgoingEmail, RegistrationCancelled, StoreResult};
use uuid::Uuid;

impl Erase for Lite {
    async fn cancel_booking(
        conn: &mut SqliteConnection,
        id: Uuid,
        c: &Cancellation,
    ) -> StoreResult<()> {
        thirdplace_store::sql::bookings::cancel_booking::<Lite>(conn, id, c, None).await?;
        Ok(())
    }

    async fn cancel_registration(
        conn: &mut SqliteConnection,
        id: Uuid,
        at: DateTime<Utc>,
        promotion: Option<&OutgoingEmail>,
    ) -> StoreResult<RegistrationCancelled> {
        thirdplace_store::sql::events::cancel_registration::<Lite>(conn, id, at, promotion).await
    }
}
