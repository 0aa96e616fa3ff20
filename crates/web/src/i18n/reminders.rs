//! Texts of payment reminders (issue 16): the overdue list, the reminder
//! section of an invoice and their refusals: (key, Swedish, English).
//! Merged with the main table in [`crate::i18n`].

pub const TABLE: &[(&str, &str, &str)] = &[
    ("reminders.title", "Påminnelser", "Reminders"),
    ("reminders.intro", "Förfallna fakturor som inte är betalda. En påminnelse skickas som e-post till kundens fakturaadress, högst en gång per {days} dagar och faktura. Den kostar ingenting för kunden.", "Overdue invoices that are not paid. A reminder goes by e-mail to the customer's invoice address, at most once every {days} days per invoice. It costs the customer nothing."),
    ("reminders.days", "Dagar sen", "Days late"),
    ("reminders.last", "Senaste påminnelse (antal)", "Last reminder (count)"),
    ("reminders.next", "Nästa", "Next"),
    ("reminders.ready", "Kan skickas nu", "Can be sent now"),
    ("reminders.next_on", "Nästa påminnelse kan skickas {date}.", "The next reminder can be sent on {date}."),
    ("reminders.no_address", "Fakturaadress för e-post saknas", "No invoice e-mail address"),
    ("reminders.no_address_help", "Kunden saknar e-postadress för fakturor. Fyll i den på organisationens sida för att kunna skicka en påminnelse.", "The customer has no e-mail address for invoices. Fill it in on the organisation's page to send a reminder."),
    ("reminders.none", "Inga fakturor är förfallna.", "No invoices are overdue."),
    ("reminders.none_ready", "Ingen påminnelse kan skickas just nu.", "No reminder can be sent right now."),
    ("reminders.none_sent", "Ingen påminnelse har skickats.", "No reminder has been sent."),
    ("reminders.send_title", "Skicka påminnelser", "Send reminders"),
    ("reminders.send_help", "{n} fakturor på sammanlagt {amount} kan påminnas om nu. Varje kund får ett e-postmeddelande om sin faktura.", "{n} invoices of {amount} in all can be reminded of now. Each customer gets an e-mail about its invoice."),
    ("reminders.send_confirm", "Ja, skicka påminnelse", "Yes, send the reminder"),
    ("reminders.send_confirm_all", "Ja, skicka påminnelserna", "Yes, send the reminders"),
    ("reminders.send_all", "Skicka påminnelser ({n})", "Send reminders ({n})"),
    ("reminders.send_one", "Skicka påminnelse", "Send a reminder"),
    ("reminders.one_help", "En påminnelse om {amount} skickas till {to}.", "A reminder of {amount} goes to {to}."),
    ("reminders.sent", "Påminnelsen ligger i utkorgen till {to}.", "The reminder to {to} is in the outbox."),
    ("reminders.sent_all", "Påminnelser i utkorgen: {n}.", "Reminders in the outbox: {n}."),
    ("reminders.sent_line", "{date} till {to} ({amount} kvar att betala)", "{date} to {to} ({amount} left to pay)"),
    ("reminders.refused.reminder_too_soon", "En påminnelse om fakturan skickades den senaste veckan.", "A reminder of this invoice was sent within the last week."),
    ("reminders.refused.reminder_not_overdue", "Fakturan har inte förfallit än.", "The invoice is not overdue yet."),
    ("reminders.refused.reminder_nothing_outstanding", "Fakturan är betald.", "The invoice is paid."),
    ("reminders.refused.reminder_not_an_invoice", "Kreditfakturor påminns det inte om.", "Credit notes are not reminded of."),
    ("reminders.refused.reminder_no_address", "Kunden saknar e-postadress för fakturor. Fyll i den på organisationens sida.", "The customer has no e-mail address for invoices. Fill it in on the organisation's page."),
];
