//! What every JSON API handler shares: the body extractor that answers in
//! the API's error shape, ids from paths, the token-and-role check of
//! writes, and the list query. Reads of the network's public data need no
//! token; writes need `Authorization: Bearer <token>` and the right role.

use crate::http::auth::Auth;
use crate::http::error::{AppError, AppResult};
use crate::AppState;
use axum::extract::{FromRequest, FromRequestParts, MatchedPath, Request, State};
use axum::http::Method;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde::de::DeserializeOwned;
use std::collections::HashSet;
use std::future::Future;
use std::sync::Arc;
use thirdplace_domain::{Principal, ValidationErrors};
use thirdplace_store::{StoreError, StoreResult};
use uuid::Uuid;

/// A JSON body whose every problem (syntax, type, unknown field, missing
/// field, wrong content type) answers in the API's error shape.
pub struct ApiJson<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for ApiJson<T> {
    type Rejection = AppError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        use axum::extract::rejection::JsonRejection;
        match axum::Json::<T>::from_request(req, state).await {
            Ok(axum::Json(v)) => Ok(ApiJson(v)),
            Err(JsonRejection::JsonDataError(e)) => Err(AppError::Validation(
                thirdplace_domain::ValidationErrors::single(
                    "body",
                    "invalid_body",
                    e.body_text().replace(
                        "Failed to deserialize the JSON body into the target type: ",
                        "",
                    ),
                ),
            )),
            Err(JsonRejection::JsonSyntaxError(e)) => Err(AppError::bad_request(
                "invalid_json",
                format!("the body is not valid JSON: {}", e.body_text()),
            )),
            Err(JsonRejection::MissingJsonContentType(_)) => Err(AppError::bad_request(
                "unsupported_media_type",
                "send the body as JSON with Content-Type: application/json",
            )),
            Err(JsonRejection::BytesRejection(e))
                if e.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE =>
            {
                Err(AppError::PayloadTooLarge)
            }
            Err(e) => Err(AppError::bad_request("invalid_body", e.body_text())),
        }
    }
}

/// The API's writes that need a token, read from the OpenAPI document (the
/// operations with a `security` requirement), as method and path template
/// (`/api/v1/hubs/{id}`).
#[derive(Debug, Default)]
pub struct TokenWrites(HashSet<(Method, String)>);

impl TokenWrites {
    pub fn from_openapi(doc: &utoipa::openapi::OpenApi) -> Self {
        let mut writes = HashSet::new();
        for (path, item) in &doc.paths.paths {
            for (method, op) in [
                (Method::POST, &item.post),
                (Method::PUT, &item.put),
                (Method::PATCH, &item.patch),
                (Method::DELETE, &item.delete),
            ] {
                if op
                    .as_ref()
                    .is_some_and(|op| op.security.as_ref().is_some_and(|s| !s.is_empty()))
                {
                    writes.insert((method, path.clone()));
                }
            }
        }
        TokenWrites(writes)
    }

    pub fn needs_token(&self, method: &Method, path: &str) -> bool {
        self.0.contains(&(method.clone(), path.to_string()))
    }
}

/// Route middleware of the API: a write that needs a token and comes
/// without one is refused with 401 before anything else of the request is
/// read, so an anonymous caller learns nothing about the body it should
/// have sent (and every write answers alike, whatever its handler's
/// extractors). The role check stays in each handler ([`require`]).
pub async fn token_first(
    State((state, writes)): State<(AppState, Arc<TokenWrites>)>,
    req: Request,
    next: Next,
) -> Response {
    let needs_token = req
        .extensions()
        .get::<MatchedPath>()
        .is_some_and(|p| writes.needs_token(req.method(), p.as_str()));
    if !needs_token {
        return next.run(req).await;
    }
    let (mut parts, body) = req.into_parts();
    match Auth::from_request_parts(&mut parts, &state).await {
        Ok(auth) if auth.via_token => next.run(Request::from_parts(parts, body)).await,
        Ok(_) => AppError::Unauthorized.into_response(),
        Err(e) => e.into_response(),
    }
}

/// An id from the path; a malformed one is simply not found.
pub fn path_id(raw: &str) -> AppResult<Uuid> {
    Uuid::parse_str(raw).map_err(|_| AppError::NotFound)
}

/// Writes need a token, and `allowed` must hold for its person.
pub fn require(auth: &Auth, allowed: impl FnOnce(&Principal) -> bool) -> AppResult<Principal> {
    let p = auth.require()?;
    if !auth.via_token {
        return Err(AppError::Unauthorized);
    }
    if allowed(p) {
        Ok(p.clone())
    } else {
        Err(AppError::Forbidden)
    }
}

/// The record `load` reads, if `p` may see it: one they may not see is,
/// to them, not there (404).
pub async fn seen_by<T>(
    p: &Principal,
    load: impl Future<Output = StoreResult<T>>,
    may_see: impl FnOnce(&Principal, &T) -> bool,
) -> AppResult<T> {
    let record = load.await?;
    if may_see(p, &record) {
        Ok(record)
    } else {
        Err(AppError::NotFound)
    }
}

/// The record a body refers to, if it is there and `fits` (a room of the
/// same hub, a person not archived): otherwise the body's problem, 422
/// `unknown_reference` at `field` with `message`, not a missing page.
pub async fn referenced<T>(
    load: impl Future<Output = StoreResult<T>>,
    fits: impl FnOnce(&T) -> bool,
    field: &str,
    message: &str,
) -> AppResult<T> {
    match load.await {
        Ok(record) if fits(&record) => Ok(record),
        Ok(_) | Err(StoreError::NotFound) => {
            Err(ValidationErrors::single(field, "unknown_reference", message).into())
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    /// Include archived records (default false).
    #[serde(default)]
    pub include_archived: bool,
}

pub fn bool_str(b: bool) -> String {
    if b {
        "true".into()
    } else {
        String::new()
    }
}
