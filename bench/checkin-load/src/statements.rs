//! Counts the statements the app sends to its database: every statement
//! sqlx runs (including `BEGIN` and `COMMIT`) is a `sqlx::query` event, and
//! [`StatementCounter`], when installed, counts them. sqlx describes each
//! statement when such an event is wanted, which costs CPU, so the load
//! runs count only when asked (`BENCH_COUNT_STATEMENTS=1`, or the tests
//! that install the counter); their CPU figures come from runs without it.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use tracing::{Event, Subscriber};
use tracing_subscriber::layer::{Context, Layer};

static STATEMENTS: AtomicU64 = AtomicU64::new(0);
static INSTALLED: AtomicBool = AtomicBool::new(false);

/// A tracing layer that counts sqlx's statement events. Give it a filter
/// that lets `sqlx::query` through at `debug` (see [`counter_layer`]).
pub struct StatementCounter;

impl<S: Subscriber> Layer<S> for StatementCounter {
    fn on_event(&self, event: &Event<'_>, _ctx: Context<'_, S>) {
        if event.metadata().target() == "sqlx::query" {
            STATEMENTS.fetch_add(1, Ordering::Relaxed);
        }
    }
}

/// The counter with its own filter, to add to a subscriber beside others.
pub fn counter_layer<S>() -> impl Layer<S>
where
    S: Subscriber + for<'a> tracing_subscriber::registry::LookupSpan<'a>,
{
    use tracing_subscriber::Layer as _;
    INSTALLED.store(true, Ordering::Relaxed);
    StatementCounter.with_filter(
        tracing_subscriber::filter::Targets::new()
            .with_target("sqlx::query", tracing::Level::TRACE),
    )
}

/// Statements counted so far, or `None` when no counter is installed.
pub fn statements() -> Option<u64> {
    INSTALLED
        .load(Ordering::Relaxed)
        .then(|| STATEMENTS.load(Ordering::Relaxed))
}
