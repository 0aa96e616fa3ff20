//! The whole benchmark with tiny numbers on SQLite: it must run without
//! errors and report the right access-summary figures.

use thirdplace_bench::{run, Options};

#[test]
fn a_tiny_run_on_sqlite_has_no_errors_and_the_right_numbers() {
    let opts = Options::tiny();
    let r = run(&opts).expect("the benchmark runs");
    assert_eq!(r.backend, "sqlite");
    assert_eq!(r.errors, 0, "{:?}", r.error_samples);
    assert!(r.problems.is_empty(), "{:?}", r.problems);
    assert!(r.checkins > 0);
    assert!(r.checkouts + opts.clients as u64 >= r.checkins);
    assert_eq!(r.summary.visits_last_30_days, 1_000);
    assert_eq!(r.summary.people_with_access, 50);
    assert_eq!(r.summary.organisations_with_access, 1);
    assert_eq!(r.summary.checked_in_now, 0);
    assert_eq!(r.summary_http.count, opts.summary_requests);
    assert_eq!(r.summary_store.count, opts.summary_requests);
    assert_eq!(r.targets.len(), 2);
    // Both renderings work.
    assert!(r.to_text().contains("access summary"));
    let json = serde_json::to_value(&r).unwrap();
    assert_eq!(json["summary"]["visits_last_30_days"], 1_000);
}
