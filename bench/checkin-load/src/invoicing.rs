//! A month's invoice run with the store (`invoice-run`, issue 16).
//!
//! Seeds one operator selling a network card to `organisations` customer
//! organisations (buyer reference and invoice address filled in) with
//! `seats` seats between them, each held by a person (one in ten changes
//! holder mid-month), and `bookings` one-hour room bookings in the month
//! over `hubs` hubs of ten rooms each. Then, timed, the run the invoicing
//! page does, through the web crate's service and the real store:
//!
//! 1. **preview**: the run's facts from the store and every customer's
//!    lines, pro-rated seats and room hours beyond the included ones;
//! 2. **issue**: every customer's invoice issued, 500 to a transaction
//!    (gap-free numbers, lines, charge keys, documents, audit entries);
//! 3. **documents**: each issued invoice's Peppol UBL and PDF written again
//!    from what the store kept, on every core.
//!
//! The target is the three together under 10 s. It checks that one
//! invoice per customer was issued, numbered without a gap, and that the
//! invoices add up to what the preview said. It never touches a database
//! it did not create (unless `--existing-database`).

use super::{instant, Db, DbArgs, LoadReport, Target};
use anyhow::{anyhow, ensure, Result};
use chrono::{Duration as Days, NaiveDate, TimeZone, Utc};
use clap::Parser;
use serde::Serialize;
use std::sync::Arc;
use std::time::Instant;
use thirdplace_domain::booking::{Booking, BookingStatus, Price};
use thirdplace_domain::membership::{Plan, PlanScope, Seat, Validity};
use thirdplace_domain::{
    new_id, Bankgiro, Email, Hub, OrgKind, OrgNumber, Organisation, Person, Postcode, Room,
    RoomKind, VatNumber, HUB_TIME_ZONE,
};
use thirdplace_invoicing::pdf::{to_pdf, Language};
use thirdplace_invoicing::ubl::to_ubl;
use thirdplace_store::{IssuedInvoice, Store};
use thirdplace_web::invoicing::service;
use thirdplace_web::{AppState, WebConfig};
use uuid::Uuid;

/// The target from the issue: the month's run, issued with UBL and PDF.
pub const TARGET_S: f64 = 10.0;

/// The month invoiced, and the day the run is made.
const MONTH: &str = "2026-10";
const RUN_AT: &str = "2026-11-02T08:00:00Z";
const ROOMS_PER_HUB: usize = 10;
/// Bookable one-hour slots start at 06:00 … 22:00 (Swedish time).
const FIRST_HOUR: u32 = 6;
const SLOTS_PER_DAY: usize = 17;
const DAYS: usize = 31;

#[derive(Parser, Debug, Clone)]
#[command(
    name = "invoice-run",
    about = "A month's invoice run for 5 000 organisations with the store: preview, issue, UBL and PDF"
)]
pub struct InvoiceOptions {
    /// Customer organisations.
    #[arg(long, default_value_t = 5_000)]
    pub organisations: usize,
    /// Seats, spread evenly over the organisations.
    #[arg(long, default_value_t = 20_000)]
    pub seats: usize,
    /// One-hour room bookings in the month, spread over the organisations.
    #[arg(long, default_value_t = 100_000)]
    pub bookings: usize,
    /// Hubs of ten rooms each (there must be room for the bookings: 527
    /// slots a room in the month).
    #[arg(long, default_value_t = 20)]
    pub hubs: usize,
    #[command(flatten)]
    pub db: DbArgs,
    /// Worker threads of the runtime and for the documents (default: the
    /// number of CPUs).
    #[arg(long)]
    pub threads: Option<usize>,
    /// Print the report as JSON.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct InvoiceReport {
    pub backend: String,
    pub organisations: usize,
    pub seats: usize,
    pub bookings: usize,
    pub threads: usize,
    pub seed_s: f64,
    pub preview_s: f64,
    pub issue_s: f64,
    pub documents_s: f64,
    pub total_s: f64,
    pub invoices: usize,
    pub lines: usize,
    pub payable_ore: i64,
    pub ubl_bytes: usize,
    pub pdf_bytes: usize,
    pub targets: Vec<Target>,
    pub problems: Vec<String>,
}

impl LoadReport for InvoiceReport {
    fn text(&self) -> String {
        let mut s = String::new();
        let mut line = |l: String| {
            s.push_str(&l);
            s.push('\n');
        };
        line(format!(
            "invoice-run on {}: {} organisations, {} seats, {} bookings, {} threads (seeded in {:.1} s)",
            self.backend, self.organisations, self.seats, self.bookings, self.threads, self.seed_s
        ));
        line(format!(
            "preview   {:>7.2} s  ({} lines)",
            self.preview_s, self.lines
        ));
        line(format!(
            "issue     {:>7.2} s  ({} invoices, {:.2} ms each)",
            self.issue_s,
            self.invoices,
            1000.0 * self.issue_s / self.invoices.max(1) as f64
        ));
        line(format!(
            "documents {:>7.2} s  (UBL {:.1} MB, PDF {:.1} MB)",
            self.documents_s,
            self.ubl_bytes as f64 / 1e6,
            self.pdf_bytes as f64 / 1e6
        ));
        line(format!(
            "total     {:>7.2} s  (payable {:.2} kr)",
            self.total_s,
            self.payable_ore as f64 / 100.0
        ));
        for p in &self.problems {
            line(format!("PROBLEM: {p}"));
        }
        for t in &self.targets {
            line(format!(
                "{} {}: {}",
                if t.pass { "PASS" } else { "FAIL" },
                t.name,
                t.detail
            ));
        }
        s
    }

    fn clean(&self) -> bool {
        self.targets.iter().all(|t| t.pass) && self.problems.is_empty()
    }
}

pub fn run(opts: &InvoiceOptions) -> Result<InvoiceReport> {
    let threads = opts.threads.unwrap_or_else(|| {
        std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(2)
    });
    ensure!(opts.organisations > 0, "--organisations must be at least 1");
    ensure!(
        opts.bookings <= opts.hubs * ROOMS_PER_HUB * SLOTS_PER_DAY * DAYS,
        "{} bookings do not fit in {} hubs' rooms in a month",
        opts.bookings,
        opts.hubs
    );
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(threads)
        .enable_all()
        .build()?;
    runtime.block_on(async {
        let db = Db::open(&opts.db).await?;
        let report = measure(&db, opts, threads).await;
        db.close().await;
        report
    })
}

async fn measure(db: &Db, opts: &InvoiceOptions, threads: usize) -> Result<InvoiceReport> {
    let store = db.store();
    let started = Instant::now();
    let seeded = seed(store.clone(), opts).await?;
    db.analyze().await?;
    let seed_s = started.elapsed().as_secs_f64();
    tracing::info!(seconds = seed_s, "seeded");

    let state = AppState::new(store.clone(), WebConfig::default());
    state.clock.set(instant(RUN_AT));
    let month = service::parse_month(MONTH).map_err(|e| anyhow!("{e:?}"))?;

    let t = Instant::now();
    let run = service::prepare(&state, seeded.operator, month)
        .await
        .map_err(|e| anyhow!("preview: {e:?}"))?;
    let preview_s = t.elapsed().as_secs_f64();
    let (issuable, payable_ore) = run.issuable();
    let lines = run.preview.customers.iter().map(|c| c.lines.len()).sum();

    let t = Instant::now();
    let issued = service::issue(&state, &run, None, "bench", seeded.admin)
        .await
        .map_err(|e| anyhow!("issue: {e:?}"))?;
    let issue_s = t.elapsed().as_secs_f64();

    let t = Instant::now();
    let (ubl_bytes, pdf_bytes) = documents(&issued.invoices, threads)?;
    let documents_s = t.elapsed().as_secs_f64();
    let total_s = preview_s + issue_s + documents_s;

    let mut problems = Vec::new();
    if issuable != opts.organisations || issued.invoices.len() != opts.organisations {
        problems.push(format!(
            "{} organisations, {issuable} issuable, {} issued ({} blocked)",
            opts.organisations,
            issued.invoices.len(),
            issued.blocked.len()
        ));
    }
    let numbers: Vec<i64> = issued.invoices.iter().map(|i| i.number).collect();
    if numbers != (1..=numbers.len() as i64).collect::<Vec<_>>() {
        problems.push("the numbers are not 1, 2, 3 … without a gap".into());
    }
    let gross: i64 = issued.invoices.iter().map(|i| i.gross_ore).sum();
    if gross != payable_ore {
        problems.push(format!(
            "the invoices add up to {gross} öre, the preview to {payable_ore}"
        ));
    }
    let targets = vec![Target {
        name: "month's run, issued with UBL and PDF".into(),
        pass: total_s < TARGET_S,
        detail: format!("{total_s:.2} s (target < {TARGET_S} s)"),
    }];
    Ok(InvoiceReport {
        backend: store.backend_name().into(),
        organisations: opts.organisations,
        seats: opts.seats,
        bookings: opts.bookings,
        threads,
        seed_s,
        preview_s,
        issue_s,
        documents_s,
        total_s,
        invoices: issued.invoices.len(),
        lines,
        payable_ore,
        ubl_bytes,
        pdf_bytes,
        targets,
        problems,
    })
}

/// Every invoice's UBL and PDF from what the store kept, on `threads`
/// threads; the bytes written.
fn documents(invoices: &[IssuedInvoice], threads: usize) -> Result<(usize, usize)> {
    let chunk = invoices.len().div_ceil(threads.max(1)).max(1);
    std::thread::scope(|scope| {
        let workers: Vec<_> = invoices
            .chunks(chunk)
            .map(|part| {
                scope.spawn(move || -> Result<(usize, usize)> {
                    let (mut ubl, mut pdf) = (0, 0);
                    for inv in part {
                        let doc = service::document(inv).map_err(|e| anyhow!("{e:?}"))?;
                        ubl += to_ubl(&doc).len();
                        pdf += to_pdf(&doc, Language::Swedish)
                            .map_err(|e| anyhow!("{e}"))?
                            .len();
                    }
                    Ok((ubl, pdf))
                })
            })
            .collect();
        workers.into_iter().try_fold((0, 0), |(u, p), w| {
            let (du, dp) = w
                .join()
                .map_err(|_| anyhow!("a document thread panicked"))??;
            Ok((u + du, p + dp))
        })
    })
}

// -------------------------------------------------------------------- seed

struct Seeded {
    operator: Uuid,
    admin: Uuid,
}

/// A valid organisation number for `n` (its check digit found by trying).
fn org_number(n: usize) -> OrgNumber {
    let nine = format!("{:09}", 212_000_000 + n % 700_000_000);
    (0..10)
        .find_map(|check| OrgNumber::parse(&format!("{nine}{check}")).ok())
        .expect("one check digit fits")
}

async fn seed(store: Arc<dyn Store>, opts: &InvoiceOptions) -> Result<Seeded> {
    let (_, municipality, mut operator) = super::seed_network(store.as_ref()).await?;
    let number = org_number(1);
    let vat = format!("SE{}01", number.as_str().replace('-', ""));
    operator.seller.legal_name = Some("Benchby kommun".into());
    operator.seller.vat_number =
        Some(VatNumber::parse(&vat).map_err(|e| anyhow!("the operator's VAT number: {e:?}"))?);
    operator.org_number = Some(number);
    operator.seller.f_tax_approved = true;
    operator.seller.street_address = Some("Box 1".into());
    operator.seller.postal_code = Some(Postcode::parse("572 28").unwrap());
    operator.seller.city = Some("Benchby".into());
    operator.seller.bankgiro = Some(Bankgiro::parse("5050-1055").unwrap());
    operator.seller.invoice_prefix = "B".into();
    operator.seller.invoice_number_start = 1;
    store.update_operator(&operator).await?;

    let admin = Person {
        id: new_id(),
        first_name: "Anna".into(),
        last_name: "Admin".into(),
        email: Email::parse("admin@bench.example").unwrap(),
        organisation_id: None,
        is_network_admin: true,
        hosted_hub_ids: vec![],
        admin_of_organisation_ids: vec![],
        staff_of_operator_ids: vec![],
        archived: false,
    };
    store.insert_person(&admin).await?;

    let mut rooms = Vec::new();
    for h in 0..opts.hubs {
        let hub = Hub {
            id: new_id(),
            municipality_id: municipality.id,
            operator_id: operator.id,
            name: format!("Hub {h}"),
            description: String::new(),
            street_address: "Benchgatan 1".into(),
            postal_code: "123 45".into(),
            city: "Benchby".into(),
            latitude: 57.0,
            longitude: 16.0,
            in_central_town: false,
            opening_hours: super::all_day_every_day(),
            archived: false,
        };
        store.insert_hub(&hub).await?;
        for r in 0..ROOMS_PER_HUB {
            let room = Room {
                id: new_id(),
                hub_id: hub.id,
                name: format!("Rum {h}.{r}"),
                kind: RoomKind::Meeting,
                capacity: 8,
                hourly_price_ore: 30_000,
                vat_rate_percent: 25,
                archived: false,
            };
            store.insert_room(&room).await?;
            rooms.push((hub.id, room.id));
        }
    }
    let plan = Plan {
        id: new_id(),
        name: "Nätverkskort".into(),
        description: String::new(),
        scope: PlanScope::Network,
        monthly_price_ore: 145_000,
        included_hours_per_month: 4,
        max_guests: 0,
        validity: Validity::MonthlyRolling,
        archived: false,
        selling_operator_id: Some(operator.id),
        vat_rate_percent: 25,
    };
    store.insert_plan(&plan).await?;

    let mut orgs = Vec::with_capacity(opts.organisations);
    for i in 0..opts.organisations {
        let mut org = Organisation {
            id: new_id(),
            name: format!("Myndighet {i}"),
            org_number: org_number(1_000 + i),
            kind: OrgKind::GovernmentAgency,
            archived: false,
            buyer: Default::default(),
        };
        org.buyer.buyer_reference = Some(format!("Kst {i}"));
        org.buyer.invoice_street = Some("Fakturaservice, Box 100".into());
        org.buyer.invoice_postal_code = Some(Postcode::parse("171 94").unwrap());
        org.buyer.invoice_city = Some("Solna".into());
        store.insert_organisation(&org).await?;
        orgs.push(org.id);
    }

    // Seats from before the month, four an organisation (by default).
    let since = Utc.with_ymd_and_hms(2026, 9, 1, 0, 0, 0).unwrap();
    let seats: Vec<Seat> = (0..opts.seats)
        .map(|i| Seat {
            id: new_id(),
            plan_id: plan.id,
            organisation_id: orgs[i % orgs.len()],
            start_date: since.date_naive(),
            end_date: None,
            created_at: since,
            selling_operator_id: None,
        })
        .collect();
    for batch in seats.chunks(500) {
        store.insert_seats(batch).await?;
    }
    let mid_month = Utc.with_ymd_and_hms(2026, 10, 15, 22, 0, 0).unwrap();
    let mut holders = Vec::with_capacity(seats.len());
    for (i, seat) in seats.iter().enumerate() {
        let person = |n: usize| Person {
            id: new_id(),
            first_name: format!("Medlem{n}"),
            last_name: "Bänk".into(),
            email: Email::parse(&format!("medlem{n}@bench.example")).unwrap(),
            organisation_id: Some(seat.organisation_id),
            is_network_admin: false,
            hosted_hub_ids: vec![],
            admin_of_organisation_ids: vec![],
            staff_of_operator_ids: vec![],
            archived: false,
        };
        let first = person(i);
        store.insert_person(&first).await?;
        store.assign_seat(seat.id, Some(first.id), since).await?;
        holders.push(first.id);
        if i % 10 == 0 {
            // Changes holder mid-month.
            let next = person(opts.seats + i);
            store.insert_person(&next).await?;
            store.assign_seat(seat.id, Some(next.id), mid_month).await?;
        }
    }

    // One-hour bookings on distinct slots, the organisations in turn.
    let first_day = NaiveDate::from_ymd_opt(2026, 10, 1).unwrap();
    let bookings: Vec<Booking> = (0..opts.bookings)
        .map(|k| {
            let (hub_id, room_id) = rooms[k % rooms.len()];
            let slot = k / rooms.len();
            let day = first_day + Days::days((slot / SLOTS_PER_DAY) as i64);
            let hour = FIRST_HOUR + (slot % SLOTS_PER_DAY) as u32;
            let start = HUB_TIME_ZONE
                .from_local_datetime(&day.and_hms_opt(hour, 0, 0).unwrap())
                .earliest()
                .unwrap()
                .with_timezone(&Utc);
            let s = k % seats.len();
            Booking {
                id: new_id(),
                room_id,
                hub_id,
                booker_id: holders[s],
                organisation_id: seats[s].organisation_id,
                on_behalf_of_organisation: false,
                seat_id: Some(seats[s].id),
                series_id: None,
                title: "Möte".into(),
                start,
                end: start + Days::hours(1),
                status: BookingStatus::Confirmed,
                price: Price {
                    included_minutes: 0,
                    billable_minutes: 60,
                    price_ex_vat_ore: 30_000,
                    vat_percent: 25,
                    vat_ore: 7_500,
                    total_ore: 37_500,
                },
                created_at: since,
                cancelled_at: None,
                cancelled_by: None,
                cancel_reason: String::new(),
                cancellation_charged: false,
            }
        })
        .collect();
    for batch in bookings.chunks(1_000) {
        store.insert_bookings(batch, &[]).await?;
    }
    Ok(Seeded {
        operator: operator.id,
        admin: admin.id,
    })
}
