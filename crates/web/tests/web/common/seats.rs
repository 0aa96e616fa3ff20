//! Memberships set up through the store: a plan, and a seat of it held by
//! one person, so that a test can start from "this person is a member".

use super::app::TestApp;
use chrono::{NaiveDate, NaiveTime};
use thirdplace_domain::membership::{local_instant, Plan, PlanScope, Seat, Validity};
use thirdplace_domain::{new_id, Person};

/// A new network-wide plan of its own name: 1 450 kr a month, 4 included
/// room hours a month, one guest.
pub fn network_plan() -> Plan {
    Plan {
        id: new_id(),
        name: format!("Nätverkskort {}", new_id()),
        description: String::new(),
        scope: PlanScope::Network,
        monthly_price_ore: 145_000,
        included_hours_per_month: 4,
        max_guests: 1,
        validity: Validity::MonthlyRolling,
        archived: false,
        selling_operator_id: None,
        vat_rate_percent: 25,
    }
}

/// A seat about to be given: `seat_of(person)` is a seat of a new
/// [`network_plan`] from 2026-01-01; the setters change what a test cares
/// about, and [`GiveSeat::give`] writes it.
pub struct GiveSeat<'a> {
    person: &'a Person,
    plan: Plan,
    from: NaiveDate,
}

pub fn seat_of(person: &Person) -> GiveSeat<'_> {
    GiveSeat {
        person,
        plan: network_plan(),
        from: NaiveDate::from_ymd_opt(2026, 1, 1).unwrap(),
    }
}

impl GiveSeat<'_> {
    pub fn hours(mut self, included_hours_per_month: i64) -> Self {
        self.plan.included_hours_per_month = included_hours_per_month;
        self
    }

    pub fn max_guests(mut self, max_guests: i64) -> Self {
        self.plan.max_guests = max_guests;
        self
    }

    pub fn scope(mut self, scope: PlanScope) -> Self {
        self.plan.scope = scope;
        self
    }

    /// The first day of the seat (and of its holding).
    pub fn from(mut self, year: i32, month: u32, day: u32) -> Self {
        self.from = NaiveDate::from_ymd_opt(year, month, day).unwrap();
        self
    }

    /// Inserts the plan and a seat of it, bought by the person's
    /// organisation and held by the person since its first day.
    pub async fn give(self, app: &TestApp) -> Seat {
        hold_seat(app, self.person, &self.plan, self.from).await
    }
}

/// Inserts `plan` and a seat of it bought by `person`'s organisation from
/// `from`, held by `person` since then; all through the store.
pub async fn hold_seat(app: &TestApp, person: &Person, plan: &Plan, from: NaiveDate) -> Seat {
    app.store.insert_plan(plan).await.unwrap();
    let since = local_instant(from, NaiveTime::MIN);
    let seat = Seat {
        id: new_id(),
        plan_id: plan.id,
        organisation_id: person.organisation_id.unwrap(),
        start_date: from,
        end_date: None,
        created_at: since,
        selling_operator_id: None,
    };
    app.store
        .insert_seats(std::slice::from_ref(&seat))
        .await
        .unwrap();
    app.store
        .assign_seat(seat.id, Some(person.id), since)
        .await
        .unwrap();
    seat
}
