//! Texts of memberships, check-ins, guests and webhooks: (key, Swedish, English).
//! Merged with the main table in [`crate::i18n`].

pub const TABLE: &[(&str, &str, &str)] = &[
    // Errors by code (shown on HTML pages; the API keeps its English message).
    ("error.no_membership", "Du har inget aktivt medlemskap som gäller för den här hubben i dag.", "You have no active membership that opens this hub today."),
    ("error.hub_closed", "Hubben är stängd just nu.", "The hub is closed right now."),
    ("error.hub_archived", "Hubben ingår inte längre i nätverket.", "The hub is no longer part of the network."),
    ("error.already_checked_in", "Du är redan incheckad. Checka ut först.", "You are already checked in. Check out first."),
    ("error.already_checked_out", "Besöket är redan avslutat.", "This visit has already ended."),
    ("error.not_checked_in", "Du behöver vara incheckad på hubben för att registrera en gäst.", "You need to be checked in at the hub to register a guest."),
    ("error.guest_other_organisation", "En gäst måste komma från din egen organisation. Personer från andra organisationer är välkomna genom inbjudningar till evenemang.", "A guest must come from your own organisation. People from other organisations are welcome through invitations to events."),
    ("error.guests_not_allowed", "Ditt medlemskap omfattar inte gäster.", "Your membership does not include guests."),
    ("error.guest_limit_reached", "Du har redan så många gäster som ditt medlemskap tillåter samtidigt.", "You already have as many guests as your membership allows at a time."),
    ("error.qr_invalid", "Koden är inte en giltig medlemskod från thirdplace.", "This is not a valid thirdplace member code."),
    ("error.qr_expired", "Medlemskoden är för gammal. Be medlemmen öppna sitt kort igen.", "This member code is too old. Ask the member to open their card again."),
    ("error.qr_rotated", "Medlemskoden har ersatts av en nyare.", "This member code has been replaced by a newer one."),
    ("error.organisation_archived", "Organisationen är arkiverad.", "The organisation is archived."),
    ("error.plan_archived", "Den här planen säljs inte längre.", "This plan is no longer sold."),
    ("error.outside_organisation", "En plats kan bara ges till någon i organisationen som köpte den.", "A seat can only be given to someone in the organisation that bought it."),
    ("error.seat_ended", "Platsen har upphört.", "This seat has ended."),
    ("error.person_archived", "Personen är arkiverad.", "This person is archived."),
    ("error.in_the_past", "Datumet får inte ligga bakåt i tiden.", "The date must not be in the past."),
    ("error.ends_before_start", "Slutdatumet får inte vara före startdatumet.", "The end date must not be before the start date."),
    ("error.invalid_date", "Skriv ett datum som 2026-12-01.", "Write a date such as 2026-12-01."),
    ("error.invalid_url", "Skriv en webbadress som börjar med https:// eller http://.", "Write a web address starting with https:// or http://."),
    ("error.too_many", "Högst 10 taggar.", "At most 10 tags."),
];
