//! The demo's invoices: every operator with its seller details ran the
//! month before last's invoicing on the first working day of last month, as
//! its staff would, and its customers paid all but the last of them, which
//! are now overdue (so the reminders page has work); then last month's,
//! today, with the first invoice paid. So the invoice list, an invoice with
//! its PDF and Peppol XML, the SIE file, the overdue list and a customer
//! blocked for a missing buyer reference all have something to show. It
//! goes through the same service as the run page
//! (`thirdplace_web::invoicing::service`), so the demo's invoices are
//! numbered, stored and audited as real ones are.

use std::sync::Arc;

use anyhow::{Context, Result};
use chrono::{Datelike, Days, NaiveDate, Weekday};
use thirdplace_store::Store;
use thirdplace_web::invoicing::service;
use thirdplace_web::{AppState, WebConfig};

use crate::demo::{mark_seeded, seeded_before};

const SEEDED_KEY: &str = "demo_invoices_seeded";
/// Who runs the demo's invoicing (the demo's network admin).
const RUN_BY: &str = "admin@demo.example";
/// The idempotency keys of the demo's runs: a rerun issues nothing twice.
const RUN_KEY: &str = "demo-month";
const EARLIER_RUN_KEY: &str = "demo-month-before";
/// Invoices of the earlier month left unpaid (per operator), now overdue.
const LEFT_UNPAID: usize = 2;

/// The month before `today`'s, "2026-11".
fn month_before(today: NaiveDate) -> String {
    last_month_start(today).format("%Y-%m").to_string()
}

/// The first day of the month before `today`'s.
fn last_month_start(today: NaiveDate) -> NaiveDate {
    let first = today.with_day(1).unwrap_or(today);
    let last = first.pred_opt().unwrap_or(first);
    last.with_day(1).unwrap_or(last)
}

/// The first Monday–Friday of the month that starts on `first`.
fn first_working_day(first: NaiveDate) -> NaiveDate {
    first
        .iter_days()
        .find(|d| !matches!(d.weekday(), Weekday::Sat | Weekday::Sun))
        .unwrap_or(first)
}

/// Issues the month before last's invoices of each selling operator (dated
/// the first working day of last month, mostly paid) and last month's
/// (dated today, the first paid), once; the number of invoices issued (0
/// when seeded before).
///
/// # Errors
///
/// A store error, or a run that fails for another reason than an operator
/// without seller details (those are passed over, as in a real network).
pub async fn seed(store: Arc<dyn Store>) -> Result<usize> {
    if seeded_before(store.as_ref(), SEEDED_KEY, "demo invoices").await? {
        return Ok(0);
    }
    let state = AppState::new(store.clone(), WebConfig::default());
    let admin = store
        .find_person_by_email(RUN_BY)
        .await
        .context("finding the demo's network admin")?
        .context("the demo's network admin is missing: seed the demo network first")?
        .id;
    let today = thirdplace_domain::membership::local_date(state.now());
    // The earlier run, as on the first working day of last month at 09:00
    // in Stockholm (08:00 UTC or earlier: still that day).
    let issued_on = first_working_day(last_month_start(today));
    let earlier = AppState::new(store.clone(), WebConfig::default());
    earlier.clock.set(
        issued_on
            .and_hms_opt(7, 0, 0)
            .context("a time of day")?
            .and_utc(),
    );
    let mut issued = 0;
    let mut blocked = 0;
    for operator in store.list_operators().await.context("listing operators")? {
        for (at, month, key) in [
            (&earlier, month_before(issued_on), EARLIER_RUN_KEY),
            (&state, month_before(today), RUN_KEY),
        ] {
            let month = service::parse_month(&month).context("a demo month")?;
            let run = match service::prepare(at, operator.id, month).await {
                Ok(run) => run,
                Err(e) => {
                    tracing::debug!(operator = %operator.name, error = %e, "not invoicing in the demo");
                    continue;
                }
            };
            let done = service::issue(at, &run, None, key, admin)
                .await
                .with_context(|| format!("issuing {}'s demo invoices", operator.name))?;
            blocked += done.blocked.len();
            issued += done.invoices.len();
            let paid: Vec<_> = if key == RUN_KEY {
                done.invoices.iter().take(1).collect()
            } else {
                let keep = done.invoices.len().saturating_sub(LEFT_UNPAID).max(1);
                done.invoices.iter().take(keep).collect()
            };
            for inv in paid {
                // Customers pay within the terms, most a week before the due date.
                let on = (inv.due_date - Days::new(7)).max(inv.issue_date).min(today);
                service::pay(
                    &state,
                    inv,
                    thirdplace_domain::new_id(),
                    None,
                    Some(on),
                    None,
                    admin,
                )
                .await
                .with_context(|| format!("paying {}'s demo invoice", operator.name))?;
            }
        }
    }
    mark_seeded(store.as_ref(), SEEDED_KEY, "demo invoices").await?;
    tracing::info!(invoices = issued, blocked, "seeded the demo invoices");
    Ok(issued)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;
    use std::path::PathBuf;
    use thirdplace_store::{InvoiceFilter, InvoiceStatus, IssuedInvoice};

    /// Leaves a file for `.ci/einvoice.sh` (the official Peppol rules and
    /// the SIE checker) in `<workspace>/target/einvoice`: written whole,
    /// then renamed.
    fn leave_for_validation(name: &str, contents: &[u8]) {
        let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../target/einvoice");
        std::fs::create_dir_all(&dir).unwrap();
        let tmp = dir.join(format!("{name}.tmp"));
        std::fs::write(&tmp, contents).unwrap();
        std::fs::rename(&tmp, dir.join(name)).unwrap();
    }

    #[tokio::test]
    async fn the_demo_issues_last_months_invoices_once_numbered_and_valid() {
        let (store, _dir) = crate::test_support::temp_store().await;
        crate::demo::seed(store.as_ref(), crate::test_support::HASH)
            .await
            .unwrap();
        let issued = seed(store.clone()).await.unwrap();
        assert!(issued >= 10, "a month of invoices, not {issued}");
        assert_eq!(seed(store.clone()).await.unwrap(), 0, "seeded once");

        let invoices = store
            .list_invoices(&InvoiceFilter {
                limit: 10_000,
                ..Default::default()
            })
            .await
            .unwrap();
        assert_eq!(invoices.len(), issued);
        let mut by_operator: BTreeMap<_, Vec<_>> = BTreeMap::new();
        for inv in &invoices {
            by_operator.entry(inv.operator_id).or_default().push(inv);
        }
        assert!(by_operator.len() >= 2, "several operators invoice");
        let state = AppState::new(store.clone(), WebConfig::default());
        let today = thirdplace_domain::membership::local_date(state.now());
        for (operator, mut own) in by_operator {
            // Each operator's series runs from its first number without a gap.
            own.sort_by_key(|i| i.number);
            let first = own[0].number;
            let numbers: Vec<i64> = own.iter().map(|i| i.number).collect();
            assert_eq!(
                numbers,
                (first..first + own.len() as i64).collect::<Vec<_>>()
            );
            // The month before last's: paid but for the last ones, which
            // are overdue once their 30 days have run out; last month's:
            // the first paid, the rest waiting.
            let last_month = own.iter().map(|i| i.period_start).max().unwrap();
            let (newer, older): (Vec<&IssuedInvoice>, Vec<&IssuedInvoice>) = own
                .iter()
                .copied()
                .partition(|i| i.period_start == last_month);
            assert_eq!(newer[0].status(today), InvoiceStatus::Paid);
            assert!(newer[1..]
                .iter()
                .all(|i| i.status(today) != InvoiceStatus::Paid));
            if let Some(unpaid) = older
                .iter()
                .rev()
                .find(|i| i.status(today) != InvoiceStatus::Paid)
            {
                assert!(unpaid.issue_date < newer[0].issue_date);
                if unpaid.due_date < today {
                    assert_eq!(unpaid.status(today), InvoiceStatus::Overdue);
                }
            }
            if older.len() > 1 {
                assert_eq!(older[0].status(today), InvoiceStatus::Paid);
            }
            for inv in &own {
                let doc = service::document(inv).unwrap();
                let xml = thirdplace_invoicing::ubl::to_ubl(&doc);
                leave_for_validation(
                    &format!("demo-{}.xml", inv.display_number()),
                    xml.as_bytes(),
                );
            }
            let month = own[0].period_start;
            let sie = service::sie_export(&state, operator, month, today)
                .await
                .unwrap();
            leave_for_validation(&format!("demo-{}.se", own[0].series_prefix), &sie);
        }
    }

    #[test]
    fn last_month_is_the_month_before_also_across_a_new_year() {
        let d = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap();
        assert_eq!(month_before(d(2026, 12, 7)), "2026-11");
        assert_eq!(month_before(d(2027, 1, 1)), "2026-12");
        assert_eq!(month_before(d(2026, 3, 31)), "2026-02");
        // The earlier run is dated the first working day of last month.
        assert_eq!(
            first_working_day(last_month_start(d(2026, 12, 7))),
            d(2026, 11, 2)
        );
        assert_eq!(
            first_working_day(last_month_start(d(2027, 1, 4))),
            d(2026, 12, 1)
        );
    }
}
