//! Swedish (the default) and English. The language follows the browser
//! (`Accept-Language`) until it is chosen with a switch in the page header;
//! the choice is remembered in a cookie and, for a signed-in person, on
//! their account ([`crate::http::auth::lang_for`]).
//!
//! Translations are a plain table: the UI has a few hundred strings, which
//! no translation framework would make simpler. A test checks that every
//! key a template uses exists in both languages.
//!
//! A leaf like [`crate::http`]: it imports no capability. The texts of the
//! capabilities stay here, one file per capability (`i18n/bookings.rs`, …),
//! rather than in the capability folders, because issue 20 will move them
//! all into one Fluent file per language.

pub mod access;
pub mod audit;
pub mod bookings;
pub mod bulk;
pub mod calendar;
pub mod evaluation;
pub mod event_forms;
pub mod events;
pub mod feeds;
pub mod invoicing;
pub mod invoicing_access;
pub mod mail;
pub mod memberships;
pub mod privacy;
pub mod reminders;
pub mod retention;
pub mod sessions;
pub mod settlement;
pub mod sites;
pub mod sso;

use std::collections::HashMap;
use std::sync::LazyLock;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Lang {
    #[default]
    Sv,
    En,
}

impl Lang {
    pub fn code(self) -> &'static str {
        match self {
            Lang::Sv => "sv",
            Lang::En => "en",
        }
    }

    pub fn parse(s: &str) -> Option<Lang> {
        match s {
            "sv" => Some(Lang::Sv),
            "en" => Some(Lang::En),
            _ => None,
        }
    }

    pub fn other(self) -> Lang {
        match self {
            Lang::Sv => Lang::En,
            Lang::En => Lang::Sv,
        }
    }
}

/// (key, Swedish, English)
const TABLE: &[(&str, &str, &str)] = &[
    ("site.name", "thirdplace", "thirdplace"),
    ("site.tagline", "Arbetshubbar och kontorskollektiv – en tredje plats mellan hemmet och kontoret", "Coworking hubs – a third place between home and the office"),
    ("nav.skip", "Hoppa till innehållet", "Skip to content"),
    ("nav.main", "Huvudmeny", "Main menu"),
    ("nav.hubs", "Hubbar", "Hubs"),
    ("nav.admin", "Administration", "Administration"),
    ("nav.account", "Mitt konto", "My account"),
    ("nav.login", "Logga in", "Sign in"),
    ("nav.logout", "Logga ut", "Sign out"),
    ("nav.signed_in_as", "Inloggad som", "Signed in as"),
    ("lang.switch", "In English", "På svenska"),
    ("lang.switch_label", "Byt språk", "Change language"),
    ("footer.text", "thirdplace – öppen källkod för nätverk av arbetshubbar. Tider visas i svensk tid.", "thirdplace – open-source software for networks of coworking hubs. Times are shown in Swedish time."),
    // start page
    ("index.title", "Hubbar i nätverket", "Hubs in the network"),
    ("index.intro", "Här hittar du nätverkets arbetshubbar: kontorskollektiv på landsbygden och coworkingarenor för offentlig sektor.", "These are the network's coworking hubs: rural shared offices and coworking arenas for the public sector."),
    ("index.empty", "Det finns inga hubbar ännu.", "There are no hubs yet."),
    ("hub.municipality", "Kommun", "Municipality"),
    ("hub.region", "Region", "Region"),
    ("hub.today", "Öppet i dag", "Open today"),
    ("hub.closed_today", "Stängt i dag", "Closed today"),
    ("hub.central_town", "I centralorten", "In the central town"),
    ("hub.not_central_town", "Utanför centralorten", "Outside the central town"),
    ("hub.central_town_explained", "Centralort", "Central town"),
    ("hub.address", "Adress", "Address"),
    ("hub.coordinates", "Koordinater", "Coordinates"),
    ("hub.operator", "Drivs av", "Operated by"),
    ("hub.opening_hours", "Öppettider", "Opening hours"),
    ("hub.exceptions", "Avvikande öppettider", "Special opening hours"),
    ("hub.closed", "Stängt", "Closed"),
    ("hub.zones", "Aktivitetsytor", "Activity zones"),
    ("hub.no_zones", "Hubben har inga ytor registrerade.", "The hub has no zones yet."),
    ("hub.rooms", "Rum att boka", "Rooms to book"),
    ("hub.no_rooms", "Hubben har inga bokningsbara rum.", "The hub has no bookable rooms."),
    ("hub.capacity", "Platser", "Capacity"),
    ("hub.purpose", "Syfte", "Purpose"),
    ("hub.kind", "Typ", "Kind"),
    ("hub.price_per_hour", "Pris per timme", "Price per hour"),
    ("hub.ex_vat", "exkl. moms", "ex VAT"),
    ("hub.incl_vat", "inkl. moms", "incl. VAT"),
    ("hub.archived", "Arkiverad", "Archived"),
    ("hub.show", "Visa hubben", "Show the hub"),
    ("hub.time_zone_note", "Tiderna gäller svensk tid (Europe/Stockholm).", "Times are Swedish time (Europe/Stockholm)."),
    ("weekday.monday", "Måndag", "Monday"),
    ("weekday.tuesday", "Tisdag", "Tuesday"),
    ("weekday.wednesday", "Onsdag", "Wednesday"),
    ("weekday.thursday", "Torsdag", "Thursday"),
    ("weekday.friday", "Fredag", "Friday"),
    ("weekday.saturday", "Lördag", "Saturday"),
    ("weekday.sunday", "Söndag", "Sunday"),
    ("room_kind.conference", "Konferensrum", "Conference room"),
    ("room_kind.meeting", "Mötesrum", "Meeting room"),
    ("room_kind.project_area", "Projektyta", "Project area"),
    ("room_kind.event_space", "Eventlokal", "Event space"),
    ("org_kind.municipality", "Kommun", "Municipality"),
    ("org_kind.region", "Region", "Region"),
    ("org_kind.government_agency", "Statlig myndighet", "Government agency"),
    ("org_kind.company", "Företag", "Company"),
    ("org_kind.sole_trader", "Enskild firma", "Sole trader"),
    ("org_kind.association", "Förening", "Association"),
    // sign-in and account
    ("login.title", "Logga in", "Sign in"),
    ("login.email", "E-postadress", "E-mail address"),
    ("login.password", "Lösenord", "Password"),
    ("login.submit", "Logga in", "Sign in"),
    ("login.failed", "Fel e-postadress eller lösenord.", "Wrong e-mail address or password."),
    ("login.throttled", "För många misslyckade försök. Försök igen om {wait}.", "Too many failed attempts. Try again in {wait}."),
    ("login.wait_one_second", "en sekund", "one second"),
    ("login.wait_seconds", "{n} sekunder", "{n} seconds"),
    ("login.wait_one_minute", "en minut", "one minute"),
    ("login.wait_minutes", "{n} minuter", "{n} minutes"),
    ("account.title", "Mitt konto", "My account"),
    ("account.password", "Byt lösenord", "Change password"),
    ("account.current_password", "Nuvarande lösenord", "Current password"),
    ("account.new_password", "Nytt lösenord", "New password"),
    ("account.new_password_help", "Minst 10 tecken.", "At least 10 characters."),
    ("account.password_changed", "Lösenordet är bytt. Du är utloggad på andra enheter.", "Your password has been changed. You have been signed out on other devices."),
    ("account.wrong_password", "Det nuvarande lösenordet stämmer inte.", "The current password is not correct."),
    ("account.save_password", "Byt lösenord", "Change password"),
    ("account.tokens", "API-nycklar", "API tokens"),
    ("account.tokens_intro", "Personliga nycklar för API:t. Skicka dem som Authorization: Bearer …", "Personal tokens for the API. Send them as Authorization: Bearer …"),
    ("account.token_name", "Namn på nyckeln", "Name of the token"),
    ("account.create_token", "Skapa nyckel", "Create token"),
    ("account.new_token", "Din nya nyckel visas bara nu. Kopiera den:", "Your new token is shown only now. Copy it:"),
    ("account.revoke", "Återkalla", "Revoke"),
    ("account.revoked", "Återkallad", "Revoked"),
    ("account.created", "Skapad", "Created"),
    ("account.no_tokens", "Du har inga API-nycklar.", "You have no API tokens."),
    ("account.roles", "Roller", "Roles"),
    ("privacy.title", "Dina personuppgifter", "Your personal data"),
    ("privacy.export_intro", "Hämta allt vi har sparat om dig som en JSON-fil: profil, roller, medlemskap, incheckningar, gäster, bokningar, evenemang och e-post till dig.", "Download everything we store about you as a JSON file: profile, roles, memberships, check-ins, guests, bookings, events and e-mails to you."),
    ("privacy.export", "Ladda ner mina uppgifter", "Download my data"),
    ("privacy.erase_title", "Radera mina uppgifter", "Erase my data"),
    ("privacy.erase_intro", "Ditt namn, din e-postadress, din profil, dina inloggningar och API-nycklar tas bort, dina kommande bokningar avbokas, du avanmäls från kommande evenemang och namnen på gäster du registrerat raderas. Du kan inte logga in igen. Det går inte att ångra.", "Your name, e-mail address, profile, sign-ins and API tokens are removed, your future bookings and event registrations are cancelled and the names of guests you registered are erased. You can no longer sign in. This cannot be undone."),
    ("privacy.erase_kept", "Tidigare bokningar, incheckningar och medlemskapshistorik sparas utan namn, eftersom bokföringslagen kräver att underlag för fakturor sparas i sju år och hubbarnas statistik bygger på dem.", "Past bookings, check-ins and membership history are kept without your name, because the Swedish Bookkeeping Act requires invoice records to be kept for seven years and the hubs' statistics rely on them."),
    ("privacy.erase_confirm", "Bekräfta med din e-postadress", "Confirm with your e-mail address"),
    ("privacy.erase_confirm_help", "Skriv in din e-postadress:", "Type your e-mail address:"),
    ("privacy.erase", "Radera mina uppgifter", "Erase my data"),
    ("privacy.erase_mismatch", "E-postadressen stämmer inte. Skriv in din egen e-postadress för att radera dina uppgifter.", "The e-mail address does not match. Type your own e-mail address to erase your data."),
    ("privacy.erase_last_admin", "Du är den sista nätverksadministratören. Gör någon annan till nätverksadministratör först.", "You are the last network admin. Make someone else a network admin first."),
    ("role.network_admin", "Nätverksadministratör", "Network admin"),
    ("role.host", "Värd för", "Host of"),
    ("role.org_admin", "Organisationsadministratör för", "Organisation admin of"),
    ("role.member", "Medlem", "Member"),
    // admin
    ("admin.title", "Administration", "Administration"),
    ("admin.intro", "Välj vad du vill administrera.", "Choose what to administer."),
    ("admin.regions", "Regioner", "Regions"),
    ("admin.municipalities", "Kommuner", "Municipalities"),
    ("admin.operators", "Operatörer", "Operators"),
    ("admin.hubs", "Hubbar", "Hubs"),
    ("admin.organisations", "Organisationer", "Organisations"),
    ("admin.people", "Personer", "People"),
    ("admin.zones", "Ytor", "Zones"),
    ("admin.rooms", "Rum", "Rooms"),
    ("admin.new", "Lägg till", "Add"),
    ("admin.edit", "Redigera", "Edit"),
    ("admin.save", "Spara", "Save"),
    ("admin.saved", "Sparat.", "Saved."),
    ("admin.cancel", "Tillbaka", "Back"),
    ("admin.empty", "Inget här ännu.", "Nothing here yet."),
    ("admin.errors_title", "Formuläret innehåller fel", "The form has errors"),
    ("admin.errors_intro", "Rätta fälten nedan och spara igen.", "Correct the fields below and save again."),
    ("admin.required", "obligatoriskt", "required"),
    ("admin.new_region", "Ny region", "New region"),
    ("admin.edit_region", "Redigera region", "Edit region"),
    ("admin.new_municipality", "Ny kommun", "New municipality"),
    ("admin.edit_municipality", "Redigera kommun", "Edit municipality"),
    ("admin.new_operator", "Ny operatör", "New operator"),
    ("admin.edit_operator", "Redigera operatör", "Edit operator"),
    ("admin.new_hub", "Ny hubb", "New hub"),
    ("admin.edit_hub", "Redigera hubb", "Edit hub"),
    ("admin.new_zone", "Ny yta", "New zone"),
    ("admin.edit_zone", "Redigera yta", "Edit zone"),
    ("admin.new_room", "Nytt rum", "New room"),
    ("admin.edit_room", "Redigera rum", "Edit room"),
    ("admin.new_organisation", "Ny organisation", "New organisation"),
    ("admin.edit_organisation", "Redigera organisation", "Edit organisation"),
    ("admin.new_person", "Ny person", "New person"),
    ("admin.edit_person", "Redigera person", "Edit person"),
    ("admin.choose", "– välj –", "– choose –"),
    ("admin.none", "– ingen –", "– none –"),
    ("admin.status", "Status", "Status"),
    ("admin.active", "Aktiv", "Active"),
    ("admin.hours_help", "Till exempel 08:00-17:00 eller 08:00-12:00, 13:00-17:00. Tomt betyder stängt.", "For example 08:00-17:00 or 08:00-12:00, 13:00-17:00. Empty means closed."),
    ("admin.exceptions_help", "En rad per datum: 2026-12-24 closed Julafton eller 2026-12-23 08:00-12:00.", "One line per date: 2026-12-24 closed Christmas Eve or 2026-12-23 08:00-12:00."),
    ("admin.archived_help", "Arkiverade poster visas inte för medlemmar men finns kvar i historiken.", "Archived records are hidden from members but kept in the history."),
    // fields
    ("field.name", "Namn", "Name"),
    ("field.code", "Kod", "Code"),
    ("field.region_code_help", "Länskod, två siffror (t.ex. 08 för Kalmar län).", "County code, two digits (e.g. 08 for Kalmar county)."),
    ("field.municipality_code_help", "Kommunkod, fyra siffror (t.ex. 0882).", "Municipality code, four digits (e.g. 0882)."),
    ("field.region_id", "Region", "Region"),
    ("field.central_town", "Centralort", "Central town"),
    ("field.org_number", "Organisationsnummer", "Organisation number"),
    ("field.org_number_help", "Tio siffror, NNNNNN-NNNN. Kontrollsiffran kontrolleras.", "Ten digits, NNNNNN-NNNN. The check digit is verified."),
    ("field.contact_email", "Kontaktadress (e-post)", "Contact e-mail"),
    ("field.municipality_id", "Kommun", "Municipality"),
    ("field.operator_id", "Operatör", "Operator"),
    ("field.description", "Beskrivning", "Description"),
    ("field.street_address", "Gatuadress", "Street address"),
    ("field.postal_code", "Postnummer", "Postal code"),
    ("field.city", "Ort", "Town"),
    ("field.latitude", "Latitud", "Latitude"),
    ("field.longitude", "Longitud", "Longitude"),
    ("field.in_central_town", "Ligger i kommunens centralort", "Stands in the municipality's central town"),
    ("field.exceptions", "Avvikande dagar", "Exceptions"),
    ("field.purpose", "Syfte", "Purpose"),
    ("field.capacity", "Antal platser", "Capacity"),
    ("field.kind", "Typ", "Kind"),
    ("field.hourly_price_sek", "Timpris exkl. moms (kr)", "Hourly price ex VAT (SEK)"),
    ("field.vat_rate_percent", "Momssats (%)", "VAT rate (%)"),
    ("field.first_name", "Förnamn", "First name"),
    ("field.last_name", "Efternamn", "Last name"),
    ("field.email", "E-postadress", "E-mail address"),
    ("field.organisation_id", "Organisation", "Organisation"),
    ("field.is_network_admin", "Nätverksadministratör", "Network admin"),
    ("field.hosted_hub_ids", "Värd för hubbar", "Host of hubs"),
    ("field.admin_of_organisation_ids", "Administratör för organisationer", "Admin of organisations"),
    ("field.staff_of_operator_ids", "Ekonomi hos operatörer (fakturering)", "Finance staff of operators (invoicing)"),
    ("field.archived", "Arkiverad", "Archived"),
    ("field.hours_monday", "Måndag", "Monday"),
    ("field.hours_tuesday", "Tisdag", "Tuesday"),
    ("field.hours_wednesday", "Onsdag", "Wednesday"),
    ("field.hours_thursday", "Torsdag", "Thursday"),
    ("field.hours_friday", "Fredag", "Friday"),
    ("field.hours_saturday", "Lördag", "Saturday"),
    ("field.hours_sunday", "Söndag", "Sunday"),
    // errors (by code)
    ("error.title", "Något gick fel", "Something went wrong"),
    ("error.back", "Till startsidan", "To the start page"),
    ("error.not_found", "Sidan eller posten finns inte.", "The page or record does not exist."),
    ("error.unauthorized", "Du behöver logga in för att se det här.", "You need to sign in to see this."),
    ("error.forbidden", "Du har inte behörighet till det här.", "You do not have permission for this."),
    ("error.internal_error", "Ett oväntat fel inträffade. Försök igen om en stund.", "An unexpected error occurred. Please try again in a while."),
    ("error.invalid_csrf", "Formuläret var för gammalt eller kom från en annan sida. Ladda om sidan och försök igen.", "The form was too old or came from another site. Reload the page and try again."),
    ("error.method_not_allowed", "Det går inte att göra så här på den här adressen.", "This cannot be done at this address."),
    ("error.payload_too_large", "Det som skickades är för stort.", "What was sent is too large."),
    ("error.too_many_requests", "För många försök. Vänta en stund.", "Too many attempts. Please wait a while."),
    ("error.required", "Fältet måste fyllas i.", "This field is required."),
    ("error.too_long", "Texten är för lång.", "The text is too long."),
    ("error.control_characters", "Texten innehåller otillåtna tecken.", "The text contains characters that are not allowed."),
    ("error.bidi_override", "Texten innehåller tecken som vänder textens riktning (U+202A–U+202E, U+2066–U+2069). Ta bort dem.", "The text contains characters that change the direction of the text (U+202A–U+202E, U+2066–U+2069). Remove them."),
    ("error.invalid_query", "Adressens parametrar kunde inte läsas. Kontrollera länken.", "The address's parameters could not be read. Check the link."),
    ("error.invalid_path", "Adressen kunde inte läsas. Kontrollera länken.", "The address could not be read. Check the link."),
    ("error.bad_request", "Det som skickades kunde inte läsas.", "What was sent could not be read."),
    ("error.timeout", "Det tog för lång tid. Försök igen om en stund.", "It took too long. Please try again in a while."),
    ("error.invalid_email", "Det är inte en e-postadress (namn@exempel.se).", "This is not an e-mail address (name@example.se)."),
    ("error.invalid_org_number", "Det är inte ett organisationsnummer (tio siffror, NNNNNN-NNNN).", "This is not an organisation number (ten digits, NNNNNN-NNNN)."),
    ("error.org_number_checksum", "Kontrollsiffran stämmer inte – kontrollera numret.", "The check digit is wrong – please check the number."),
    ("error.invalid_code", "Koden har fel format.", "The code has the wrong format."),
    ("error.invalid_id", "Välj ett alternativ i listan.", "Choose an option from the list."),
    ("error.not_a_number", "Ange ett tal.", "Enter a number."),
    ("error.out_of_range", "Värdet ligger utanför det tillåtna intervallet.", "The value is out of range."),
    ("error.invalid_postal_code", "Ange ett svenskt postnummer, t.ex. 572 95.", "Enter a Swedish postal code, e.g. 572 95."),
    ("error.invalid_choice", "Välj ett av alternativen.", "Choose one of the options."),
    ("error.invalid_amount", "Ange ett belopp i kronor, t.ex. 450 eller 450,50.", "Enter an amount in kronor, e.g. 450 or 450.50."),
    ("error.negative_amount", "Beloppet får inte vara negativt.", "The amount must not be negative."),
    ("error.invalid_vat_rate", "Momssatsen måste vara 0, 6, 12 eller 25 procent.", "The VAT rate must be 0, 6, 12 or 25 percent."),
    ("error.invalid_time", "Ange tider som 08:30.", "Enter times like 08:30."),
    ("error.invalid_hours", "Ange öppettider som 08:00-17:00.", "Enter opening hours like 08:00-17:00."),
    ("error.closes_before_opening", "Stängningstiden måste vara efter öppningstiden.", "The closing time must be after the opening time."),
    ("error.overlapping_hours", "Tiderna överlappar eller står i fel ordning.", "The times overlap or are out of order."),
    ("error.invalid_exception", "En rad har fel format; skriv t.ex. 2026-12-24 closed Julafton.", "A line has the wrong format; write e.g. 2026-12-24 closed Christmas Eve."),
    ("error.duplicate_exception", "Samma datum står två gånger.", "The same date is listed twice."),
    ("error.unknown_reference", "Det valda finns inte (längre).", "The chosen item does not exist (any more)."),
    ("error.taken", "Värdet används redan av en annan post.", "The value is already used by another record."),
    ("error.password_too_short", "Lösenordet måste ha minst 10 tecken.", "The password must have at least 10 characters."),
];

/// Every table: the foundation's and each capability's own.
fn all() -> impl Iterator<Item = &'static (&'static str, &'static str, &'static str)> {
    TABLE
        .iter()
        .chain(memberships::TABLE.iter())
        .chain(sites::TABLE.iter())
        .chain(feeds::TABLE.iter())
        .chain(mail::TABLE.iter())
        .chain(bookings::TABLE.iter())
        .chain(events::TABLE.iter())
        .chain(event_forms::TABLE.iter())
        .chain(calendar::TABLE.iter())
        .chain(audit::TABLE.iter())
        .chain(privacy::TABLE.iter())
        .chain(retention::TABLE.iter())
        .chain(invoicing::TABLE.iter())
        .chain(reminders::TABLE.iter())
        .chain(invoicing_access::TABLE.iter())
        .chain(access::TABLE.iter())
        .chain(sso::TABLE.iter())
        .chain(bulk::TABLE.iter())
        .chain(sessions::TABLE.iter())
        .chain(settlement::TABLE.iter())
        .chain(evaluation::TABLE.iter())
}

static SV: LazyLock<HashMap<&'static str, &'static str>> =
    LazyLock::new(|| all().map(|(k, sv, _)| (*k, *sv)).collect());
static EN: LazyLock<HashMap<&'static str, &'static str>> =
    LazyLock::new(|| all().map(|(k, _, en)| (*k, *en)).collect());

/// The text for `key`, or `None` when the table lacks it.
pub fn lookup(lang: Lang, key: &str) -> Option<&'static str> {
    match lang {
        Lang::Sv => SV.get(key).copied(),
        Lang::En => EN.get(key).copied(),
    }
}

/// The text for `key`; the key itself if missing (a test keeps that from happening).
pub fn t(lang: Lang, key: &str) -> String {
    lookup(lang, key)
        .map(str::to_string)
        .unwrap_or_else(|| key.to_string())
}

/// Whether any key starts with `prefix` (for keys completed at run time).
pub fn has_prefix(prefix: &str) -> bool {
    all().any(|(k, _, _)| k.starts_with(prefix))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_unique() {
        let mut seen = std::collections::HashSet::new();
        for (k, _, _) in all() {
            assert!(seen.insert(*k), "{k} appears twice");
        }
    }
}
