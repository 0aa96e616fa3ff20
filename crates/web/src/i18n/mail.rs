//! Texts of e-mail and the outbox page (`/admin/outbox`): (key, Swedish,
//! English). Merged with the main table in [`crate::i18n`].

pub const TABLE: &[(&str, &str, &str)] = &[
    // Navigation.
    ("admin.outbox", "Utkorg för e-post", "E-mail outbox"),
    // The page.
    ("outbox.intro", "E-post som tjänsten har skickat eller ska skicka, nyast först.", "E-mail the service has sent or is about to send, newest first."),
    ("outbox.smtp_on", "E-post skickas via SMTP. Misslyckade försök görs om med allt längre väntetider och ges upp efter tio försök.", "E-mail is sent over SMTP. Failed attempts are retried with growing waits and given up after ten attempts."),
    ("outbox.smtp_off", "Servern har ingen SMTP-server inställd, så e-posten skickas inte utan stannar här. Ställ in THIRDPLACE_SMTP_URL för att skicka den.", "The server has no SMTP server configured, so e-mail is not sent but stays here. Set THIRDPLACE_SMTP_URL to send it."),
    ("outbox.empty", "Utkorgen är tom.", "The outbox is empty."),
    ("outbox.shown", "Visar de senaste meddelandena", "Showing the latest messages"),
    ("outbox.to", "Till", "To"),
    ("outbox.subject", "Ämne", "Subject"),
    ("outbox.created", "Skapad", "Created"),
    ("outbox.attempts", "Försök", "Attempts"),
    ("outbox.last_error", "Senaste fel", "Last error"),
    ("outbox.body", "Visa meddelandet", "Show the message"),
    ("outbox.status.queued", "I kö", "Queued"),
    ("outbox.status.retrying", "Försöker igen", "Retrying"),
    ("outbox.status.sent", "Skickad", "Sent"),
    ("outbox.status.failed", "Misslyckad", "Failed"),
];
