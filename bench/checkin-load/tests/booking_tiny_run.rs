//! Every booking scenario with tiny numbers on SQLite (and on PostgreSQL
//! when `THIRDPLACE_TEST_POSTGRES_URL` is set): no errors, exactly one 201
//! per contended slot, and the database holds what the clients were told.

use thirdplace_bench::bookings::{run, BookingOptions, Scenario};

fn check(opts: &BookingOptions, backend: &str) {
    let r = run(opts).expect("the benchmark runs");
    assert_eq!(r.backend, backend);
    assert_eq!(r.errors(), 0, "{}", r.to_text());
    assert!(r.problems.is_empty(), "{:?}", r.problems);
    assert_eq!(r.scenarios.len(), opts.scenarios.len());
    assert_eq!(r.targets.len(), opts.scenarios.len());
    if let Some(book) = r.scenario(Scenario::Book) {
        assert!(book.created_per_s > 0.0);
        assert_eq!(book.status_counts.keys().collect::<Vec<_>>(), ["201"]);
    }
    if let Some(contended) = r.scenario(Scenario::Contended) {
        assert!(contended.slots.unwrap() > 0);
        assert!(contended.status_counts.get("409").copied().unwrap_or(0) > 0);
        assert!(r.to_text().contains("contended"));
    }
    if let Some(availability) = r.scenario(Scenario::Availability) {
        assert_eq!(
            availability.status_counts.keys().collect::<Vec<_>>(),
            ["200"]
        );
    }
    assert_eq!(r.bookings_in_database, r.bookings_created as i64);
    let json = serde_json::to_value(&r).unwrap();
    assert_eq!(json["scenarios"][0]["scenario"], opts.scenarios[0].name());
}

fn postgres_url() -> Option<String> {
    let url = std::env::var("THIRDPLACE_TEST_POSTGRES_URL").ok();
    if url.is_none() {
        eprintln!("skipped: THIRDPLACE_TEST_POSTGRES_URL is not set");
    }
    url
}

#[test]
fn a_tiny_booking_run_on_sqlite_has_no_errors_and_one_booking_per_slot() {
    check(&BookingOptions::tiny(), "sqlite");
}

#[test]
fn a_tiny_booking_run_on_postgres_has_no_errors() {
    let Some(url) = postgres_url() else { return };
    let mut opts = BookingOptions::tiny();
    opts.db.database_url = Some(url);
    check(&opts, "postgres");
}

/// 16 people asking for the same slot at once, round after round: one 201
/// per slot and only 409s. Before the store serialised a room's booking
/// writers this deadlocked inside PostgreSQL's exclusion check (500s after
/// `deadlock_timeout`) within 20–300 slots; see bench/README.md, "Bookings".
#[test]
fn contended_bookings_on_postgres_get_one_201_and_only_409s() {
    let Some(url) = postgres_url() else { return };
    let mut opts = BookingOptions::tiny();
    opts.db.database_url = Some(url);
    opts.clients = 16;
    opts.members = 32;
    opts.seconds = 3.0;
    opts.scenarios = vec![Scenario::Contended];
    check(&opts, "postgres");
}
