//! The network's things: regions, municipalities, operators, hubs, zones,
//! rooms, organisations and people, and the rules for who may change what.
//!
//! Each entity has an `*Input` of raw strings (as they arrive from a form or
//! a JSON body) whose `validate` collects every field's problem at once and
//! returns the valid entity.

use crate::error::{invalid, FieldError, ValidationErrors};
use crate::hours::OpeningHours;
use crate::money::{parse_sek_to_ore, VatRate};
use crate::orgnr::OrgNumber;
use crate::parties::{
    parse_buyer, parse_seller, shown, BuyerDetails, BuyerFields, SellerDetails, SellerFields,
};
use crate::text::{Email, Text};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

pub const NAME_MAX: usize = 120;
pub const DESCRIPTION_MAX: usize = 2000;

pub(crate) fn parse_name(raw: &str) -> Result<String, FieldError> {
    Text::parse(raw, NAME_MAX).map(Text::into_string)
}

pub(crate) fn optional_text(raw: &str, max: usize) -> Result<String, FieldError> {
    Text::parse_optional(raw, max).map(Text::into_string)
}

fn digits(raw: &str, n: usize, what: &str) -> Result<String, FieldError> {
    let t = raw.trim();
    if t.is_empty() {
        return Err(invalid("required", "must not be empty"));
    }
    if t.len() != n || !t.chars().all(|c| c.is_ascii_digit()) {
        return Err(invalid(
            "invalid_code",
            format!("must be a {what} of {n} digits"),
        ));
    }
    Ok(t.to_string())
}

pub(crate) fn parse_id(raw: &str) -> Result<Uuid, FieldError> {
    let t = raw.trim();
    if t.is_empty() {
        return Err(invalid("required", "must be chosen"));
    }
    Uuid::parse_str(t).map_err(|_| invalid("invalid_id", "is not a known identifier"))
}

pub(crate) fn parse_int(raw: &str, min: i64, max: i64) -> Result<i64, FieldError> {
    let t = raw.trim();
    if t.is_empty() {
        return Err(invalid("required", "must not be empty"));
    }
    let v: i64 = t
        .parse()
        .map_err(|_| invalid("not_a_number", "must be a whole number"))?;
    if v < min || v > max {
        return Err(invalid(
            "out_of_range",
            format!("must be between {min} and {max}"),
        ));
    }
    Ok(v)
}

fn parse_coordinate(raw: &str, limit: f64) -> Result<f64, FieldError> {
    let t = raw.trim().replace(',', ".");
    if t.is_empty() {
        return Err(invalid("required", "must not be empty"));
    }
    let v: f64 = t
        .parse()
        .map_err(|_| invalid("not_a_number", "must be a decimal number such as 57.33"))?;
    if !v.is_finite() || v < -limit || v > limit {
        return Err(invalid(
            "out_of_range",
            format!("must be between -{limit} and {limit}"),
        ));
    }
    Ok(v)
}

/// A flag as a form sends it: `"true"` or nothing.
fn flag(b: bool) -> String {
    if b {
        "true".into()
    } else {
        String::new()
    }
}

pub(crate) fn parse_bool(raw: &str) -> bool {
    matches!(raw.trim(), "true" | "on" | "1" | "yes")
}

// ---------------------------------------------------------------- regions

/// A region (län / region), e.g. Region Kalmar län.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Region {
    pub id: Uuid,
    pub name: String,
    /// The county code (länskod), two digits, e.g. "08" for Kalmar län.
    pub code: String,
    pub archived: bool,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct RegionInput {
    pub name: String,
    pub code: String,
    pub archived: String,
}

impl RegionInput {
    pub fn validate(&self, id: Uuid) -> Result<Region, ValidationErrors> {
        let mut e = ValidationErrors::new();
        let name = e.check("name", parse_name(&self.name));
        let code = e.check("code", digits(&self.code, 2, "county code"));
        e.into_result()?;
        Ok(Region {
            id,
            name: name.unwrap(),
            code: code.unwrap(),
            archived: parse_bool(&self.archived),
        })
    }
}

// --------------------------------------------------------- municipalities

/// A municipality (kommun), e.g. Oskarshamns kommun, with its central town
/// (centralort): the rural pilot's rule is that a hub must not stand there.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Municipality {
    pub id: Uuid,
    pub region_id: Uuid,
    pub name: String,
    /// The municipality code (kommunkod), four digits, e.g. "0882".
    pub code: String,
    /// The name of the municipality's central town (centralort).
    pub central_town: String,
    pub archived: bool,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct MunicipalityInput {
    pub region_id: String,
    pub name: String,
    pub code: String,
    pub central_town: String,
    pub archived: String,
}

impl MunicipalityInput {
    pub fn validate(&self, id: Uuid) -> Result<Municipality, ValidationErrors> {
        let mut e = ValidationErrors::new();
        let region_id = e.check("region_id", parse_id(&self.region_id));
        let name = e.check("name", parse_name(&self.name));
        let code = e.check("code", digits(&self.code, 4, "municipality code"));
        let central_town = e.check("central_town", name_field(&self.central_town));
        e.into_result()?;
        Ok(Municipality {
            id,
            region_id: region_id.unwrap(),
            name: name.unwrap(),
            code: code.unwrap(),
            central_town: central_town.unwrap(),
            archived: parse_bool(&self.archived),
        })
    }
}

fn name_field(raw: &str) -> Result<String, FieldError> {
    parse_name(raw)
}

// --------------------------------------------------------------- operators

/// The organisation that runs hubs and invoices for them: usually the
/// municipality itself, or a managing organisation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Operator {
    pub id: Uuid,
    pub name: String,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub org_number: Option<OrgNumber>,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub contact_email: Option<Email>,
    pub archived: bool,
    /// Its details as the seller on its invoices (issue 16).
    #[serde(flatten)]
    pub seller: SellerDetails,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct OperatorInput {
    pub name: String,
    pub org_number: String,
    pub contact_email: String,
    pub archived: String,
    pub legal_name: String,
    pub vat_number: String,
    pub f_tax_approved: String,
    pub street_address: String,
    pub postal_code: String,
    pub city: String,
    pub country: String,
    pub bankgiro: String,
    pub plusgiro: String,
    pub invoice_prefix: String,
    pub invoice_number_start: String,
    pub payment_terms_days: String,
    pub ocr_length_digit: String,
    pub peppol_scheme: String,
    pub peppol_id: String,
    pub account_seat: String,
    pub account_room_hours: String,
    pub account_late_cancellation: String,
    pub account_event_fee: String,
}

impl OperatorInput {
    pub fn validate(&self, id: Uuid) -> Result<Operator, ValidationErrors> {
        let mut e = ValidationErrors::new();
        let name = e.check("name", parse_name(&self.name));
        let org_number = if self.org_number.trim().is_empty() {
            Some(None)
        } else {
            e.check("org_number", OrgNumber::parse(&self.org_number).map(Some))
        };
        let contact_email = if self.contact_email.trim().is_empty() {
            Some(None)
        } else {
            e.check("contact_email", Email::parse(&self.contact_email).map(Some))
        };
        let seller = parse_seller(
            &mut e,
            self.seller_fields(),
            org_number.clone().flatten().as_ref(),
        );
        e.into_result()?;
        Ok(Operator {
            id,
            name: name.unwrap(),
            org_number: org_number.unwrap(),
            contact_email: contact_email.unwrap(),
            archived: parse_bool(&self.archived),
            seller: seller.unwrap(),
        })
    }

    fn seller_fields(&self) -> SellerFields<'_> {
        SellerFields {
            legal_name: &self.legal_name,
            vat_number: &self.vat_number,
            f_tax_approved: &self.f_tax_approved,
            street_address: &self.street_address,
            postal_code: &self.postal_code,
            city: &self.city,
            country: &self.country,
            bankgiro: &self.bankgiro,
            plusgiro: &self.plusgiro,
            invoice_prefix: &self.invoice_prefix,
            invoice_number_start: &self.invoice_number_start,
            payment_terms_days: &self.payment_terms_days,
            ocr_length_digit: &self.ocr_length_digit,
            peppol_scheme: &self.peppol_scheme,
            peppol_id: &self.peppol_id,
            account_seat: &self.account_seat,
            account_room_hours: &self.account_room_hours,
            account_late_cancellation: &self.account_late_cancellation,
            account_event_fee: &self.account_event_fee,
        }
    }

    /// The input that shows `o` in a form (its seller details included).
    pub fn from_operator(o: &Operator) -> Self {
        let s = &o.seller;
        OperatorInput {
            name: o.name.clone(),
            org_number: shown(&o.org_number),
            contact_email: shown(&o.contact_email),
            archived: flag(o.archived),
            legal_name: shown(&s.legal_name),
            vat_number: shown(&s.vat_number),
            f_tax_approved: flag(s.f_tax_approved),
            street_address: shown(&s.street_address),
            postal_code: shown(&s.postal_code),
            city: shown(&s.city),
            country: s.country.clone(),
            bankgiro: shown(&s.bankgiro),
            plusgiro: shown(&s.plusgiro),
            invoice_prefix: s.invoice_prefix.clone(),
            invoice_number_start: s.invoice_number_start.to_string(),
            payment_terms_days: s.payment_terms_days.to_string(),
            ocr_length_digit: flag(s.ocr_length_digit),
            peppol_scheme: s.peppol_scheme.clone(),
            peppol_id: shown(&s.peppol_id),
            account_seat: s.account_seat.to_string(),
            account_room_hours: s.account_room_hours.to_string(),
            account_late_cancellation: s.account_late_cancellation.to_string(),
            account_event_fee: s.account_event_fee.to_string(),
        }
    }
}

// -------------------------------------------------------------------- hubs

/// A hub (kontorskollektiv, arbetshubb): a shared office in a place.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Hub {
    pub id: Uuid,
    pub municipality_id: Uuid,
    pub operator_id: Uuid,
    pub name: String,
    pub description: String,
    pub street_address: String,
    pub postal_code: String,
    pub city: String,
    pub latitude: f64,
    pub longitude: f64,
    /// Whether the hub stands in its municipality's central town (centralort).
    pub in_central_town: bool,
    pub opening_hours: OpeningHours,
    pub archived: bool,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct HubInput {
    pub municipality_id: String,
    pub operator_id: String,
    pub name: String,
    pub description: String,
    pub street_address: String,
    pub postal_code: String,
    pub city: String,
    pub latitude: String,
    pub longitude: String,
    pub in_central_town: String,
    /// Monday first, each in the notation of [`OpeningHours::parse_day`].
    pub hours: [String; 7],
    /// One exception a line, see [`OpeningHours::parse_exceptions`].
    pub exceptions: String,
    pub archived: String,
}

impl HubInput {
    pub fn validate(&self, id: Uuid) -> Result<Hub, ValidationErrors> {
        let mut e = ValidationErrors::new();
        let municipality_id = e.check("municipality_id", parse_id(&self.municipality_id));
        let operator_id = e.check("operator_id", parse_id(&self.operator_id));
        let name = e.check("name", parse_name(&self.name));
        let description = e.check(
            "description",
            optional_text(&self.description, DESCRIPTION_MAX),
        );
        let street_address = e.check("street_address", parse_name(&self.street_address));
        let postal_code = e.check("postal_code", parse_postal_code(&self.postal_code));
        let city = e.check("city", parse_name(&self.city));
        let latitude = e.check("latitude", parse_coordinate(&self.latitude, 90.0));
        let longitude = e.check("longitude", parse_coordinate(&self.longitude, 180.0));
        let mut weekly: [Vec<_>; 7] = Default::default();
        for (i, raw) in self.hours.iter().enumerate() {
            let field = format!("hours_{}", crate::hours::Weekday::ALL[i].key());
            if let Some(day) = e.check(&field, OpeningHours::parse_day(raw)) {
                weekly[i] = day;
            }
        }
        let exceptions = e.check(
            "exceptions",
            OpeningHours::parse_exceptions(&self.exceptions),
        );
        let hours = match exceptions {
            Some(x) => e.check("exceptions", OpeningHours::new(weekly, x)),
            None => None,
        };
        e.into_result()?;
        Ok(Hub {
            id,
            municipality_id: municipality_id.unwrap(),
            operator_id: operator_id.unwrap(),
            name: name.unwrap(),
            description: description.unwrap(),
            street_address: street_address.unwrap(),
            postal_code: postal_code.unwrap(),
            city: city.unwrap(),
            latitude: latitude.unwrap(),
            longitude: longitude.unwrap(),
            in_central_town: parse_bool(&self.in_central_town),
            opening_hours: hours.unwrap(),
            archived: parse_bool(&self.archived),
        })
    }

    /// The form values of an existing hub, for an edit form.
    pub fn from_hub(h: &Hub) -> Self {
        HubInput {
            municipality_id: h.municipality_id.to_string(),
            operator_id: h.operator_id.to_string(),
            name: h.name.clone(),
            description: h.description.clone(),
            street_address: h.street_address.clone(),
            postal_code: h.postal_code.clone(),
            city: h.city.clone(),
            latitude: h.latitude.to_string(),
            longitude: h.longitude.to_string(),
            in_central_town: h.in_central_town.to_string(),
            hours: std::array::from_fn(|i| OpeningHours::format_day(&h.opening_hours.weekly[i])),
            exceptions: h.opening_hours.format_exceptions(),
            archived: h.archived.to_string(),
        }
    }
}

/// Swedish postal codes: five digits, written "572 95".
fn parse_postal_code(raw: &str) -> Result<String, FieldError> {
    let d: String = raw.chars().filter(|c| !c.is_whitespace()).collect();
    if d.is_empty() {
        return Err(invalid("required", "must not be empty"));
    }
    if d.len() != 5 || !d.chars().all(|c| c.is_ascii_digit()) {
        return Err(invalid(
            "invalid_postal_code",
            "must be a Swedish postal code such as 572 95",
        ));
    }
    Ok(format!("{} {}", &d[..3], &d[3..]))
}

// ------------------------------------------------------------------- zones

/// An activity zone of the coworking floor: the circle, the lookout, the
/// quiet oasis, the clearing for focused solo work, …
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Zone {
    pub id: Uuid,
    pub hub_id: Uuid,
    pub name: String,
    pub purpose: String,
    pub capacity: i64,
    pub archived: bool,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct ZoneInput {
    pub name: String,
    pub purpose: String,
    pub capacity: String,
    pub archived: String,
}

impl ZoneInput {
    pub fn validate(&self, id: Uuid, hub_id: Uuid) -> Result<Zone, ValidationErrors> {
        let mut e = ValidationErrors::new();
        let name = e.check("name", parse_name(&self.name));
        let purpose = e.check("purpose", optional_text(&self.purpose, 500));
        let capacity = e.check("capacity", parse_int(&self.capacity, 1, 10_000));
        e.into_result()?;
        Ok(Zone {
            id,
            hub_id,
            name: name.unwrap(),
            purpose: purpose.unwrap(),
            capacity: capacity.unwrap(),
            archived: parse_bool(&self.archived),
        })
    }
}

// ------------------------------------------------------------------- rooms

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RoomKind {
    Conference,
    Meeting,
    ProjectArea,
    EventSpace,
}

impl RoomKind {
    pub const ALL: [RoomKind; 4] = [
        RoomKind::Conference,
        RoomKind::Meeting,
        RoomKind::ProjectArea,
        RoomKind::EventSpace,
    ];

    pub fn key(self) -> &'static str {
        match self {
            RoomKind::Conference => "conference",
            RoomKind::Meeting => "meeting",
            RoomKind::ProjectArea => "project_area",
            RoomKind::EventSpace => "event_space",
        }
    }

    pub fn parse(raw: &str) -> Result<Self, FieldError> {
        Self::ALL
            .into_iter()
            .find(|k| k.key() == raw.trim())
            .ok_or_else(|| {
                invalid(
                    "invalid_choice",
                    "must be one of conference, meeting, project_area, event_space",
                )
            })
    }
}

/// A bookable room or area, charged by the hour.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Room {
    pub id: Uuid,
    pub hub_id: Uuid,
    pub name: String,
    /// conference, meeting, project_area or event_space
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub kind: RoomKind,
    pub capacity: i64,
    /// Price per hour excluding VAT, in öre (1 SEK = 100 öre).
    pub hourly_price_ore: i64,
    pub vat_rate_percent: u8,
    pub archived: bool,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct RoomInput {
    pub name: String,
    pub kind: String,
    pub capacity: String,
    /// In kronor, as people write it: "450" or "450,50".
    pub hourly_price_sek: String,
    pub vat_rate_percent: String,
    pub archived: String,
}

impl RoomInput {
    pub fn validate(&self, id: Uuid, hub_id: Uuid) -> Result<Room, ValidationErrors> {
        let mut e = ValidationErrors::new();
        let name = e.check("name", parse_name(&self.name));
        let kind = e.check("kind", RoomKind::parse(&self.kind));
        let capacity = e.check("capacity", parse_int(&self.capacity, 1, 10_000));
        let price = e.check(
            "hourly_price_sek",
            parse_sek_to_ore(&self.hourly_price_sek).and_then(|p| {
                if p > 10_000_000 {
                    Err(invalid(
                        "out_of_range",
                        "must be at most 100 000 kronor an hour",
                    ))
                } else {
                    Ok(p)
                }
            }),
        );
        let vat = e.check(
            "vat_rate_percent",
            parse_int(&self.vat_rate_percent, 0, 100).and_then(VatRate::parse),
        );
        e.into_result()?;
        Ok(Room {
            id,
            hub_id,
            name: name.unwrap(),
            kind: kind.unwrap(),
            capacity: capacity.unwrap(),
            hourly_price_ore: price.unwrap(),
            vat_rate_percent: vat.unwrap().percent(),
            archived: parse_bool(&self.archived),
        })
    }
}

// ----------------------------------------------------------- organisations

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OrgKind {
    Municipality,
    Region,
    GovernmentAgency,
    Company,
    SoleTrader,
    Association,
}

impl OrgKind {
    pub const ALL: [OrgKind; 6] = [
        OrgKind::Municipality,
        OrgKind::Region,
        OrgKind::GovernmentAgency,
        OrgKind::Company,
        OrgKind::SoleTrader,
        OrgKind::Association,
    ];

    pub fn key(self) -> &'static str {
        match self {
            OrgKind::Municipality => "municipality",
            OrgKind::Region => "region",
            OrgKind::GovernmentAgency => "government_agency",
            OrgKind::Company => "company",
            OrgKind::SoleTrader => "sole_trader",
            OrgKind::Association => "association",
        }
    }

    pub fn parse(raw: &str) -> Result<Self, FieldError> {
        Self::ALL.into_iter().find(|k| k.key() == raw.trim()).ok_or_else(|| {
            invalid(
                "invalid_choice",
                "must be one of municipality, region, government_agency, company, sole_trader, association",
            )
        })
    }

    /// Public bodies receive invoices as Peppol e-invoices.
    pub fn is_public_sector(self) -> bool {
        matches!(
            self,
            OrgKind::Municipality | OrgKind::Region | OrgKind::GovernmentAgency
        )
    }
}

/// An organisation whose people use the hubs: a municipality, a region, a
/// government agency, a company or a sole trader (an organisation of one).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Organisation {
    pub id: Uuid,
    pub name: String,
    /// Organisationsnummer, `NNNNNN-NNNN`.
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub org_number: OrgNumber,
    /// municipality, region, government_agency, company, sole_trader or association
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub kind: OrgKind,
    pub archived: bool,
    /// Its details as a buyer on invoices (issue 16).
    #[serde(flatten)]
    pub buyer: BuyerDetails,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct OrganisationInput {
    pub name: String,
    pub org_number: String,
    pub kind: String,
    pub archived: String,
    pub buyer_reference: String,
    pub cost_centre: String,
    pub invoice_street: String,
    pub invoice_postal_code: String,
    pub invoice_city: String,
    pub invoice_country: String,
    pub invoice_email: String,
    pub peppol_scheme: String,
    pub peppol_id: String,
}

impl OrganisationInput {
    pub fn validate(&self, id: Uuid) -> Result<Organisation, ValidationErrors> {
        let mut e = ValidationErrors::new();
        let name = e.check("name", parse_name(&self.name));
        let org_number = e.check("org_number", OrgNumber::parse(&self.org_number));
        let kind = e.check("kind", OrgKind::parse(&self.kind));
        let buyer = parse_buyer(
            &mut e,
            BuyerFields {
                buyer_reference: &self.buyer_reference,
                cost_centre: &self.cost_centre,
                invoice_street: &self.invoice_street,
                invoice_postal_code: &self.invoice_postal_code,
                invoice_city: &self.invoice_city,
                invoice_country: &self.invoice_country,
                invoice_email: &self.invoice_email,
                peppol_scheme: &self.peppol_scheme,
                peppol_id: &self.peppol_id,
            },
        );
        e.into_result()?;
        Ok(Organisation {
            id,
            name: name.unwrap(),
            org_number: org_number.unwrap(),
            kind: kind.unwrap(),
            archived: parse_bool(&self.archived),
            buyer: buyer.unwrap(),
        })
    }

    /// The input that shows `o` in a form (its buyer details included).
    pub fn from_organisation(o: &Organisation) -> Self {
        let b = &o.buyer;
        OrganisationInput {
            name: o.name.clone(),
            org_number: o.org_number.to_string(),
            kind: o.kind.key().into(),
            archived: flag(o.archived),
            buyer_reference: shown(&b.buyer_reference),
            cost_centre: shown(&b.cost_centre),
            invoice_street: shown(&b.invoice_street),
            invoice_postal_code: shown(&b.invoice_postal_code),
            invoice_city: shown(&b.invoice_city),
            invoice_country: b.invoice_country.clone(),
            invoice_email: shown(&b.invoice_email),
            peppol_scheme: b.peppol_scheme.clone(),
            peppol_id: shown(&b.peppol_id),
        }
    }
}

// ------------------------------------------------------------------ people

/// A person: a member, a host, an organisation admin or a network admin.
/// First names first: the community shows first names only.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Person {
    pub id: Uuid,
    pub first_name: String,
    pub last_name: String,
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub email: Email,
    pub organisation_id: Option<Uuid>,
    pub is_network_admin: bool,
    /// Hubs this person hosts.
    pub hosted_hub_ids: Vec<Uuid>,
    /// Organisations this person administers.
    pub admin_of_organisation_ids: Vec<Uuid>,
    /// Operators whose invoicing this person works with (their staff: an
    /// economist of the municipality that runs the hubs).
    #[serde(default)]
    pub staff_of_operator_ids: Vec<Uuid>,
    pub archived: bool,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct PersonInput {
    pub first_name: String,
    pub last_name: String,
    pub email: String,
    pub organisation_id: String,
    pub is_network_admin: String,
    pub hosted_hub_ids: Vec<String>,
    pub admin_of_organisation_ids: Vec<String>,
    #[serde(default)]
    pub staff_of_operator_ids: Vec<String>,
    pub archived: String,
}

impl PersonInput {
    pub fn validate(&self, id: Uuid) -> Result<Person, ValidationErrors> {
        let mut e = ValidationErrors::new();
        let first_name = e.check(
            "first_name",
            Text::parse(&self.first_name, 60).map(Text::into_string),
        );
        let last_name = e.check(
            "last_name",
            Text::parse(&self.last_name, 60).map(Text::into_string),
        );
        let email = e.check("email", Email::parse(&self.email));
        let organisation_id = if self.organisation_id.trim().is_empty() {
            Some(None)
        } else {
            e.check("organisation_id", parse_id(&self.organisation_id).map(Some))
        };
        let hubs: Option<Vec<Uuid>> = e.check(
            "hosted_hub_ids",
            self.hosted_hub_ids
                .iter()
                .filter(|s| !s.trim().is_empty())
                .map(|s| parse_id(s))
                .collect(),
        );
        let orgs: Option<Vec<Uuid>> = e.check(
            "admin_of_organisation_ids",
            self.admin_of_organisation_ids
                .iter()
                .filter(|s| !s.trim().is_empty())
                .map(|s| parse_id(s))
                .collect(),
        );
        let operators: Option<Vec<Uuid>> = e.check(
            "staff_of_operator_ids",
            self.staff_of_operator_ids
                .iter()
                .filter(|s| !s.trim().is_empty())
                .map(|s| parse_id(s))
                .collect(),
        );
        e.into_result()?;
        let mut hubs = hubs.unwrap();
        hubs.sort();
        hubs.dedup();
        let mut orgs = orgs.unwrap();
        orgs.sort();
        orgs.dedup();
        let mut operators = operators.unwrap();
        operators.sort();
        operators.dedup();
        Ok(Person {
            id,
            first_name: first_name.unwrap(),
            last_name: last_name.unwrap(),
            email: email.unwrap(),
            organisation_id: organisation_id.unwrap(),
            is_network_admin: parse_bool(&self.is_network_admin),
            hosted_hub_ids: hubs,
            admin_of_organisation_ids: orgs,
            staff_of_operator_ids: operators,
            archived: parse_bool(&self.archived),
        })
    }
}

// ------------------------------------------------------------------- roles

/// Who is asking, and what they may do. Built from the signed-in person.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Principal {
    pub person_id: Uuid,
    pub first_name: String,
    pub email: Email,
    pub organisation_id: Option<Uuid>,
    pub is_network_admin: bool,
    pub hosted_hub_ids: Vec<Uuid>,
    pub admin_of_organisation_ids: Vec<Uuid>,
    /// Operators whose invoicing this person works with.
    pub staff_of_operator_ids: Vec<Uuid>,
}

impl Principal {
    pub fn from_person(p: &Person) -> Self {
        Principal {
            person_id: p.id,
            first_name: p.first_name.clone(),
            email: p.email.clone(),
            organisation_id: p.organisation_id,
            is_network_admin: p.is_network_admin,
            hosted_hub_ids: p.hosted_hub_ids.clone(),
            admin_of_organisation_ids: p.admin_of_organisation_ids.clone(),
            staff_of_operator_ids: p.staff_of_operator_ids.clone(),
        }
    }

    /// Regions, municipalities, operators and new hubs are the network's.
    pub fn can_manage_network(&self) -> bool {
        self.is_network_admin
    }

    /// A hub's own data, zones and rooms: its hosts and network admins.
    pub fn can_edit_hub(&self, hub_id: Uuid) -> bool {
        self.is_network_admin || self.hosted_hub_ids.contains(&hub_id)
    }

    pub fn can_edit_organisation(&self, org_id: Uuid) -> bool {
        self.is_network_admin || self.admin_of_organisation_ids.contains(&org_id)
    }

    /// A person's record, roles and invitation: network admins, and the
    /// admins of the person's organisation.
    pub fn can_manage_person(&self, p: &Person) -> bool {
        self.is_network_admin
            || p.organisation_id
                .is_some_and(|o| self.can_edit_organisation(o))
    }

    /// Anyone with an admin page: network admins, hosts, organisation
    /// admins, operators' staff.
    pub fn has_admin_pages(&self) -> bool {
        self.is_network_admin
            || !self.hosted_hub_ids.is_empty()
            || !self.admin_of_organisation_ids.is_empty()
            || !self.staff_of_operator_ids.is_empty()
    }

    // ------------------------------------------------ invoicing (issue 16)

    /// An operator's invoicing (its run, crediting and payments of its
    /// invoices, its bank files and bookkeeping): network admins and the
    /// operator's staff.
    pub fn can_invoice_for(&self, operator_id: Uuid) -> bool {
        self.is_network_admin || self.staff_of_operator_ids.contains(&operator_id)
    }

    /// Whether this principal invoices for some operator (sees the run,
    /// the payments waiting and the bank files).
    pub fn invoices_for_any(&self) -> bool {
        self.is_network_admin || !self.staff_of_operator_ids.is_empty()
    }

    /// An issued invoice of `operator_id` to `organisation_id`: those who
    /// invoice for the operator, and the buying organisation's admins
    /// (who read and download it).
    pub fn can_see_invoice(&self, operator_id: Uuid, organisation_id: Uuid) -> bool {
        self.can_invoice_for(operator_id)
            || self.admin_of_organisation_ids.contains(&organisation_id)
    }

    /// Whether any invoice could be this principal's to see (the invoices
    /// list): network admins, operators' staff, organisation admins.
    pub fn sees_invoices(&self) -> bool {
        self.invoices_for_any() || !self.admin_of_organisation_ids.is_empty()
    }

    /// Whether some hub's invoiced lines are this principal's to see.
    pub fn sees_hub_lines(&self) -> bool {
        self.invoices_for_any() || !self.hosted_hub_ids.is_empty()
    }

    /// The invoiced lines that concern a hub (not the invoices' other
    /// lines or totals): its hosts, its operator's staff, network admins.
    pub fn can_see_hub_lines(&self, hub_id: Uuid, hub_operator_id: Uuid) -> bool {
        self.can_edit_hub(hub_id) || self.can_invoice_for(hub_operator_id)
    }

    /// Whether this principal may save `new` (replacing `old`, if any).
    /// Network admins may do anything; an organisation admin may manage the
    /// people of their organisations but grant no roles beyond organisation
    /// admin of those same organisations (no hub, no operator's staff).
    pub fn can_save_person(&self, old: Option<&Person>, new: &Person) -> bool {
        if self.is_network_admin {
            return true;
        }
        let own_org =
            |o: Option<Uuid>| o.is_some_and(|o| self.admin_of_organisation_ids.contains(&o));
        if let Some(old) = old {
            if !own_org(old.organisation_id) {
                return false;
            }
            if old.is_network_admin
                || old.hosted_hub_ids != new.hosted_hub_ids
                || old.staff_of_operator_ids != new.staff_of_operator_ids
            {
                return false;
            }
        } else if !new.hosted_hub_ids.is_empty() || !new.staff_of_operator_ids.is_empty() {
            return false;
        }
        own_org(new.organisation_id)
            && !new.is_network_admin
            && new
                .admin_of_organisation_ids
                .iter()
                .all(|o| self.admin_of_organisation_ids.contains(o))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hub_input() -> HubInput {
        HubInput {
            municipality_id: Uuid::nil().to_string(),
            operator_id: Uuid::nil().to_string(),
            name: "Figeholm".into(),
            description: String::new(),
            street_address: "Storgatan 1".into(),
            postal_code: "57295".into(),
            city: "Figeholm".into(),
            latitude: "57.3728".into(),
            longitude: "16.5520".into(),
            in_central_town: "false".into(),
            hours: [
                "08:00-17:00".into(),
                "08:00-17:00".into(),
                String::new(),
                String::new(),
                String::new(),
                String::new(),
                String::new(),
            ],
            exceptions: "2026-12-24 closed Julafton".into(),
            archived: String::new(),
        }
    }

    #[test]
    fn a_valid_hub_parses_and_round_trips_through_its_form() {
        let hub = hub_input().validate(Uuid::nil()).unwrap();
        assert_eq!(hub.postal_code, "572 95");
        assert_eq!(hub.opening_hours.exceptions.len(), 1);
        assert_eq!(HubInput::from_hub(&hub).validate(Uuid::nil()).unwrap(), hub);
    }

    #[test]
    fn every_bad_hub_field_is_reported_at_once() {
        let mut input = hub_input();
        input.name = " ".into();
        input.latitude = "91".into();
        input.longitude = "east".into();
        input.hours[0] = "17:00-08:00".into();
        input.postal_code = "1234".into();
        let errors = input.validate(Uuid::nil()).unwrap_err();
        let fields: Vec<&str> = errors.errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(
            fields,
            [
                "name",
                "postal_code",
                "latitude",
                "longitude",
                "hours_monday"
            ]
        );
    }

    #[test]
    fn rooms_need_a_swedish_vat_rate_and_a_sane_price() {
        let mut r = RoomInput {
            name: "Kustrummet".into(),
            kind: "meeting".into(),
            capacity: "8".into(),
            hourly_price_sek: "250".into(),
            vat_rate_percent: "25".into(),
            archived: String::new(),
        };
        assert_eq!(
            r.validate(Uuid::nil(), Uuid::nil())
                .unwrap()
                .hourly_price_ore,
            25_000
        );
        r.vat_rate_percent = "20".into();
        r.kind = "ballroom".into();
        let errs = r.validate(Uuid::nil(), Uuid::nil()).unwrap_err();
        assert!(errs.for_field("vat_rate_percent").is_some());
        assert!(errs.for_field("kind").is_some());
    }

    #[test]
    fn organisation_admins_cannot_grant_more_than_they_hold() {
        let org = Uuid::now_v7();
        let other = Uuid::now_v7();
        let admin = Principal {
            person_id: Uuid::now_v7(),
            first_name: "Oskar".into(),
            email: Email::parse("o@x.se").unwrap(),
            organisation_id: Some(org),
            is_network_admin: false,
            hosted_hub_ids: vec![],
            admin_of_organisation_ids: vec![org],
            staff_of_operator_ids: vec![],
        };
        let mut p = Person {
            id: Uuid::now_v7(),
            first_name: "Ada".into(),
            last_name: "L".into(),
            email: Email::parse("a@x.se").unwrap(),
            organisation_id: Some(org),
            is_network_admin: false,
            hosted_hub_ids: vec![],
            admin_of_organisation_ids: vec![],
            staff_of_operator_ids: vec![],
            archived: false,
        };
        assert!(admin.can_save_person(None, &p));
        p.is_network_admin = true;
        assert!(!admin.can_save_person(None, &p));
        p.is_network_admin = false;
        p.organisation_id = Some(other);
        assert!(!admin.can_save_person(None, &p));
        p.organisation_id = Some(org);
        p.hosted_hub_ids = vec![Uuid::now_v7()];
        assert!(!admin.can_save_person(None, &p));
    }
}
