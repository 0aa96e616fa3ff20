//! Example documents the integration tests share, and where they write what
//! the validators in CI read.

#![allow(dead_code)]

use std::path::PathBuf;

use chrono::NaiveDate;
use thirdplace_domain::OrgNumber;
use thirdplace_invoicing::document::{
    Address, Buyer, Contact, Document, DocumentInput, PayeeAccount, Payment, PeppolEndpoint,
    SeVatNumber, Seller,
};
use thirdplace_invoicing::invoice::{
    credit_lines, DocumentKind, InvoiceReference, Line, LineInput, Period, ProductKind, Quantity,
    UnitCode,
};
use thirdplace_invoicing::ocr::{LengthDigit, OcrReference};
use thirdplace_invoicing::prorate::prorate;
use thirdplace_invoicing::vat::{standard_rated, Exemption, VatCategory};

pub fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

/// `<workspace root>/target/einvoice`, where `.ci/einvoice.sh` looks for
/// documents to validate. From the manifest dir, not CARGO_TARGET_DIR,
/// which a developer may point elsewhere.
pub fn einvoice_dir() -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../target/einvoice");
    std::fs::create_dir_all(&dir).expect("create target/einvoice");
    dir
}

/// Writes a produced document for the validators in CI.
pub fn write_for_validation(name: &str, contents: &[u8]) -> PathBuf {
    let path = einvoice_dir().join(name);
    std::fs::write(&path, contents).expect("write into target/einvoice");
    path
}

pub fn kalmar() -> Seller {
    let org = OrgNumber::parse("212000-0662").unwrap();
    Seller {
        legal_name: "Kalmar kommun".into(),
        trading_name: Some("Kalmar Coworking".into()),
        vat_number: SeVatNumber::for_org_number(&org),
        endpoint: PeppolEndpoint::for_org_number(&org),
        org_number: org,
        f_skatt: true,
        legal_info: None,
        address: Address {
            street: "Box 611".into(),
            additional: None,
            postal_code: "391 26".into(),
            city: "Kalmar".into(),
            country: "SE".into(),
        },
        contact: Some(Contact {
            name: Some("Kalmar Coworking, fakturering".into()),
            phone: Some("+46 480 45 00 00".into()),
            email: Some("faktura@kalmar.example".into()),
        }),
    }
}

pub fn samverket() -> Buyer {
    let org = OrgNumber::parse("202100-5505").unwrap();
    Buyer {
        legal_name: "Samverket".into(),
        vat_number: Some(SeVatNumber::for_org_number(&org).as_str().to_string()),
        endpoint: PeppolEndpoint::for_org_number(&org),
        org_number: Some(org),
        buyer_reference: "SV-4471".into(),
        address: Address {
            street: "Storgatan 1".into(),
            additional: Some("Ekonomienheten".into()),
            postal_code: "392 32".into(),
            city: "Kalmar".into(),
            country: "SE".into(),
        },
        contact: Some(Contact {
            name: Some("Eva Ek".into()),
            phone: None,
            email: None,
        }),
    }
}

fn line(
    description: &str,
    quantity: Quantity,
    unit: UnitCode,
    price: i64,
    vat: VatCategory,
    period: Option<Period>,
    product: ProductKind,
) -> Line {
    Line::new(LineInput {
        description: description.into(),
        quantity,
        unit,
        unit_price_ore: price,
        vat,
        period,
        product,
    })
    .unwrap()
}

pub fn november() -> Period {
    Period::new(d(2026, 11, 1), d(2026, 11, 30)).unwrap()
}

/// November's lines: a seat for the month, a seat that changed holder, room
/// hours, a lunch (12 %), an event with a book (6 %) and exempt premises.
pub fn november_lines() -> Vec<Line> {
    let s25 = standard_rated(25).unwrap();
    let seat = prorate(250_000, november()).unwrap();
    let anna = prorate(
        250_000,
        Period::new(d(2026, 11, 1), d(2026, 11, 12)).unwrap(),
    )
    .unwrap();
    let bjorn = prorate(
        250_000,
        Period::new(d(2026, 11, 13), d(2026, 11, 30)).unwrap(),
    )
    .unwrap();
    let exempt = VatCategory::exempt(
        Exemption::new(
            Some("VATEX-EU-132"),
            "Undantag från skatteplikt enligt 10 kap. 32 § mervärdesskattelagen",
        )
        .unwrap(),
    );
    vec![
        seat.line(
            "Kontorsplats, Kalmar, Cecilia Dahl",
            s25.clone(),
            ProductKind::Seat,
        )
        .unwrap(),
        anna.line(
            "Kontorsplats, Kalmar, Anna Svensson (1–12 nov)",
            s25.clone(),
            ProductKind::Seat,
        )
        .unwrap(),
        bjorn
            .line(
                "Kontorsplats, Kalmar, Björn Ek (13–30 nov)",
                s25.clone(),
                ProductKind::Seat,
            )
            .unwrap(),
        line(
            "Mötesrum Öland, 2026-11-18, utöver ingående timmar",
            Quantity::parse("2.5").unwrap(),
            UnitCode::Hour,
            35_000,
            s25,
            Some(Period::new(d(2026, 11, 18), d(2026, 11, 18)).unwrap()),
            ProductKind::RoomHours,
        ),
        line(
            "Lunch vid frukostmöte, 2026-11-20",
            Quantity::whole(3),
            UnitCode::Piece,
            9_500,
            standard_rated(12).unwrap(),
            Some(Period::new(d(2026, 11, 20), d(2026, 11, 20)).unwrap()),
            ProductKind::EventFee,
        ),
        line(
            "Kurslitteratur, tryckt bok",
            Quantity::ONE,
            UnitCode::Piece,
            19_900,
            standard_rated(6).unwrap(),
            None,
            ProductKind::Other,
        ),
        line(
            "Förrådsutrymme, uthyrning av lokal",
            Quantity::ONE,
            UnitCode::Month,
            60_000,
            exempt,
            Some(november()),
            ProductKind::Other,
        ),
    ]
}

pub fn invoice() -> Document {
    let number = "K2026-0042";
    Document::new(DocumentInput {
        kind: DocumentKind::Invoice,
        number: number.into(),
        issue_date: d(2026, 12, 1),
        due_date: Some(d(2026, 12, 31)),
        seller: kalmar(),
        buyer: samverket(),
        payment: Some(Payment {
            account: PayeeAccount::bankgiro("5050-1055").unwrap(),
            ocr: OcrReference::for_invoice_number(number, LengthDigit::With).unwrap(),
        }),
        payment_terms: "30 dagar netto. Dröjsmålsränta enligt räntelagen.".into(),
        note: Some("Kontorsplatser och tjänster, november 2026.".into()),
        order_reference: None,
        period: Some(november()),
        lines: november_lines(),
    })
    .unwrap()
}

/// Credits the seat that changed holder (Björn's part) and the lunch.
pub fn credit_note() -> Document {
    let original = invoice();
    let lines = november_lines();
    Document::new(DocumentInput {
        kind: DocumentKind::CreditNote {
            original: InvoiceReference {
                number: original.input().number.clone(),
                issue_date: original.input().issue_date,
            },
        },
        number: "K2026-0043".into(),
        issue_date: d(2026, 12, 4),
        due_date: None,
        seller: kalmar(),
        buyer: samverket(),
        payment: None,
        payment_terms: "Krediteringen avräknas mot nästa faktura.".into(),
        note: Some("Kreditering: Björn Eks plats sades upp i förväg; lunchen ställdes in.".into()),
        order_reference: None,
        period: Some(november()),
        lines: credit_lines(&[lines[2].clone(), lines[4].clone()]),
    })
    .unwrap()
}
