//! Texts of invoicing (issue 16): the seller's fields of an operator, the
//! buyer's fields of an organisation, a plan's selling operator and VAT
//! rate, and their validation messages: (key, Swedish, English). Merged
//! with the main table in [`crate::i18n`].

pub const TABLE: &[(&str, &str, &str)] = &[
    ("processing.invoicing.name", "Fakturering", "Invoicing"),
    ("processing.invoicing.purpose", "Att fakturera organisationerna för platser, rumstimmar, sena avbokningar och evenemang, och att bokföra betalningar.", "To invoice the organisations for seats, room hours, late cancellations and events, and to record payments."),
    ("processing.invoicing.subjects", "Platsinnehavare och bokare som står på fakturarader; köparnas referenspersoner; betalare i bankfiler.", "Seat holders and bookers named on invoice lines; the buyers' reference persons; payers in bank files."),
    ("processing.invoicing.data", "Fakturor och kreditfakturor med rader (namn, rum, datum, belopp), köparens referens, betalningar och vem som registrerade dem.", "Invoices and credit notes with their lines (name, room, date, amount), the buyer's reference, payments and who recorded them."),
    ("processing.invoicing.recipients", "Den fakturerade organisationen (via Peppol, e-post eller PDF) och operatörens bokföring.", "The invoiced organisation (by Peppol, e-mail or PDF) and the operator's bookkeeping."),
    ("processing.invoicing.retention", "Sju år efter räkenskapsårets slut (bokföringslagen); utfärdade fakturor ändras aldrig.", "Seven years after the end of the financial year (Bookkeeping Act); issued invoices never change."),
    ("processing.invoicing.security", "Databasen vägrar ändra eller radera utfärdade fakturor; nummerserien saknar luckor.", "The database refuses to change or delete issued invoices; the number series has no gaps."),
    ("field.legal_name", "Juridiskt namn", "Legal name"),
    (
        "field.legal_name_help",
        "Det registrerade namnet på fakturorna, om det skiljer sig från namnet ovan.",
        "The registered name on invoices, if it differs from the name above.",
    ),
    ("field.vat_number", "Momsregistreringsnummer", "VAT number"),
    (
        "field.vat_number_help",
        "SE, organisationsnumrets tio siffror och 01, t.ex. SE556000000101.",
        "SE, the ten digits of the organisation number and 01, e.g. SE556000000101.",
    ),
    (
        "field.f_tax_approved",
        "Godkänd för F-skatt",
        "Approved for F tax",
    ),
    ("field.country", "Land", "Country"),
    ("field.bankgiro", "Bankgiro", "Bankgiro"),
    ("field.plusgiro", "Plusgiro", "Plusgiro"),
    (
        "field.invoice_prefix",
        "Fakturaserie (prefix)",
        "Invoice series (prefix)",
    ),
    (
        "field.invoice_number_start",
        "Första fakturanummer",
        "First invoice number",
    ),
    (
        "field.invoice_number_start_help",
        "Numreringen fortsätter utan luckor från detta nummer.",
        "Numbering goes on without gaps from this number.",
    ),
    (
        "field.payment_terms_days",
        "Betalningsvillkor (dagar)",
        "Payment terms (days)",
    ),
    (
        "field.ocr_length_digit",
        "OCR-nummer med längdsiffra",
        "OCR reference with length digit",
    ),
    ("field.peppol_scheme", "Peppol-schema", "Peppol scheme"),
    ("field.peppol_id", "Peppol-id", "Peppol ID"),
    (
        "field.peppol_id_help",
        "Tomt: organisationsnumret (schema 0007).",
        "Empty: the organisation number (scheme 0007).",
    ),
    (
        "field.account_seat",
        "Intäktskonto platser",
        "Revenue account, seats",
    ),
    (
        "field.account_room_hours",
        "Intäktskonto rumstimmar",
        "Revenue account, room hours",
    ),
    (
        "field.account_late_cancellation",
        "Intäktskonto sena avbokningar",
        "Revenue account, late cancellations",
    ),
    (
        "field.account_event_fee",
        "Intäktskonto evenemangsavgifter",
        "Revenue account, event fees",
    ),
    (
        "field.buyer_reference",
        "Referens (köparens)",
        "Buyer reference",
    ),
    (
        "field.buyer_reference_help",
        "Offentliga köpare kräver sin referens på varje faktura.",
        "Public buyers require their reference on every invoice.",
    ),
    ("field.cost_centre", "Kostnadsställe", "Cost centre"),
    ("field.invoice_street", "Fakturaadress", "Invoice address"),
    (
        "field.invoice_postal_code",
        "Postnummer (faktura)",
        "Postal code (invoice)",
    ),
    ("field.invoice_city", "Ort (faktura)", "Town (invoice)"),
    (
        "field.invoice_country",
        "Land (faktura)",
        "Country (invoice)",
    ),
    (
        "field.invoice_email",
        "E-post för fakturor",
        "E-mail for invoices",
    ),
    (
        "field.selling_operator_id",
        "Säljande operatör",
        "Selling operator",
    ),
    (
        "field.selling_operator_id_help",
        "Den operatör som säljer och fakturerar planen. En plan för hela nätverket anger sin.",
        "The operator that sells and invoices the plan. A network-wide plan names its own.",
    ),
    (
        "field.vat_rate_percent_help",
        "0, 6, 12 eller 25 procent; tomt: 25.",
        "0, 6, 12 or 25 percent; empty: 25.",
    ),
    (
        "error.invalid_vat_number",
        "Det är inte ett svenskt momsregistreringsnummer (SE, tio siffror, 01).",
        "This is not a Swedish VAT number (SE, ten digits, 01).",
    ),
    (
        "error.vat_number_checksum",
        "Kontrollsiffran i organisationsnumret stämmer inte – kontrollera numret.",
        "The check digit of the organisation number is wrong – please check the number.",
    ),
    (
        "error.vat_number_mismatch",
        "Momsregistreringsnumret ska innehålla organisationsnumret: SE, dess tio siffror, 01.",
        "The VAT number must carry the organisation number: SE, its ten digits, 01.",
    ),
    (
        "error.invalid_bankgiro",
        "Det är inte ett bankgironummer (7 eller 8 siffror).",
        "This is not a bankgiro number (7 or 8 digits).",
    ),
    (
        "error.bankgiro_checksum",
        "Kontrollsiffran stämmer inte – kontrollera bankgironumret.",
        "The check digit is wrong – please check the bankgiro number.",
    ),
    (
        "error.invalid_plusgiro",
        "Det är inte ett plusgironummer (2 till 8 siffror).",
        "This is not a plusgiro number (2 to 8 digits).",
    ),
    (
        "error.plusgiro_checksum",
        "Kontrollsiffran stämmer inte – kontrollera plusgironumret.",
        "The check digit is wrong – please check the plusgiro number.",
    ),
    (
        "error.invalid_postcode",
        "Det är inte ett postnummer (fem siffror, NNN NN).",
        "This is not a postal code (five digits, NNN NN).",
    ),
    (
        "error.invalid_country",
        "Ange en landskod med två bokstäver, t.ex. SE.",
        "Give a two-letter country code, e.g. SE.",
    ),
    (
        "error.invalid_peppol_scheme",
        "Peppol-schemat är fyra siffror, t.ex. 0007.",
        "The Peppol scheme is four digits, e.g. 0007.",
    ),
    (
        "error.invalid_peppol_id",
        "Högst 50 bokstäver, siffror, bindestreck eller punkter.",
        "At most 50 letters, digits, dashes or dots.",
    ),
    (
        "error.invalid_revenue_account",
        "Ange ett intäktskonto i BAS-kontoplanen (3000–3999).",
        "Give a revenue account of the BAS chart (3000–3999).",
    ),
    (
        "error.invalid_invoice_prefix",
        "Högst 10 bokstäver, siffror eller bindestreck.",
        "At most 10 letters, digits or dashes.",
    ),
];
