//! Texts of the calendar feeds and their part of the account page:
//! (key, Swedish, English). Merged with the main table in [`crate::i18n`].

pub const TABLE: &[(&str, &str, &str)] = &[
    // In the feeds themselves.
    ("feeds.busy", "Upptaget", "Booked"),
    ("feeds.my_bookings", "Mina bokningar", "My bookings"),
    // The account page.
    ("account.calendar", "Dina bokningar i kalendern", "Your bookings in your calendar"),
    ("account.calendar_intro", "Prenumerera på dina rumsbokningar i Outlook, Google Kalender eller Apple Kalender: kopiera adressen och lägg till den som kalender från internet (prenumeration). Kalendern uppdateras av sig själv. Adressen är hemlig – den som har den kan se dina bokningar.", "Subscribe to your room bookings in Outlook, Google Calendar or Apple Calendar: copy the address and add it as a calendar from the internet (subscription). The calendar keeps itself up to date. The address is secret – anyone who has it can see your bookings."),
    ("account.calendar_address", "Adress att prenumerera på", "Address to subscribe to"),
    ("account.calendar_open", "Öppna i kalenderappen", "Open in your calendar app"),
    ("account.calendar_rotate_help", "Har adressen hamnat fel? Skapa en ny – den gamla slutar då att fungera, och kalendrar som använder den behöver den nya.", "Has the address got into the wrong hands? Create a new one – the old one then stops working, and calendars using it need the new one."),
    ("account.calendar_rotate", "Skapa ny adress", "Create a new address"),
];
