//! Texts of who sees what in invoicing (issue 16, item 5): a hub's invoiced
//! lines for its hosts, and the invoices list's pages: (key, Swedish,
//! English). Merged with the main table in [`crate::i18n`].

pub const TABLE: &[(&str, &str, &str)] = &[
    ("hub_lines.title", "Hubbens fakturerade rader", "The hub's invoiced lines"),
    ("hub_lines.intro", "Rader på utfärdade fakturor och kreditfakturor som gäller hubben: bokningar av dess rum, medlemskap på dess planer och evenemang där, för fakturornas period den valda månaden. Kreditfakturornas rader dras av.", "Lines of issued invoices and credit notes that concern the hub: bookings of its rooms, memberships on its plans and events there, for invoices whose period is the chosen month. Credit notes' lines are subtracted."),
    ("hub_lines.hub", "Hubb", "Hub"),
    ("hub_lines.show", "Visa", "Show"),
    ("hub_lines.invoice", "Faktura", "Invoice"),
    ("hub_lines.total", "Summa för månaden, exkl. moms", "Total for the month, excl. VAT"),
    ("hub_lines.none", "Inga fakturerade rader för hubben den här månaden.", "No invoiced lines for the hub this month."),
    ("hub_lines.no_hubs", "Det finns ingen hubb som du kan se fakturerade rader för.", "There is no hub whose invoiced lines you may see."),
    ("invoicing.pages", "Sidor", "Pages"),
    ("invoicing.older", "Äldre fakturor", "Older invoices"),
    ("invoicing.newest", "Nyaste fakturorna", "Newest invoices"),
];
