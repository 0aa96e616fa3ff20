//! What the GDPR asks of the store: erasing a person ("radering").
//! (A person's export is read through the other capabilities.)

use crate::{OutgoingEmail, RegistrationCancelled, StoreResult};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use uuid::Uuid;

/// What erasing a person (GDPR art. 17, "radering") writes in their place.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Erasure {
    pub person_id: Uuid,
    /// The instant that divides past (kept) from future (cancelled).
    pub at: DateTime<Utc>,
    /// The name left on the kept records, e.g. "Raderad".
    pub placeholder_name: String,
    /// A unique address that cannot receive mail, e.g. `erased-<uuid>@invalid`.
    pub placeholder_email: String,
    /// Per event (by id): sent to each person who moves up from its
    /// waiting list when the erased person's place is freed.
    pub promotions: Vec<(Uuid, OutgoingEmail)>,
}

/// What an erasure cancelled.
#[derive(Debug, Clone, PartialEq)]
pub struct Erased {
    pub cancelled_bookings: Vec<Uuid>,
    pub cancelled_registrations: Vec<RegistrationCancelled>,
}

/// Erasing a person.
#[async_trait]
pub trait PrivacyStore: Send + Sync {
    /// Erases a person in one transaction: name, e-mail and password
    /// replaced or removed, archived, roles, sessions, API tokens, login
    /// failures and profile removed (the card and calendar feed generations
    /// move on so that old codes and feed addresses stop working), future
    /// bookings cancelled uncharged (their included minutes free again),
    /// future event registrations cancelled with the waiting list promoted,
    /// unsent e-mails to them deleted (sent ones lose address and body), and
    /// the names of guests they registered erased. Past bookings, check-ins,
    /// seat history and events stay, pointing at the anonymous person.
    /// `Refusal::LastNetworkAdmin` for the last network admin;
    /// `NotFound` for an unknown person. Nothing is written on an error.
    async fn erase_person(&self, e: &Erasure) -> StoreResult<Erased>;
}
