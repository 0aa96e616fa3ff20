//! The contract of [`crate::ReminderStore`]: a reminder is kept with its
//! e-mail in the outbox, both or neither; none goes twice within the
//! interval, however many ask at once; paid invoices leave the summaries.

use super::invoicing::one_issued_invoice;
use crate::{
    InvoiceReminder, NewPayment, NewReminder, OutgoingEmail, PaymentSource, Refusal, Store,
    StoreError,
};
use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};
use futures_util::future::join_all;
use thirdplace_domain::new_id;
use uuid::Uuid;

fn day(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

fn at(d: NaiveDate) -> DateTime<Utc> {
    Utc.from_utc_datetime(&d.and_hms_opt(8, 0, 0).unwrap())
}

/// A reminder of `invoice_id` sent on `on`, a week after the last allowed.
fn reminder(invoice_id: Uuid, on: &str) -> NewReminder {
    let on = day(on);
    NewReminder {
        reminder: InvoiceReminder {
            id: new_id(),
            invoice_id,
            sent_on: on,
            sent_at: at(on),
            to_address: "faktura@kund.example".into(),
            outstanding_ore: 125_000,
        },
        quiet_after: on - Duration::days(7),
        email: OutgoingEmail {
            id: new_id(),
            to_address: "faktura@kund.example".into(),
            subject: format!("Betalningspåminnelse {on}"),
            body: "Hej!".into(),
            created_at: at(on),
            sent_at: None,
            attempts: 0,
            last_error: None,
            failed: false,
        },
    }
}

fn refused<T: std::fmt::Debug>(r: Result<T, StoreError>) {
    assert!(
        matches!(r, Err(StoreError::Refused(Refusal::ReminderSent))),
        "{r:?}"
    );
}

pub async fn a_reminder_goes_with_its_email_once_a_week(store: &dyn Store) {
    let inv = one_issued_invoice(store).await;
    let first = reminder(inv.id, "2027-01-04");
    let sent = store.send_invoice_reminder(&first).await.unwrap();
    assert_eq!(sent, first.reminder);
    assert_eq!(
        store.list_emails(10).await.unwrap(),
        vec![first.email.clone()]
    );

    // The same day again, and three days later: nothing is written.
    refused(
        store
            .send_invoice_reminder(&reminder(inv.id, "2027-01-04"))
            .await,
    );
    refused(
        store
            .send_invoice_reminder(&reminder(inv.id, "2027-01-07"))
            .await,
    );
    assert_eq!(store.list_emails(10).await.unwrap().len(), 1);

    // A week later the second goes.
    let second = reminder(inv.id, "2027-01-11");
    store.send_invoice_reminder(&second).await.unwrap();
    assert_eq!(store.list_emails(10).await.unwrap().len(), 2);
    assert_eq!(
        store.invoice_reminders(inv.id).await.unwrap(),
        vec![first.reminder.clone(), second.reminder.clone()]
    );
    let summaries = store.reminder_summaries(None).await.unwrap();
    assert_eq!(summaries.len(), 1);
    assert_eq!(summaries[0].invoice_id, inv.id);
    assert_eq!(summaries[0].last_sent_on, day("2027-01-11"));
    assert_eq!(summaries[0].count, 2);
    assert_eq!(
        store
            .reminder_summaries(Some(inv.operator_id))
            .await
            .unwrap(),
        summaries
    );
    assert!(store
        .reminder_summaries(Some(new_id()))
        .await
        .unwrap()
        .is_empty());

    // Paid in full, the invoice leaves the summaries; its reminders stay.
    store
        .record_payment(&NewPayment {
            id: new_id(),
            operator_id: inv.operator_id,
            invoice_id: Some(inv.id),
            invoice_number: None,
            amount_ore: inv.gross_ore,
            paid_on: day("2027-01-12"),
            reference: String::new(),
            source: PaymentSource::Manual,
            bank_key: None,
            payer: None,
            recorded_at: at(day("2027-01-12")),
            recorded_by: None,
        })
        .await
        .unwrap();
    assert!(store.reminder_summaries(None).await.unwrap().is_empty());
    assert_eq!(store.invoice_reminders(inv.id).await.unwrap().len(), 2);

    // An unknown invoice: not found, and no e-mail.
    let unknown = store
        .send_invoice_reminder(&reminder(new_id(), "2027-01-20"))
        .await;
    assert!(matches!(unknown, Err(StoreError::NotFound)), "{unknown:?}");
    assert_eq!(store.list_emails(10).await.unwrap().len(), 2);
}

pub async fn simultaneous_reminders_send_one(store: &dyn Store) {
    let inv = one_issued_invoice(store).await;
    let asks: Vec<NewReminder> = (0..10).map(|_| reminder(inv.id, "2027-01-04")).collect();
    let done = join_all(asks.iter().map(|r| store.send_invoice_reminder(r))).await;
    assert_eq!(done.iter().filter(|d| d.is_ok()).count(), 1, "{done:?}");
    for d in done.into_iter().filter(|d| d.is_err()) {
        refused(d);
    }
    assert_eq!(store.list_emails(20).await.unwrap().len(), 1);
    assert_eq!(store.invoice_reminders(inv.id).await.unwrap().len(), 1);
}
