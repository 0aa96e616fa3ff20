//! The rules' refusals as one type: what the store hands back when a rule
//! it guards inside a transaction says no (a double booking, the last
//! network admin, a guest too many, …), so that no rule travels as a
//! string. Each refusal has a stable `code()`; choosing an HTTP status or a
//! page for it is the web layer's business, not the domain's.

use crate::booking::BookingRefusal;
use crate::event::EventRefusal;
use crate::membership::GuestRefusal;

/// A rule said no. The capability refusals are the domain's own enums; the
/// other variants are rules that only the store can decide, because they
/// depend on what other writers did in the meantime.
///
/// Check-in refusals (`CheckInRefusal`) are not here: the domain decides
/// them before anything is written, and their sentences name the hub.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    Booking(BookingRefusal),
    Event(EventRefusal),
    Guest(GuestRefusal),
    /// The person already has an open check-in (one at a time).
    AlreadyCheckedIn,
    /// The visit has already ended.
    AlreadyCheckedOut,
    /// Someone spent the included hours a booking was priced with: price it
    /// again with what is left.
    IncludedHoursSpent,
    /// The event's reminder has already been sent (by another process).
    ReminderSent,
    /// Removing the last network admin would leave nobody to run the network.
    LastNetworkAdmin,
    /// The seat was to be given only if nobody held it, and somebody does
    /// (another list placed someone in it first).
    SeatTaken,
}

impl Refusal {
    /// The stable, machine-readable code.
    pub fn code(&self) -> &'static str {
        match self {
            Refusal::Booking(r) => r.code(),
            Refusal::Event(r) => r.code(),
            Refusal::Guest(r) => r.code(),
            Refusal::AlreadyCheckedIn => "already_checked_in",
            Refusal::AlreadyCheckedOut => "already_checked_out",
            Refusal::IncludedHoursSpent => "included_hours",
            Refusal::ReminderSent => "reminder_sent",
            Refusal::LastNetworkAdmin => "last_network_admin",
            Refusal::SeatTaken => "seat_taken",
        }
    }
}

impl std::fmt::Display for Refusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.code())
    }
}

impl From<BookingRefusal> for Refusal {
    fn from(r: BookingRefusal) -> Self {
        Refusal::Booking(r)
    }
}

impl From<EventRefusal> for Refusal {
    fn from(r: EventRefusal) -> Self {
        Refusal::Event(r)
    }
}

impl From<GuestRefusal> for Refusal {
    fn from(r: GuestRefusal) -> Self {
        Refusal::Guest(r)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_refusal_keeps_the_code_of_the_rule_it_wraps() {
        assert_eq!(
            Refusal::Booking(BookingRefusal::Conflict).code(),
            "booking_conflict"
        );
        assert_eq!(
            Refusal::Event(EventRefusal::AlreadyRegistered).code(),
            "already_registered"
        );
        assert_eq!(
            Refusal::Guest(GuestRefusal::LimitReached { limit: 2 }).code(),
            "guest_limit_reached"
        );
        assert_eq!(Refusal::LastNetworkAdmin.code(), "last_network_admin");
    }
}
