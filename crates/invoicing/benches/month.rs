//! A month's invoice run for a generated network, the pure part (no store):
//! 5 000 customer organisations with 20 000 seats (one in ten changing
//! holder mid-month) and 100 000 bookings across four operators. For every
//! customer: the run's lines, the checked [`Document`], its Peppol UBL and
//! its PDF.
//!
//! `cargo bench -p thirdplace-invoicing` prints a one-shot breakdown of the
//! whole month (preview, documents, UBL, PDF), then criterion's figures for
//! the preview, for the documents with their UBL, and for the PDFs of a
//! 25th of the invoices. Sample size 10 keeps it under two minutes on the
//! 2-core machine; see bench/README.md for the figures.

use std::collections::HashSet;
use std::hint::black_box;
use std::time::{Duration, Instant};

use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use chrono_tz::Europe::Stockholm;
use criterion::{criterion_group, criterion_main, Criterion};
use thirdplace_domain::OrgNumber;
use thirdplace_invoicing::document::{
    Address, Buyer, Document, PayeeAccount, PeppolEndpoint, SeVatNumber, Seller,
};
use thirdplace_invoicing::invoice::Period;
use thirdplace_invoicing::ocr::LengthDigit;
use thirdplace_invoicing::pdf::{to_pdf, Language};
use thirdplace_invoicing::run::{
    preview, BookingInput, ChargeKey, CustomerInput, EventFeeInput, Holding, RunInput, RunPreview,
    SeatInput,
};
use thirdplace_invoicing::ubl::to_ubl;
use thirdplace_invoicing::vat::standard_rated;

const CUSTOMERS: usize = 5_000;
const SEATS_PER_CUSTOMER: usize = 4;
const BOOKINGS_PER_CUSTOMER: usize = 20;
const OPERATORS: [&str; 4] = ["kalmar", "vaxjo", "vastervik", "oland"];

/// A small deterministic generator (no dependency, same network each run).
struct Lcg(u64);

impl Lcg {
    fn next(&mut self, below: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (self.0 >> 33) % below
    }
}

fn d(day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 3, day).expect("a March day")
}

fn at(day: u32, hour: u32, minute: u32) -> DateTime<Utc> {
    Stockholm
        .with_ymd_and_hms(2026, 3, day, hour, minute, 0)
        .earliest()
        .expect("a civil time")
        .with_timezone(&Utc)
}

/// A valid organisation number for `n` (Luhn check digit computed).
fn org_number(n: u64) -> OrgNumber {
    let nine = format!("{:09}", 212_000_000 + n % 700_000_000);
    for check in 0..10 {
        if let Ok(org) = OrgNumber::parse(&format!("{nine}{check}")) {
            return org;
        }
    }
    unreachable!("one check digit fits")
}

fn address(city: &str) -> Address {
    Address {
        street: "Storgatan 1".into(),
        additional: None,
        postal_code: "392 32".into(),
        city: city.into(),
        country: "SE".into(),
    }
}

fn seller(i: usize) -> Seller {
    let org = org_number(i as u64);
    Seller {
        legal_name: format!("{} kommun", OPERATORS[i]),
        trading_name: Some(format!("{} Coworking", OPERATORS[i])),
        vat_number: SeVatNumber::for_org_number(&org),
        endpoint: PeppolEndpoint::for_org_number(&org),
        org_number: org,
        f_skatt: true,
        legal_info: None,
        address: address("Kalmar"),
        contact: None,
    }
}

fn runs() -> Vec<RunInput> {
    (0..OPERATORS.len())
        .map(|i| RunInput {
            operator: OPERATORS[i].into(),
            seller: seller(i),
            account: PayeeAccount::bankgiro("5050-1055").expect("a bankgiro"),
            ocr_length: LengthDigit::With,
            payment_terms: "30 dagar netto".into(),
            issue_date: NaiveDate::from_ymd_opt(2026, 4, 1).expect("a day"),
            due_date: NaiveDate::from_ymd_opt(2026, 5, 1).expect("a day"),
            period: Period::new(d(1), d(31)).expect("March"),
            time_zone: Stockholm,
            language: Language::Swedish,
        })
        .collect()
}

const FIRST: [&str; 8] = [
    "Anna", "Björn", "Cecilia", "David", "Eva", "Fredrik", "Greta", "Hussein",
];
const LAST: [&str; 8] = [
    "Berg", "Ek", "Dahl", "Lind", "Öberg", "Nilsson", "Åström", "Ali",
];

/// The network: customers in operator order (customer `c` belongs to
/// operator `c % 4`), with their seats, bookings and a few event fees.
fn network() -> Vec<Vec<CustomerInput>> {
    let mut rng = Lcg(16);
    let s25 = standard_rated(25).expect("25 %");
    let s6 = standard_rated(6).expect("6 %");
    let mut per_operator: Vec<Vec<CustomerInput>> = vec![Vec::new(); OPERATORS.len()];
    for c in 0..CUSTOMERS {
        let op = c % OPERATORS.len();
        let operator = OPERATORS[op];
        let org = org_number(1_000 + c as u64);
        let name = |rng: &mut Lcg| {
            (
                FIRST[rng.next(8) as usize].to_string(),
                LAST[rng.next(8) as usize].to_string(),
            )
        };
        let mut seats = Vec::new();
        for s in 0..SEATS_PER_CUSTOMER {
            let seat_id = format!("s{c}-{s}");
            let (first, last) = name(&mut rng);
            let mut holdings = vec![Holding {
                id: format!("{seat_id}-h1"),
                first_name: first,
                last_name: last,
                from: NaiveDate::from_ymd_opt(2025, 9, 1).expect("a day"),
                to: None,
            }];
            if rng.next(10) == 0 {
                // Changes holder mid-month.
                let cut = 2 + rng.next(28) as u32;
                holdings[0].to = Some(d(cut - 1));
                let (first, last) = name(&mut rng);
                holdings.push(Holding {
                    id: format!("{seat_id}-h2"),
                    first_name: first,
                    last_name: last,
                    from: d(cut),
                    to: None,
                });
            }
            seats.push(SeatInput {
                seat_id,
                plan_name: format!("Medlemskap {operator} Coworking"),
                monthly_price_ore: [150_000, 250_000, 320_000][rng.next(3) as usize],
                vat: s25.clone(),
                operator: operator.into(),
                included_room_minutes: [0, 4 * 60, 8 * 60][rng.next(3) as usize],
                holdings,
            });
        }
        let bookings = (0..BOOKINGS_PER_CUSTOMER)
            .map(|b| {
                let day = 1 + rng.next(31) as u32;
                let start = at(day, 8 + rng.next(9) as u32, 30 * rng.next(2) as u32);
                let minutes = 30 * (1 + rng.next(6) as i64);
                let seat = rng.next(SEATS_PER_CUSTOMER as u64 + 1) as usize;
                BookingInput {
                    id: format!("b{c}-{b}"),
                    room_name: format!("Rum {}", rng.next(10)),
                    hub_name: format!("{operator} Coworking"),
                    start,
                    end: start + chrono::Duration::minutes(minutes),
                    hourly_price_ore: 30_000,
                    vat: s25.clone(),
                    operator: operator.into(),
                    booker: "Anna Berg".into(),
                    seat_id: (seat < SEATS_PER_CUSTOMER).then(|| format!("s{c}-{seat}")),
                }
            })
            .collect();
        let events = (0..rng.next(3))
            .map(|e| EventFeeInput {
                id: format!("e{c}-{e}"),
                title: "Frukostseminarium".into(),
                date: d(1 + rng.next(31) as u32),
                fee_ore: 15_000,
                vat: s6.clone(),
                operator: operator.into(),
                who: "Eva Lind".into(),
            })
            .collect();
        per_operator[op].push(CustomerInput {
            id: format!("c{c}"),
            buyer: Buyer {
                legal_name: format!("Organisation {c}"),
                vat_number: Some(SeVatNumber::for_org_number(&org).as_str().to_string()),
                endpoint: PeppolEndpoint::for_org_number(&org),
                org_number: Some(org),
                buyer_reference: format!("REF-{c}"),
                address: address("Kalmar"),
                contact: None,
            },
            seats,
            bookings,
            cancellations: vec![],
            events,
        });
    }
    per_operator
}

fn preview_all(runs: &[RunInput], network: &[Vec<CustomerInput>]) -> Vec<RunPreview> {
    let none = HashSet::<ChargeKey>::new();
    runs.iter()
        .zip(network)
        .map(|(run, customers)| preview(run, customers, &none))
        .collect()
}

fn documents(
    runs: &[RunInput],
    network: &[Vec<CustomerInput>],
    previews: &[RunPreview],
) -> Vec<Document> {
    let mut docs = Vec::new();
    for ((run, customers), p) in runs.iter().zip(network).zip(previews) {
        for (n, (c, preview)) in customers.iter().zip(&p.customers).enumerate() {
            assert_eq!(c.id, preview.customer_id, "every customer has lines");
            let number = format!("K2026-{:05}", n + 1);
            docs.push(
                preview
                    .document(run, &c.buyer, &number)
                    .expect("a generated customer is complete"),
            );
        }
    }
    docs
}

/// This thread's CPU time (user + system), from /proc on Linux: on a
/// machine shared with other work the wall-clock time overstates the cost.
fn cpu_time() -> Option<Duration> {
    let stat = std::fs::read_to_string("/proc/thread-self/stat").ok()?;
    // The fields after the command name (in parentheses): utime and stime
    // are the 12th and 13th, in clock ticks (100 a second on Linux).
    let rest = stat.rsplit_once(')')?.1;
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let ticks: u64 = fields.get(11)?.parse::<u64>().ok()? + fields.get(12)?.parse::<u64>().ok()?;
    Some(Duration::from_millis(ticks * 10))
}

/// Times `f` by the wall clock and by this thread's CPU time.
fn timed<T>(f: impl FnOnce() -> T) -> (T, Duration, Option<Duration>) {
    let (cpu, wall) = (cpu_time(), Instant::now());
    let out = f();
    let cpu = cpu.zip(cpu_time()).map(|(a, b)| b.saturating_sub(a));
    (out, wall.elapsed(), cpu)
}

fn breakdown(runs: &[RunInput], network: &[Vec<CustomerInput>]) {
    let seats: usize = network.iter().flatten().map(|c| c.seats.len()).sum();
    let changing: usize = network
        .iter()
        .flatten()
        .flat_map(|c| &c.seats)
        .filter(|s| s.holdings.len() > 1)
        .count();
    let bookings: usize = network.iter().flatten().map(|c| c.bookings.len()).sum();
    let (previews, t_preview, c_preview) = timed(|| preview_all(runs, network));
    let lines: usize = previews
        .iter()
        .flat_map(|p| &p.customers)
        .map(|c| c.lines.len())
        .sum();
    let (docs, t_docs, c_docs) = timed(|| documents(runs, network, &previews));
    let (ubl, t_ubl, c_ubl) = timed(|| docs.iter().map(|doc| to_ubl(doc).len()).sum::<usize>());
    let (pdf, t_pdf, c_pdf) = timed(|| {
        docs.iter()
            .map(|doc| to_pdf(doc, Language::Swedish).expect("a PDF").len())
            .sum::<usize>()
    });
    // UBL and PDF on both cores, each thread taking half the invoices.
    let (_, t_two, _) = timed(|| {
        std::thread::scope(|s| {
            let (a, b) = docs.split_at(docs.len() / 2);
            let work = |part: &[Document]| {
                part.iter()
                    .map(|doc| {
                        to_ubl(doc).len() + to_pdf(doc, Language::Swedish).expect("a PDF").len()
                    })
                    .sum::<usize>()
            };
            let other = s.spawn(move || work(b));
            work(a) + other.join().expect("the other thread")
        })
    });
    let ms = |d: Duration| format!("{:.0}", d.as_secs_f64() * 1000.0);
    let cpu = |d: Option<Duration>| d.map_or("?".to_string(), ms);
    let sum = |ds: [Option<Duration>; 4]| ds.into_iter().sum::<Option<Duration>>();
    println!(
        "month: {} customers, {seats} seats ({changing} changing holder), {bookings} bookings \
         → {} invoices, {lines} lines, UBL {} MB, PDF {} MB",
        network.iter().map(Vec::len).sum::<usize>(),
        docs.len(),
        ubl / 1_000_000,
        pdf / 1_000_000,
    );
    println!(
        "month, ms wall (CPU): preview {} ({}), documents {} ({}), UBL {} ({}), PDF {} ({}), \
         total {} ({}); UBL and PDF on two threads {} wall",
        ms(t_preview),
        cpu(c_preview),
        ms(t_docs),
        cpu(c_docs),
        ms(t_ubl),
        cpu(c_ubl),
        ms(t_pdf),
        cpu(c_pdf),
        ms(t_preview + t_docs + t_ubl + t_pdf),
        cpu(sum([c_preview, c_docs, c_ubl, c_pdf])),
        ms(t_two),
    );
}

fn bench(c: &mut Criterion) {
    let runs = runs();
    let network = network();
    if std::env::args().any(|a| a == "--bench") {
        breakdown(&runs, &network);
    }
    let mut group = c.benchmark_group("month");
    group.sample_size(10);
    group.warm_up_time(Duration::from_secs(1));
    group.measurement_time(Duration::from_secs(5));
    group.bench_function("preview, 5000 customers", |b| {
        b.iter(|| black_box(preview_all(&runs, &network)))
    });
    let previews = preview_all(&runs, &network);
    group.bench_function("documents and UBL, 5000 invoices", |b| {
        b.iter(|| {
            let docs = documents(&runs, &network, &previews);
            black_box(docs.iter().map(|doc| to_ubl(doc).len()).sum::<usize>())
        })
    });
    // The PDFs of a 25th of the month: the whole month's take minutes for
    // ten samples (the one-shot breakdown above has the month's).
    let docs = documents(&runs, &network, &previews);
    group.bench_function("PDF, 200 invoices", |b| {
        b.iter(|| {
            let pdfs = docs.iter().take(CUSTOMERS / 25);
            black_box(
                pdfs.map(|doc| to_pdf(doc, Language::Swedish).expect("a PDF").len())
                    .sum::<usize>(),
            )
        })
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
