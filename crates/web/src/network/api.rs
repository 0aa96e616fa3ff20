//! Regions, municipalities and operators: the network's own structure.
//! Everyone may read; network admins write. Their handlers are
//! [`crate::http::api_resource`]'s; here is what each kind is.

use crate::http::api::bool_str;
use crate::http::api_resource::{plain_record, ApiDoc, ApiResource, At};
use crate::http::error::AppResult;
use crate::AppState;
use serde::Deserialize;
use thirdplace_domain::{
    Municipality, MunicipalityInput, Operator, OperatorInput, Region, RegionInput,
};
use utoipa::ToSchema;
use uuid::Uuid;

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RegionBody {
    pub name: String,
    pub code: String,
    #[serde(default)]
    pub archived: bool,
}

impl RegionBody {
    fn input(&self) -> RegionInput {
        RegionInput {
            name: self.name.clone(),
            code: self.code.clone(),
            archived: bool_str(self.archived),
        }
    }
}

pub struct Regions;

impl ApiResource for Regions {
    plain_record!(Region, RegionBody; list_regions, get_region, insert_region, update_region);
    const DOC: ApiDoc = ApiDoc::new("network", "region", "regions").conflicts(true, true);

    fn record(_: &AppState, body: RegionBody, at: At<Region>) -> AppResult<Region> {
        Ok(body.input().validate(at.id)?)
    }
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MunicipalityBody {
    pub region_id: Uuid,
    pub name: String,
    pub code: String,
    pub central_town: String,
    #[serde(default)]
    pub archived: bool,
}

impl MunicipalityBody {
    fn input(&self) -> MunicipalityInput {
        MunicipalityInput {
            region_id: self.region_id.to_string(),
            name: self.name.clone(),
            code: self.code.clone(),
            central_town: self.central_town.clone(),
            archived: bool_str(self.archived),
        }
    }
}

pub struct Municipalities;

impl ApiResource for Municipalities {
    plain_record!(Municipality, MunicipalityBody; list_municipalities, get_municipality, insert_municipality, update_municipality);
    const DOC: ApiDoc =
        ApiDoc::new("network", "municipality", "municipalities").conflicts(true, true);

    fn record(
        _: &AppState,
        body: MunicipalityBody,
        at: At<Municipality>,
    ) -> AppResult<Municipality> {
        Ok(body.input().validate(at.id)?)
    }
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OperatorBody {
    pub name: String,
    #[serde(default)]
    pub org_number: Option<String>,
    #[serde(default)]
    pub contact_email: Option<String>,
    #[serde(default)]
    pub archived: bool,
    // As the seller on its invoices (issue 16); each may be left out for
    // its default (country SE, series from 1, 30 days, Peppol scheme 0007
    // with the organisation number, revenue accounts 3041).
    #[serde(default)]
    pub legal_name: Option<String>,
    #[serde(default)]
    pub vat_number: Option<String>,
    #[serde(default)]
    pub street_address: Option<String>,
    #[serde(default)]
    pub postal_code: Option<String>,
    #[serde(default)]
    pub city: Option<String>,
    #[serde(default)]
    pub country: Option<String>,
    #[serde(default)]
    pub bankgiro: Option<String>,
    #[serde(default)]
    pub plusgiro: Option<String>,
    #[serde(default)]
    pub invoice_prefix: Option<String>,
    #[serde(default)]
    pub peppol_scheme: Option<String>,
    #[serde(default)]
    pub peppol_id: Option<String>,
    #[serde(default)]
    pub invoice_number_start: Option<i64>,
    #[serde(default)]
    pub payment_terms_days: Option<i64>,
    #[serde(default)]
    pub account_seat: Option<i64>,
    #[serde(default)]
    pub account_room_hours: Option<i64>,
    #[serde(default)]
    pub account_late_cancellation: Option<i64>,
    #[serde(default)]
    pub account_event_fee: Option<i64>,
    #[serde(default)]
    pub f_tax_approved: bool,
    #[serde(default)]
    pub ocr_length_digit: bool,
}

impl OperatorBody {
    fn input(&self) -> OperatorInput {
        OperatorInput {
            name: self.name.clone(),
            org_number: self.org_number.clone().unwrap_or_default(),
            contact_email: self.contact_email.clone().unwrap_or_default(),
            archived: bool_str(self.archived),
            legal_name: self.legal_name.clone().unwrap_or_default(),
            vat_number: self.vat_number.clone().unwrap_or_default(),
            street_address: self.street_address.clone().unwrap_or_default(),
            postal_code: self.postal_code.clone().unwrap_or_default(),
            city: self.city.clone().unwrap_or_default(),
            country: self.country.clone().unwrap_or_default(),
            bankgiro: self.bankgiro.clone().unwrap_or_default(),
            plusgiro: self.plusgiro.clone().unwrap_or_default(),
            invoice_prefix: self.invoice_prefix.clone().unwrap_or_default(),
            peppol_scheme: self.peppol_scheme.clone().unwrap_or_default(),
            peppol_id: self.peppol_id.clone().unwrap_or_default(),
            invoice_number_start: self
                .invoice_number_start
                .map(|v| v.to_string())
                .unwrap_or_default(),
            payment_terms_days: self
                .payment_terms_days
                .map(|v| v.to_string())
                .unwrap_or_default(),
            account_seat: self.account_seat.map(|v| v.to_string()).unwrap_or_default(),
            account_room_hours: self
                .account_room_hours
                .map(|v| v.to_string())
                .unwrap_or_default(),
            account_late_cancellation: self
                .account_late_cancellation
                .map(|v| v.to_string())
                .unwrap_or_default(),
            account_event_fee: self
                .account_event_fee
                .map(|v| v.to_string())
                .unwrap_or_default(),
            f_tax_approved: bool_str(self.f_tax_approved),
            ocr_length_digit: bool_str(self.ocr_length_digit),
        }
    }
}

pub struct Operators;

impl ApiResource for Operators {
    plain_record!(Operator, OperatorBody; list_operators, get_operator, insert_operator, update_operator);
    const DOC: ApiDoc = ApiDoc::new("network", "operator", "operators");

    fn record(_: &AppState, body: OperatorBody, at: At<Operator>) -> AppResult<Operator> {
        Ok(body.input().validate(at.id)?)
    }
}
