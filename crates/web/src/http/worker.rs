//! What the outboxes' background workers (webhook deliveries, e-mails)
//! share: taking the batch the store leased to this process, and sending
//! each of it at once, each on its own task. Which rows are due, the
//! lease and the retries are the store's and each worker's own.

use std::future::Future;
use thirdplace_store::StoreResult;

/// Sends each claimed item with `send`, all at once, and waits for every
/// send; returns how many were tried. A batch the store could not claim
/// is logged (as "could not claim `what`") and tried again on the next
/// round, so it counts as none.
pub async fn send_each<T, F, Fut>(claimed: StoreResult<Vec<T>>, what: &str, send: F) -> usize
where
    F: Fn(T) -> Fut,
    Fut: Future<Output = ()> + Send + 'static,
{
    let claimed = match claimed {
        Ok(c) => c,
        Err(e) => {
            tracing::warn!(error = %e, "could not claim {what}");
            return 0;
        }
    };
    let n = claimed.len();
    let mut sends = tokio::task::JoinSet::new();
    for item in claimed {
        sends.spawn(send(item));
    }
    while sends.join_next().await.is_some() {}
    n
}
