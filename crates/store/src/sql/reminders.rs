//! Payment reminders' queries ([`crate::ReminderStore`]), written once for
//! both SQL backends; dates and instants are bound as in
//! [`super::invoicing`].

use super::backend::Backend;
use super::dialect::{self, param, Arg, Conn, Dialect};
use super::SqlRow;
use crate::{
    InvoiceReminder, NewReminder, Refusal, ReminderStore, ReminderSummary, StoreError, StoreResult,
};
use async_trait::async_trait;
use uuid::Uuid;

pub fn reminder<R: SqlRow>(r: &R) -> Result<InvoiceReminder, sqlx::Error> {
    Ok(InvoiceReminder {
        id: r.column("id")?,
        invoice_id: r.column("invoice_id")?,
        sent_on: r.column("sent_on")?,
        sent_at: r.column("sent_at")?,
        to_address: r.column("to_address")?,
        outstanding_ore: r.column("outstanding_ore")?,
    })
}

/// [`ReminderStore::send_invoice_reminder`], inside the caller's transaction.
pub async fn send<D: Dialect>(conn: &mut Conn<D>, r: &NewReminder) -> StoreResult<InvoiceReminder> {
    let x = &r.reminder;
    let invoice = "SELECT id FROM invoices WHERE id = $1";
    if dialect::optional::<D, _>(conn, invoice, vec![Arg::Id(x.invoice_id)], |_| Ok(()))
        .await?
        .is_none()
    {
        return Err(StoreError::NotFound);
    }
    let recent = "SELECT id FROM invoice_reminders WHERE invoice_id = $1 AND sent_on > $2";
    let args = vec![Arg::Id(x.invoice_id), Arg::Date(r.quiet_after)];
    if dialect::optional::<D, _>(conn, recent, args, |_| Ok(()))
        .await?
        .is_some()
    {
        return Err(StoreError::Refused(Refusal::ReminderSent));
    }
    let insert = "INSERT INTO invoice_reminders (id, invoice_id, sent_on, sent_at, to_address, \
         outstanding_ore) VALUES ($1, $2, $3, $4, $5, $6)";
    let args = vec![
        Arg::Id(x.id),
        Arg::Id(x.invoice_id),
        Arg::Date(x.sent_on),
        Arg::Timestamp(x.sent_at),
        Arg::Text(&x.to_address),
        Arg::Int(x.outstanding_ore),
    ];
    match dialect::write_one::<D>(conn, insert, args).await {
        // Another request sent today's between our check and our insert.
        Err(StoreError::Conflict(_)) => return Err(StoreError::Refused(Refusal::ReminderSent)),
        done => done?,
    }
    super::outbox::insert_email::<D>(conn, &r.email).await?;
    Ok(x.clone())
}

pub async fn of_invoice<D: Dialect>(
    conn: &mut Conn<D>,
    invoice_id: Uuid,
) -> StoreResult<Vec<InvoiceReminder>> {
    let sql = "SELECT * FROM invoice_reminders WHERE invoice_id = $1 ORDER BY sent_on, id";
    dialect::all::<D, _>(conn, sql, vec![Arg::Id(invoice_id)], reminder).await
}

pub async fn summaries<D: Dialect>(
    conn: &mut Conn<D>,
    operator_id: Option<Uuid>,
) -> StoreResult<Vec<ReminderSummary>> {
    let mut args = Vec::new();
    let mut sql = String::from(
        "SELECT r.invoice_id, MAX(r.sent_on) AS last_sent_on, COUNT(*) AS count \
         FROM invoice_reminders r JOIN invoices i ON i.id = r.invoice_id \
         WHERE i.paid_on IS NULL",
    );
    if let Some(o) = operator_id {
        sql += &format!(" AND i.operator_id = {}", param(&mut args, Arg::Id(o)));
    }
    sql += " GROUP BY r.invoice_id ORDER BY r.invoice_id";
    dialect::all::<D, _>(conn, &sql, args, |r| {
        Ok(ReminderSummary {
            invoice_id: r.column("invoice_id")?,
            last_sent_on: r.column("last_sent_on")?,
            count: r.column("count")?,
        })
    })
    .await
}

#[async_trait]
impl<B: Backend> ReminderStore for B {
    #[tracing::instrument(level = "debug", skip_all)]
    async fn send_invoice_reminder(&self, r: &NewReminder) -> StoreResult<InvoiceReminder> {
        let r = r.clone();
        let done = self
            .transaction(move |c| Box::pin(async move { send::<B::D>(c, &r).await }))
            .await;
        match done {
            // The unique day, seen by the backend only at commit.
            Err(StoreError::Conflict(_)) => Err(StoreError::Refused(Refusal::ReminderSent)),
            done => done,
        }
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn invoice_reminders(&self, invoice_id: Uuid) -> StoreResult<Vec<InvoiceReminder>> {
        of_invoice::<B::D>(&mut *self.reader().await?, invoice_id).await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn reminder_summaries(
        &self,
        operator_id: Option<Uuid>,
    ) -> StoreResult<Vec<ReminderSummary>> {
        summaries::<B::D>(&mut *self.reader().await?, operator_id).await
    }
}
