//! Payment reminders of overdue invoices: when one may be sent, and what
//! it says.
//!
//! An invoice is overdue from the day after its due date while something
//! is left to pay. Its customer may then be reminded, by e-mail to the
//! organisation's invoice address, at most once every
//! [`INTERVAL_DAYS`] days, so that a second click, a retry or two
//! administrators at once never send two (the store keeps one reminder
//! per invoice and day as well). A reminder charges nothing: Swedish
//! public buyers are not charged reminder fees by the operators this
//! serves, and a fee would have to be invoiced as a line of its own.

use chrono::NaiveDate;
use thirdplace_domain::money::format_ore_as_sek;

use crate::document::PayeeAccount;

/// The least number of days between two reminders of one invoice.
pub const INTERVAL_DAYS: i64 = 7;

/// Why an invoice cannot be reminded of now.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReminderRefusal {
    #[error("only invoices are reminded of, not credit notes")]
    NotAnInvoice,
    #[error("nothing is left to pay on the invoice")]
    NothingOutstanding,
    #[error("the invoice is not overdue: it falls due on {0}")]
    NotOverdue(NaiveDate),
    #[error("a reminder was sent on {last}; the next may go on {next}")]
    TooSoon { last: NaiveDate, next: NaiveDate },
}

impl ReminderRefusal {
    pub fn code(&self) -> &'static str {
        match self {
            ReminderRefusal::NotAnInvoice => "reminder_not_an_invoice",
            ReminderRefusal::NothingOutstanding => "reminder_nothing_outstanding",
            ReminderRefusal::NotOverdue(_) => "reminder_not_overdue",
            ReminderRefusal::TooSoon { .. } => "reminder_too_soon",
        }
    }
}

/// What decides whether an invoice may be reminded of.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReminderState {
    /// An invoice (not a credit note).
    pub is_invoice: bool,
    pub due_date: NaiveDate,
    /// What is left to pay, in öre, after payments and credit notes.
    pub outstanding_ore: i64,
    /// The day the last reminder went, if any.
    pub last_reminded_on: Option<NaiveDate>,
}

impl ReminderState {
    /// Whether a reminder may be sent `today`.
    pub fn check(&self, today: NaiveDate) -> Result<(), ReminderRefusal> {
        if !self.is_invoice {
            return Err(ReminderRefusal::NotAnInvoice);
        }
        if self.outstanding_ore <= 0 {
            return Err(ReminderRefusal::NothingOutstanding);
        }
        if today <= self.due_date {
            return Err(ReminderRefusal::NotOverdue(self.due_date));
        }
        if let Some(last) = self.last_reminded_on {
            let next = last + chrono::Duration::days(INTERVAL_DAYS);
            if today < next {
                return Err(ReminderRefusal::TooSoon { last, next });
            }
        }
        Ok(())
    }

    /// Days past the due date on `today` (0 when not yet due).
    pub fn days_overdue(&self, today: NaiveDate) -> i64 {
        (today - self.due_date).num_days().max(0)
    }
}

/// What a reminder says about the invoice and how to pay it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReminderFacts<'a> {
    /// The seller as the customer knows it ("Oskarshamns kommun").
    pub seller: &'a str,
    /// The seller's address for questions, if it has one.
    pub seller_email: Option<&'a str>,
    /// The customer's name.
    pub customer: &'a str,
    pub buyer_reference: &'a str,
    /// The invoice number as printed ("OSK-1042").
    pub number: &'a str,
    pub issue_date: NaiveDate,
    pub due_date: NaiveDate,
    pub outstanding_ore: i64,
    pub account: Option<&'a PayeeAccount>,
    pub ocr: Option<&'a str>,
}

/// A reminder's subject and body, in Swedish with English below (the
/// customer's language is not known; Swedish public buyers read Swedish).
pub fn text(f: &ReminderFacts<'_>) -> (String, String) {
    let amount = format!("{} kr", format_ore_as_sek(f.outstanding_ore));
    let subject = format!(
        "Betalningspåminnelse: faktura {} från {} / Payment reminder: invoice {}",
        f.number, f.seller, f.number
    );
    let pay_sv = match (f.account, f.ocr) {
        (Some(a), Some(ocr)) => format!(
            "Betala till {} {} med OCR-nummer {ocr}.",
            account_kind(a),
            a.display()
        ),
        (Some(a), None) => format!("Betala till {} {}.", account_kind(a), a.display()),
        _ => String::new(),
    };
    let pay_en = match (f.account, f.ocr) {
        (Some(a), Some(ocr)) => format!(
            "Please pay to {} {} with the OCR reference {ocr}.",
            account_kind(a),
            a.display()
        ),
        (Some(a), None) => format!("Please pay to {} {}.", account_kind(a), a.display()),
        _ => String::new(),
    };
    let ask_sv = f
        .seller_email
        .map(|e| format!("\nFrågor om fakturan besvaras på {e}.\n"))
        .unwrap_or_default();
    let ask_en = f
        .seller_email
        .map(|e| format!("\nQuestions about the invoice: {e}.\n"))
        .unwrap_or_default();
    let body = format!(
        "Hej!\n\n\
         Enligt våra noteringar är faktura {number} till {customer} (er referens: {reference}), \
         utställd {issued}, inte betald. Den förföll {due}. Kvar att betala: {amount}.\n\n\
         {pay_sv}\n\n\
         Har ni redan betalat kan ni bortse från den här påminnelsen.\n{ask_sv}\n\
         Med vänliga hälsningar\n{seller}\n\n\
         ---\n\n\
         Hello,\n\n\
         According to our records, invoice {number} to {customer} (your reference: {reference}), \
         issued on {issued}, has not been paid. It fell due on {due}. Left to pay: {amount}.\n\n\
         {pay_en}\n\n\
         If you have already paid, please disregard this reminder.\n{ask_en}\n\
         Kind regards\n{seller}\n",
        number = f.number,
        customer = f.customer,
        reference = f.buyer_reference,
        issued = f.issue_date,
        due = f.due_date,
        seller = f.seller,
    );
    (subject, body)
}

/// "bankgiro" or "plusgiro": the same word in Swedish and English.
fn account_kind(a: &PayeeAccount) -> &'static str {
    match a {
        PayeeAccount::Bankgiro(_) => "bankgiro",
        PayeeAccount::Plusgiro(_) => "plusgiro",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn state(last: Option<&str>) -> ReminderState {
        ReminderState {
            is_invoice: true,
            due_date: d("2026-11-30"),
            outstanding_ore: 125_000,
            last_reminded_on: last.map(d),
        }
    }

    #[test]
    fn an_invoice_is_reminded_of_from_the_day_after_it_falls_due() {
        assert_eq!(
            state(None).check(d("2026-11-30")),
            Err(ReminderRefusal::NotOverdue(d("2026-11-30")))
        );
        assert_eq!(state(None).check(d("2026-12-01")), Ok(()));
        assert_eq!(state(None).days_overdue(d("2026-12-07")), 7);
        assert_eq!(state(None).days_overdue(d("2026-11-01")), 0);
    }

    #[test]
    fn reminders_go_at_most_once_a_week() {
        let s = state(Some("2026-12-01"));
        assert_eq!(
            s.check(d("2026-12-07")),
            Err(ReminderRefusal::TooSoon {
                last: d("2026-12-01"),
                next: d("2026-12-08")
            })
        );
        assert_eq!(s.check(d("2026-12-08")), Ok(()));
        assert_eq!(
            s.check(d("2026-12-01")).unwrap_err().code(),
            "reminder_too_soon"
        );
    }

    #[test]
    fn paid_invoices_and_credit_notes_are_not_reminded_of() {
        let paid = ReminderState {
            outstanding_ore: 0,
            ..state(None)
        };
        assert_eq!(
            paid.check(d("2026-12-07")),
            Err(ReminderRefusal::NothingOutstanding)
        );
        let note = ReminderState {
            is_invoice: false,
            ..state(None)
        };
        assert_eq!(
            note.check(d("2026-12-07")),
            Err(ReminderRefusal::NotAnInvoice)
        );
    }

    #[test]
    fn the_text_names_the_invoice_the_amount_and_how_to_pay() {
        let account = PayeeAccount::bankgiro("5050-1055").unwrap();
        let (subject, body) = text(&ReminderFacts {
            seller: "Oskarshamns kommun",
            seller_email: Some("faktura@oskarshamn.example"),
            customer: "Skatteverket",
            buyer_reference: "SKV-4711",
            number: "OSK-1042",
            issue_date: d("2026-11-01"),
            due_date: d("2026-11-30"),
            outstanding_ore: 123_456,
            account: Some(&account),
            ocr: Some("104257"),
        });
        assert_eq!(
            subject,
            "Betalningspåminnelse: faktura OSK-1042 från Oskarshamns kommun / \
             Payment reminder: invoice OSK-1042"
        );
        for needle in [
            "faktura OSK-1042 till Skatteverket (er referens: SKV-4711)",
            "Den förföll 2026-11-30.",
            "bankgiro 5050-1055 med OCR-nummer 104257",
            "faktura@oskarshamn.example",
            "invoice OSK-1042 to Skatteverket",
            "with the OCR reference 104257",
        ] {
            assert!(body.contains(needle), "{needle} in:\n{body}");
        }
        assert!(body.contains(&format!("{} kr", format_ore_as_sek(123_456))));
    }
}
