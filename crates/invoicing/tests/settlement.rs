//! Settlement between operators: visit days and booking shares, the lines
//! behind them and the pairwise net.

use chrono::NaiveDate;
use proptest::prelude::*;
use thirdplace_invoicing::invoice::Period;
use thirdplace_invoicing::settlement::{
    statement, NetAmount, SettlementBooking, SettlementError, SettlementKind, Tariff, Visit,
};

fn d(day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 3, day).unwrap()
}

fn march() -> Period {
    Period::new(d(1), d(31)).unwrap()
}

const TARIFF: Tariff = Tariff {
    visit_day_ore: 5_000,
    booking_share_per_mille: 800,
};

fn visit(id: &str, home: &str, host: &str, person: &str, day: u32) -> Visit {
    Visit {
        id: id.into(),
        home: home.into(),
        host: host.into(),
        hub_name: format!("{host} hubb"),
        person: person.into(),
        date: d(day),
    }
}

fn booking(id: &str, home: &str, host: &str, day: u32, amount_ore: i64) -> SettlementBooking {
    SettlementBooking {
        id: id.into(),
        home: home.into(),
        host: host.into(),
        hub_name: format!("{host} hubb"),
        date: d(day),
        minutes: 60,
        amount_ore,
    }
}

#[test]
fn visit_days_count_once_per_person_and_day_and_bookings_give_the_host_its_share() {
    let mut april = visit("v6", "kalmar", "vaxjo", "anna", 31);
    april.date = NaiveDate::from_ymd_opt(2026, 4, 1).unwrap();
    let visits = vec![
        // Anna twice on the 3rd (two check-ins, one day), once on the 4th.
        visit("v1", "kalmar", "vaxjo", "anna", 3),
        visit("v2", "kalmar", "vaxjo", "anna", 3),
        visit("v3", "kalmar", "vaxjo", "anna", 4),
        // Björn on the 3rd too.
        visit("v4", "kalmar", "vaxjo", "bjorn", 3),
        // At her own operator's hub: not settled.
        visit("v5", "kalmar", "kalmar", "anna", 5),
        // April: not this month's.
        april,
        // A Växjö member in Kalmar.
        visit("v7", "vaxjo", "kalmar", "cecilia", 10),
    ];
    let bookings = vec![
        booking("b1", "kalmar", "vaxjo", 3, 30_000),
        booking("b2", "kalmar", "vaxjo", 12, 45_001),
        booking("b3", "vaxjo", "vaxjo", 12, 99_999),
    ];
    let s = statement(march(), TARIFF, &visits, &bookings).unwrap();
    assert_eq!(s.lines.len(), 3);
    let days = &s.lines[0];
    assert_eq!(
        (days.debtor.as_str(), days.creditor.as_str(), days.kind),
        ("kalmar", "vaxjo", SettlementKind::VisitDays)
    );
    assert_eq!(days.count, 3);
    assert_eq!(days.amount_ore, 15_000);
    assert_eq!(days.items, ["v1", "v2", "v3", "v4"]);
    let booked = &s.lines[1];
    assert_eq!(booked.kind, SettlementKind::Bookings);
    assert_eq!(
        (booked.count, booked.minutes, booked.base_ore),
        (2, 120, 75_001)
    );
    // 80 % of 750.01 kr = 600.008 kr → 600.01 kr.
    assert_eq!(booked.amount_ore, 60_001);
    assert_eq!(s.lines[2].debtor, "vaxjo");
    assert_eq!(s.lines[2].amount_ore, 5_000);
    assert_eq!(s.gross("kalmar", "vaxjo"), 75_001);
    assert_eq!(s.gross("vaxjo", "kalmar"), 5_000);
    assert_eq!(
        s.net,
        [NetAmount {
            payer: "kalmar".into(),
            payee: "vaxjo".into(),
            amount_ore: 70_001,
        }]
    );
}

#[test]
fn an_even_exchange_nets_to_nothing_and_bad_tariffs_are_refused() {
    let visits = vec![
        visit("v1", "kalmar", "vaxjo", "anna", 3),
        visit("v2", "vaxjo", "kalmar", "cecilia", 3),
    ];
    let s = statement(march(), TARIFF, &visits, &[]).unwrap();
    assert_eq!(s.lines.len(), 2);
    assert!(s.net.is_empty());
    let empty = statement(march(), TARIFF, &[], &[]).unwrap();
    assert!(empty.lines.is_empty() && empty.net.is_empty());

    let too_much = Tariff {
        booking_share_per_mille: 1001,
        ..TARIFF
    };
    assert_eq!(
        statement(march(), too_much, &[], &[]),
        Err(SettlementError::ShareOutOfRange)
    );
    let negative = Tariff {
        visit_day_ore: -1,
        ..TARIFF
    };
    assert_eq!(
        statement(march(), negative, &[], &[]).unwrap_err().code(),
        "settlement_negative_visit_tariff"
    );
    assert_eq!(
        statement(march(), TARIFF, &[], &[booking("b", "a", "b", 3, -5)]),
        Err(SettlementError::NegativeBooking("b".into()))
    );
    // The same bounds when the network sets its tariff.
    assert_eq!(too_much.checked(), Err(SettlementError::ShareOutOfRange));
    assert_eq!(
        negative.checked(),
        Err(SettlementError::NegativeVisitTariff)
    );
    let free = Tariff {
        visit_day_ore: 0,
        booking_share_per_mille: 1000,
    };
    assert_eq!(free.checked(), Ok(free));
}

proptest! {
    /// Across any number of operators: each pair's net is the difference of
    /// what they owe each other, and what all operators pay in the net
    /// equals what all receive.
    #[test]
    fn nets_are_the_differences_of_the_gross_amounts(
        visits in prop::collection::vec((0u8..4, 0u8..4, 0u8..5, 1u32..=31), 0..40),
        bookings in prop::collection::vec((0u8..4, 0u8..4, 1u32..=31, 0i64..100_000), 0..40),
    ) {
        let op = |i: u8| format!("op{i}");
        let visits: Vec<Visit> = visits
            .iter()
            .enumerate()
            .map(|(i, (h, g, p, day))| visit(&format!("v{i}"), &op(*h), &op(*g), &format!("p{p}"), *day))
            .collect();
        let bookings: Vec<SettlementBooking> = bookings
            .iter()
            .enumerate()
            .map(|(i, (h, g, day, amount))| booking(&format!("b{i}"), &op(*h), &op(*g), *day, *amount))
            .collect();
        let s = statement(march(), TARIFF, &visits, &bookings).unwrap();
        for a in 0..4u8 {
            for b in (a + 1)..4u8 {
                let diff = s.gross(&op(a), &op(b)) - s.gross(&op(b), &op(a));
                let net: i64 = s
                    .net
                    .iter()
                    .map(|n| {
                        if n.payer == op(a) && n.payee == op(b) {
                            n.amount_ore
                        } else if n.payer == op(b) && n.payee == op(a) {
                            -n.amount_ore
                        } else {
                            0
                        }
                    })
                    .sum();
                prop_assert_eq!(net, diff);
            }
        }
        prop_assert!(s.net.iter().all(|n| n.amount_ore > 0 && n.payer != n.payee));
        prop_assert!(s.lines.iter().all(|l| l.debtor != l.creditor));
    }
}
