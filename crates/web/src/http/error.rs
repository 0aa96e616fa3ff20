//! One error type for the whole web layer. It renders as the JSON error
//! shape `{"error": {"code": "…", "message": "…"}}`; on HTML routes a
//! middleware turns the same error into a readable page (see
//! [`crate::http::page::html_context`]). Causes of 5xx are logged, never
//! shown.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Serialize;
use thirdplace_domain::booking::BookingRefusal;
use thirdplace_domain::event::EventRefusal;
use thirdplace_domain::membership::GuestRefusal;
use thirdplace_domain::{Refusal, ValidationErrors};
use thirdplace_store::StoreError;
use utoipa::ToSchema;

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("{0}")]
    Validation(ValidationErrors),
    #[error("{message}")]
    BadRequest { code: &'static str, message: String },
    #[error("sign in or send an API token (Authorization: Bearer …)")]
    Unauthorized,
    #[error("you do not have the right to do this")]
    Forbidden,
    #[error("not found")]
    NotFound,
    #[error("{message}")]
    Conflict { field: String, message: String },
    #[error("{0}")]
    TooManyRequests(String),
    #[error("the request body is too large")]
    PayloadTooLarge,
    #[error("this method is not allowed here")]
    MethodNotAllowed,
    /// A rule said no: a specific status, a stable code and a sentence.
    #[error("{message}")]
    Refused {
        status: StatusCode,
        code: &'static str,
        message: String,
    },
    /// Some occurrences of a series cannot be booked: each with its reason.
    #[error("{} of the occurrences cannot be booked (see the list); choose another time, or book only the free ones if there are any", .0.len())]
    SeriesConflict(
        Vec<(
            thirdplace_domain::booking::Span,
            thirdplace_domain::booking::BookingRefusal,
        )>,
    ),
    #[error("internal error")]
    Internal(#[source] Box<dyn std::error::Error + Send + Sync>),
}

impl AppError {
    pub fn bad_request(code: &'static str, message: impl Into<String>) -> Self {
        AppError::BadRequest {
            code,
            message: message.into(),
        }
    }

    pub fn refused(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        AppError::Refused {
            status,
            code,
            message: message.into(),
        }
    }

    pub fn status(&self) -> StatusCode {
        match self {
            AppError::Refused { status, .. } => *status,
            AppError::Validation(_) => StatusCode::UNPROCESSABLE_ENTITY,
            AppError::BadRequest { .. } => StatusCode::BAD_REQUEST,
            AppError::Unauthorized => StatusCode::UNAUTHORIZED,
            AppError::Forbidden => StatusCode::FORBIDDEN,
            AppError::NotFound => StatusCode::NOT_FOUND,
            AppError::Conflict { .. } | AppError::SeriesConflict(_) => StatusCode::CONFLICT,
            AppError::TooManyRequests(_) => StatusCode::TOO_MANY_REQUESTS,
            AppError::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            AppError::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    pub fn code(&self) -> &'static str {
        match self {
            AppError::Refused { code, .. } => code,
            AppError::Validation(_) => "validation_failed",
            AppError::BadRequest { code, .. } => code,
            AppError::Unauthorized => "unauthorized",
            AppError::Forbidden => "forbidden",
            AppError::NotFound => "not_found",
            AppError::Conflict { .. } => "conflict",
            AppError::SeriesConflict(_) => "series_conflict",
            AppError::TooManyRequests(_) => "too_many_requests",
            AppError::PayloadTooLarge => "payload_too_large",
            AppError::MethodNotAllowed => "method_not_allowed",
            AppError::Internal(_) => "internal_error",
        }
    }
}

impl From<StoreError> for AppError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound => AppError::NotFound,
            StoreError::Conflict(field) => AppError::Conflict {
                message: format!("{field} is already in use by another record"),
                field,
            },
            StoreError::Refused(r) => refusal(&r),
            StoreError::Reference(field) => AppError::Validation(ValidationErrors::single(
                &field,
                "unknown_reference",
                "refers to something that does not exist",
            )),
            StoreError::Database(e) => AppError::Internal(e),
        }
    }
}

impl From<ValidationErrors> for AppError {
    fn from(e: ValidationErrors) -> Self {
        AppError::Validation(e)
    }
}

/// The JSON error shape.
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ErrorDetail {
    /// Stable, machine-readable: `validation_failed`, `not_found`, `conflict`, …
    pub code: String,
    /// A sentence a person understands.
    pub message: String,
    /// For `validation_failed` and `conflict`: the fields and their problems.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub fields: Vec<FieldProblem>,
    /// For `series_conflict`: the occurrences that cannot be booked.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub occurrences: Vec<OccurrenceProblem>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct OccurrenceProblem {
    pub start: chrono::DateTime<chrono::Utc>,
    pub end: chrono::DateTime<chrono::Utc>,
    /// The refusal's code, e.g. `booking_conflict` or `outside_opening_hours`.
    pub code: String,
    pub message: String,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct FieldProblem {
    pub field: String,
    pub code: String,
    pub message: String,
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let status = self.status();
        if let AppError::Internal(cause) = &self {
            tracing::error!(error = %cause, cause = ?cause, "request failed");
        }
        let fields = match &self {
            AppError::Validation(v) => v
                .errors
                .iter()
                .map(|e| FieldProblem {
                    field: e.field.clone(),
                    code: e.code.to_string(),
                    message: e.message.clone(),
                })
                .collect(),
            AppError::Conflict { field, message } => {
                vec![FieldProblem {
                    field: field.clone(),
                    code: "taken".into(),
                    message: message.clone(),
                }]
            }
            _ => vec![],
        };
        let message = match &self {
            AppError::Validation(v) => format!("Some fields are not valid: {v}"),
            other => {
                let m = other.to_string();
                let mut c = m.chars();
                c.next()
                    .map(|f| f.to_uppercase().chain(c).collect())
                    .unwrap_or_default()
            }
        };
        let occurrences = match &self {
            AppError::SeriesConflict(list) => list
                .iter()
                .map(|((start, end), r)| OccurrenceProblem {
                    start: *start,
                    end: *end,
                    code: r.code().to_string(),
                    message: r.message(),
                })
                .collect(),
            _ => vec![],
        };
        let detail = ErrorDetail {
            code: self.code().to_string(),
            message,
            fields,
            occurrences,
        };
        let mut resp = (
            status,
            Json(ErrorBody {
                error: detail.clone(),
            }),
        )
            .into_response();
        resp.extensions_mut().insert(detail);
        resp
    }
}

pub type AppResult<T> = Result<T, AppError>;

/// Middleware for the whole app: under `/api/`, an error answer that did
/// not come from [`AppError`] (a rejection of one of axum's extractors — a
/// query string or path that does not parse, a body too large, a wrong
/// content type — or a timeout) gets the API's JSON error shape with a
/// sentence a person understands, instead of axum's plain text.
pub async fn api_error_shape(
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    let api = req.uri().path() == "/api" || req.uri().path().starts_with("/api/");
    let resp = next.run(req).await;
    if api {
        adopt(resp).await
    } else {
        resp
    }
}

/// A plain-text (or empty) 4xx or 5xx that did not come from [`AppError`],
/// as the [`AppError`] it stands for; any other answer as it is. Pages
/// ([`crate::http::page::html_context`]) then show it as a readable page,
/// the API in its JSON shape.
pub async fn adopt(resp: Response) -> Response {
    let status = resp.status();
    let plain = resp
        .headers()
        .get(axum::http::header::CONTENT_TYPE)
        .is_none_or(|t| t.as_bytes().starts_with(b"text/plain"));
    if status.as_u16() < 400 || !plain || resp.extensions().get::<ErrorDetail>().is_some() {
        return resp;
    }
    let (parts, body) = resp.into_parts();
    // Axum's rejection texts are a line; more is not worth reading.
    let text = axum::body::to_bytes(body, 4096).await.unwrap_or_default();
    let mut adopted = rejection(status, String::from_utf8_lossy(&text).trim()).into_response();
    // Keep what the layers inside set (e.g. `Allow` of a 405).
    for (name, value) in parts.headers.iter() {
        if name != axum::http::header::CONTENT_TYPE && name != axum::http::header::CONTENT_LENGTH {
            adopted.headers_mut().entry(name).or_insert(value.clone());
        }
    }
    adopted
}

/// The error a plain rejection with `status` and axum's `text` stands for.
fn rejection(status: StatusCode, text: &str) -> AppError {
    let detail = |prefix: &str| -> String {
        let t = text.trim_end_matches('.');
        match t.split_once(": ") {
            Some((_, rest)) if !rest.is_empty() => format!("{prefix}: {rest}"),
            _ => prefix.to_string(),
        }
    };
    match status {
        StatusCode::BAD_REQUEST if text.starts_with("Failed to deserialize query string") => {
            AppError::bad_request(
                "invalid_query",
                detail(
                    "the query string could not be read (check the parameters' names and values)",
                ),
            )
        }
        StatusCode::BAD_REQUEST
            if text.starts_with("Invalid URL") || text.starts_with("Cannot parse") =>
        {
            AppError::bad_request("invalid_path", detail("the address could not be read"))
        }
        StatusCode::BAD_REQUEST => {
            AppError::bad_request("bad_request", detail("the request could not be read"))
        }
        StatusCode::UNAUTHORIZED => AppError::Unauthorized,
        StatusCode::FORBIDDEN => AppError::Forbidden,
        StatusCode::NOT_FOUND => AppError::NotFound,
        StatusCode::METHOD_NOT_ALLOWED => AppError::MethodNotAllowed,
        StatusCode::PAYLOAD_TOO_LARGE => AppError::PayloadTooLarge,
        StatusCode::REQUEST_TIMEOUT => AppError::refused(
            status,
            "timeout",
            "the request took too long and was stopped; try again in a while",
        ),
        StatusCode::UNSUPPORTED_MEDIA_TYPE => AppError::refused(
            status,
            "unsupported_media_type",
            "send the body as JSON with Content-Type: application/json",
        ),
        StatusCode::UNPROCESSABLE_ENTITY => {
            AppError::refused(status, "invalid_body", detail("the body could not be read"))
        }
        s if s.is_client_error() => {
            AppError::refused(s, "bad_request", detail("the request could not be handled"))
        }
        s => {
            tracing::error!(status = %s, error = %text, "request failed");
            AppError::refused(
                s,
                "internal_error",
                "an unexpected error occurred; try again in a while",
            )
        }
    }
}

/// The error for a refusal the store hands back: the one place that picks
/// a rule's status, code and sentence.
pub fn refusal(r: &Refusal) -> AppError {
    match r {
        Refusal::Booking(r) => booking_refusal(r),
        Refusal::Event(r) => event_refusal(r),
        Refusal::Guest(r) => guest_refusal(r),
        Refusal::AlreadyCheckedIn => AppError::refused(
            StatusCode::CONFLICT,
            r.code(),
            "You are already checked in.",
        ),
        Refusal::AlreadyCheckedOut => AppError::refused(
            StatusCode::CONFLICT,
            r.code(),
            "This visit has already ended.",
        ),
        Refusal::LastNetworkAdmin => AppError::refused(
            StatusCode::CONFLICT,
            r.code(),
            "you are the last network admin: make someone else network admin first",
        ),
        Refusal::SeatTaken => AppError::refused(
            StatusCode::CONFLICT,
            r.code(),
            "someone else was given this seat at the same moment: try again",
        ),
        // Signals for the caller to retry or to let be; one that reaches a
        // response answers as a taken value always did.
        Refusal::IncludedHoursSpent | Refusal::ReminderSent => AppError::Conflict {
            field: r.code().to_string(),
            message: format!("{} is already in use by another record", r.code()),
        },
    }
}

/// The error for a booking refusal, with the status the domain names.
pub fn booking_refusal(r: &BookingRefusal) -> AppError {
    AppError::refused(booking_status(r), r.code(), r.message())
}

/// The status a booking refusal answers with: a right the person lacks is
/// 403, a clash with what is already recorded 409, a wrong time 422.
fn booking_status(r: &BookingRefusal) -> StatusCode {
    match r {
        BookingRefusal::MembersOnly
        | BookingRefusal::CannotCharge
        | BookingRefusal::NoOrganisation
        | BookingRefusal::NotYours => StatusCode::FORBIDDEN,
        BookingRefusal::Conflict
        | BookingRefusal::AlreadyCancelled
        | BookingRefusal::EventBooking => StatusCode::CONFLICT,
        _ => StatusCode::UNPROCESSABLE_ENTITY,
    }
}

/// The error for an event refusal, with the status the domain names.
pub fn event_refusal(r: &EventRefusal) -> AppError {
    AppError::refused(event_status(r), r.code(), r.message())
}

/// The status an event refusal answers with.
fn event_status(r: &EventRefusal) -> StatusCode {
    match r {
        EventRefusal::SignInRequired => StatusCode::UNAUTHORIZED,
        EventRefusal::ColleagueOtherOrganisation | EventRefusal::NotOrganiser => {
            StatusCode::FORBIDDEN
        }
        // Not telling whether an invisible event exists.
        EventRefusal::NotVisible | EventRefusal::InvitationInvalid => StatusCode::NOT_FOUND,
        EventRefusal::AlreadyRegistered
        | EventRefusal::RoomConflict
        | EventRefusal::InvitationUsed
        | EventRefusal::AlreadyCancelled
        | EventRefusal::CapacityBelowRegistrations { .. } => StatusCode::CONFLICT,
        _ => StatusCode::UNPROCESSABLE_ENTITY,
    }
}

/// The error for a guest refusal: a state of the visit is a conflict, a
/// rule of the plan or the organisation a refusal of the right.
pub fn guest_refusal(r: &GuestRefusal) -> AppError {
    let status = match r {
        GuestRefusal::HostNotCheckedIn | GuestRefusal::LimitReached { .. } => StatusCode::CONFLICT,
        GuestRefusal::OtherOrganisation | GuestRefusal::GuestsNotAllowed => StatusCode::FORBIDDEN,
    };
    AppError::refused(status, r.code(), r.message())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn event_refusals_answer_with_their_status() {
        for (r, status) in [
            (EventRefusal::EndBeforeStart, 422),
            (
                EventRefusal::CapacityBelowRegistrations { confirmed: 4 },
                409,
            ),
            (EventRefusal::AlreadyRegistered, 409),
            (EventRefusal::EventStarted, 422),
            (EventRefusal::EventCancelled, 422),
            (EventRefusal::NotVisible, 404),
            (EventRefusal::InvitationUsed, 409),
            (EventRefusal::InvitationInvalid, 404),
            (EventRefusal::RoomConflict, 409),
            (EventRefusal::SignInRequired, 401),
        ] {
            assert_eq!(event_refusal(&r).status().as_u16(), status, "{}", r.code());
        }
    }
}
