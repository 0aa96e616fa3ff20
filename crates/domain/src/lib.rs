//! thirdplace's domain: the types and rules of a network of coworking hubs.
//!
//! Everything here is pure: no SQL, no HTTP, no clock that was not handed in
//! as an argument. Input from the edges is parsed into these types
//! ("parse, don't validate"); past the edge a value of such a type is valid
//! by construction.

pub mod booking;
pub mod checked;
pub mod entities;
pub mod error;
pub mod evaluation;
pub mod event;
pub mod hours;
pub mod membership;
pub mod money;
pub mod orgnr;
pub mod parties;
pub mod refusal;
pub mod retention;
pub mod sessions;
pub mod sign_in;
pub mod text;

pub use entities::*;
pub use error::{FieldError, ValidationErrors};
pub use hours::{DateException, Interval, OpeningHours, Weekday, HUB_TIME_ZONE};
pub use money::{format_ore_as_sek, parse_sek_to_ore, VatRate};
pub use orgnr::OrgNumber;
pub use parties::{
    Bankgiro, BuyerDetails, PeppolEndpoint, Plusgiro, Postcode, SellerDetails, VatNumber,
};
pub use refusal::Refusal;
pub use text::{Email, Text};

/// A new public identifier: UUIDv7, time-ordered, the same on both backends.
pub fn new_id() -> uuid::Uuid {
    uuid::Uuid::now_v7()
}
