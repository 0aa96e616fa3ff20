//! Invoicing's queries ([`crate::InvoicingStore`]), written once for both
//! SQL backends: the tables are alike, dates are bound as dates
//! ([`Arg::Date`]: `DATE` in PostgreSQL, `'YYYY-MM-DD'` text in SQLite, so
//! both compare them in order) and instants as `sqlx` keeps them
//! ([`Arg::Timestamp`]: RFC 3339 text in SQLite).
//!
//! Gap-free numbers: the next number of an operator's series is a row of
//! `invoice_counters`, read and advanced inside the transaction that
//! writes the invoice ([`Backend::transaction`]). In PostgreSQL the first
//! `UPDATE` of that row locks it until commit, so issuers of one operator,
//! in this process or another, take their turns; SQLite's one writer runs
//! one `BEGIN IMMEDIATE` transaction at a time (and several processes on
//! one file wait on its lock). A failed issue rolls the counter back with
//! everything else, so no number is lost.

use super::backend::Backend;
use super::dialect::{self, param, Arg, Conn, Dialect, Run};
use super::{decode, SqlRow};
use crate::{
    BankFileImport, BankFileOutcome, HubInvoiceLine, InvoiceFilter, InvoiceKind, InvoiceLine,
    InvoiceStatus, InvoicingStore, IssueRequest, IssuedInvoice, NewPayment, Payment, PaymentSource,
    RunBooking, RunFacts, RunHolding, RunSeat, StoreError, StoreResult,
};
use async_trait::async_trait;
use chrono::Duration;
use chrono::{DateTime, NaiveDate, Utc};
use uuid::Uuid;

/// What payments linked to invoice `i` add up to.
const PAID: &str = "CAST(COALESCE((SELECT SUM(p.amount_ore) FROM invoice_payments p \
     WHERE p.invoice_id = i.id), 0) AS BIGINT)";

/// What credit notes of invoice `i` add up to (gross).
const CREDITED: &str = "CAST(COALESCE((SELECT SUM(c.gross_ore) FROM invoices c \
     WHERE c.credits_invoice_id = i.id), 0) AS BIGINT)";

fn select() -> String {
    format!("SELECT i.*, {PAID} AS paid_ore, {CREDITED} AS credited_ore FROM invoices i")
}

const PAYMENTS: &str = "SELECT * FROM invoice_payments";

/// Lines are written this many to a statement (15 values each, well below
/// either backend's limit of parameters).
const LINES_PER_INSERT: usize = 200;

// ------------------------------------------------------------- rows

pub fn invoice<R: SqlRow>(r: &R) -> Result<IssuedInvoice, sqlx::Error> {
    let kind: String = r.column("kind")?;
    Ok(IssuedInvoice {
        id: r.column("id")?,
        operator_id: r.column("operator_id")?,
        organisation_id: r.column("organisation_id")?,
        number: r.column("number")?,
        series_prefix: r.column("series_prefix")?,
        kind: InvoiceKind::parse(&kind).ok_or_else(|| decode("kind", &kind))?,
        credits_invoice_id: r.column("credits_invoice_id")?,
        idempotency_key: r.column("idempotency_key")?,
        issue_date: r.column("issue_date")?,
        due_date: r.column("due_date")?,
        period_start: r.column("period_start")?,
        period_end: r.column("period_end")?,
        currency: r.column("currency")?,
        buyer_reference: r.column("buyer_reference")?,
        seller: r.column("seller")?,
        buyer: r.column("buyer")?,
        net_ore: r.column("net_ore")?,
        vat_ore: r.column("vat_ore")?,
        gross_ore: r.column("gross_ore")?,
        issued_at: r.column("issued_at")?,
        paid_on: r.column("paid_on")?,
        paid_ore: r.column("paid_ore")?,
        credited_ore: r.column("credited_ore")?,
        document: r.column("document")?,
    })
}

pub fn line<R: SqlRow>(r: &R) -> Result<InvoiceLine, sqlx::Error> {
    let vat: i16 = r.column("vat_rate_percent")?;
    Ok(InvoiceLine {
        description: r.column("description")?,
        quantity_milli: r.column("quantity_milli")?,
        unit_code: r.column("unit_code")?,
        unit_price_ore: r.column("unit_price_ore")?,
        net_ore: r.column("net_ore")?,
        vat_category: r.column("vat_category")?,
        vat_rate_percent: u8::try_from(vat).map_err(|e| decode("vat_rate_percent", e))?,
        vat_exemption_reason: r.column("vat_exemption_reason")?,
        product_kind: r.column("product_kind")?,
        revenue_account: r.column("revenue_account")?,
        seat_id: r.column("seat_id")?,
        booking_id: r.column("booking_id")?,
        event_id: r.column("event_id")?,
    })
}

pub fn payment<R: SqlRow>(r: &R) -> Result<Payment, sqlx::Error> {
    let source: String = r.column("source")?;
    Ok(Payment {
        id: r.column("id")?,
        operator_id: r.column("operator_id")?,
        invoice_id: r.column("invoice_id")?,
        amount_ore: r.column("amount_ore")?,
        paid_on: r.column("paid_on")?,
        reference: r.column("reference")?,
        source: PaymentSource::parse(&source).ok_or_else(|| decode("source", &source))?,
        bank_file_id: r.column("bank_file_id")?,
        bank_key: r.column("bank_key")?,
        payer: r.column("payer")?,
        recorded_at: r.column("recorded_at")?,
        recorded_by: r.column("recorded_by")?,
        resolved_at: r.column("resolved_at")?,
        resolved_by: r.column("resolved_by")?,
    })
}

fn id_of<R: SqlRow>(r: &R) -> Result<Uuid, sqlx::Error> {
    r.column("id")
}

// ------------------------------------------------------------- reads

pub async fn by_id<D: Dialect>(conn: &mut Conn<D>, id: Uuid) -> StoreResult<IssuedInvoice> {
    let sql = format!("{} WHERE i.id = $1", select());
    dialect::optional::<D, _>(conn, &sql, vec![Arg::Id(id)], invoice)
        .await?
        .ok_or(StoreError::NotFound)
}

pub async fn by_number<D: Dialect>(
    conn: &mut Conn<D>,
    operator_id: Uuid,
    number: i64,
) -> StoreResult<Option<IssuedInvoice>> {
    let sql = format!("{} WHERE i.operator_id = $1 AND i.number = $2", select());
    let args = vec![Arg::Id(operator_id), Arg::Int(number)];
    dialect::optional::<D, _>(conn, &sql, args, invoice).await
}

pub async fn lines<D: Dialect>(conn: &mut Conn<D>, id: Uuid) -> StoreResult<Vec<InvoiceLine>> {
    let sql = "SELECT * FROM invoice_lines WHERE invoice_id = $1 ORDER BY position";
    dialect::all::<D, _>(conn, sql, vec![Arg::Id(id)], line).await
}

/// The condition of a status on the day `$on` (its placeholder).
fn status_condition(status: InvoiceStatus, on: &str) -> String {
    let unsettled = format!("i.kind = 'invoice' AND {CREDITED} < i.gross_ore");
    match status {
        InvoiceStatus::CreditNote => "i.kind = 'credit_note'".into(),
        InvoiceStatus::Credited => format!("i.kind = 'invoice' AND {CREDITED} >= i.gross_ore"),
        InvoiceStatus::Paid => format!("{unsettled} AND i.paid_on IS NOT NULL"),
        InvoiceStatus::Overdue => {
            format!("{unsettled} AND i.paid_on IS NULL AND i.due_date < {on}")
        }
        InvoiceStatus::Open => format!("{unsettled} AND i.paid_on IS NULL AND i.due_date >= {on}"),
    }
}

pub async fn list<D: Dialect>(
    conn: &mut Conn<D>,
    f: &InvoiceFilter,
) -> StoreResult<Vec<IssuedInvoice>> {
    let mut args = Vec::new();
    let mut sql = format!("{} WHERE 1 = 1", select());
    if let Some(o) = f.operator_id {
        sql += &format!(" AND i.operator_id = {}", param(&mut args, Arg::Id(o)));
    }
    if let Some(o) = f.organisation_id {
        sql += &format!(" AND i.organisation_id = {}", param(&mut args, Arg::Id(o)));
    }
    if let Some(status) = f.status {
        let on = f.on.unwrap_or_else(|| Utc::now().date_naive());
        let on = param(&mut args, Arg::Date(on));
        sql += &format!(" AND {}", status_condition(status, &on));
    }
    if let Some(v) = &f.visible {
        // Nothing when the scope is empty; else either list may admit it.
        let mut any = vec!["1 = 0".to_string()];
        for o in &v.operator_ids {
            any.push(format!("i.operator_id = {}", param(&mut args, Arg::Id(*o))));
        }
        for o in &v.organisation_ids {
            any.push(format!(
                "i.organisation_id = {}",
                param(&mut args, Arg::Id(*o))
            ));
        }
        sql += &format!(" AND ({})", any.join(" OR "));
    }
    if let Some(after) = f.after {
        sql += &format!(" AND i.id < {}", param(&mut args, Arg::Id(after)));
    }
    // Ids are UUIDv7: in both backends they sort in the order issued.
    sql += " ORDER BY i.id DESC";
    if f.limit > 0 {
        sql += &format!(" LIMIT {}", param(&mut args, Arg::Int(f.limit)));
    }
    dialect::all::<D, _>(conn, &sql, args, invoice).await
}

fn hub_line<R: SqlRow>(r: &R) -> Result<HubInvoiceLine, sqlx::Error> {
    let kind: String = r.column("kind")?;
    let vat: i16 = r.column("vat_rate_percent")?;
    let prefix: String = r.column("series_prefix")?;
    let number: i64 = r.column("number")?;
    Ok(HubInvoiceLine {
        invoice_id: r.column("invoice_id")?,
        invoice_number: format!("{prefix}{number}"),
        kind: InvoiceKind::parse(&kind).ok_or_else(|| decode("kind", &kind))?,
        organisation_id: r.column("organisation_id")?,
        organisation_name: r.column("organisation_name")?,
        issue_date: r.column("issue_date")?,
        period_start: r.column("period_start")?,
        period_end: r.column("period_end")?,
        description: r.column("description")?,
        quantity_milli: r.column("quantity_milli")?,
        unit_code: r.column("unit_code")?,
        net_ore: r.column("net_ore")?,
        vat_rate_percent: u8::try_from(vat).map_err(|e| decode("vat_rate_percent", e))?,
        product_kind: r.column("product_kind")?,
    })
}

/// The lines that concern hub `$1`, of documents whose period meets
/// `$2..=$3`: followed from each line's booking, seat (its plan's hub) or
/// event.
pub async fn hub_lines<D: Dialect>(
    conn: &mut Conn<D>,
    hub_id: Uuid,
    from: NaiveDate,
    to: NaiveDate,
) -> StoreResult<Vec<HubInvoiceLine>> {
    let sql = "SELECT i.id AS invoice_id, i.series_prefix, i.number, i.kind, i.organisation_id, \
         o.name AS organisation_name, i.issue_date, i.period_start, i.period_end, \
         l.description, l.quantity_milli, l.unit_code, l.net_ore, l.vat_rate_percent, \
         l.product_kind \
         FROM invoice_lines l \
         JOIN invoices i ON i.id = l.invoice_id \
         JOIN organisations o ON o.id = i.organisation_id \
         WHERE i.period_start <= $3 AND i.period_end >= $2 AND ( \
           l.booking_id IN (SELECT b.id FROM bookings b WHERE b.hub_id = $1) \
           OR l.event_id IN (SELECT e.id FROM events e WHERE e.hub_id = $1) \
           OR l.seat_id IN (SELECT s.id FROM seats s JOIN plans p ON p.id = s.plan_id \
                            WHERE p.scope_hub_id = $1)) \
         ORDER BY i.id, l.position";
    let args = vec![Arg::Id(hub_id), Arg::Date(from), Arg::Date(to)];
    dialect::all::<D, _>(conn, sql, args, hub_line).await
}

pub async fn overdue<D: Dialect>(
    conn: &mut Conn<D>,
    operator_id: Option<Uuid>,
    on: NaiveDate,
) -> StoreResult<Vec<IssuedInvoice>> {
    let mut args = Vec::new();
    let on = param(&mut args, Arg::Date(on));
    let mut sql = format!(
        "{} WHERE {}",
        select(),
        status_condition(InvoiceStatus::Overdue, &on)
    );
    if let Some(o) = operator_id {
        sql += &format!(" AND i.operator_id = {}", param(&mut args, Arg::Id(o)));
    }
    sql += " ORDER BY i.due_date, i.operator_id, i.number";
    dialect::all::<D, _>(conn, &sql, args, invoice).await
}

pub async fn payments_of<D: Dialect>(
    conn: &mut Conn<D>,
    invoice_id: Uuid,
) -> StoreResult<Vec<Payment>> {
    let sql = format!("{PAYMENTS} WHERE invoice_id = $1 ORDER BY paid_on, id");
    dialect::all::<D, _>(conn, &sql, vec![Arg::Id(invoice_id)], payment).await
}

pub async fn to_resolve<D: Dialect>(
    conn: &mut Conn<D>,
    operator_id: Option<Uuid>,
) -> StoreResult<Vec<Payment>> {
    let mut args = Vec::new();
    let mut sql = format!("{PAYMENTS} WHERE resolved_at IS NULL");
    if let Some(o) = operator_id {
        sql += &format!(" AND operator_id = {}", param(&mut args, Arg::Id(o)));
    }
    sql += " ORDER BY paid_on, id";
    dialect::all::<D, _>(conn, &sql, args, payment).await
}

async fn payment_by_id<D: Dialect>(conn: &mut Conn<D>, id: Uuid) -> StoreResult<Payment> {
    let sql = format!("{PAYMENTS} WHERE id = $1");
    dialect::optional::<D, _>(conn, &sql, vec![Arg::Id(id)], payment)
        .await?
        .ok_or(StoreError::NotFound)
}

async fn exists<D: Dialect>(
    conn: &mut Conn<D>,
    sql: &str,
    args: Vec<Arg<'_>>,
) -> StoreResult<bool> {
    Ok(dialect::optional::<D, _>(conn, sql, args, |_| Ok(()))
        .await?
        .is_some())
}

// ------------------------------------------------------------- issuing

/// Takes the operator's counter row (creating it at the series' start),
/// locked until the transaction ends; the next number, or `None` for an
/// unknown operator.
async fn lock_series<D: Dialect>(
    conn: &mut Conn<D>,
    operator_id: Uuid,
) -> StoreResult<Option<i64>> {
    let create = "INSERT INTO invoice_counters (operator_id, next_number) \
         SELECT id, invoice_number_start FROM operators WHERE id = $1 \
         ON CONFLICT (operator_id) DO NOTHING";
    dialect::run::<D>(conn, create, vec![Arg::Id(operator_id)]).await?;
    // An UPDATE rather than a locking SELECT: PostgreSQL locks the row
    // until commit (and reads the newest committed value after waiting);
    // in SQLite the writer's transaction already excludes every other.
    let lock = "UPDATE invoice_counters SET next_number = next_number \
         WHERE operator_id = $1 RETURNING next_number";
    dialect::optional::<D, _>(conn, lock, vec![Arg::Id(operator_id)], |r| {
        r.column::<i64>("next_number")
    })
    .await
}

/// The values of an `invoices` row, in the order of its insert's columns.
fn invoice_row<'a>(req: &'a IssueRequest, number: i64, prefix: &'a str) -> [Arg<'a>; 21] {
    [
        Arg::Id(req.id),
        Arg::Id(req.operator_id),
        Arg::Id(req.organisation_id),
        Arg::Int(number),
        Arg::Text(prefix),
        Arg::Text(req.kind.as_str()),
        Arg::OptId(req.credits_invoice_id),
        Arg::Text(&req.idempotency_key),
        Arg::Date(req.issue_date),
        Arg::Date(req.due_date),
        Arg::Date(req.period_start),
        Arg::Date(req.period_end),
        Arg::Text(&req.currency),
        Arg::Text(&req.buyer_reference),
        Arg::Text(&req.seller),
        Arg::Text(&req.buyer),
        Arg::Int(req.net_ore),
        Arg::Int(req.vat_ore),
        Arg::Int(req.gross_ore),
        Arg::Timestamp(req.issued_at),
        Arg::OptText(req.document.as_deref()),
    ]
}

/// [`InvoicingStore::issue_invoice`], inside the caller's transaction.
pub async fn issue<D: Dialect>(
    conn: &mut Conn<D>,
    req: &IssueRequest,
) -> StoreResult<IssuedInvoice> {
    let Some(number) = lock_series::<D>(conn, req.operator_id).await? else {
        return Err(StoreError::Reference("operator_id".into()));
    };
    // After the lock: an issue with this key that committed meanwhile is seen.
    let seen = "SELECT id FROM invoices WHERE operator_id = $1 AND idempotency_key = $2";
    let args = vec![Arg::Id(req.operator_id), Arg::Text(&req.idempotency_key)];
    if let Some(id) = dialect::optional::<D, _>(conn, seen, args, id_of).await? {
        return by_id::<D>(conn, id).await;
    }
    let org = "SELECT id FROM organisations WHERE id = $1";
    if !exists::<D>(conn, org, vec![Arg::Id(req.organisation_id)]).await? {
        return Err(StoreError::Reference("organisation_id".into()));
    }
    match (req.kind, req.credits_invoice_id) {
        (InvoiceKind::Invoice, None) => {}
        (InvoiceKind::CreditNote, Some(original)) => {
            let same = "SELECT id FROM invoices WHERE id = $1 AND operator_id = $2 \
                 AND organisation_id = $3 AND kind = 'invoice'";
            let args = vec![
                Arg::Id(original),
                Arg::Id(req.operator_id),
                Arg::Id(req.organisation_id),
            ];
            if !exists::<D>(conn, same, args).await? {
                return Err(StoreError::Reference("credits_invoice_id".into()));
            }
        }
        _ => return Err(StoreError::Reference("credits_invoice_id".into())),
    }
    let prefix = "SELECT invoice_prefix FROM operators WHERE id = $1";
    let prefix = dialect::optional::<D, _>(conn, prefix, vec![Arg::Id(req.operator_id)], |r| {
        r.column::<String>("invoice_prefix")
    })
    .await?
    .unwrap_or_default();
    let insert = "INSERT INTO invoices (id, operator_id, organisation_id, number, series_prefix, \
         kind, credits_invoice_id, idempotency_key, issue_date, due_date, period_start, \
         period_end, currency, buyer_reference, seller, buyer, net_ore, vat_ore, gross_ore, \
         issued_at, document) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, \
         $14, $15, $16, $17, $18, $19, $20, $21)";
    let args = invoice_row(req, number, &prefix).to_vec();
    dialect::write_one::<D>(conn, insert, args).await?;
    insert_lines::<D>(conn, req.id, &req.lines).await?;
    insert_charges::<D>(conn, req).await?;
    let advance = "UPDATE invoice_counters SET next_number = $2 WHERE operator_id = $1";
    let args = vec![Arg::Id(req.operator_id), Arg::Int(number + 1)];
    dialect::found::<D>(conn, advance, args).await?;
    if let Some(original) = req.credits_invoice_id {
        settle::<D>(conn, original, req.issue_date, req.issued_at).await?;
    }
    by_id::<D>(conn, req.id).await
}

async fn insert_lines<D: Dialect>(
    conn: &mut Conn<D>,
    invoice_id: Uuid,
    lines: &[InvoiceLine],
) -> StoreResult<()> {
    let lines: Vec<(Uuid, i64, &InvoiceLine)> = lines
        .iter()
        .enumerate()
        .map(|(i, l)| (invoice_id, i as i64 + 1, l))
        .collect();
    for chunk in lines.chunks(LINES_PER_INSERT) {
        write_lines::<D>(conn, chunk).await?;
    }
    Ok(())
}

/// Writes lines (invoice, position, line) in one statement.
async fn write_lines<D: Dialect>(
    conn: &mut Conn<D>,
    lines: &[(Uuid, i64, &InvoiceLine)],
) -> StoreResult<()> {
    let mut args = Vec::with_capacity(lines.len() * 15);
    let mut rows = Vec::with_capacity(lines.len());
    for (invoice_id, position, l) in lines {
        let values = [
            Arg::Id(*invoice_id),
            Arg::Int(*position),
            Arg::Text(&l.description),
            Arg::Int(l.quantity_milli),
            Arg::Text(&l.unit_code),
            Arg::Int(l.unit_price_ore),
            Arg::Int(l.net_ore),
            Arg::Text(&l.vat_category),
            Arg::Int(i64::from(l.vat_rate_percent)),
            Arg::OptText(l.vat_exemption_reason.as_deref()),
            Arg::Text(&l.product_kind),
            Arg::Int(l.revenue_account),
            Arg::OptId(l.seat_id),
            Arg::OptId(l.booking_id),
            Arg::OptId(l.event_id),
        ];
        let placeholders: Vec<String> = values.into_iter().map(|a| param(&mut args, a)).collect();
        rows.push(format!("({})", placeholders.join(", ")));
    }
    let sql = format!(
        "INSERT INTO invoice_lines (invoice_id, position, description, quantity_milli, \
         unit_code, unit_price_ore, net_ore, vat_category, vat_rate_percent, \
         vat_exemption_reason, product_kind, revenue_account, seat_id, booking_id, event_id) \
         VALUES {}",
        rows.join(", ")
    );
    <D::DB as Run>::run(conn, &sql, args)
        .await
        .map_err(D::write_err)?;
    Ok(())
}

/// Charge keys are checked and written this many to a statement.
const KEYS_PER_STATEMENT: usize = 300;

/// Records what `req` charges; `Conflict("charge_key")` when the operator
/// invoiced one of its keys before. The caller holds the operator's series
/// lock, so no other issue of the operator runs between check and write.
async fn insert_charges<D: Dialect>(conn: &mut Conn<D>, req: &IssueRequest) -> StoreResult<()> {
    let mut keys: Vec<&str> = req.charge_keys.iter().map(String::as_str).collect();
    keys.sort_unstable();
    keys.dedup();
    for chunk in keys.chunks(KEYS_PER_STATEMENT) {
        let mut args = vec![Arg::Id(req.operator_id)];
        let list: Vec<String> = chunk
            .iter()
            .map(|k| param(&mut args, Arg::Text(k)))
            .collect();
        let seen = format!(
            "SELECT charge_key FROM invoice_charges WHERE operator_id = $1 AND charge_key IN ({})",
            list.join(", ")
        );
        if exists::<D>(conn, &seen, args).await? {
            return Err(StoreError::Conflict("charge_key".into()));
        }
        let mut args = Vec::with_capacity(chunk.len() * 3);
        let rows: Vec<String> = chunk
            .iter()
            .map(|k| {
                let o = param(&mut args, Arg::Id(req.operator_id));
                let k = param(&mut args, Arg::Text(k));
                let i = param(&mut args, Arg::Id(req.id));
                format!("({o}, {k}, {i})")
            })
            .collect();
        let sql = format!(
            "INSERT INTO invoice_charges (operator_id, charge_key, invoice_id) VALUES {}",
            rows.join(", ")
        );
        <D::DB as Run>::run(conn, &sql, args)
            .await
            .map_err(D::write_err)?;
    }
    Ok(())
}

// ------------------------------------------------------------- batches

/// Invoices written by one statement (21 values each).
const INVOICES_PER_INSERT: usize = 100;

/// The ids of `column` (of `table`) among `ids` that exist, looked up
/// [`KEYS_PER_STATEMENT`] at a time.
async fn existing_ids<D: Dialect>(
    conn: &mut Conn<D>,
    table: &str,
    ids: &[Uuid],
) -> StoreResult<std::collections::HashSet<Uuid>> {
    let mut found = std::collections::HashSet::new();
    for chunk in ids.chunks(KEYS_PER_STATEMENT) {
        let mut args = Vec::with_capacity(chunk.len());
        let list: Vec<String> = chunk
            .iter()
            .map(|i| param(&mut args, Arg::Id(*i)))
            .collect();
        let sql = format!("SELECT id FROM {table} WHERE id IN ({})", list.join(", "));
        found.extend(dialect::all::<D, _>(conn, &sql, args, id_of).await?);
    }
    Ok(found)
}

/// The operator's invoices with these idempotency keys, by key.
async fn by_keys<D: Dialect>(
    conn: &mut Conn<D>,
    operator_id: Uuid,
    keys: &[&str],
) -> StoreResult<std::collections::HashMap<String, IssuedInvoice>> {
    let mut found = std::collections::HashMap::new();
    for chunk in keys.chunks(KEYS_PER_STATEMENT) {
        let mut args = vec![Arg::Id(operator_id)];
        let list: Vec<String> = chunk
            .iter()
            .map(|k| param(&mut args, Arg::Text(k)))
            .collect();
        let sql = format!(
            "{} WHERE i.operator_id = $1 AND i.idempotency_key IN ({})",
            select(),
            list.join(", ")
        );
        for inv in dialect::all::<D, _>(conn, &sql, args, invoice).await? {
            found.insert(inv.idempotency_key.clone(), inv);
        }
    }
    Ok(found)
}

/// Writes the invoice rows of `new`, numbered from `number`.
async fn insert_invoices<D: Dialect>(
    conn: &mut Conn<D>,
    new: &[&IssueRequest],
    number: i64,
    prefix: &str,
) -> StoreResult<()> {
    for (chunk_no, chunk) in new.chunks(INVOICES_PER_INSERT).enumerate() {
        let mut args = Vec::with_capacity(chunk.len() * 21);
        let mut rows = Vec::with_capacity(chunk.len());
        for (i, req) in chunk.iter().enumerate() {
            let n = number + (chunk_no * INVOICES_PER_INSERT + i) as i64;
            let values = invoice_row(req, n, prefix);
            let placeholders: Vec<String> =
                values.into_iter().map(|a| param(&mut args, a)).collect();
            rows.push(format!("({})", placeholders.join(", ")));
        }
        let sql = format!(
            "INSERT INTO invoices (id, operator_id, organisation_id, number, series_prefix, \
             kind, credits_invoice_id, idempotency_key, issue_date, due_date, period_start, \
             period_end, currency, buyer_reference, seller, buyer, net_ore, vat_ore, gross_ore, \
             issued_at, document) VALUES {}",
            rows.join(", ")
        );
        <D::DB as Run>::run(conn, &sql, args)
            .await
            .map_err(D::write_err)?;
    }
    Ok(())
}

/// Records what `new` charge, [`KEYS_PER_STATEMENT`] keys to a statement;
/// `Conflict("charge_key")` when a key was invoiced before (the primary
/// key keeps it out: fewer rows written than keys) or comes twice. No
/// look-up first, so no plan that scans the operator's keys.
async fn insert_batch_charges<D: Dialect>(
    conn: &mut Conn<D>,
    operator_id: Uuid,
    new: &[&IssueRequest],
) -> StoreResult<()> {
    let mut seen = std::collections::HashSet::new();
    let mut keys: Vec<(&str, Uuid)> = Vec::new();
    for req in new {
        let mut own: Vec<&str> = req.charge_keys.iter().map(String::as_str).collect();
        own.sort_unstable();
        own.dedup();
        for k in own {
            if !seen.insert(k) {
                return Err(StoreError::Conflict("charge_key".into()));
            }
            keys.push((k, req.id));
        }
    }
    for chunk in keys.chunks(KEYS_PER_STATEMENT) {
        let mut args = Vec::with_capacity(chunk.len() * 3);
        let rows: Vec<String> = chunk
            .iter()
            .map(|(k, id)| {
                let o = param(&mut args, Arg::Id(operator_id));
                let k = param(&mut args, Arg::Text(k));
                let i = param(&mut args, Arg::Id(*id));
                format!("({o}, {k}, {i})")
            })
            .collect();
        let sql = format!(
            "INSERT INTO invoice_charges (operator_id, charge_key, invoice_id) VALUES {} \
             ON CONFLICT (operator_id, charge_key) DO NOTHING",
            rows.join(", ")
        );
        let written = <D::DB as Run>::run(conn, &sql, args)
            .await
            .map_err(D::write_err)?;
        if D::rows_affected(&written) != chunk.len() as u64 {
            return Err(StoreError::Conflict("charge_key".into()));
        }
    }
    Ok(())
}

/// Issues the requests of one operator (in order) inside the caller's
/// transaction; the issued invoices by idempotency key, with the ids of
/// those issued now.
async fn issue_operators<D: Dialect>(
    conn: &mut Conn<D>,
    operator_id: Uuid,
    reqs: &[&IssueRequest],
) -> StoreResult<(std::collections::HashMap<String, IssuedInvoice>, Vec<Uuid>)> {
    let Some(number) = lock_series::<D>(conn, operator_id).await? else {
        return Err(StoreError::Reference("operator_id".into()));
    };
    // After the lock: issues with these keys that committed meanwhile are seen.
    let keys: Vec<&str> = reqs.iter().map(|r| r.idempotency_key.as_str()).collect();
    let before = by_keys::<D>(conn, operator_id, &keys).await?;
    let mut taken = std::collections::HashSet::new();
    let new: Vec<&IssueRequest> = reqs
        .iter()
        .copied()
        .filter(|r| {
            !before.contains_key(&r.idempotency_key) && taken.insert(r.idempotency_key.as_str())
        })
        .collect();
    if new.is_empty() {
        return Ok((before, Vec::new()));
    }
    let mut orgs: Vec<Uuid> = new.iter().map(|r| r.organisation_id).collect();
    orgs.sort_unstable();
    orgs.dedup();
    let known = existing_ids::<D>(conn, "organisations", &orgs).await?;
    if orgs.iter().any(|o| !known.contains(o)) {
        return Err(StoreError::Reference("organisation_id".into()));
    }
    for req in &new {
        match (req.kind, req.credits_invoice_id) {
            (InvoiceKind::Invoice, None) => {}
            (InvoiceKind::CreditNote, Some(original)) => {
                let same = "SELECT id FROM invoices WHERE id = $1 AND operator_id = $2 \
                     AND organisation_id = $3 AND kind = 'invoice'";
                let args = vec![
                    Arg::Id(original),
                    Arg::Id(operator_id),
                    Arg::Id(req.organisation_id),
                ];
                if !exists::<D>(conn, same, args).await? {
                    return Err(StoreError::Reference("credits_invoice_id".into()));
                }
            }
            _ => return Err(StoreError::Reference("credits_invoice_id".into())),
        }
    }
    let prefix = "SELECT invoice_prefix FROM operators WHERE id = $1";
    let prefix = dialect::optional::<D, _>(conn, prefix, vec![Arg::Id(operator_id)], |r| {
        r.column::<String>("invoice_prefix")
    })
    .await?
    .unwrap_or_default();
    insert_invoices::<D>(conn, &new, number, &prefix).await?;
    let lines: Vec<(Uuid, i64, &InvoiceLine)> = new
        .iter()
        .flat_map(|r| {
            r.lines
                .iter()
                .enumerate()
                .map(|(i, l)| (r.id, i as i64 + 1, l))
        })
        .collect();
    for chunk in lines.chunks(LINES_PER_INSERT) {
        write_lines::<D>(conn, chunk).await?;
    }
    insert_batch_charges::<D>(conn, operator_id, &new).await?;
    let advance = "UPDATE invoice_counters SET next_number = $2 WHERE operator_id = $1";
    let args = vec![Arg::Id(operator_id), Arg::Int(number + new.len() as i64)];
    dialect::found::<D>(conn, advance, args).await?;
    for req in &new {
        if let Some(original) = req.credits_invoice_id {
            settle::<D>(conn, original, req.issue_date, req.issued_at).await?;
        }
    }
    let ids = new.iter().map(|r| r.id).collect();
    let new_keys: Vec<&str> = new.iter().map(|r| r.idempotency_key.as_str()).collect();
    let mut all = before;
    all.extend(by_keys::<D>(conn, operator_id, &new_keys).await?);
    Ok((all, ids))
}

/// [`InvoicingStore::issue_invoices`], inside the caller's transaction.
pub async fn issue_many<D: Dialect>(
    conn: &mut Conn<D>,
    reqs: &[IssueRequest],
    audit: Option<&crate::IssueAudit>,
) -> StoreResult<Vec<IssuedInvoice>> {
    // Series locked in one order, so two batches never wait on each other.
    let mut operators: Vec<Uuid> = reqs.iter().map(|r| r.operator_id).collect();
    operators.sort_unstable();
    operators.dedup();
    let mut issued = std::collections::HashMap::new();
    let mut entries = Vec::new();
    for o in operators {
        let mine: Vec<&IssueRequest> = reqs.iter().filter(|r| r.operator_id == o).collect();
        let (by_key, new) = issue_operators::<D>(conn, o, &mine).await?;
        if let Some(a) = audit {
            let by_id: std::collections::HashMap<Uuid, &IssuedInvoice> =
                by_key.values().map(|i| (i.id, i)).collect();
            for inv in new.iter().filter_map(|id| by_id.get(id)) {
                entries.push(crate::AuditEntry {
                    id: thirdplace_domain::new_id(),
                    at: a.at,
                    actor_id: a.actor_id,
                    action: a.action.clone(),
                    object_kind: "invoice".into(),
                    object_id: inv.id,
                    details: serde_json::json!({
                        "number": inv.display_number(),
                        "organisation_id": inv.organisation_id,
                        "gross_ore": inv.gross_ore,
                    }),
                });
            }
        }
        issued.insert(o, by_key);
    }
    crate::audit_sql::append_many::<D>(conn, &entries).await?;
    reqs.iter()
        .map(|r| {
            issued
                .get(&r.operator_id)
                .and_then(|m| m.get(&r.idempotency_key))
                .cloned()
                .ok_or(StoreError::NotFound)
        })
        .collect()
}

// ------------------------------------------------------------- run facts

/// The seats operator `$1` sells that are valid some day of `$2..=$3`: the
/// seat's own selling operator, else its plan's, else (a hub's plan) the
/// hub's operator.
const RUN_SEATS: &str = "FROM seats s JOIN plans p ON p.id = s.plan_id \
     WHERE COALESCE(s.selling_operator_id, p.selling_operator_id, \
       (SELECT h.operator_id FROM hubs h WHERE h.id = p.scope_hub_id)) = $1 \
     AND s.start_date <= $3 AND (s.end_date IS NULL OR s.end_date >= $2)";

/// The instants that surely hold the civil days `from..=to`: civil days
/// in Europe/Stockholm begin at most two hours before UTC midnight, so a
/// day more on each side covers them (from, until: exclusive).
pub(super) fn civil_window(
    from: NaiveDate,
    to: NaiveDate,
) -> StoreResult<(DateTime<Utc>, DateTime<Utc>)> {
    let start = from
        .and_hms_opt(0, 0, 0)
        .map(|t| t.and_utc() - Duration::days(1));
    let end = to
        .and_hms_opt(0, 0, 0)
        .map(|t| t.and_utc() + Duration::days(2));
    match (start, end) {
        (Some(start), Some(end)) => Ok((start, end)),
        _ => Err(StoreError::NotFound),
    }
}

/// [`InvoicingStore::run_facts`].
pub async fn run_facts<D: Dialect>(
    conn: &mut Conn<D>,
    operator_id: Uuid,
    from: NaiveDate,
    to: NaiveDate,
) -> StoreResult<RunFacts> {
    let known = "SELECT id FROM operators WHERE id = $1";
    if !exists::<D>(conn, known, vec![Arg::Id(operator_id)]).await? {
        return Err(StoreError::NotFound);
    }
    let days = || vec![Arg::Id(operator_id), Arg::Date(from), Arg::Date(to)];
    // The run sorts out the days.
    let (start, end) = civil_window(from, to)?;

    let sql = format!(
        "SELECT s.id, s.organisation_id, s.start_date, s.end_date, p.name AS plan_name, \
         CAST(p.monthly_price_ore AS BIGINT) AS monthly_price_ore, \
         CAST(p.vat_rate_percent AS BIGINT) AS vat_rate_percent, \
         CAST(p.included_hours_per_month AS BIGINT) AS included_hours_per_month \
         {RUN_SEATS} ORDER BY s.organisation_id, s.id"
    );
    let mut seats = dialect::all::<D, _>(conn, &sql, days(), |r| {
        Ok(RunSeat {
            id: r.column("id")?,
            organisation_id: r.column("organisation_id")?,
            plan_name: r.column("plan_name")?,
            monthly_price_ore: r.column("monthly_price_ore")?,
            vat_rate_percent: r.column("vat_rate_percent")?,
            included_hours_per_month: r.column("included_hours_per_month")?,
            start_date: r.column("start_date")?,
            end_date: r.column("end_date")?,
            holdings: Vec::new(),
        })
    })
    .await?;
    let sql = format!(
        "SELECT h.seat_id, h.person_id, h.held_from, h.held_until, pe.first_name, pe.last_name \
         FROM seat_holdings h JOIN people pe ON pe.id = h.person_id \
         WHERE h.seat_id IN (SELECT s.id {RUN_SEATS}) ORDER BY h.seat_id, h.held_from"
    );
    let holdings = dialect::all::<D, _>(conn, &sql, days(), |r| {
        Ok((
            r.column::<Uuid>("seat_id")?,
            RunHolding {
                person_id: r.column("person_id")?,
                first_name: r.column("first_name")?,
                last_name: r.column("last_name")?,
                from: r.column("held_from")?,
                until: r.column("held_until")?,
            },
        ))
    })
    .await?;
    let mut by_seat: std::collections::HashMap<Uuid, Vec<RunHolding>> = Default::default();
    for (seat, h) in holdings {
        by_seat.entry(seat).or_default().push(h);
    }
    for s in &mut seats {
        s.holdings = by_seat.remove(&s.id).unwrap_or_default();
    }

    // Customers: the seats' organisations and those that booked the
    // operator's rooms in the window.
    let window = |args: &mut Vec<Arg<'_>>| {
        let a = param(args, D::at(start));
        let b = param(args, D::at(end));
        format!("b.starts_at >= {a} AND b.starts_at < {b}")
    };
    let mut args = days();
    let w = window(&mut args);
    let customers = format!(
        "SELECT s.organisation_id {RUN_SEATS} UNION \
         SELECT b.organisation_id FROM bookings b JOIN hubs h ON h.id = b.hub_id \
         WHERE h.operator_id = $1 AND {w}"
    );
    let sql = format!("SELECT * FROM organisations WHERE id IN ({customers}) ORDER BY name, id");
    let organisations = dialect::all::<D, _>(conn, &sql, args, super::organisation).await?;

    // The window's bookings by time (its index), the customers' kept here:
    // cheaper than asking the database to match them.
    let customer_ids: std::collections::HashSet<Uuid> =
        organisations.iter().map(|o| o.id).collect();
    let mut args = vec![Arg::Id(operator_id)];
    let w = window(&mut args);
    let yes = param(&mut args, Arg::Bool(true));
    let sql = format!(
        "SELECT b.id, b.organisation_id, b.seat_id, b.starts_at, b.ends_at, \
         b.cancellation_charged, CAST(b.price_ex_vat_ore AS BIGINT) AS price_ex_vat_ore, \
         h.operator_id, h.name AS hub_name, r.name AS room_name, \
         CAST(r.hourly_price_ore AS BIGINT) AS hourly_price_ore, \
         CAST(r.vat_rate_percent AS BIGINT) AS vat_rate_percent, \
         pe.first_name, pe.last_name \
         FROM bookings b JOIN hubs h ON h.id = b.hub_id JOIN rooms r ON r.id = b.room_id \
         JOIN people pe ON pe.id = b.booker_id \
         WHERE {w} \
         AND (b.status = 'confirmed' OR (b.status = 'cancelled' \
           AND b.cancellation_charged = {yes} AND h.operator_id = $1)) \
         ORDER BY b.starts_at, b.id"
    );
    let mut bookings = dialect::all::<D, _>(conn, &sql, args, |r| {
        Ok(RunBooking {
            id: r.column("id")?,
            organisation_id: r.column("organisation_id")?,
            seat_id: r.column("seat_id")?,
            operator_id: r.column("operator_id")?,
            room_name: r.column("room_name")?,
            hub_name: r.column("hub_name")?,
            starts_at: D::instant(r, "starts_at")?,
            ends_at: D::instant(r, "ends_at")?,
            hourly_price_ore: r.column("hourly_price_ore")?,
            vat_rate_percent: r.column("vat_rate_percent")?,
            booker_first_name: r.column("first_name")?,
            booker_last_name: r.column("last_name")?,
            cancellation_charged: r.column("cancellation_charged")?,
            price_ex_vat_ore: r.column("price_ex_vat_ore")?,
        })
    })
    .await?;
    bookings.retain(|b| customer_ids.contains(&b.organisation_id));

    let sql = "SELECT charge_key FROM invoice_charges WHERE operator_id = $1 ORDER BY charge_key";
    let invoiced = dialect::all::<D, _>(conn, sql, vec![Arg::Id(operator_id)], |r| {
        r.column::<String>("charge_key")
    })
    .await?;
    Ok(RunFacts {
        customers: organisations,
        seats,
        bookings,
        invoiced,
    })
}

// ------------------------------------------------------------- payments

/// Brings an invoice's paid state up to date after a payment or credit
/// note (`on` the day of it): paid once payments and credit notes cover
/// it, and its waiting payments resolved when they cover it exactly. The
/// invoice's row is locked first, so payments at once all count.
async fn settle<D: Dialect>(
    conn: &mut Conn<D>,
    invoice_id: Uuid,
    on: NaiveDate,
    at: DateTime<Utc>,
) -> StoreResult<()> {
    let lock = format!("SELECT id FROM invoices WHERE id = $1{}", D::LOCK);
    dialect::optional::<D, _>(conn, &lock, vec![Arg::Id(invoice_id)], id_of).await?;
    let inv = by_id::<D>(conn, invoice_id).await?;
    if inv.kind != InvoiceKind::Invoice {
        return Ok(());
    }
    let covered = inv.paid_ore + inv.credited_ore;
    let id = Arg::Id(invoice_id);
    if covered >= inv.gross_ore && inv.paid_on.is_none() {
        let sql = "UPDATE invoices SET paid_on = $2 WHERE id = $1";
        dialect::run::<D>(conn, sql, vec![id.clone(), Arg::Date(on)]).await?;
    } else if covered < inv.gross_ore && inv.paid_on.is_some() {
        let sql = "UPDATE invoices SET paid_on = NULL WHERE id = $1";
        dialect::run::<D>(conn, sql, vec![id.clone()]).await?;
    }
    // Overpaid: left waiting, for a person to refund or move.
    if covered == inv.gross_ore {
        let sql = "UPDATE invoice_payments SET resolved_at = $2 \
             WHERE invoice_id = $1 AND resolved_at IS NULL";
        dialect::run::<D>(conn, sql, vec![id, Arg::Timestamp(at)]).await?;
    }
    Ok(())
}

/// The invoice a payment pays: the one named, which must be an invoice of
/// the operator (`Reference("invoice_id")` if not), or the operator's
/// invoice with the number its reference names, if any.
async fn payment_target<D: Dialect>(
    conn: &mut Conn<D>,
    p: &NewPayment,
) -> StoreResult<Option<Uuid>> {
    let sql = "SELECT id FROM invoices WHERE operator_id = $1 AND kind = 'invoice' AND ";
    if let Some(id) = p.invoice_id {
        let sql = format!("{sql}id = $2");
        let args = vec![Arg::Id(p.operator_id), Arg::Id(id)];
        if !exists::<D>(conn, &sql, args).await? {
            return Err(StoreError::Reference("invoice_id".into()));
        }
        return Ok(Some(id));
    }
    let Some(number) = p.invoice_number else {
        return Ok(None);
    };
    let sql = format!("{sql}number = $2");
    let args = vec![Arg::Id(p.operator_id), Arg::Int(number)];
    dialect::optional::<D, _>(conn, &sql, args, id_of).await
}

/// How a recorded payment stands.
enum Match {
    Full,
    Partial,
    Unmatched,
}

/// Records one payment (of a bank file, if `bank_file_id`) and settles its
/// invoice.
async fn record<D: Dialect>(
    conn: &mut Conn<D>,
    p: &NewPayment,
    bank_file_id: Option<Uuid>,
) -> StoreResult<(Payment, Match)> {
    let operator = "SELECT id FROM operators WHERE id = $1";
    if !exists::<D>(conn, operator, vec![Arg::Id(p.operator_id)]).await? {
        return Err(StoreError::Reference("operator_id".into()));
    }
    if let Some(key) = &p.bank_key {
        let seen = "SELECT id FROM invoice_payments WHERE operator_id = $1 AND bank_key = $2";
        if exists::<D>(conn, seen, vec![Arg::Id(p.operator_id), Arg::Text(key)]).await? {
            return Err(StoreError::Conflict("bank_key".into()));
        }
    }
    let invoice_id = payment_target::<D>(conn, p).await?;
    let sql = "INSERT INTO invoice_payments (id, operator_id, invoice_id, amount_ore, paid_on, \
         reference, source, bank_file_id, bank_key, payer, recorded_at, recorded_by) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)";
    let args = vec![
        Arg::Id(p.id),
        Arg::Id(p.operator_id),
        Arg::OptId(invoice_id),
        Arg::Int(p.amount_ore),
        Arg::Date(p.paid_on),
        Arg::Text(&p.reference),
        Arg::Text(p.source.as_str()),
        Arg::OptId(bank_file_id),
        Arg::OptText(p.bank_key.as_deref()),
        Arg::OptText(p.payer.as_deref()),
        Arg::Timestamp(p.recorded_at),
        Arg::OptId(p.recorded_by),
    ];
    dialect::write_one::<D>(conn, sql, args).await?;
    let how = match invoice_id {
        None => Match::Unmatched,
        Some(invoice_id) => {
            settle::<D>(conn, invoice_id, p.paid_on, p.recorded_at).await?;
            if by_id::<D>(conn, invoice_id).await?.paid_on.is_some() {
                Match::Full
            } else {
                Match::Partial
            }
        }
    };
    Ok((payment_by_id::<D>(conn, p.id).await?, how))
}

/// [`InvoicingStore::import_bank_file`], inside the caller's transaction.
pub async fn import<D: Dialect>(
    conn: &mut Conn<D>,
    f: &BankFileImport,
) -> StoreResult<BankFileOutcome> {
    let seen = "SELECT id FROM bank_files WHERE operator_id = $1 AND fingerprint = $2";
    let args = vec![Arg::Id(f.operator_id), Arg::Text(&f.fingerprint)];
    if let Some(id) = dialect::optional::<D, _>(conn, seen, args, id_of).await? {
        return Ok(BankFileOutcome::AlreadyImported(id));
    }
    let operator = "SELECT id FROM operators WHERE id = $1";
    if !exists::<D>(conn, operator, vec![Arg::Id(f.operator_id)]).await? {
        return Err(StoreError::Reference("operator_id".into()));
    }
    let sql = "INSERT INTO bank_files (id, operator_id, fingerprint, file_name, imported_at, \
         imported_by) VALUES ($1, $2, $3, $4, $5, $6)";
    let args = vec![
        Arg::Id(f.id),
        Arg::Id(f.operator_id),
        Arg::Text(&f.fingerprint),
        Arg::Text(&f.file_name),
        Arg::Timestamp(f.imported_at),
        Arg::OptId(f.imported_by),
    ];
    dialect::write_one::<D>(conn, sql, args).await?;
    let (mut matched, mut partial, mut unmatched, mut skipped) = (0, 0, 0, 0);
    for p in &f.payments {
        let p = NewPayment {
            operator_id: f.operator_id,
            source: PaymentSource::BankFile,
            ..p.clone()
        };
        match record::<D>(conn, &p, Some(f.id)).await {
            Ok((_, Match::Full)) => matched += 1,
            Ok((_, Match::Partial)) => partial += 1,
            Ok((_, Match::Unmatched)) => unmatched += 1,
            Err(StoreError::Conflict(_)) => skipped += 1,
            Err(e) => return Err(e),
        }
    }
    Ok(BankFileOutcome::Imported {
        matched,
        partial,
        unmatched,
        skipped,
    })
}

/// [`InvoicingStore::resolve_payment`], inside the caller's transaction.
pub async fn resolve<D: Dialect>(
    conn: &mut Conn<D>,
    payment_id: Uuid,
    invoice_id: Option<Uuid>,
    by: Option<Uuid>,
    at: DateTime<Utc>,
) -> StoreResult<Payment> {
    let before = payment_by_id::<D>(conn, payment_id).await?;
    if let Some(id) = invoice_id {
        let sql = "SELECT id FROM invoices WHERE id = $1 AND operator_id = $2 AND kind = 'invoice'";
        if !exists::<D>(conn, sql, vec![Arg::Id(id), Arg::Id(before.operator_id)]).await? {
            return Err(StoreError::Reference("invoice_id".into()));
        }
    }
    let sql = "UPDATE invoice_payments SET invoice_id = COALESCE($2, invoice_id), \
         resolved_at = $3, resolved_by = $4 WHERE id = $1";
    let args = vec![
        Arg::Id(payment_id),
        Arg::OptId(invoice_id),
        Arg::Timestamp(at),
        Arg::OptId(by),
    ];
    dialect::found::<D>(conn, sql, args).await?;
    let on = at.date_naive();
    let now = invoice_id.or(before.invoice_id);
    if let (Some(old), true) = (before.invoice_id, before.invoice_id != now) {
        settle::<D>(conn, old, on, at).await?;
    }
    if let Some(id) = now {
        settle::<D>(conn, id, before.paid_on.max(on), at).await?;
    }
    payment_by_id::<D>(conn, payment_id).await
}

// ------------------------------------------------------------- the trait

#[async_trait]
impl<B: Backend> InvoicingStore for B {
    #[tracing::instrument(level = "debug", skip_all)]
    async fn issue_invoice(&self, req: &IssueRequest) -> StoreResult<IssuedInvoice> {
        let req = req.clone();
        self.transaction(move |c| Box::pin(async move { issue::<B::D>(c, &req).await }))
            .await
    }

    #[tracing::instrument(level = "debug", skip_all, fields(n = reqs.len()))]
    async fn issue_invoices(
        &self,
        reqs: &[IssueRequest],
        audit: Option<&crate::IssueAudit>,
    ) -> StoreResult<Vec<IssuedInvoice>> {
        if reqs.is_empty() {
            return Ok(Vec::new());
        }
        let reqs = reqs.to_vec();
        let audit = audit.cloned();
        self.transaction(move |c| {
            Box::pin(async move { issue_many::<B::D>(c, &reqs, audit.as_ref()).await })
        })
        .await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn run_facts(
        &self,
        operator_id: Uuid,
        from: NaiveDate,
        to: NaiveDate,
    ) -> StoreResult<RunFacts> {
        run_facts::<B::D>(&mut *self.reader().await?, operator_id, from, to).await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn invoice(&self, id: Uuid) -> StoreResult<IssuedInvoice> {
        by_id::<B::D>(&mut *self.reader().await?, id).await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn invoice_by_number(
        &self,
        operator_id: Uuid,
        number: i64,
    ) -> StoreResult<Option<IssuedInvoice>> {
        by_number::<B::D>(&mut *self.reader().await?, operator_id, number).await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn invoice_lines(&self, invoice_id: Uuid) -> StoreResult<Vec<InvoiceLine>> {
        lines::<B::D>(&mut *self.reader().await?, invoice_id).await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn list_invoices(&self, filter: &InvoiceFilter) -> StoreResult<Vec<IssuedInvoice>> {
        list::<B::D>(&mut *self.reader().await?, filter).await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn hub_invoice_lines(
        &self,
        hub_id: Uuid,
        from: NaiveDate,
        to: NaiveDate,
    ) -> StoreResult<Vec<HubInvoiceLine>> {
        hub_lines::<B::D>(&mut *self.reader().await?, hub_id, from, to).await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn overdue_invoices(
        &self,
        operator_id: Option<Uuid>,
        on: NaiveDate,
    ) -> StoreResult<Vec<IssuedInvoice>> {
        overdue::<B::D>(&mut *self.reader().await?, operator_id, on).await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn record_payment(&self, p: &NewPayment) -> StoreResult<Payment> {
        let p = p.clone();
        self.transaction(move |c| Box::pin(async move { Ok(record::<B::D>(c, &p, None).await?.0) }))
            .await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn import_bank_file(&self, f: &BankFileImport) -> StoreResult<BankFileOutcome> {
        let file = f.clone();
        let done = self
            .transaction(move |c| Box::pin(async move { import::<B::D>(c, &file).await }))
            .await;
        match done {
            // The same file imported at the same moment by another process.
            Err(StoreError::Conflict(_)) => {
                let seen = "SELECT id FROM bank_files WHERE operator_id = $1 AND fingerprint = $2";
                let args = vec![Arg::Id(f.operator_id), Arg::Text(&f.fingerprint)];
                let conn = &mut *self.reader().await?;
                match dialect::optional::<B::D, _>(conn, seen, args, id_of).await? {
                    Some(id) => Ok(BankFileOutcome::AlreadyImported(id)),
                    None => Err(StoreError::Conflict("fingerprint".into())),
                }
            }
            done => done,
        }
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn invoice_payments(&self, invoice_id: Uuid) -> StoreResult<Vec<Payment>> {
        payments_of::<B::D>(&mut *self.reader().await?, invoice_id).await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn payments_to_resolve(&self, operator_id: Option<Uuid>) -> StoreResult<Vec<Payment>> {
        to_resolve::<B::D>(&mut *self.reader().await?, operator_id).await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn resolve_payment(
        &self,
        payment_id: Uuid,
        invoice_id: Option<Uuid>,
        by: Option<Uuid>,
        at: DateTime<Utc>,
    ) -> StoreResult<Payment> {
        self.transaction(move |c| {
            Box::pin(async move { resolve::<B::D>(c, payment_id, invoice_id, by, at).await })
        })
        .await
    }
}
