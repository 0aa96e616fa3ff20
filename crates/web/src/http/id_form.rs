//! A form posted to a page about one thing (`/events/{id}/register`,
//! `/hubs/{id}/checkin`, …): the prologue those handlers share.

use crate::http::form_data::FormData;
use crate::http::page::{parse_id, Page};
use crate::AppState;
use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Path, Request};
use axum::response::{IntoResponse, Response};
use uuid::Uuid;

/// The page, the form and the id from the path, read in that order: the
/// form's CSRF token is checked before anything else is looked at, and an id
/// that is no uuid is 404. A handler that must know who is asking before
/// the id is read (401 before 404) reads them itself.
pub struct IdForm {
    pub page: Page,
    pub id: Uuid,
    pub form: FormData,
}

impl FromRequest<AppState> for IdForm {
    type Rejection = Response;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, Self::Rejection> {
        let (mut parts, body) = req.into_parts();
        let page = Page::from_request_parts(&mut parts, state)
            .await
            .map_err(IntoResponse::into_response)?;
        let Path(raw_id) = Path::<String>::from_request_parts(&mut parts, state)
            .await
            .map_err(IntoResponse::into_response)?;
        let body = Bytes::from_request(Request::from_parts(parts, body), state)
            .await
            .map_err(IntoResponse::into_response)?;
        let form = FormData::parse(&page, &body).map_err(IntoResponse::into_response)?;
        let id = parse_id(&raw_id).map_err(IntoResponse::into_response)?;
        Ok(Self { page, id, form })
    }
}
