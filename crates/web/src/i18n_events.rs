//! Texts of events and invitations: (key, Swedish, English). Merged with the
//! main table in [`crate::i18n`].

pub const TABLE: &[(&str, &str, &str)] = &[
    ("invitation.title", "Inbjudan", "Invitation"),
    ("invitation.when", "När", "When"),
    ("invitation.where", "Var", "Where"),
    ("invitation.swedish_time", "svensk tid", "Swedish time"),
    ("invitation.online", "Online", "Online"),
    ("invitation.intro", "Anmäl dig med ditt namn, din e-postadress och din organisation. Du behöver inget konto, och länken fungerar en gång.", "Register with your name, e-mail address and organisation. You need no account, and the link works once."),
    ("invitation.field.first_name", "Förnamn", "First name"),
    ("invitation.field.last_name", "Efternamn", "Last name"),
    ("invitation.field.email", "E-postadress", "E-mail address"),
    ("invitation.field.organisation", "Organisation", "Organisation"),
    ("invitation.submit", "Anmäl mig", "Register me"),
    ("invitation.confirmed", "Du är anmäld. Välkommen!", "You are registered. Welcome!"),
    ("invitation.waitlisted", "Evenemanget är fullt, så du står på väntelistan. Du får e-post om en plats blir ledig.", "The event is full, so you are on the waiting list. You will get an e-mail if a place becomes free."),
    ("error.invitation_used", "Den här inbjudan har redan använts. Be den som bjöd in dig om en ny länk.", "This invitation has already been used. Ask the person who invited you for a new link."),
    ("error.invitation_invalid", "Inbjudan finns inte.", "There is no such invitation."),
    ("error.event_started", "Evenemanget har redan börjat.", "The event has already started."),
    ("error.event_cancelled", "Evenemanget är inställt.", "The event is cancelled."),
    ("error.event_not_published", "Evenemanget är inte publicerat ännu.", "The event is not published yet."),
];
