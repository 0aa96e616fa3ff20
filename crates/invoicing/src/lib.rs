//! Invoicing for thirdplace: what an operator's invoice to an organisation
//! contains and the formats it leaves the system in.
//!
//! Pure and testable without a database: it depends on `thirdplace-domain`
//! and nothing above it. The web crate and the CLI call it; the store keeps
//! what it produces.
//!
//! - [`vat`]: VAT categories and the Swedish rates;
//! - [`invoice`]: lines, totals and VAT breakdown as EN 16931 computes them,
//!   credit notes;
//! - [`ocr`]: OCR payment references with check (and length) digit;
//! - [`prorate`]: a seat's monthly price by day when it changes hands;
//! - [`document`]: a whole invoice or credit note, checked: seller, buyer,
//!   payment, lines and totals;
//! - [`ubl`]: Peppol BIS Billing 3.0 UBL invoices and credit notes;
//! - [`pdf`]: the PDF a person reads, in Swedish or English;
//! - [`sie`]: SIE 4 bookkeeping files of invoices, credit notes and payments;
//! - [`bgmax`]: Bankgirot's BgMax payment files, and matching payments to
//!   open invoices by OCR reference;
//! - [`run`]: the invoice run: one operator's lines for each customer in a
//!   period (seats pro-rated, room hours beyond the included ones, late
//!   cancellations, event fees), previewed with the problems that block a
//!   customer's invoice;
//! - [`reminder`]: when an overdue invoice may be reminded of, and the
//!   reminder's text;
//! - [`settlement`]: the monthly statement of what operators owe each other
//!   for visits and bookings at each other's hubs.

pub mod bgmax;
pub mod document;
pub mod invoice;
pub mod ocr;
pub mod pdf;
pub mod prorate;
pub mod reminder;
pub mod run;
pub mod settlement;
pub mod sie;
pub mod ubl;
pub mod vat;
