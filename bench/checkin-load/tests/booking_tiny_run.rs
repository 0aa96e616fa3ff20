//! Every booking scenario with tiny numbers on SQLite (and on PostgreSQL
//! when `THIRDPLACE_TEST_POSTGRES_URL` is set): no errors, exactly one 201
//! per contended slot, and the database holds what the clients were told.

use thirdplace_bench::bookings::{run, BookingOptions, Scenario};

fn check(opts: &BookingOptions, backend: &str) {
    let r = run(opts).expect("the benchmark runs");
    assert_eq!(r.backend, backend);
    assert_eq!(r.errors(), 0, "{}", r.to_text());
    assert!(r.problems.is_empty(), "{:?}", r.problems);
    assert_eq!(r.scenarios.len(), 3);
    let book = r.scenario(Scenario::Book).unwrap();
    assert!(book.created_per_s > 0.0);
    assert_eq!(book.status_counts.keys().collect::<Vec<_>>(), ["201"]);
    let contended = r.scenario(Scenario::Contended).unwrap();
    let slots = contended.slots.unwrap();
    assert!(slots > 0);
    assert!(contended.status_counts.get("409").copied().unwrap_or(0) > 0);
    let availability = r.scenario(Scenario::Availability).unwrap();
    assert_eq!(
        availability.status_counts.keys().collect::<Vec<_>>(),
        ["200"]
    );
    assert_eq!(r.bookings_in_database, r.bookings_created as i64);
    assert_eq!(r.targets.len(), 3);
    assert!(r.to_text().contains("contended"));
    let json = serde_json::to_value(&r).unwrap();
    assert_eq!(json["scenarios"][1]["scenario"], "contended");
}

#[test]
fn a_tiny_booking_run_on_sqlite_has_no_errors_and_one_booking_per_slot() {
    check(&BookingOptions::tiny(), "sqlite");
}

#[test]
fn a_tiny_booking_run_on_postgres_has_no_errors_and_one_booking_per_slot() {
    let Ok(url) = std::env::var("THIRDPLACE_TEST_POSTGRES_URL") else {
        eprintln!("skipped: THIRDPLACE_TEST_POSTGRES_URL is not set");
        return;
    };
    let mut opts = BookingOptions::tiny();
    opts.database_url = Some(url);
    check(&opts, "postgres");
}
