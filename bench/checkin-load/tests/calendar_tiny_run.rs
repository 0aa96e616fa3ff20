//! Every calendar scenario with tiny numbers on SQLite (and on PostgreSQL
//! when `THIRDPLACE_TEST_POSTGRES_URL` is set): no errors, the feed holds
//! every seeded event, and a change in the database shows in the next feed.

use thirdplace_bench::calendar::{run, CalendarOptions};

fn check(opts: &CalendarOptions, backend: &str) {
    let r = run(opts).expect("the benchmark runs");
    assert_eq!(r.backend, backend);
    assert_eq!(r.errors(), 0, "{}", r.to_text());
    assert!(r.problems.is_empty(), "{:?}", r.problems);
    let feed = r.feed.as_ref().expect("the feed scenario ran");
    assert_eq!(feed.events_in_feed, opts.events);
    assert!(feed.change_shown);
    assert_eq!(feed.sequential.count, opts.feed_requests);
    assert_eq!(feed.not_modified.count, opts.feed_requests);
    assert_eq!(feed.after_change.count, opts.feed_changes);
    assert!(feed.gzip_bytes > 0 && feed.gzip_bytes * 4 < feed.bytes);
    assert_eq!(feed.gzip.count, opts.feed_requests);
    assert_eq!(r.pages.len(), 3);
    assert!(r.pages.iter().all(|p| p.requests > 0 && p.bytes > 0));
    assert_eq!(r.targets.len(), 4);
    let json = serde_json::to_value(&r).unwrap();
    assert_eq!(json["pages"][0]["scenario"], "list");
}

#[test]
fn a_tiny_calendar_run_on_sqlite_has_no_errors_and_sees_changes() {
    check(&CalendarOptions::tiny(), "sqlite");
}

#[test]
fn a_tiny_calendar_run_without_the_page_cache_has_no_errors() {
    let mut opts = CalendarOptions::tiny();
    opts.page_cache_ms = 0;
    check(&opts, "sqlite");
}

#[test]
fn a_tiny_calendar_run_on_postgres_has_no_errors() {
    let Ok(url) = std::env::var("THIRDPLACE_TEST_POSTGRES_URL") else {
        eprintln!("skipped: THIRDPLACE_TEST_POSTGRES_URL is not set");
        return;
    };
    let mut opts = CalendarOptions::tiny();
    opts.db.database_url = Some(url);
    check(&opts, "postgres");
}
