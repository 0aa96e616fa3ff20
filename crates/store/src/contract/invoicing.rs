//! The contract of [`crate::InvoicingStore`]: numbers follow each
//! operator's series without a gap or a duplicate, however many issue at
//! once and from however many store instances (server processes); a retry
//! with the same key issues nothing; issued invoices never change; paid
//! state follows payments and credit notes; a bank file counts once.

use super::{organisation, seed_hub};
use crate::{
    AuditEntry, AuditFilter, BankFileImport, BankFileOutcome, InvoiceFilter, InvoiceKind,
    InvoiceLine, InvoiceStatus, IssueAudit, IssueRequest, IssuedInvoice, NewPayment, PaymentSource,
    Store, StoreError,
};
use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use futures_util::future::join_all;
use std::sync::Arc;
use thirdplace_domain::{new_id, Operator, Organisation};
use uuid::Uuid;

fn day(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 12, 1, 7, 0, 0).unwrap()
}

fn seat_line(net_ore: i64) -> InvoiceLine {
    InvoiceLine {
        description: "Kontorsplats, Anna Lind, december 2026".into(),
        quantity_milli: 1000,
        unit_code: "MON".into(),
        unit_price_ore: net_ore,
        net_ore,
        vat_category: "S".into(),
        vat_rate_percent: 25,
        vat_exemption_reason: None,
        product_kind: "seat".into(),
        revenue_account: 3041,
        seat_id: Some(new_id()),
        booking_id: None,
        event_id: None,
    }
}

/// An invoice of `net_ore` plus 25 % VAT, due 2026-12-31, with one line
/// and a room line.
fn request(o: Uuid, org: Uuid, key: &str, net_ore: i64) -> IssueRequest {
    let room = InvoiceLine {
        description: "Mötesrum Ölandssalen 2026-11-12, 1,5 h".into(),
        quantity_milli: 1500,
        unit_code: "HUR".into(),
        unit_price_ore: 0,
        net_ore: 0,
        product_kind: "room_hours".into(),
        seat_id: None,
        booking_id: Some(new_id()),
        ..seat_line(0)
    };
    IssueRequest {
        id: new_id(),
        idempotency_key: key.into(),
        operator_id: o,
        organisation_id: org,
        kind: InvoiceKind::Invoice,
        credits_invoice_id: None,
        issue_date: day("2026-12-01"),
        due_date: day("2026-12-31"),
        period_start: day("2026-12-01"),
        period_end: day("2026-12-31"),
        currency: "SEK".into(),
        buyer_reference: "Kst 4711".into(),
        seller: r#"{"legal_name":"Oskarshamns kommun"}"#.into(),
        buyer: r#"{"name":"Org 212000-0142"}"#.into(),
        lines: vec![seat_line(net_ore), room],
        net_ore,
        vat_ore: net_ore / 4,
        gross_ore: net_ore + net_ore / 4,
        issued_at: t0(),
        charge_keys: vec![],
        document: None,
    }
}

fn credit_note(original: &IssuedInvoice, key: &str, gross_ore: i64) -> IssueRequest {
    IssueRequest {
        kind: InvoiceKind::CreditNote,
        credits_invoice_id: Some(original.id),
        issue_date: day("2026-12-05"),
        lines: vec![seat_line(gross_ore * 4 / 5)],
        net_ore: gross_ore * 4 / 5,
        vat_ore: gross_ore / 5,
        gross_ore,
        ..request(original.operator_id, original.organisation_id, key, 0)
    }
}

fn payment(o: Uuid, number: Option<i64>, amount_ore: i64, paid_on: &str) -> NewPayment {
    NewPayment {
        id: new_id(),
        operator_id: o,
        invoice_id: None,
        invoice_number: number,
        amount_ore,
        paid_on: day(paid_on),
        reference: number.map(|n| format!("{n}")).unwrap_or_default(),
        source: PaymentSource::Manual,
        bank_key: None,
        payer: None,
        recorded_at: t0(),
        recorded_by: None,
    }
}

/// An operator (its series starting at `start`, prefix `prefix`) and a
/// customer organisation.
async fn seller_and_buyer(store: &dyn Store) -> (Operator, Organisation) {
    let (_, _, o, _) = seed_hub(store).await;
    let org = organisation("212000-0142");
    store.insert_organisation(&org).await.unwrap();
    (o, org)
}

fn numbers(invoices: &[IssuedInvoice]) -> Vec<i64> {
    let mut n: Vec<i64> = invoices.iter().map(|i| i.number).collect();
    n.sort_unstable();
    n
}

pub async fn numbers_follow_the_series_without_gaps(store: &dyn Store) {
    let (o, org) = seller_and_buyer(store).await;
    let a = store
        .issue_invoice(&request(o.id, org.id, "a", 100_000))
        .await
        .unwrap();
    assert_eq!(
        a.number, 1,
        "a new series starts at its start (1 by default)"
    );
    assert_eq!(a.kind, InvoiceKind::Invoice);
    assert_eq!(a.gross_ore, 125_000);
    assert_eq!(a.status(day("2026-12-02")), InvoiceStatus::Open);
    let lines = store.invoice_lines(a.id).await.unwrap();
    assert_eq!(lines.len(), 2);
    assert_eq!(lines[0].net_ore, 100_000);
    assert_eq!(lines[1].quantity_milli, 1500);
    assert_eq!(lines[1].unit_code, "HUR");

    // A failed issue (an unknown customer) uses no number.
    let unknown = request(o.id, new_id(), "b", 100_000);
    match store.issue_invoice(&unknown).await {
        Err(StoreError::Reference(f)) => assert_eq!(f, "organisation_id"),
        other => panic!("expected a reference error, got {other:?}"),
    }
    let bad_credit = IssueRequest {
        credits_invoice_id: Some(new_id()),
        ..request(o.id, org.id, "c", 1)
    };
    assert!(matches!(
        store.issue_invoice(&bad_credit).await,
        Err(StoreError::Reference(f)) if f == "credits_invoice_id"
    ));
    assert!(matches!(
        store.issue_invoice(&request(new_id(), org.id, "d", 1)).await,
        Err(StoreError::Reference(f)) if f == "operator_id"
    ));
    let b = store
        .issue_invoice(&request(o.id, org.id, "e", 100_000))
        .await
        .unwrap();
    assert_eq!(b.number, 2);
    assert_eq!(store.invoice(b.id).await.unwrap(), b);
    assert_eq!(
        store.invoice_by_number(o.id, 2).await.unwrap().as_ref(),
        Some(&b)
    );
    assert_eq!(store.invoice_by_number(o.id, 3).await.unwrap(), None);
    assert!(matches!(
        store.invoice(new_id()).await,
        Err(StoreError::NotFound)
    ));

    // Another operator's series is its own, starting where it says.
    let other = Operator {
        id: new_id(),
        name: "Samverket AB".into(),
        ..o.clone()
    };
    store.insert_operator(&other).await.unwrap();
    let c = store
        .issue_invoice(&request(other.id, org.id, "a", 100_000))
        .await
        .unwrap();
    assert_eq!(c.number, 1);
}

pub async fn the_same_key_again_issues_nothing(store: &dyn Store) {
    let (o, org) = seller_and_buyer(store).await;
    let req = request(o.id, org.id, "run-2026-12/212000-0142", 100_000);
    let first = store.issue_invoice(&req).await.unwrap();
    let again = IssueRequest {
        id: new_id(),
        ..req.clone()
    };
    assert_eq!(store.issue_invoice(&again).await.unwrap(), first);
    // Retries at once: still one invoice.
    let retries = (0..10).map(|_| {
        let r = IssueRequest {
            id: new_id(),
            ..req.clone()
        };
        async move { store.issue_invoice(&r).await.unwrap() }
    });
    for r in join_all(retries).await {
        assert_eq!(r, first);
    }
    let all = store
        .list_invoices(&InvoiceFilter::default())
        .await
        .unwrap();
    assert_eq!(all, vec![first.clone()]);
    let next = store
        .issue_invoice(&request(o.id, org.id, "another", 1))
        .await
        .unwrap();
    assert_eq!(next.number, first.number + 1);
}

/// 100 issue requests at once over one store: numbers 1..=100, each once.
pub async fn a_hundred_simultaneous_issues_number_without_gaps(store: &dyn Store) {
    let (o, org) = seller_and_buyer(store).await;
    let issues = (0..100).map(|i| {
        let req = request(o.id, org.id, &format!("k{i}"), 10_000 + i);
        async move { store.issue_invoice(&req).await.unwrap() }
    });
    let issued = join_all(issues).await;
    assert_eq!(numbers(&issued), (1..=100).collect::<Vec<_>>());
    let listed = store
        .list_invoices(&InvoiceFilter {
            operator_id: Some(o.id),
            ..InvoiceFilter::default()
        })
        .await
        .unwrap();
    assert_eq!(numbers(&listed), (1..=100).collect::<Vec<_>>());
}

/// 100 issue requests at once, as tokio tasks spread over two store
/// instances that share one database (two server processes, each with its
/// pool): numbers 1..=100, each once. Run by each backend's own tests with
/// two stores on one database; `a` and `b` may be the same store.
pub async fn a_hundred_issues_in_tasks_over_two_stores(a: Arc<dyn Store>, b: Arc<dyn Store>) {
    let (o, org) = seller_and_buyer(&*a).await;
    let tasks: Vec<_> = (0..100)
        .map(|i| {
            let store = if i % 2 == 0 { a.clone() } else { b.clone() };
            let req = request(o.id, org.id, &format!("k{i}"), 10_000 + i);
            tokio::spawn(async move { store.issue_invoice(&req).await.unwrap() })
        })
        .collect();
    let mut issued = Vec::new();
    for t in tasks {
        issued.push(t.await.unwrap());
    }
    assert_eq!(numbers(&issued), (1..=100).collect::<Vec<_>>());
    let next = b
        .issue_invoice(&request(o.id, org.id, "after", 1))
        .await
        .unwrap();
    assert_eq!(next.number, 101);
}

pub async fn a_credit_note_refers_to_its_invoice(store: &dyn Store) {
    let (o, org) = seller_and_buyer(store).await;
    let inv = store
        .issue_invoice(&request(o.id, org.id, "inv", 100_000))
        .await
        .unwrap();
    // Only an invoice of the same operator and customer can be credited.
    let other_org = organisation("212000-0803");
    store.insert_organisation(&other_org).await.unwrap();
    let wrong = IssueRequest {
        organisation_id: other_org.id,
        ..credit_note(&inv, "cn0", 50_000)
    };
    assert!(matches!(
        store.issue_invoice(&wrong).await,
        Err(StoreError::Reference(f)) if f == "credits_invoice_id"
    ));
    let part = store
        .issue_invoice(&credit_note(&inv, "cn1", 50_000))
        .await
        .unwrap();
    assert_eq!(part.kind, InvoiceKind::CreditNote);
    assert_eq!(part.credits_invoice_id, Some(inv.id));
    assert_eq!(
        part.number, 2,
        "credit notes take numbers of the same series"
    );
    assert_eq!(part.status(day("2026-12-05")), InvoiceStatus::CreditNote);
    // A credit note of a credit note is refused.
    let of_credit = IssueRequest {
        credits_invoice_id: Some(part.id),
        ..credit_note(&inv, "cn2", 1)
    };
    assert!(store.issue_invoice(&of_credit).await.is_err());
    let inv_now = store.invoice(inv.id).await.unwrap();
    assert_eq!(inv_now.credited_ore, 50_000);
    assert_eq!(inv_now.outstanding_ore(), 75_000);
    assert_eq!(inv_now.status(day("2026-12-06")), InvoiceStatus::Open);
    store
        .issue_invoice(&credit_note(&inv, "cn3", 75_000))
        .await
        .unwrap();
    let inv_now = store.invoice(inv.id).await.unwrap();
    assert_eq!(inv_now.status(day("2027-02-01")), InvoiceStatus::Credited);
    assert_eq!(inv_now.paid_on, Some(day("2026-12-05")));
    let credited = store
        .list_invoices(&InvoiceFilter {
            status: Some(InvoiceStatus::Credited),
            on: Some(day("2027-02-01")),
            ..InvoiceFilter::default()
        })
        .await
        .unwrap();
    assert_eq!(credited.iter().map(|i| i.id).collect::<Vec<_>>(), [inv.id]);
    assert!(store
        .overdue_invoices(None, day("2027-02-01"))
        .await
        .unwrap()
        .is_empty());
}

pub async fn an_issued_invoice_stays_as_issued(store: &dyn Store) {
    let (o, org) = seller_and_buyer(store).await;
    let inv = store
        .issue_invoice(&request(o.id, org.id, "inv", 100_000))
        .await
        .unwrap();
    let lines = store.invoice_lines(inv.id).await.unwrap();
    store
        .update_operator(&Operator {
            name: "Oskarshamns kommun, Näringslivsenheten".into(),
            ..o.clone()
        })
        .await
        .unwrap();
    store
        .update_organisation(&Organisation {
            name: "Renamed".into(),
            ..org.clone()
        })
        .await
        .unwrap();
    assert_eq!(store.invoice(inv.id).await.unwrap(), inv);
    assert_eq!(store.invoice_lines(inv.id).await.unwrap(), lines);
    assert_eq!(inv.seller, r#"{"legal_name":"Oskarshamns kommun"}"#);
}

pub async fn payments_make_an_invoice_paid(store: &dyn Store) {
    let (o, org) = seller_and_buyer(store).await;
    let inv = store
        .issue_invoice(&request(o.id, org.id, "inv", 100_000))
        .await
        .unwrap();
    // Part of it, by its number: linked, waiting for a person.
    let first = store
        .record_payment(&payment(o.id, Some(inv.number), 25_000, "2026-12-20"))
        .await
        .unwrap();
    assert_eq!(first.invoice_id, Some(inv.id));
    assert_eq!(first.resolved_at, None);
    let now = store.invoice(inv.id).await.unwrap();
    assert_eq!((now.paid_ore, now.paid_on), (25_000, None));
    assert_eq!(now.status(day("2026-12-21")), InvoiceStatus::Open);
    assert_eq!(now.status(day("2027-01-01")), InvoiceStatus::Overdue);
    let waiting = store.payments_to_resolve(Some(o.id)).await.unwrap();
    assert_eq!(waiting, vec![first.clone()]);

    // The rest, by hand: paid, and its payments resolved.
    let rest = NewPayment {
        invoice_id: Some(inv.id),
        invoice_number: None,
        ..payment(o.id, None, 100_000, "2027-01-03")
    };
    store.record_payment(&rest).await.unwrap();
    let now = store.invoice(inv.id).await.unwrap();
    assert_eq!(now.paid_ore, 125_000);
    assert_eq!(now.paid_on, Some(day("2027-01-03")));
    assert_eq!(now.status(day("2027-02-01")), InvoiceStatus::Paid);
    assert!(store.payments_to_resolve(None).await.unwrap().is_empty());
    assert_eq!(store.invoice_payments(inv.id).await.unwrap().len(), 2);

    // A payment naming no invoice waits; a person links it.
    let other = store
        .issue_invoice(&request(o.id, org.id, "other", 8_000))
        .await
        .unwrap();
    let stray = store
        .record_payment(&payment(o.id, Some(999), 10_000, "2026-12-28"))
        .await
        .unwrap();
    assert_eq!(stray.invoice_id, None);
    assert_eq!(
        store.payments_to_resolve(None).await.unwrap(),
        vec![stray.clone()]
    );
    let not_an_invoice = store
        .resolve_payment(stray.id, Some(new_id()), None, t0())
        .await;
    assert!(matches!(not_an_invoice, Err(StoreError::Reference(f)) if f == "invoice_id"));
    let resolved = store
        .resolve_payment(stray.id, Some(other.id), None, t0())
        .await
        .unwrap();
    assert_eq!(resolved.invoice_id, Some(other.id));
    assert!(resolved.resolved_at.is_some());
    assert!(store.payments_to_resolve(None).await.unwrap().is_empty());
    assert!(store.invoice(other.id).await.unwrap().paid_on.is_some());
    let paid = store
        .list_invoices(&InvoiceFilter {
            status: Some(InvoiceStatus::Paid),
            on: Some(day("2027-02-01")),
            ..InvoiceFilter::default()
        })
        .await
        .unwrap();
    assert_eq!(paid.len(), 2);
}

pub async fn the_same_bank_file_twice_changes_nothing(store: &dyn Store) {
    let (o, org) = seller_and_buyer(store).await;
    let a = store
        .issue_invoice(&request(o.id, org.id, "a", 100_000))
        .await
        .unwrap();
    let b = store
        .issue_invoice(&request(o.id, org.id, "b", 100_000))
        .await
        .unwrap();
    let bank = |number, amount, key: &str| NewPayment {
        source: PaymentSource::BankFile,
        bank_key: Some(key.into()),
        payer: Some("Org 212000-0142".into()),
        ..payment(o.id, number, amount, "2026-12-30")
    };
    let file = BankFileImport {
        id: new_id(),
        operator_id: o.id,
        fingerprint: "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08".into(),
        file_name: "BgMax 2026-12-30.txt".into(),
        imported_at: t0(),
        imported_by: None,
        payments: vec![
            bank(Some(a.number), 125_000, "2026-12-30/1"),
            bank(Some(b.number), 50_000, "2026-12-30/2"),
            bank(None, 7_000, "2026-12-30/3"),
        ],
    };
    let first = store.import_bank_file(&file).await.unwrap();
    assert_eq!(
        first,
        BankFileOutcome::Imported {
            matched: 1,
            partial: 1,
            unmatched: 1,
            skipped: 0
        }
    );
    let state = || async {
        (
            store.invoice(a.id).await.unwrap(),
            store.invoice(b.id).await.unwrap(),
            store.payments_to_resolve(None).await.unwrap(),
        )
    };
    let before = state().await;
    assert_eq!(before.0.status(day("2027-01-01")), InvoiceStatus::Paid);
    assert_eq!(before.1.paid_ore, 50_000);
    assert_eq!(
        before.2.len(),
        2,
        "the partial and the unmatched payment wait"
    );
    let again = BankFileImport {
        id: new_id(),
        ..file.clone()
    };
    assert_eq!(
        store.import_bank_file(&again).await.unwrap(),
        BankFileOutcome::AlreadyImported(file.id)
    );
    assert_eq!(state().await, before);
    // Another file repeating a payment counts it once.
    let overlapping = BankFileImport {
        id: new_id(),
        fingerprint: "another".into(),
        payments: vec![
            bank(Some(b.number), 50_000, "2026-12-30/2"),
            bank(Some(b.number), 75_000, "2026-12-31/1"),
        ],
        ..file.clone()
    };
    assert_eq!(
        store.import_bank_file(&overlapping).await.unwrap(),
        BankFileOutcome::Imported {
            matched: 1,
            partial: 0,
            unmatched: 0,
            skipped: 1
        }
    );
    assert_eq!(store.invoice(b.id).await.unwrap().paid_ore, 125_000);
    assert_eq!(store.payments_to_resolve(None).await.unwrap().len(), 1);
    // By hand, a bank payment's key again is a conflict.
    assert!(matches!(
        store.record_payment(&bank(None, 1, "2026-12-30/3")).await,
        Err(StoreError::Conflict(f)) if f == "bank_key"
    ));
}

pub async fn the_overdue_list_and_filters_tell_the_day(store: &dyn Store) {
    let (o, org) = seller_and_buyer(store).await;
    let org2 = organisation("212000-0803");
    store.insert_organisation(&org2).await.unwrap();
    let early = store
        .issue_invoice(&IssueRequest {
            due_date: day("2026-12-15"),
            ..request(o.id, org.id, "early", 100_000)
        })
        .await
        .unwrap();
    let late = store
        .issue_invoice(&request(o.id, org2.id, "late", 100_000))
        .await
        .unwrap();
    let paid = store
        .issue_invoice(&IssueRequest {
            due_date: day("2026-12-10"),
            ..request(o.id, org.id, "paid", 4_000)
        })
        .await
        .unwrap();
    store
        .record_payment(&payment(o.id, Some(paid.number), 5_000, "2026-12-09"))
        .await
        .unwrap();
    let ids = |v: Vec<IssuedInvoice>| v.into_iter().map(|i| i.id).collect::<Vec<_>>();
    assert!(store
        .overdue_invoices(None, day("2026-12-15"))
        .await
        .unwrap()
        .is_empty());
    assert_eq!(
        ids(store
            .overdue_invoices(None, day("2026-12-16"))
            .await
            .unwrap()),
        [early.id]
    );
    assert_eq!(
        ids(store
            .overdue_invoices(Some(o.id), day("2027-01-01"))
            .await
            .unwrap()),
        [early.id, late.id]
    );
    assert!(store
        .overdue_invoices(Some(new_id()), day("2027-01-01"))
        .await
        .unwrap()
        .is_empty());
    let filter = |status, org: Option<Uuid>| InvoiceFilter {
        organisation_id: org,
        status: Some(status),
        on: Some(day("2026-12-20")),
        ..InvoiceFilter::default()
    };
    let list = |f| async move { ids(store.list_invoices(&f).await.unwrap()) };
    assert_eq!(list(filter(InvoiceStatus::Overdue, None)).await, [early.id]);
    assert_eq!(list(filter(InvoiceStatus::Open, None)).await, [late.id]);
    assert_eq!(list(filter(InvoiceStatus::Paid, None)).await, [paid.id]);
    assert_eq!(
        list(filter(InvoiceStatus::Open, Some(org.id))).await,
        Vec::<Uuid>::new()
    );
    // Newest first, in pages.
    let all = InvoiceFilter {
        operator_id: Some(o.id),
        limit: 2,
        ..InvoiceFilter::default()
    };
    let page1 = ids(store.list_invoices(&all).await.unwrap());
    assert_eq!(page1, [paid.id, late.id]);
    let page2 = ids(store
        .list_invoices(&InvoiceFilter {
            after: Some(late.id),
            ..all.clone()
        })
        .await
        .unwrap());
    assert_eq!(page2, [early.id]);
    let of_org = InvoiceFilter {
        organisation_id: Some(org.id),
        ..InvoiceFilter::default()
    };
    assert_eq!(list(of_org).await, [paid.id, early.id]);
}

/// An operator, a customer and one issued invoice, for a backend's own
/// tests of what its database refuses.
pub async fn one_issued_invoice(store: &dyn Store) -> IssuedInvoice {
    let (o, org) = seller_and_buyer(store).await;
    store
        .issue_invoice(&request(o.id, org.id, "one", 100_000))
        .await
        .unwrap()
}

/// The run's facts: the operator's seats with their holders, its customers
/// (by seat or by a booking at its hub), their bookings of the period and
/// charged late cancellations; what an issued invoice charged is recorded
/// once, and charging it again is refused without using a number.
pub async fn run_facts_gather_the_operators_customers_and_charge_once(store: &dyn Store) {
    use thirdplace_domain::booking::{Booking, BookingStatus, Price};
    use thirdplace_domain::membership::{Plan, PlanScope, Seat, Validity};
    use thirdplace_domain::{Email, Person, Room, RoomKind};

    let (_, _, o, hub) = seed_hub(store).await;
    let other = Operator {
        id: new_id(),
        name: "Emmaboda kommun".into(),
        org_number: None,
        contact_email: None,
        archived: false,
        seller: Default::default(),
    };
    store.insert_operator(&other).await.unwrap();
    let room = Room {
        id: new_id(),
        hub_id: hub.id,
        name: "Ekan".into(),
        kind: RoomKind::Meeting,
        capacity: 6,
        hourly_price_ore: 40_000,
        vat_rate_percent: 25,
        archived: false,
    };
    store.insert_room(&room).await.unwrap();
    let (with_seat, booker_only, elsewhere) = (
        organisation("212000-0142"),
        organisation("556000-0001"),
        organisation("212000-0803"),
    );
    for org in [&with_seat, &booker_only, &elsewhere] {
        store.insert_organisation(org).await.unwrap();
    }
    let person = |first: &str, org: Uuid| Person {
        id: new_id(),
        first_name: first.into(),
        last_name: "Berg".into(),
        email: Email::parse(&format!("{first}.{}@example.se", new_id().simple())).unwrap(),
        organisation_id: Some(org),
        is_network_admin: false,
        hosted_hub_ids: vec![],
        admin_of_organisation_ids: vec![],
        staff_of_operator_ids: vec![],
        archived: false,
    };
    let (anna, bo) = (person("anna", with_seat.id), person("bo", booker_only.id));
    store.insert_person(&anna).await.unwrap();
    store.insert_person(&bo).await.unwrap();
    let plan = |seller: Uuid| Plan {
        id: new_id(),
        name: "Nätverkskort".into(),
        description: String::new(),
        scope: PlanScope::Network,
        monthly_price_ore: 95_000,
        included_hours_per_month: 2,
        max_guests: 1,
        validity: Validity::MonthlyRolling,
        archived: false,
        selling_operator_id: Some(seller),
        vat_rate_percent: 25,
    };
    let (ours, theirs) = (plan(o.id), plan(other.id));
    store.insert_plan(&ours).await.unwrap();
    store.insert_plan(&theirs).await.unwrap();
    let seat = |plan: &Plan, org: Uuid, end: Option<NaiveDate>| Seat {
        id: new_id(),
        plan_id: plan.id,
        organisation_id: org,
        start_date: day("2026-10-01"),
        end_date: end,
        created_at: t0(),
        selling_operator_id: None,
    };
    let s1 = seat(&ours, with_seat.id, None);
    let ended = seat(&ours, with_seat.id, Some(day("2026-10-31")));
    let foreign = seat(&theirs, elsewhere.id, None);
    store
        .insert_seats(&[s1.clone(), ended, foreign])
        .await
        .unwrap();
    let since = Utc.with_ymd_and_hms(2026, 10, 14, 9, 0, 0).unwrap();
    store
        .assign_seat(s1.id, Some(anna.id), since)
        .await
        .unwrap();

    let booking = |who: &Person, start: DateTime<Utc>, seat: Option<Uuid>| Booking {
        id: new_id(),
        room_id: room.id,
        hub_id: hub.id,
        booker_id: who.id,
        organisation_id: who.organisation_id.unwrap(),
        on_behalf_of_organisation: false,
        seat_id: seat,
        series_id: None,
        title: "Planering".into(),
        start,
        end: start + chrono::Duration::hours(3),
        status: BookingStatus::Confirmed,
        price: Price {
            included_minutes: 0,
            billable_minutes: 180,
            price_ex_vat_ore: 120_000,
            vat_percent: 25,
            vat_ore: 30_000,
            total_ore: 150_000,
        },
        created_at: t0(),
        cancelled_at: None,
        cancelled_by: None,
        cancel_reason: String::new(),
        cancellation_charged: false,
    };
    let at = |d: u32, h: u32| Utc.with_ymd_and_hms(2026, 11, d, h, 0, 0).unwrap();
    let anna_b = booking(&anna, at(10, 8), Some(s1.id));
    let bo_b = booking(&bo, at(12, 8), None);
    // Before the window (October) and one cancelled without charge.
    let october = booking(
        &bo,
        Utc.with_ymd_and_hms(2026, 10, 5, 8, 0, 0).unwrap(),
        None,
    );
    let mut free_cancel = booking(&bo, at(20, 8), None);
    free_cancel.status = BookingStatus::Cancelled;
    let mut late_cancel = booking(&bo, at(21, 8), None);
    late_cancel.status = BookingStatus::Cancelled;
    late_cancel.cancellation_charged = true;
    store
        .insert_bookings(
            &[
                anna_b.clone(),
                bo_b.clone(),
                october,
                free_cancel,
                late_cancel.clone(),
            ],
            &[],
        )
        .await
        .unwrap();

    let facts = store
        .run_facts(o.id, day("2026-11-01"), day("2026-11-30"))
        .await
        .unwrap();
    let mut customers: Vec<Uuid> = facts.customers.iter().map(|c| c.id).collect();
    customers.sort();
    let mut expected = vec![with_seat.id, booker_only.id];
    expected.sort();
    assert_eq!(customers, expected);
    assert_eq!(
        facts.seats.len(),
        1,
        "the seat ended in October is not in it"
    );
    let s = &facts.seats[0];
    assert_eq!(
        (s.id, s.monthly_price_ore, s.included_hours_per_month),
        (s1.id, 95_000, 2)
    );
    assert_eq!(s.vat_rate_percent, 25);
    assert_eq!(s.holdings.len(), 1);
    assert_eq!(s.holdings[0].person_id, anna.id);
    assert_eq!(s.holdings[0].from, since);
    assert_eq!(s.holdings[0].until, None);
    let mut ids: Vec<Uuid> = facts.bookings.iter().map(|b| b.id).collect();
    ids.sort();
    let mut expected = vec![anna_b.id, bo_b.id, late_cancel.id];
    expected.sort();
    assert_eq!(ids, expected);
    let late = facts
        .bookings
        .iter()
        .find(|b| b.id == late_cancel.id)
        .unwrap();
    assert!(late.cancellation_charged);
    let b = facts.bookings.iter().find(|b| b.id == bo_b.id).unwrap();
    assert_eq!((b.starts_at, b.ends_at), (bo_b.start, bo_b.end));
    assert_eq!((b.hourly_price_ore, b.vat_rate_percent), (40_000, 25));
    assert_eq!(
        (b.room_name.as_str(), b.hub_name.as_str()),
        ("Ekan", "Figeholms hubb")
    );
    assert_eq!(b.booker_first_name, "bo");
    assert_eq!(b.operator_id, o.id);
    assert!(facts.invoiced.is_empty());
    assert!(matches!(
        store
            .run_facts(new_id(), day("2026-11-01"), day("2026-11-30"))
            .await,
        Err(StoreError::NotFound)
    ));

    // Issued with its charge keys: recorded; charging one again is refused
    // and uses no number.
    let key = format!("booking:{}", bo_b.id);
    let first = store
        .issue_invoice(&IssueRequest {
            charge_keys: vec![key.clone(), key.clone()],
            document: Some(r#"{"number":"1"}"#.into()),
            ..request(o.id, booker_only.id, "run-1", 100_000)
        })
        .await
        .unwrap();
    assert_eq!(first.document.as_deref(), Some(r#"{"number":"1"}"#));
    let again = store
        .issue_invoice(&IssueRequest {
            charge_keys: vec!["booking:other".into(), key.clone()],
            ..request(o.id, booker_only.id, "run-2", 100_000)
        })
        .await;
    assert!(
        matches!(&again, Err(StoreError::Conflict(f)) if f == "charge_key"),
        "{again:?}"
    );
    let facts = store
        .run_facts(o.id, day("2026-11-01"), day("2026-11-30"))
        .await
        .unwrap();
    assert_eq!(facts.invoiced, vec![key]);
    let next = store
        .issue_invoice(&IssueRequest {
            charge_keys: vec!["booking:other".into()],
            ..request(o.id, booker_only.id, "run-3", 100_000)
        })
        .await
        .unwrap();
    assert_eq!(next.number, first.number + 1);
    // The other operator's run sees none of it.
    let theirs = store
        .run_facts(other.id, day("2026-11-01"), day("2026-11-30"))
        .await
        .unwrap();
    assert_eq!(theirs.customers.len(), 1);
    assert_eq!(theirs.customers[0].id, elsewhere.id);
    assert!(theirs.bookings.is_empty() && theirs.invoiced.is_empty());
}

/// A scope lists the invoices of its operators and to its organisations
/// (either admits one), an empty scope none, and a scoped list pages by id
/// like the whole list.
pub async fn a_scope_lists_its_operators_and_organisations_invoices(store: &dyn Store) {
    use crate::InvoiceScope;
    let (a, org) = seller_and_buyer(store).await;
    let b = Operator {
        id: new_id(),
        name: "Emmaboda kommun".into(),
        org_number: None,
        contact_email: None,
        archived: false,
        seller: Default::default(),
    };
    store.insert_operator(&b).await.unwrap();
    let other = organisation("556000-0001");
    store.insert_organisation(&other).await.unwrap();
    let mut of_a = Vec::new();
    for i in 0..3 {
        let r = request(a.id, org.id, &format!("a{i}"), 10_000);
        of_a.push(store.issue_invoice(&r).await.unwrap().id);
    }
    let b_to_org = store
        .issue_invoice(&request(b.id, org.id, "b-org", 10_000))
        .await
        .unwrap()
        .id;
    let b_to_other = store
        .issue_invoice(&request(b.id, other.id, "b-other", 10_000))
        .await
        .unwrap()
        .id;
    let list = |scope: InvoiceScope, after: Option<Uuid>, limit: i64| {
        let f = InvoiceFilter {
            visible: Some(scope),
            after,
            limit,
            ..Default::default()
        };
        async move {
            store
                .list_invoices(&f)
                .await
                .unwrap()
                .into_iter()
                .map(|i| i.id)
                .collect::<Vec<_>>()
        }
    };
    let staff_of_a = InvoiceScope {
        operator_ids: vec![a.id],
        organisation_ids: vec![],
    };
    let newest_first: Vec<Uuid> = of_a.iter().rev().copied().collect();
    assert_eq!(list(staff_of_a.clone(), None, 0).await, newest_first);
    let first = list(staff_of_a.clone(), None, 2).await;
    assert_eq!(first, newest_first[..2]);
    let rest = list(staff_of_a, Some(first[1]), 2).await;
    assert_eq!(rest, newest_first[2..]);
    let admin_of_other = InvoiceScope {
        operator_ids: vec![],
        organisation_ids: vec![other.id],
    };
    assert_eq!(list(admin_of_other, None, 0).await, vec![b_to_other]);
    let both = InvoiceScope {
        operator_ids: vec![a.id],
        organisation_ids: vec![other.id],
    };
    let mut expected = vec![b_to_other];
    expected.extend(newest_first.iter().copied());
    assert_eq!(list(both, None, 0).await, expected);
    assert!(list(InvoiceScope::default(), None, 0).await.is_empty());
    let all = store
        .list_invoices(&InvoiceFilter::default())
        .await
        .unwrap();
    assert!(all.iter().any(|i| i.id == b_to_org));
}

/// A hub's lines are those of its bookings, of seats on its plans and of
/// its events, on invoices and credit notes whose period meets the month;
/// lines of another hub of the same operator, and lines of nothing, are
/// not among them.
pub async fn a_hubs_lines_follow_its_bookings_seats_and_events(store: &dyn Store) {
    use thirdplace_domain::booking::{Booking, BookingStatus, Price};
    use thirdplace_domain::event::{Event, EventStatus, EventVisibility, Venue};
    use thirdplace_domain::membership::{Plan, PlanScope, Seat, Validity};
    use thirdplace_domain::{Hub, Room, RoomKind};

    let (_, _, o, hub) = seed_hub(store).await;
    let other_hub = Hub {
        id: new_id(),
        name: "Påskallaviks hubb".into(),
        ..hub.clone()
    };
    store.insert_hub(&other_hub).await.unwrap();
    let org = organisation("212000-0142");
    store.insert_organisation(&org).await.unwrap();
    let who = super::person("hub.lines@example.se", Some(org.id));
    store.insert_person(&who).await.unwrap();
    let room = |hub_id: Uuid| Room {
        id: new_id(),
        hub_id,
        name: "Ekan".into(),
        kind: RoomKind::Meeting,
        capacity: 6,
        hourly_price_ore: 40_000,
        vat_rate_percent: 25,
        archived: false,
    };
    let (ours, theirs) = (room(hub.id), room(other_hub.id));
    store.insert_room(&ours).await.unwrap();
    store.insert_room(&theirs).await.unwrap();
    let booking = |r: &Room, day: u32| {
        let start = Utc.with_ymd_and_hms(2026, 12, day, 8, 0, 0).unwrap();
        Booking {
            id: new_id(),
            room_id: r.id,
            hub_id: r.hub_id,
            booker_id: who.id,
            organisation_id: org.id,
            on_behalf_of_organisation: false,
            seat_id: None,
            series_id: None,
            title: "Planering".into(),
            start,
            end: start + chrono::Duration::hours(2),
            status: BookingStatus::Confirmed,
            price: Price::default(),
            created_at: t0(),
            cancelled_at: None,
            cancelled_by: None,
            cancel_reason: String::new(),
            cancellation_charged: false,
        }
    };
    let (here, there) = (booking(&ours, 7), booking(&theirs, 8));
    store
        .insert_bookings(&[here.clone(), there.clone()], &[])
        .await
        .unwrap();
    let plan = |scope| Plan {
        id: new_id(),
        name: "Hubbkort".into(),
        description: String::new(),
        scope,
        monthly_price_ore: 95_000,
        included_hours_per_month: 2,
        max_guests: 1,
        validity: Validity::MonthlyRolling,
        archived: false,
        selling_operator_id: Some(o.id),
        vat_rate_percent: 25,
    };
    let (hub_plan, network_plan) = (plan(PlanScope::Hub(hub.id)), plan(PlanScope::Network));
    store.insert_plan(&hub_plan).await.unwrap();
    store.insert_plan(&network_plan).await.unwrap();
    let seat = |p: &Plan| Seat {
        id: new_id(),
        plan_id: p.id,
        organisation_id: org.id,
        start_date: day("2026-10-01"),
        end_date: None,
        created_at: t0(),
        selling_operator_id: None,
    };
    let (hub_seat, network_seat) = (seat(&hub_plan), seat(&network_plan));
    store
        .insert_seats(&[hub_seat.clone(), network_seat.clone()])
        .await
        .unwrap();
    let start = Utc.with_ymd_and_hms(2026, 12, 10, 13, 0, 0).unwrap();
    let event = Event {
        id: new_id(),
        hub_id: hub.id,
        venue: Venue::Online,
        booking_id: None,
        title: "Frukostmöte".into(),
        description: String::new(),
        topics: vec![],
        start,
        end: start + chrono::Duration::hours(1),
        capacity: 10,
        visibility: EventVisibility::Public,
        status: EventStatus::Published,
        organiser_id: who.id,
        co_organiser_ids: vec![],
        sequence: 0,
        created_at: t0(),
        updated_at: t0(),
    };
    store.insert_event(&event, None).await.unwrap();

    let line = |description: &str, net_ore: i64| InvoiceLine {
        description: description.into(),
        net_ore,
        unit_price_ore: net_ore,
        seat_id: None,
        booking_id: None,
        event_id: None,
        ..seat_line(net_ore)
    };
    let lines = vec![
        InvoiceLine {
            booking_id: Some(here.id),
            ..line("Ekan här", 100)
        },
        InvoiceLine {
            booking_id: Some(there.id),
            ..line("Ekan där", 200)
        },
        InvoiceLine {
            seat_id: Some(hub_seat.id),
            ..line("Hubbkort", 300)
        },
        InvoiceLine {
            seat_id: Some(network_seat.id),
            ..line("Nätverkskort", 400)
        },
        InvoiceLine {
            event_id: Some(event.id),
            ..line("Frukostmöte", 500)
        },
        line("Övrigt", 600),
    ];
    let december = store
        .issue_invoice(&IssueRequest {
            lines,
            ..request(o.id, org.id, "hub-lines", 2_100)
        })
        .await
        .unwrap();
    let note = store
        .issue_invoice(&IssueRequest {
            lines: vec![InvoiceLine {
                booking_id: Some(here.id),
                ..line("Ekan här", 100)
            }],
            ..credit_note(&december, "hub-lines-credit", 125)
        })
        .await
        .unwrap();
    let got = store
        .hub_invoice_lines(hub.id, day("2026-12-01"), day("2026-12-31"))
        .await
        .unwrap();
    let seen: Vec<(&str, i64, InvoiceKind)> = got
        .iter()
        .map(|l| (l.description.as_str(), l.net_ore, l.kind))
        .collect();
    assert_eq!(
        seen,
        [
            ("Ekan här", 100, InvoiceKind::Invoice),
            ("Hubbkort", 300, InvoiceKind::Invoice),
            ("Frukostmöte", 500, InvoiceKind::Invoice),
            ("Ekan här", 100, InvoiceKind::CreditNote),
        ]
    );
    assert_eq!(got[0].invoice_id, december.id);
    assert_eq!(got[0].invoice_number, december.display_number());
    assert_eq!(got[0].organisation_name, org.name);
    assert_eq!(got[3].invoice_id, note.id);
    let there_lines = store
        .hub_invoice_lines(other_hub.id, day("2026-12-01"), day("2026-12-31"))
        .await
        .unwrap();
    assert_eq!(there_lines.len(), 1);
    assert_eq!(there_lines[0].description, "Ekan där");
    let november = store
        .hub_invoice_lines(hub.id, day("2026-11-01"), day("2026-11-30"))
        .await
        .unwrap();
    assert!(november.is_empty(), "{november:?}");
}

fn batch(o: Uuid, org: Uuid, prefix: &str, n: usize) -> Vec<IssueRequest> {
    (0..n)
        .map(|i| IssueRequest {
            charge_keys: vec![format!("booking:{prefix}{i}"), format!("seat:{prefix}{i}")],
            ..request(o, org, &format!("{prefix}{i}"), 10_000 + i as i64)
        })
        .collect()
}

fn audited() -> IssueAudit {
    IssueAudit {
        actor_id: None,
        action: "invoice.issued".into(),
        at: t0(),
    }
}

async fn invoice_entries(store: &dyn Store) -> Vec<AuditEntry> {
    store
        .list_audit(&AuditFilter {
            object_kind: Some("invoice".into()),
            limit: 1000,
            ..AuditFilter::default()
        })
        .await
        .unwrap()
}

/// A batch is numbered on from the series in the order given, with an
/// audit entry per invoice; all or nothing; a retry issues nothing again.
pub async fn a_batch_issues_all_or_nothing_without_gaps(store: &dyn Store) {
    let (o, org) = seller_and_buyer(store).await;
    assert_eq!(store.issue_invoices(&[], None).await.unwrap(), vec![]);
    let first = store
        .issue_invoice(&request(o.id, org.id, "single", 1))
        .await
        .unwrap();
    assert_eq!(first.number, 1);

    let reqs = batch(o.id, org.id, "b", 5);
    let issued = store.issue_invoices(&reqs, Some(&audited())).await.unwrap();
    assert_eq!(
        issued.iter().map(|i| i.number).collect::<Vec<_>>(),
        vec![2, 3, 4, 5, 6]
    );
    for (r, i) in reqs.iter().zip(&issued) {
        assert_eq!(i.id, r.id);
        assert_eq!(i.idempotency_key, r.idempotency_key);
        assert_eq!(i.gross_ore, r.gross_ore);
        assert_eq!(store.invoice(i.id).await.unwrap(), *i);
        assert_eq!(store.invoice_lines(i.id).await.unwrap(), r.lines);
    }
    let entries = invoice_entries(store).await;
    assert_eq!(entries.len(), 5, "one audit entry per invoice of the batch");
    assert!(entries.iter().all(|e| e.action == "invoice.issued"));
    let mut objects: Vec<Uuid> = entries.iter().map(|e| e.object_id).collect();
    objects.sort_unstable();
    let mut ids: Vec<Uuid> = issued.iter().map(|i| i.id).collect();
    ids.sort_unstable();
    assert_eq!(objects, ids);

    // A retry (new ids, the same keys) returns the same invoices, issues
    // and audits nothing.
    let retry: Vec<IssueRequest> = reqs
        .iter()
        .map(|r| IssueRequest {
            id: new_id(),
            ..r.clone()
        })
        .collect();
    assert_eq!(
        store
            .issue_invoices(&retry, Some(&audited()))
            .await
            .unwrap(),
        issued
    );
    assert_eq!(invoice_entries(store).await.len(), 5);

    // One bad request fails the whole batch and uses no number.
    let mut bad = batch(o.id, org.id, "x", 3);
    bad[2].organisation_id = new_id();
    assert!(matches!(
        store.issue_invoices(&bad, Some(&audited())).await,
        Err(StoreError::Reference(f)) if f == "organisation_id"
    ));
    // Something charged before, or twice in the batch: nothing issued.
    let mut charged = batch(o.id, org.id, "y", 3);
    charged[1].charge_keys = reqs[0].charge_keys.clone();
    assert!(matches!(
        store.issue_invoices(&charged, None).await,
        Err(StoreError::Conflict(f)) if f == "charge_key"
    ));
    let mut twice = batch(o.id, org.id, "z", 3);
    twice[2].charge_keys = twice[0].charge_keys.clone();
    assert!(matches!(
        store.issue_invoices(&twice, None).await,
        Err(StoreError::Conflict(f)) if f == "charge_key"
    ));
    let listed = store
        .list_invoices(&InvoiceFilter {
            operator_id: Some(o.id),
            ..InvoiceFilter::default()
        })
        .await
        .unwrap();
    assert_eq!(numbers(&listed), (1..=6).collect::<Vec<_>>());
    assert_eq!(invoice_entries(store).await.len(), 5);

    // Seen keys and new ones together (a key twice: its first request).
    let mut mixed = vec![retry[0].clone()];
    mixed.extend(batch(o.id, org.id, "w", 2));
    mixed.push(IssueRequest {
        id: new_id(),
        ..mixed[1].clone()
    });
    let out = store.issue_invoices(&mixed, None).await.unwrap();
    assert_eq!(
        out.iter().map(|i| i.number).collect::<Vec<_>>(),
        vec![2, 7, 8, 7]
    );
    assert_eq!(out[0], issued[0]);
    let next = store
        .issue_invoice(&request(o.id, org.id, "after", 1))
        .await
        .unwrap();
    assert_eq!(next.number, 9);
}

/// Batches and single issues at once over one store: numbers 1..=100,
/// each once.
pub async fn simultaneous_batches_number_without_gaps(store: &dyn Store) {
    let (o, org) = seller_and_buyer(store).await;
    let batches = (0..4).map(|b| {
        let reqs = batch(o.id, org.id, &format!("b{b}-"), 20);
        async move { store.issue_invoices(&reqs, None).await.unwrap() }
    });
    let singles = (0..20).map(|i| {
        let req = request(o.id, org.id, &format!("s{i}"), 1);
        async move { store.issue_invoice(&req).await.unwrap() }
    });
    let (batches, singles) = futures_util::join!(join_all(batches), join_all(singles));
    let mut issued: Vec<IssuedInvoice> = batches.into_iter().flatten().collect();
    for b in issued.chunks(20) {
        let n = numbers(b);
        assert_eq!(
            n,
            (n[0]..n[0] + 20).collect::<Vec<_>>(),
            "a batch's numbers follow"
        );
    }
    issued.extend(singles);
    assert_eq!(numbers(&issued), (1..=100).collect::<Vec<_>>());
}
