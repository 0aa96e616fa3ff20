//! Texts of password reset and invitation links, their pages and their
//! e-mails: (key, Swedish, English). Merged with the main table in
//! [`crate::i18n`].

pub const TABLE: &[(&str, &str, &str)] = &[
    ("login.forgot", "Glömt lösenordet?", "Forgot your password?"),
    // Asking for a reset link.
    ("access.forgot.title", "Glömt lösenordet", "Forgotten password"),
    ("access.forgot.intro", "Skriv e-postadressen du loggar in med. Vi skickar en länk där du väljer ett nytt lösenord.", "Enter the e-mail address you sign in with. We will send a link where you choose a new password."),
    ("access.forgot.submit", "Skicka länken", "Send the link"),
    ("access.forgot.invalid", "Skriv en giltig e-postadress, till exempel namn@kommun.se.", "Enter a valid e-mail address, for example name@example.se."),
    ("access.forgot.throttled", "Du har bett om för många länkar. Vänta en stund och försök igen.", "You have asked for too many links. Wait a while and try again."),
    ("access.sent.title", "Kolla din e-post", "Check your e-mail"),
    ("access.sent.text", "Om adressen finns hos oss är en länk på väg dit. Länken gäller i {minutes} minuter och kan bara användas en gång.", "If the address is known to us, a link is on its way to it. The link is valid for {minutes} minutes and can be used once."),
    ("access.sent.back", "Tillbaka till inloggningen", "Back to sign-in"),
    // Choosing a password.
    ("access.reset.title", "Välj ett nytt lösenord", "Choose a new password"),
    ("access.reset.intro", "När du har sparat det nya lösenordet loggas du ut överallt och in här.", "When you have saved the new password, you are signed out everywhere and signed in here."),
    ("access.invitation.title", "Välkommen – välj ditt lösenord", "Welcome – choose your password"),
    ("access.invitation.intro", "Du har bjudits in till nätverkets tjänst. Välj ett lösenord för ditt konto.", "You have been invited to the network's service. Choose a password for your account."),
    ("access.password", "Nytt lösenord", "New password"),
    ("access.password_hint", "Minst {n} tecken.", "At least {n} characters."),
    ("access.password_again", "Upprepa lösenordet", "Repeat the password"),
    ("access.accept", "Jag godkänner nätverkets villkor och har läst hur personuppgifter behandlas.", "I accept the network's terms and have read how personal data is processed."),
    ("access.privacy_link", "Så behandlar vi personuppgifter", "How we process personal data"),
    ("access.save", "Spara lösenordet", "Save the password"),
    ("access.passwords_differ", "Lösenorden är inte likadana.", "The passwords are not the same."),
    ("access.accept_required", "Du behöver godkänna villkoren för att aktivera kontot.", "You need to accept the terms to activate the account."),
    // A link that cannot be used.
    ("access.problem.title", "Länken går inte att använda", "The link cannot be used"),
    ("access.problem.unknown", "Länken är inte giltig. Kontrollera att hela länken från e-postmeddelandet kom med.", "The link is not valid. Check that the whole link from the e-mail was used."),
    ("access.problem.used", "Länken har redan använts. Varje länk fungerar bara en gång.", "The link has already been used. Each link works only once."),
    ("access.problem.revoked", "Länken har ersatts av en nyare eller dragits tillbaka.", "The link has been replaced by a newer one or withdrawn."),
    ("access.problem.expired", "Länken har slutat gälla.", "The link has expired."),
    ("access.problem.new_reset", "Be om en ny länk", "Ask for a new link"),
    ("access.problem.new_invitation", "Be den som bjöd in dig om en ny inbjudan, eller be om en länk för att välja lösenord.", "Ask whoever invited you for a new invitation, or ask for a link to choose a password."),
    // The e-mails ({name}, {link}, {minutes}, {days}).
    ("access.mail.reset_subject", "Välj ett nytt lösenord", "Choose a new password"),
    ("access.mail.reset_body", "Hej {name}!\n\nNågon, förhoppningsvis du, har bett om att få välja ett nytt lösenord. Följ länken inom {minutes} minuter:\n\n{link}\n\nLänken fungerar en gång. Har du inte bett om den kan du bortse från meddelandet; ditt lösenord är oförändrat.", "Hello {name},\n\nSomeone, hopefully you, asked to choose a new password. Follow the link within {minutes} minutes:\n\n{link}\n\nThe link works once. If you did not ask for it, you can ignore this message; your password is unchanged."),
    ("access.mail.invitation_subject", "Du är inbjuden till nätverkets arbetshubbar", "You are invited to the network's coworking hubs"),
    ("access.mail.invitation_body", "Hej {name}!\n\nDu har fått ett konto i nätverkets tjänst för arbetshubbar. Följ länken inom {days} dagar för att välja ditt lösenord och aktivera kontot:\n\n{link}\n\nLänken fungerar en gång.", "Hello {name},\n\nAn account has been made for you in the network's service for coworking hubs. Follow the link within {days} days to choose your password and activate the account:\n\n{link}\n\nThe link works once."),
    // An admin's view of a person's invitation.
    ("person_invitation.title", "Inloggning", "Sign-in"),
    ("person_invitation.activated", "Aktiverad: personen har valt ett lösenord.", "Activated: the person has chosen a password."),
    ("person_invitation.invited", "Inbjuden, länken gäller till {until} (svensk tid).", "Invited, the link is valid until {until} (Swedish time)."),
    ("person_invitation.expired", "Inbjudan har gått ut.", "The invitation has expired."),
    ("person_invitation.not_invited", "Inte inbjuden.", "Not invited."),
    ("person_invitation.send", "Skicka inbjudan", "Send an invitation"),
    ("person_invitation.send_again", "Skicka inbjudan igen", "Send the invitation again"),
    ("person_invitation.revoke", "Återkalla inbjudan", "Revoke the invitation"),
    ("error.already_activated", "Personen har redan aktiverat sitt konto (med lösenord eller organisationens inloggning) och kan inte bjudas in. Hen kan välja ett nytt lösenord med ”Glömt lösenordet?” på inloggningssidan.", "The person has already activated their account (with a password or their organisation's sign-in) and cannot be invited. They can choose a new password with “Forgot your password?” on the sign-in page."),
];
