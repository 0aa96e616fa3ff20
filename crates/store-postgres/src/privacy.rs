//! Erasing a person (GDPR art. 17) in PostgreSQL: one transaction, which
//! locks the person (and, for an admin, every network admin) before it
//! decides. The steps and `impl PrivacyStore` are
//! [`thirdplace_store::sql::privacy`]'s; here are the steps other
//! capabilities own.

use crate::dialect::Pg;
use chrono::{DateTime, Utc};
use sqlx::PgConnection;
use thirdplace_store::sql::privacy::Erase;
use thirdplace_store::{Cancellation, OutgoingEmail, RegistrationCancelled, StoreResult};
use uuid::Uuid;

impl Erase for Pg {
    async fn cancel_booking(
        conn: &mut PgConnection,
        id: Uuid,
        c: &Cancellation,
    ) -> StoreResult<()> {
        thirdplace_store::sql::bookings::cancel_booking::<Pg>(conn, id, c, None).await?;
        Ok(())
    }

    async fn cancel_registration(
        conn: &mut PgConnection,
        id: Uuid,
        at: DateTime<Utc>,
        promotion: Option<&OutgoingEmail>,
    ) -> StoreResult<RegistrationCancelled> {
        thirdplace_store::sql::events::cancel_registration::<Pg>(conn, id, at, promotion).await
    }
}
