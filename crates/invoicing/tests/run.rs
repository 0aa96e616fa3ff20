//! The invoice run: seats pro-rated per holder, room hours beyond the
//! included ones, cancellations and event fees, sorted and labelled;
//! nothing charged twice; problems block only their own customer.

mod common;

use std::collections::HashSet;

use chrono::{DateTime, TimeZone, Utc};
use chrono_tz::Europe::Stockholm;
use common::{d, kalmar, samverket};
use proptest::prelude::*;
use thirdplace_invoicing::document::PayeeAccount;
use thirdplace_invoicing::invoice::{Period, ProductKind, Quantity, UnitCode};
use thirdplace_invoicing::ocr::LengthDigit;
use thirdplace_invoicing::pdf::{to_pdf, Language};
use thirdplace_invoicing::run::{
    charged_minutes, customer_lines, preview, BookingInput, CancellationInput, ChargeKey,
    CustomerInput, EventFeeInput, Holding, RunInput, SeatInput,
};
use thirdplace_invoicing::ubl::to_ubl;
use thirdplace_invoicing::vat::standard_rated;

fn march() -> Period {
    Period::new(d(2026, 3, 1), d(2026, 3, 31)).unwrap()
}

fn run(period: Period, language: Language) -> RunInput {
    RunInput {
        operator: "kalmar".into(),
        seller: kalmar(),
        account: PayeeAccount::bankgiro("5050-1055").unwrap(),
        ocr_length: LengthDigit::With,
        payment_terms: "30 dagar netto".into(),
        issue_date: d(2026, 4, 1),
        due_date: d(2026, 5, 1),
        period,
        time_zone: Stockholm,
        language,
    }
}

fn holding(id: &str, name: &str, from: (u32, u32), to: Option<(u32, u32)>) -> Holding {
    let (first, last) = name.split_once(' ').unwrap();
    Holding {
        id: id.into(),
        first_name: first.into(),
        last_name: last.into(),
        from: d(2026, from.0, from.1),
        to: to.map(|(m, day)| d(2026, m, day)),
    }
}

fn seat(id: &str, operator: &str, included_hours: i64, holdings: Vec<Holding>) -> SeatInput {
    SeatInput {
        seat_id: id.into(),
        plan_name: "Medlemskap Kalmar Coworking".into(),
        monthly_price_ore: 250_000,
        vat: standard_rated(25).unwrap(),
        operator: operator.into(),
        included_room_minutes: included_hours * 60,
        holdings,
    }
}

/// A Stockholm civil time as the UTC instant the store keeps.
fn at(y: i32, m: u32, day: u32, h: u32, min: u32) -> DateTime<Utc> {
    Stockholm
        .with_ymd_and_hms(y, m, day, h, min, 0)
        .earliest()
        .unwrap()
        .with_timezone(&Utc)
}

fn booking(
    id: &str,
    room: &str,
    start: DateTime<Utc>,
    end: DateTime<Utc>,
    seat: Option<&str>,
) -> BookingInput {
    BookingInput {
        id: id.into(),
        room_name: room.into(),
        hub_name: "Kalmar Coworking".into(),
        start,
        end,
        hourly_price_ore: 30_000,
        vat: standard_rated(25).unwrap(),
        operator: "kalmar".into(),
        booker: "Anna Berg".into(),
        seat_id: seat.map(Into::into),
    }
}

fn customer(seats: Vec<SeatInput>, bookings: Vec<BookingInput>) -> CustomerInput {
    CustomerInput {
        id: "samverket".into(),
        buyer: samverket(),
        seats,
        bookings,
        cancellations: vec![],
        events: vec![],
    }
}

fn none() -> HashSet<ChargeKey> {
    HashSet::new()
}

#[test]
fn a_seat_changing_holder_mid_month_is_one_line_per_holder_summing_to_the_month() {
    let c = customer(
        vec![seat(
            "A1",
            "kalmar",
            0,
            vec![
                holding("h1", "Anna Berg", (1, 10), Some((3, 14))),
                holding("h2", "Björn Ek", (3, 15), None),
            ],
        )],
        vec![],
    );
    let lines = customer_lines(&run(march(), Language::Swedish), &c, &none()).unwrap();
    let descriptions: Vec<&str> = lines.iter().map(|l| l.line.description.as_str()).collect();
    assert_eq!(
        descriptions,
        [
            "Medlemskap Kalmar Coworking – Anna Berg 1–14 mars",
            "Medlemskap Kalmar Coworking – Björn Ek 15–31 mars",
        ]
    );
    assert_eq!(lines.iter().map(|l| l.line.net_ore).sum::<i64>(), 250_000);
    assert_eq!(lines[0].line.quantity, Quantity::whole(14));
    assert_eq!(lines[0].line.unit, UnitCode::Day);
    assert_eq!(
        lines[1].line.period,
        Some(Period::new(d(2026, 3, 15), d(2026, 3, 31)).unwrap())
    );
    assert_eq!(
        lines[0].keys,
        [ChargeKey::Seat {
            holding: "h1".into(),
            month: d(2026, 3, 1)
        }]
    );
    // A whole month is one month, labelled with the month; in English too.
    let c = customer(
        vec![seat(
            "A1",
            "kalmar",
            0,
            vec![holding("h1", "Anna Berg", (1, 1), None)],
        )],
        vec![],
    );
    let lines = customer_lines(&run(march(), Language::English), &c, &none()).unwrap();
    assert_eq!(
        lines[0].line.description,
        "Medlemskap Kalmar Coworking – Anna Berg March 2026"
    );
    assert_eq!(
        (
            lines[0].line.quantity,
            lines[0].line.unit,
            lines[0].line.net_ore
        ),
        (Quantity::ONE, UnitCode::Month, 250_000)
    );
}

#[test]
fn a_run_over_two_months_has_a_line_per_month_and_other_operators_seats_are_left_out() {
    let period = Period::new(d(2026, 2, 1), d(2026, 3, 31)).unwrap();
    let c = customer(
        vec![
            seat(
                "A1",
                "kalmar",
                0,
                vec![holding("h1", "Anna Berg", (2, 20), None)],
            ),
            seat(
                "B1",
                "vaxjo",
                0,
                vec![holding("h9", "Cecilia Dahl", (1, 1), None)],
            ),
        ],
        vec![],
    );
    let lines = customer_lines(&run(period, Language::Swedish), &c, &none()).unwrap();
    assert_eq!(lines.len(), 2);
    assert_eq!(
        lines[0].line.description,
        "Medlemskap Kalmar Coworking – Anna Berg 20–28 februari"
    );
    assert_eq!(lines[0].line.net_ore, 250_000 - 169_643); // F(28) − F(19) of 28 days
    assert_eq!(lines[1].line.net_ore, 250_000);
}

#[test]
fn included_hours_are_consumed_in_time_order_and_the_rest_is_charged_per_room() {
    // 4 included hours. 3 h on the 3rd, 2 h on the 10th (1 h charged),
    // 1.5 h on the 17th (charged), all in Öland; 1 h in Gotland without a
    // seat (charged).
    let c = customer(
        vec![seat(
            "A1",
            "kalmar",
            4,
            vec![holding("h1", "Anna Berg", (1, 1), None)],
        )],
        vec![
            booking(
                "b3",
                "Öland",
                at(2026, 3, 17, 9, 0),
                at(2026, 3, 17, 10, 30),
                Some("A1"),
            ),
            booking(
                "b1",
                "Öland",
                at(2026, 3, 3, 9, 0),
                at(2026, 3, 3, 12, 0),
                Some("A1"),
            ),
            booking(
                "b2",
                "Öland",
                at(2026, 3, 10, 9, 0),
                at(2026, 3, 10, 11, 0),
                Some("A1"),
            ),
            booking(
                "b4",
                "Gotland",
                at(2026, 3, 5, 13, 0),
                at(2026, 3, 5, 14, 0),
                None,
            ),
        ],
    );
    let lines = customer_lines(&run(march(), Language::Swedish), &c, &none()).unwrap();
    let rooms: Vec<_> = lines
        .iter()
        .filter(|l| l.line.product == ProductKind::RoomHours)
        .collect();
    assert_eq!(rooms.len(), 2);
    assert_eq!(
        rooms[0].line.description,
        "Rum Gotland, Kalmar Coworking – timmar utöver de inkluderade, 5 mars"
    );
    assert_eq!(
        rooms[1].line.description,
        "Rum Öland, Kalmar Coworking – timmar utöver de inkluderade, 10, 17 mars"
    );
    assert_eq!(rooms[1].line.quantity, Quantity::parse("2.5").unwrap());
    assert_eq!(rooms[1].line.unit, UnitCode::Hour);
    assert_eq!(rooms[1].line.net_ore, 75_000);
    assert_eq!(
        rooms[1].keys,
        [
            ChargeKey::Booking { id: "b2".into() },
            ChargeKey::Booking { id: "b3".into() }
        ]
    );
    assert_eq!(
        rooms[1].line.period,
        Some(Period::new(d(2026, 3, 10), d(2026, 3, 17)).unwrap())
    );
}

#[test]
fn hours_are_real_hours_across_the_dst_change_and_months_are_civil_months() {
    // Summer time begins 29 March 2026 at 02:00: 00:00–04:00 is three hours.
    // 1 March 00:30 Stockholm is still 28 February in UTC, but March's; 1
    // April 00:30 is 31 March in UTC, but April's.
    let c = customer(
        vec![],
        vec![
            booking(
                "dst",
                "Öland",
                at(2026, 3, 29, 0, 0),
                at(2026, 3, 29, 4, 0),
                None,
            ),
            booking(
                "first",
                "Öland",
                at(2026, 3, 1, 0, 30),
                at(2026, 3, 1, 1, 30),
                None,
            ),
            booking(
                "april",
                "Öland",
                at(2026, 4, 1, 0, 30),
                at(2026, 4, 1, 1, 30),
                None,
            ),
        ],
    );
    assert_eq!(
        c.bookings[1].start,
        Utc.with_ymd_and_hms(2026, 2, 28, 23, 30, 0).unwrap()
    );
    let lines = customer_lines(&run(march(), Language::Swedish), &c, &none()).unwrap();
    assert_eq!(lines.len(), 1);
    assert_eq!(lines[0].line.quantity, Quantity::whole(4));
    assert_eq!(
        lines[0].line.description,
        "Rum Öland, Kalmar Coworking – timmar utöver de inkluderade, 1, 29 mars"
    );
    // Autumn: 25 October 2026 01:00–04:00 is four hours.
    let oct = Period::new(d(2026, 10, 1), d(2026, 10, 31)).unwrap();
    let c = customer(
        vec![],
        vec![booking(
            "o",
            "Öland",
            at(2026, 10, 25, 1, 0),
            at(2026, 10, 25, 4, 0),
            None,
        )],
    );
    let lines = customer_lines(&run(oct, Language::Swedish), &c, &none()).unwrap();
    assert_eq!(lines[0].line.quantity, Quantity::whole(4));
}

#[test]
fn included_hours_are_per_calendar_month_and_earlier_bookings_consume_them() {
    // 2 included hours a month. A run for 16–31 March: the 2 h on 2 March
    // (before the period) used March's hours, so the 16th is charged; the
    // February booking used February's.
    let c = customer(
        vec![seat(
            "A1",
            "kalmar",
            2,
            vec![holding("h1", "Anna Berg", (1, 1), None)],
        )],
        vec![
            booking(
                "feb",
                "Öland",
                at(2026, 2, 27, 9, 0),
                at(2026, 2, 27, 11, 0),
                Some("A1"),
            ),
            booking(
                "m2",
                "Öland",
                at(2026, 3, 2, 9, 0),
                at(2026, 3, 2, 11, 0),
                Some("A1"),
            ),
            booking(
                "m16",
                "Öland",
                at(2026, 3, 16, 9, 0),
                at(2026, 3, 16, 10, 0),
                Some("A1"),
            ),
        ],
    );
    let half = Period::new(d(2026, 3, 16), d(2026, 3, 31)).unwrap();
    let charged = charged_minutes(&run(half, Language::Swedish), &c).unwrap();
    assert_eq!(charged, vec![(2, 60)]);
    let charged = charged_minutes(&run(march(), Language::Swedish), &c).unwrap();
    assert_eq!(charged, vec![(2, 60)]);
}

#[test]
fn lines_are_sorted_seats_rooms_cancellations_events_and_nothing_is_charged_twice() {
    let s25 = standard_rated(25).unwrap();
    let mut c = customer(
        vec![seat(
            "A1",
            "kalmar",
            0,
            vec![holding("h1", "Anna Berg", (1, 1), None)],
        )],
        vec![booking(
            "b1",
            "Öland",
            at(2026, 3, 3, 9, 0),
            at(2026, 3, 3, 10, 0),
            None,
        )],
    );
    c.events = vec![EventFeeInput {
        id: "e1".into(),
        title: "Frukostmöte".into(),
        date: d(2026, 3, 2),
        fee_ore: 15_000,
        vat: s25.clone(),
        operator: "kalmar".into(),
        who: "Anna Berg".into(),
    }];
    c.cancellations = vec![
        CancellationInput {
            id: "c1".into(),
            room_name: "Öland".into(),
            date: d(2026, 3, 20),
            fee_ore: 20_000,
            vat: s25.clone(),
            operator: "kalmar".into(),
            who: "Björn Ek".into(),
        },
        CancellationInput {
            id: "c2".into(),
            room_name: "Öland".into(),
            date: d(2026, 4, 2),
            fee_ore: 20_000,
            vat: s25,
            operator: "kalmar".into(),
            who: "Björn Ek".into(),
        },
    ];
    let r = run(march(), Language::Swedish);
    let lines = customer_lines(&r, &c, &none()).unwrap();
    let kinds: Vec<ProductKind> = lines.iter().map(|l| l.line.product).collect();
    assert_eq!(
        kinds,
        [
            ProductKind::Seat,
            ProductKind::RoomHours,
            ProductKind::LateCancellation,
            ProductKind::EventFee
        ]
    );
    assert_eq!(
        lines[2].line.description,
        "Sen avbokning Öland, 20 mars – Björn Ek"
    );
    assert_eq!(
        lines[3].line.description,
        "Evenemang: Frukostmöte, 2 mars – Anna Berg"
    );

    // Everything issued: the next run finds nothing.
    let issued: HashSet<ChargeKey> = lines.iter().flat_map(|l| l.keys.clone()).collect();
    assert!(customer_lines(&r, &c, &issued).unwrap().is_empty());
    assert!(preview(&r, &[c.clone()], &issued).customers.is_empty());
    // Only the booking issued: the rest is still there.
    let one: HashSet<ChargeKey> = [ChargeKey::Booking { id: "b1".into() }].into();
    assert_eq!(customer_lines(&r, &c, &one).unwrap().len(), 3);
}

#[test]
fn a_missing_buyer_reference_blocks_only_that_customer() {
    let ok = customer(
        vec![seat(
            "A1",
            "kalmar",
            0,
            vec![holding("h1", "Anna Berg", (1, 1), None)],
        )],
        vec![],
    );
    let mut blocked = ok.clone();
    blocked.id = "other".into();
    blocked.buyer.buyer_reference = " ".into();
    blocked.buyer.address.city = String::new();
    let r = run(march(), Language::Swedish);
    let p = preview(&r, &[ok.clone(), blocked.clone()], &none());
    assert_eq!(p.customers.len(), 2);
    assert!(!p.customers[0].is_blocked());
    let problems = &p.customers[1].problems;
    assert_eq!(
        problems.iter().map(|p| p.code).collect::<Vec<_>>(),
        ["buyer_reference_missing", "buyer_address_missing"]
    );
    assert_eq!(
        problems[0].message,
        "Kunden saknar köparreferens — fyll i den under organisationens fakturauppgifter"
    );
    // The blocked customer's lines are still shown, its total not counted.
    assert_eq!(p.customers[1].lines.len(), 1);
    assert_eq!(p.payable_ore(), 312_500);
    let en = preview(&run(march(), Language::English), &[blocked], &none());
    assert!(en.customers[0].problems[0]
        .message
        .starts_with("The customer has no buyer reference"));
}

#[test]
fn a_seat_with_two_holders_on_one_day_is_a_problem_not_a_double_charge() {
    let c = customer(
        vec![seat(
            "A1",
            "kalmar",
            0,
            vec![
                holding("h1", "Anna Berg", (1, 1), Some((3, 15))),
                holding("h2", "Björn Ek", (3, 15), None),
            ],
        )],
        vec![],
    );
    let p = preview(&run(march(), Language::Swedish), &[c], &none());
    assert_eq!(p.customers[0].problems[0].code, "run_holdings_overlap");
    assert!(p.customers[0].lines.is_empty());
    assert_eq!(p.payable_ore(), 0);
}

#[test]
fn bad_items_are_stated_for_their_customer() {
    let r = run(march(), Language::Swedish);
    let reversed = customer(
        vec![seat(
            "A1",
            "kalmar",
            0,
            vec![holding("h1", "Anna Berg", (3, 10), Some((3, 5)))],
        )],
        vec![],
    );
    let backwards = customer(
        vec![],
        vec![booking(
            "b1",
            "Öland",
            at(2026, 3, 3, 12, 0),
            at(2026, 3, 3, 9, 0),
            None,
        )],
    );
    let mut negative = customer(
        vec![seat(
            "A1",
            "kalmar",
            0,
            vec![holding("h1", "Anna Berg", (1, 1), None)],
        )],
        vec![],
    );
    negative.seats[0].monthly_price_ore = -1;
    let p = preview(&r, &[reversed, backwards, negative], &none());
    let codes: Vec<&str> = p.customers.iter().map(|c| c.problems[0].code).collect();
    assert_eq!(
        codes,
        [
            "run_holding_reversed",
            "run_booking_reversed",
            "prorate_negative_price"
        ]
    );
    assert_eq!(
        p.customers[1].problems[0].message,
        "Bokningen b1 slutar innan den börjar"
    );
    assert!(p
        .customers
        .iter()
        .all(|c| c.lines.is_empty() && c.totals.is_none()));
}

#[test]
fn a_previewed_invoice_is_issued_as_ubl_and_pdf() {
    let mut c = customer(
        vec![seat(
            "A1",
            "kalmar",
            2,
            vec![
                holding("h1", "Anna Berg", (1, 1), Some((3, 14))),
                holding("h2", "Björn Ek", (3, 15), None),
            ],
        )],
        vec![
            booking(
                "b1",
                "Öland",
                at(2026, 3, 3, 9, 0),
                at(2026, 3, 3, 12, 15),
                Some("A1"),
            ),
            booking(
                "b2",
                "Öland",
                at(2026, 3, 29, 1, 0),
                at(2026, 3, 29, 4, 0),
                Some("A1"),
            ),
        ],
    );
    c.events = vec![EventFeeInput {
        id: "e1".into(),
        title: "Frukostmöte".into(),
        date: d(2026, 3, 2),
        fee_ore: 15_000,
        vat: standard_rated(6).unwrap(),
        operator: "kalmar".into(),
        who: "Anna Berg".into(),
    }];
    let r = run(march(), Language::Swedish);
    let p = preview(&r, std::slice::from_ref(&c), &none());
    let preview = &p.customers[0];
    assert!(preview.problems.is_empty(), "{:?}", preview.problems);
    let doc = preview.document(&r, &c.buyer, "K2026-0101").unwrap();
    assert_eq!(doc.totals(), preview.totals.as_ref().unwrap());
    // 2 500 kr seat, 3.25 h charged at 300 kr (975 kr), 150 kr event.
    assert_eq!(doc.totals().line_net_ore, 250_000 + 97_500 + 15_000);
    let xml = to_ubl(&doc);
    assert!(xml.contains("Anna Berg 1–14 mars"));
    common::write_for_validation("invrun-march.xml", xml.as_bytes());
    let pdf = to_pdf(&doc, Language::Swedish).unwrap();
    assert!(pdf.starts_with(b"%PDF"));
}

proptest! {
    /// Holders cutting a month anywhere: the seat's lines sum to the
    /// monthly price, and the preview's totals add up.
    #[test]
    fn holder_parts_sum_to_the_month_and_totals_add_up(
        price in 0i64..10_000_000,
        cuts in prop::collection::btree_set(2u32..=31, 0..5),
        month in 1u32..=12,
    ) {
        let n = thirdplace_invoicing::prorate::days_in_month(2026, month).unwrap();
        let mut starts: Vec<u32> = cuts.into_iter().filter(|c| *c <= n).collect();
        starts.insert(0, 1);
        let holdings: Vec<Holding> = starts
            .iter()
            .enumerate()
            .map(|(i, from)| {
                let to = starts.get(i + 1).map(|next| (month, next - 1));
                holding(&format!("h{i}"), "Anna Berg", (month, *from), to)
            })
            .collect();
        let mut s = seat("A1", "kalmar", 0, holdings);
        s.monthly_price_ore = price;
        let c = customer(vec![s], vec![]);
        let period = thirdplace_invoicing::prorate::month_of(d(2026, month, 1));
        let r = run(period, Language::Swedish);
        let lines = customer_lines(&r, &c, &none()).unwrap();
        prop_assert_eq!(lines.len(), starts.len());
        prop_assert_eq!(lines.iter().map(|l| l.line.net_ore).sum::<i64>(), price);
        if price > 0 {
            let p = preview(&r, &[c], &none());
            let t = p.customers[0].totals.as_ref().unwrap();
            prop_assert_eq!(t.line_net_ore, price);
            prop_assert_eq!(t.payable_ore, t.line_net_ore + t.vat_ore);
            prop_assert_eq!(t.vat_ore, t.breakdown.iter().map(|b| b.vat_ore).sum::<i64>());
        }
    }

    /// Whatever the bookings, a seat's included minutes are never charged:
    /// what is charged in a month is what was booked beyond them.
    #[test]
    fn included_hours_are_never_charged(
        included_hours in 0i64..10,
        slots in prop::collection::vec((1u32..=28, 6u32..20, 1u32..=12), 0..12),
    ) {
        let bookings: Vec<BookingInput> = slots
            .iter()
            .enumerate()
            .map(|(i, (day, hour, quarters))| {
                let start = at(2026, 3, *day, *hour, 0);
                let end = start + chrono::Duration::minutes(i64::from(*quarters) * 15);
                booking(&format!("b{i:02}"), "Öland", start, end, Some("A1"))
            })
            .collect();
        let booked: i64 = slots.iter().map(|s| i64::from(s.2) * 15).sum();
        let c = customer(
            vec![seat("A1", "kalmar", included_hours, vec![holding("h1", "Anna Berg", (1, 1), None)])],
            bookings,
        );
        let r = run(march(), Language::Swedish);
        let charged: i64 = charged_minutes(&r, &c).unwrap().iter().map(|(_, m)| m).sum();
        prop_assert_eq!(charged, (booked - included_hours * 60).max(0));
        let lines = customer_lines(&r, &c, &none()).unwrap();
        let hours: i64 = lines
            .iter()
            .filter(|l| l.line.product == ProductKind::RoomHours)
            .map(|l| l.line.quantity.thousandths())
            .sum();
        prop_assert_eq!(hours * 60, charged * 1000);
    }
}
