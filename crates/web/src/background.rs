//! Work a `serve` process does besides answering requests: sending queued
//! webhook deliveries and e-mail (when SMTP is configured), closing
//! check-ins left open past closing time, and queuing events' 24-hour
//! reminders, and applying the retention policy. All are safe to run in
//! every process at once (the store leases deliveries and e-mails; closing
//! a check-in twice is a no-op; the store sends each event's reminder once;
//! one process claims each hour's retention run, and a reduction run twice
//! reduces nothing more).

use crate::AppState;
use std::fmt::Display;
use std::future::Future;
use std::time::Duration;

/// How often forgotten check-ins are looked for.
const SWEEP_EVERY: Duration = Duration::from_secs(60);
/// How often the webhook queue is polled when nothing wakes the worker
/// (deliveries queued by other processes, retries falling due); the mail
/// queue likewise.
const POLL_EVERY: Duration = Duration::from_secs(1);
/// How often a process looks whether the hour's retention run is due
/// (`retention::service::EVERY`); the first look is this long after start.
const RETENTION_LOOK_EVERY: Duration = Duration::from_secs(5 * 60);

pub struct Workers(Vec<tokio::task::JoinHandle<()>>);

impl Workers {
    pub fn abort(&self) {
        for h in &self.0 {
            h.abort();
        }
    }
}

/// Runs `job` every `period` until aborted (after waiting a period first
/// when `wait_first`), logging a failure as "`what` failed" and going on.
fn every<F, Fut, T, E>(
    state: &AppState,
    period: Duration,
    wait_first: bool,
    what: &'static str,
    job: F,
) -> tokio::task::JoinHandle<()>
where
    F: Fn(AppState) -> Fut + Send + 'static,
    Fut: Future<Output = Result<T, E>> + Send,
    E: Display,
{
    let state = state.clone();
    tokio::spawn(async move {
        if wait_first {
            tokio::time::sleep(period).await;
        }
        loop {
            if let Err(e) = job(state.clone()).await {
                tracing::warn!(error = %e, "{what} failed");
            }
            tokio::time::sleep(period).await;
        }
    })
}

pub fn spawn(state: AppState) -> Workers {
    let sweeper = every(
        &state,
        SWEEP_EVERY,
        false,
        "closing forgotten check-ins",
        |s| async move { crate::memberships::checkins::close_forgotten(&s).await },
    );
    let s = state.clone();
    let warm = tokio::spawn(async move {
        if let Err(e) = crate::events::feeds::warm(&s).await {
            tracing::warn!(error = %e, "writing the calendar feed ahead failed");
        }
    });
    let reminders = every(
        &state,
        SWEEP_EVERY,
        false,
        "sending event reminders",
        |s| async move { crate::events::service::send_reminders(&s).await },
    );
    let retention = every(
        &state,
        RETENTION_LOOK_EVERY,
        true,
        "applying the retention policy",
        |s| async move { crate::retention::service::run_if_due(&s).await },
    );
    let mail = state.config.mail.transport().map(|smtp| {
        let state = state.clone();
        tokio::spawn(async move {
            loop {
                if crate::outbox::mail::send_due(&state, &smtp).await == 0 {
                    tokio::select! {
                        _ = state.mail_wake.notified() => {}
                        _ = tokio::time::sleep(POLL_EVERY) => {}
                    }
                }
            }
        })
    });
    let webhooks = tokio::spawn(async move {
        let client = crate::memberships::webhooks::client();
        loop {
            let tried = crate::memberships::webhooks::deliver_due(&state, &client).await;
            if tried == 0 {
                tokio::select! {
                    _ = state.webhook_wake.notified() => {}
                    _ = tokio::time::sleep(POLL_EVERY) => {}
                }
            }
        }
    });
    Workers(
        [sweeper, warm, reminders, retention, webhooks]
            .into_iter()
            .chain(mail)
            .collect(),
    )
}
