//! Work a `serve` process does besides answering requests: sending queued
//! webhook deliveries and e-mail (when SMTP is configured), closing
//! check-ins left open past closing time, and queuing events' 24-hour
//! reminders, and applying the retention policy. All are safe to run in
//! every process at once (the store leases deliveries and e-mails; closing
//! a check-in twice is a no-op; the store sends each event's reminder once;
//! one process claims each hour's retention run, and a reduction run twice
//! reduces nothing more).

use crate::AppState;
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

pub fn spawn(state: AppState) -> Workers {
    let s = state.clone();
    let sweeper = tokio::spawn(async move {
        loop {
            if let Err(e) = crate::memberships::checkins::close_forgotten(&s).await {
                tracing::warn!(error = %e, "closing forgotten check-ins failed");
            }
            tokio::time::sleep(SWEEP_EVERY).await;
        }
    });
    let s = state.clone();
    let warm = tokio::spawn(async move {
        if let Err(e) = crate::events::feeds::warm(&s).await {
            tracing::warn!(error = %e, "writing the calendar feed ahead failed");
        }
    });
    let s = state.clone();
    let reminders = tokio::spawn(async move {
        loop {
            if let Err(e) = crate::events::service::send_reminders(&s).await {
                tracing::warn!(error = %e, "sending event reminders failed");
            }
            tokio::time::sleep(SWEEP_EVERY).await;
        }
    });
    let s = state.clone();
    let retention = tokio::spawn(async move {
        loop {
            tokio::time::sleep(RETENTION_LOOK_EVERY).await;
            if let Err(e) = crate::retention::service::run_if_due(&s).await {
                tracing::warn!(error = %e, "applying the retention policy failed");
            }
        }
    });
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
