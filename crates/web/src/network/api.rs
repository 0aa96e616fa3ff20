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
}

impl OperatorBody {
    fn input(&self) -> OperatorInput {
        OperatorInput {
            name: self.name.clone(),
            org_number: self.org_number.clone().unwrap_or_default(),
            contact_email: self.contact_email.clone().unwrap_or_default(),
            archived: bool_str(self.archived),
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
