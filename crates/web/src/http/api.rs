//! What every JSON API handler shares: the body extractor that answers in
//! the API's error shape, ids from paths, the token-and-role check of
//! writes, and the list query. Reads of the network's public data need no
//! token; writes need `Authorization: Bearer <token>` and the right role.

use crate::http::auth::Auth;
use crate::http::error::{AppError, AppResult};
use crate::AppState;
use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, MatchedPath, Request, State};
use axum::http::{header, HeaderMap, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde::de::DeserializeOwned;
use std::collections::HashSet;
use std::future::Future;
use std::marker::PhantomData;
use std::sync::Arc;
use thirdplace_domain::{Principal, ValidationErrors};
use thirdplace_store::{StoreError, StoreResult};
use uuid::Uuid;

/// A JSON body, read but not yet parsed: the handler calls
/// [`ApiJson::parse`] after it has checked the caller's role, so a caller
/// who may not write learns nothing about the body it should have sent
/// (403 or 404, never 422 with the missing fields). Every problem of the
/// body (wrong content type, too large, syntax, type, unknown or missing
/// field) answers in the API's error shape, from `parse`.
///
/// Where the role depends on the body itself (which room a booking is
/// for, which hub a check-in is at), the handler parses it first: the
/// body must be read to know whom to ask.
pub struct ApiJson<T> {
    body: Result<Bytes, AppError>,
    json: bool,
    _of: PhantomData<fn() -> T>,
}

impl<T, S: Send + Sync> FromRequest<S> for ApiJson<T> {
    type Rejection = AppError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let json = json_content_type(req.headers());
        let body = Bytes::from_request(req, state).await.map_err(|e| {
            if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
                AppError::PayloadTooLarge
            } else {
                AppError::bad_request("invalid_body", e.body_text())
            }
        });
        Ok(ApiJson {
            body,
            json,
            _of: PhantomData,
        })
    }
}

impl<T: DeserializeOwned> ApiJson<T> {
    /// The body as `T`, or what is wrong with it. Call it once the caller
    /// is known to be allowed.
    pub fn parse(self) -> AppResult<T> {
        use axum::extract::rejection::JsonRejection;
        let bytes = self.body?;
        if !self.json {
            return Err(AppError::bad_request(
                "unsupported_media_type",
                "send the body as JSON with Content-Type: application/json",
            ));
        }
        match axum::Json::<T>::from_bytes(&bytes) {
            Ok(axum::Json(v)) => Ok(v),
            Err(JsonRejection::JsonDataError(e)) => {
                Err(AppError::Validation(ValidationErrors::single(
                    "body",
                    "invalid_body",
                    e.body_text().replace(
                        "Failed to deserialize the JSON body into the target type: ",
                        "",
                    ),
                )))
            }
            Err(JsonRejection::JsonSyntaxError(e)) => Err(AppError::bad_request(
                "invalid_json",
                format!("the body is not valid JSON: {}", e.body_text()),
            )),
            Err(e) => Err(AppError::bad_request("invalid_body", e.body_text())),
        }
    }
}

impl<T: DeserializeOwned> ApiJson<T> {
    /// An optional body: `None` when it is empty (or only white space),
    /// whatever its content type; otherwise it must be JSON `T` (422
    /// `invalid_body` with `expected` and what is wrong if not).
    pub fn parse_optional(self, expected: &str) -> AppResult<Option<T>> {
        let bytes = self.body?;
        if bytes.iter().all(u8::is_ascii_whitespace) {
            return Ok(None);
        }
        serde_json::from_slice(&bytes).map(Some).map_err(|e| {
            AppError::Validation(ValidationErrors::single(
                "body",
                "invalid_body",
                format!("{expected}: {e}"),
            ))
        })
    }
}

/// Whether the request says its body is JSON (`application/json` or
/// `application/*+json`), as axum's `Json` asks.
fn json_content_type(headers: &HeaderMap) -> bool {
    let Some(value) = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
    else {
        return false;
    };
    let essence = value.split(';').next().unwrap_or_default().trim();
    let Some((kind, subtype)) = essence.split_once('/') else {
        return false;
    };
    let subtype = subtype.trim().to_ascii_lowercase();
    kind.trim().eq_ignore_ascii_case("application")
        && (subtype == "json" || subtype.ends_with("+json"))
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
