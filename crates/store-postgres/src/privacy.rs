//! Erasing a person (GDPR art. 17) in one transaction. What is kept for
//! bookkeeping and statistics stays, pointing at an anonymous person.

use crate::bookings::cancel_booking_in;
use crate::events::cancel_registration_in;
use crate::{db, PostgresStore};
use async_trait::async_trait;
use sqlx::PgConnection;
use thirdplace_store::sql::FetchValue;
use thirdplace_store::{
    Cancellation, Erased, Erasure, PrivacyStore, Refusal, StoreError, StoreResult,
};
use uuid::Uuid;

async fn erase_in(conn: &mut PgConnection, e: &Erasure) -> StoreResult<Erased> {
    let id = e.person_id;
    // Locks the person, and (for an admin) every network admin, so that
    // two admins erasing each other cannot both pass the check below.
    let row: Option<(String, bool)> =
        sqlx::query_as("SELECT email, is_network_admin FROM people WHERE id = $1 FOR UPDATE")
            .bind(id)
            .optional_value(&mut *conn)
            .await?;
    let (email, is_admin) = row.ok_or(StoreError::NotFound)?;
    if is_admin {
        let others: Vec<Uuid> = sqlx::query_scalar(
            "SELECT id FROM people WHERE is_network_admin AND NOT archived AND id <> $1 \
             ORDER BY id FOR UPDATE",
        )
        .bind(id)
        .fetch_all(&mut *conn)
        .await
        .map_err(db)?;
        if others.is_empty() {
            return Err(StoreError::Refused(Refusal::LastNetworkAdmin));
        }
    }
    // Future bookings, except an event's room booking: that follows its
    // event, which stays (with an anonymous organiser) for the hosts.
    let bookings: Vec<Uuid> = sqlx::query_scalar(
        "SELECT b.id FROM bookings b WHERE b.booker_id = $1 AND b.status = 'confirmed' \
         AND b.starts_at > $2 AND NOT EXISTS (SELECT 1 FROM events ev \
         WHERE ev.booking_id = b.id AND ev.status <> 'cancelled') ORDER BY b.starts_at, b.id",
    )
    .bind(id)
    .bind(e.at)
    .fetch_all(&mut *conn)
    .await
    .map_err(db)?;
    let cancellation = Cancellation {
        at: e.at,
        by: id,
        reason: "erased".into(),
        charged: false,
    };
    for b in &bookings {
        cancel_booking_in(&mut *conn, *b, &cancellation, None).await?;
    }
    let registrations: Vec<(Uuid, Uuid)> = sqlx::query_as(
        "SELECT r.id, r.event_id FROM event_registrations r JOIN events ev ON ev.id = r.event_id \
         WHERE r.person_id = $1 AND r.status <> 'cancelled' AND ev.starts_at > $2 \
         ORDER BY ev.starts_at, r.id",
    )
    .bind(id)
    .bind(e.at)
    .fetch_all(&mut *conn)
    .await
    .map_err(db)?;
    let mut cancelled_registrations = Vec::new();
    for (r, event_id) in registrations {
        let promotion = e
            .promotions
            .iter()
            .find(|(id, _)| *id == event_id)
            .map(|(_, m)| m);
        cancelled_registrations.push(cancel_registration_in(&mut *conn, r, e.at, promotion).await?);
    }
    let q = |sql: &'static str| sqlx::query(sql);
    q("DELETE FROM email_outbox WHERE lower(to_address) = lower($1) AND sent_at IS NULL")
        .bind(&email)
        .execute(&mut *conn)
        .await
        .map_err(db)?;
    // Sent e-mails stay as a record that they were sent, without their text.
    q(
        "UPDATE email_outbox SET to_address = $2, subject = '', body = '', last_error = NULL \
       WHERE lower(to_address) = lower($1)",
    )
    .bind(&email)
    .bind(&e.placeholder_email)
    .execute(&mut *conn)
    .await
    .map_err(db)?;
    // Webhook payloads carry the person's id and first name (check-ins,
    // guests); the deliveries are a log and a queue of signals to door locks
    // and screens, not records the law asks us to keep.
    q("DELETE FROM webhook_deliveries WHERE payload LIKE $1")
        .bind(format!("%{id}%"))
        .execute(&mut *conn)
        .await
        .map_err(db)?;
    q("DELETE FROM sign_in_strikes WHERE key = $1")
        .bind(thirdplace_store::account_key(&email))
        .execute(&mut *conn)
        .await
        .map_err(db)?;
    for sql in [
        "DELETE FROM sessions WHERE person_id = $1",
        "DELETE FROM api_tokens WHERE person_id = $1",
        "DELETE FROM hub_hosts WHERE person_id = $1",
        "DELETE FROM organisation_admins WHERE person_id = $1",
        // The row keeps the generations of the card and the calendar feed;
        // moving them on makes old QR codes and feed addresses worthless.
        "UPDATE member_profiles SET visible = FALSE, expertise = '{}', \
         qr_generation = qr_generation + 1, calendar_generation = calendar_generation + 1 \
         WHERE person_id = $1",
    ] {
        q(sql).bind(id).execute(&mut *conn).await.map_err(db)?;
    }
    q("UPDATE guest_visits SET first_name = $2, last_name = '' WHERE host_person_id = $1")
        .bind(id)
        .bind(&e.placeholder_name)
        .execute(&mut *conn)
        .await
        .map_err(db)?;
    q(
        "UPDATE people SET first_name = $2, last_name = '', email = $3, password_hash = NULL, \
       is_network_admin = FALSE, archived = TRUE WHERE id = $1",
    )
    .bind(id)
    .bind(&e.placeholder_name)
    .bind(&e.placeholder_email)
    .execute(&mut *conn)
    .await
    .map_err(db)?;
    Ok(Erased {
        cancelled_bookings: bookings,
        cancelled_registrations,
    })
}

#[async_trait]
impl PrivacyStore for PostgresStore {
    #[tracing::instrument(level = "debug", skip_all)]
    async fn erase_person(&self, e: &Erasure) -> StoreResult<Erased> {
        let mut tx = self.pool.begin().await.map_err(db)?;
        let erased = erase_in(&mut tx, e).await?;
        tx.commit().await.map_err(db)?;
        Ok(erased)
    }
}
