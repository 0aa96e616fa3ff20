//! Erasing a person (GDPR art. 17), written once for both SQL backends: the
//! caller runs it in one transaction (SQLite: a job of the one writer;
//! PostgreSQL: a transaction that locks the people it decides on). What is
//! kept for bookkeeping and statistics stays, pointing at an anonymous
//! person.

use super::backend::Backend;
use super::dialect::{self, Arg, Conn, Dialect};
use super::SqlRow;
use crate::PrivacyStore;
use crate::{
    Cancellation, Erased, Erasure, OutgoingEmail, Refusal, RegistrationCancelled, StoreError,
    StoreResult,
};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use std::future::Future;
use uuid::Uuid;

/// The steps of an erasure that other capabilities own, as each backend
/// runs them inside the caller's transaction.
pub trait Erase: Dialect {
    /// Cancels a booking (no notice is sent).
    fn cancel_booking<'a>(
        conn: &'a mut Conn<Self>,
        id: Uuid,
        c: &'a Cancellation,
    ) -> impl Future<Output = StoreResult<()>> + Send + 'a;

    /// Cancels a registration, giving its place to the next one waiting.
    fn cancel_registration<'a>(
        conn: &'a mut Conn<Self>,
        id: Uuid,
        at: DateTime<Utc>,
        promotion: Option<&'a OutgoingEmail>,
    ) -> impl Future<Output = StoreResult<RegistrationCancelled>> + Send + 'a;
}

/// Erases `e.person_id` in the caller's transaction.
pub async fn erase_person<D: Erase>(conn: &mut Conn<D>, e: &Erasure) -> StoreResult<Erased> {
    let id = e.person_id;
    // With the person (and, for an admin, every network admin) locked or
    // written by the one writer, two admins erasing each other cannot both
    // pass the check below.
    let sql = format!(
        "SELECT email, is_network_admin FROM people WHERE id = $1{}",
        D::LOCK
    );
    let row = dialect::optional::<D, (String, bool)>(conn, &sql, vec![Arg::Id(id)], |r| {
        Ok((r.column("email")?, r.column("is_network_admin")?))
    })
    .await?;
    let (email, is_admin) = row.ok_or(StoreError::NotFound)?;
    if is_admin {
        let sql = format!(
            "SELECT id FROM people WHERE is_network_admin AND NOT archived AND id <> $1 \
             ORDER BY id{}",
            D::LOCK
        );
        let others =
            dialect::all::<D, Uuid>(conn, &sql, vec![Arg::Id(id)], |r| r.column("id")).await?;
        if others.is_empty() {
            return Err(StoreError::Refused(Refusal::LastNetworkAdmin));
        }
    }
    // Future bookings, except an event's room booking: that follows its
    // event, which stays (with an anonymous organiser) for the hosts.
    let bookings = dialect::all::<D, Uuid>(
        conn,
        "SELECT b.id FROM bookings b WHERE b.booker_id = $1 AND b.status = 'confirmed' \
         AND b.starts_at > $2 AND NOT EXISTS (SELECT 1 FROM events ev \
         WHERE ev.booking_id = b.id AND ev.status <> 'cancelled') ORDER BY b.starts_at, b.id",
        vec![Arg::Id(id), D::at(e.at)],
        |r| r.column("id"),
    )
    .await?;
    let cancellation = Cancellation {
        at: e.at,
        by: id,
        reason: "erased".into(),
        charged: false,
    };
    for b in &bookings {
        D::cancel_booking(&mut *conn, *b, &cancellation).await?;
    }
    let registrations = dialect::all::<D, (Uuid, Uuid)>(
        conn,
        "SELECT r.id, r.event_id FROM event_registrations r JOIN events ev ON ev.id = r.event_id \
         WHERE r.person_id = $1 AND r.status <> 'cancelled' AND ev.starts_at > $2 \
         ORDER BY ev.starts_at, r.id",
        vec![Arg::Id(id), D::at(e.at)],
        |r| Ok((r.column("id")?, r.column("event_id")?)),
    )
    .await?;
    let mut cancelled_registrations = Vec::new();
    for (r, event_id) in registrations {
        let promotion = e
            .promotions
            .iter()
            .find(|(id, _)| *id == event_id)
            .map(|(_, m)| m);
        cancelled_registrations.push(D::cancel_registration(&mut *conn, r, e.at, promotion).await?);
    }
    let empty_list = format!(
        "UPDATE member_profiles SET visible = FALSE, expertise = {}, \
         qr_generation = qr_generation + 1, calendar_generation = calendar_generation + 1 \
         WHERE person_id = $1",
        D::EMPTY_LIST
    );
    let by_person = [
        "DELETE FROM sessions WHERE person_id = $1",
        "DELETE FROM api_tokens WHERE person_id = $1",
        // Single sign-on: the provider's subject no longer leads here.
        "DELETE FROM identity_links WHERE person_id = $1",
        // Unused invitation and reset links would open the erased account.
        "DELETE FROM one_time_tokens WHERE person_id = $1",
        "DELETE FROM hub_hosts WHERE person_id = $1",
        "DELETE FROM organisation_admins WHERE person_id = $1",
        "DELETE FROM operator_staff WHERE person_id = $1",
        // The row keeps the generations of the card and the calendar feed;
        // moving them on makes old QR codes and feed addresses worthless.
        &empty_list,
    ];
    let steps: Vec<(&str, Vec<Arg>)> = vec![
        (
            "DELETE FROM email_outbox WHERE lower(to_address) = lower($1) AND sent_at IS NULL",
            vec![Arg::Text(&email)],
        ),
        // Sent e-mails stay as a record that they were sent, without their text.
        (
            "UPDATE email_outbox SET to_address = $2, subject = '', body = '', last_error = NULL \
             WHERE lower(to_address) = lower($1)",
            vec![Arg::Text(&email), Arg::Text(&e.placeholder_email)],
        ),
        // Webhook payloads carry the person's id and first name (check-ins,
        // guests); the deliveries are a log and a queue of signals to door
        // locks and screens, not records the law asks us to keep.
        (
            "DELETE FROM webhook_deliveries WHERE payload LIKE $1",
            vec![Arg::Owned(format!("%{id}%"))],
        ),
        (
            "DELETE FROM sign_in_strikes WHERE key = $1",
            vec![Arg::Owned(crate::account_key(&email))],
        ),
    ];
    let steps = steps
        .into_iter()
        .chain(by_person.into_iter().map(|sql| (sql, vec![Arg::Id(id)])))
        .chain([
            (
                "UPDATE guest_visits SET first_name = $2, last_name = '' WHERE host_person_id = $1",
                vec![Arg::Id(id), Arg::Text(&e.placeholder_name)],
            ),
            (
                "UPDATE people SET first_name = $2, last_name = '', email = $3, \
                 password_hash = NULL, language = NULL, is_network_admin = FALSE, archived = TRUE \
                 WHERE id = $1",
                vec![
                    Arg::Id(id),
                    Arg::Text(&e.placeholder_name),
                    Arg::Text(&e.placeholder_email),
                ],
            ),
        ]);
    for (sql, args) in steps {
        dialect::run::<D>(conn, sql, args).await?;
    }
    Ok(Erased {
        cancelled_bookings: bookings,
        cancelled_registrations,
    })
}

#[async_trait]
impl<B: Backend> PrivacyStore for B {
    #[tracing::instrument(level = "debug", skip_all)]
    async fn erase_person(&self, e: &Erasure) -> StoreResult<Erased> {
        let e = e.clone();
        self.transaction(move |c| Box::pin(async move { erase_person::<B::D>(c, &e).await }))
            .await
    }
}
