//! Cursor paging of the API's lists: the `limit` and `cursor` query
//! parameters ([`Paging`]), opaque cursors ([`Paging::cursor`]) and the
//! answer with an RFC 8288 `Link: <…>; rel="next"` header when there is
//! more ([`Paging::respond`]).
//!
//! A list fetches `limit + 1` rows after the cursor's keyset (the sort key
//! and a unique id of the last row shown): the extra row only says that
//! there is more. Bodies stay plain JSON arrays so that clients written
//! before paging keep working; the next page is only in the header.
//!
//! A cursor is base64url of a small JSON `{"l": list, "k": keyset}`; the
//! list's name makes a cursor of one list refused by another. A cursor is
//! not a secret and needs no signature: a hand-made one that decodes only
//! moves where the list starts, inside what the caller may see anyway.
//!
//! It must never silently cut a list: every row is reachable by following
//! the `next` links.

use crate::http::error::{AppError, AppResult};
use axum::body::{Body, Bytes};
use axum::extract::{FromRequestParts, OriginalUri};
use axum::http::request::Parts;
use axum::http::{header, HeaderValue};
use axum::response::{IntoResponse, Response};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use std::future::Future;
use thirdplace_domain::ValidationErrors;
use utoipa::openapi::path::{Parameter, ParameterBuilder, ParameterIn};
use utoipa::openapi::schema::{ObjectBuilder, Type};
use utoipa::openapi::{Header, Required};

/// A page's size when the caller gives none.
pub const DEFAULT_LIMIT: i64 = 100;
/// The largest page.
pub const MAX_LIMIT: i64 = 1000;

/// The paging parameters of a list request, with the request's path and
/// other query parameters kept for the `next` link.
#[derive(Debug, Clone)]
pub struct Paging {
    /// At most this many rows (1–1000, 100 by default).
    pub limit: i64,
    cursor: Option<String>,
    path: String,
    /// Every query parameter but `cursor`, in the caller's order.
    others: Vec<(String, String)>,
}

#[derive(Serialize, Deserialize)]
struct Wire<K> {
    /// The list the cursor belongs to.
    l: String,
    /// The keyset of the last row shown.
    k: K,
}

fn bad_cursor() -> AppError {
    ValidationErrors::single(
        "cursor",
        "invalid_cursor",
        "is not a cursor this list gave: follow the next link of the previous page",
    )
    .into()
}

impl Paging {
    /// From a query string (`limit`, `cursor`; the others are kept).
    pub fn parse(path: &str, query: Option<&str>) -> AppResult<Self> {
        let pairs: Vec<(String, String)> = serde_urlencoded::from_str(query.unwrap_or(""))
            .map_err(|_| AppError::bad_request("invalid_query", "the query string is malformed"))?;
        let mut limit = DEFAULT_LIMIT;
        let mut cursor = None;
        let mut others = Vec::new();
        let mut errors = ValidationErrors::new();
        for (k, v) in pairs {
            match k.as_str() {
                "limit" => match v.trim().parse::<i64>() {
                    Ok(n) if (1..=MAX_LIMIT).contains(&n) => {
                        limit = n;
                        others.push((k, v));
                    }
                    _ => errors.add("limit", "out_of_range", "must be a number from 1 to 1000"),
                },
                "cursor" => cursor = Some(v).filter(|v| !v.trim().is_empty()),
                _ => others.push((k, v)),
            }
        }
        errors.into_result()?;
        Ok(Paging {
            limit,
            cursor,
            path: path.to_string(),
            others,
        })
    }

    /// Whether this is the first page at the default size.
    pub fn is_default_first(&self) -> bool {
        self.cursor.is_none() && self.limit == DEFAULT_LIMIT
    }

    /// Rows to fetch: one more than shown, to know whether there is more.
    pub fn fetch(&self) -> i64 {
        self.limit + 1
    }

    /// The keyset of the cursor given, for the list `list`; `None` on the
    /// first page. 422 `invalid_cursor` for anything this list did not give.
    pub fn cursor<K: DeserializeOwned>(&self, list: &str) -> AppResult<Option<K>> {
        let Some(raw) = &self.cursor else {
            return Ok(None);
        };
        let bytes = URL_SAFE_NO_PAD
            .decode(raw.trim())
            .map_err(|_| bad_cursor())?;
        let wire: Wire<K> = serde_json::from_slice(&bytes).map_err(|_| bad_cursor())?;
        if wire.l != list {
            return Err(bad_cursor());
        }
        Ok(Some(wire.k))
    }

    /// The rows to show of `fetched` (at most `limit + 1`, in order), and
    /// the cursor of the next page when there was one more.
    pub fn page<T, K: Serialize>(
        &self,
        list: &str,
        mut fetched: Vec<T>,
        key: impl Fn(&T) -> K,
    ) -> (Vec<T>, Option<String>) {
        let limit = usize::try_from(self.limit).unwrap_or(0);
        if fetched.len() <= limit {
            return (fetched, None);
        }
        fetched.truncate(limit);
        let next = fetched.last().map(|last| encode(list, &key(last)));
        (fetched, next)
    }

    /// Pages a whole ordered list held in memory (small configuration
    /// tables): the rows after the one whose `id` the cursor names.
    pub fn page_in_memory<T>(
        &self,
        list: &str,
        all: Vec<T>,
        id: impl Fn(&T) -> uuid::Uuid,
    ) -> AppResult<(Vec<T>, Option<String>)> {
        let start = match self.cursor::<uuid::Uuid>(list)? {
            None => 0,
            Some(after) => {
                all.iter()
                    .position(|t| id(t) == after)
                    .ok_or_else(bad_cursor)?
                    + 1
            }
        };
        let rest: Vec<T> = all
            .into_iter()
            .skip(start)
            .take(usize::try_from(self.fetch()).unwrap_or(usize::MAX))
            .collect();
        Ok(self.page(list, rest, id))
    }

    /// The relative URL of the next page: the same path and query with
    /// `cursor` (or `cursor_param`) set to `next`.
    pub fn next_url(&self, cursor_param: &str, next: &str) -> String {
        let mut q: Vec<(&str, &str)> = self
            .others
            .iter()
            .filter(|(k, _)| k != cursor_param)
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        q.push((cursor_param, next));
        let query = serde_urlencoded::to_string(q).unwrap_or_default();
        format!("{}?{}", self.path, query)
    }

    /// The `Link` header value of the next page.
    pub fn link(&self, cursor_param: &str, next: &str) -> Option<HeaderValue> {
        HeaderValue::from_str(&format!(
            "<{}>; rel=\"next\"",
            self.next_url(cursor_param, next)
        ))
        .ok()
    }

    /// `body` with the `Link` header of the next page, if any.
    pub fn respond(&self, body: impl IntoResponse, next: Option<&str>) -> Response {
        self.respond_with(body, "cursor", next)
    }

    /// [`Paging::respond`] for lists whose cursor parameter has another name.
    pub fn respond_with(
        &self,
        body: impl IntoResponse,
        cursor_param: &str,
        next: Option<&str>,
    ) -> Response {
        let mut r = body.into_response();
        if let Some(link) = next.and_then(|n| self.link(cursor_param, n)) {
            r.headers_mut().insert(header::LINK, link);
        }
        r
    }
}

/// A body streamed a page at a time: `header`, then the chunks `fetch`
/// gives for each keyset (`None` first) until it gives no next keyset. Only
/// one page is held at a time, so an export of any size costs the same
/// memory. A store error mid-way ends the body abruptly (logged), so the
/// client sees a failed download, never a silently short file.
pub fn streamed<K, F, Fut>(header: Vec<u8>, fetch: F) -> Body
where
    K: Send + 'static,
    F: FnMut(Option<K>) -> Fut + Send + 'static,
    Fut: Future<Output = AppResult<(Vec<u8>, Option<K>)>> + Send + 'static,
{
    enum Step<K> {
        Header(Vec<u8>),
        After(Option<K>),
        Done,
    }
    let stream = futures_util::stream::try_unfold(
        (Step::Header(header), fetch),
        |(step, mut fetch)| async move {
            match step {
                Step::Header(h) => Ok(Some((Bytes::from(h), (Step::After(None), fetch)))),
                Step::After(after) => match fetch(after).await {
                    Ok((chunk, next)) => {
                        let step = next.map_or(Step::Done, |k| Step::After(Some(k)));
                        Ok(Some((Bytes::from(chunk), (step, fetch))))
                    }
                    Err(e) => {
                        tracing::error!(error = %e, "a streamed export failed mid-way");
                        Err(std::io::Error::other("the export failed"))
                    }
                },
                Step::Done => Ok(None),
            }
        },
    );
    Body::from_stream(stream)
}

/// A cursor for the list `list` after the row with keyset `key`.
pub fn encode<K: Serialize>(list: &str, key: &K) -> String {
    let wire = Wire {
        l: list.to_string(),
        k: key,
    };
    // Serialising a plain keyset (numbers, ids, strings) cannot fail.
    URL_SAFE_NO_PAD.encode(serde_json::to_vec(&wire).unwrap_or_default())
}

impl<S: Send + Sync> FromRequestParts<S> for Paging {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> AppResult<Self> {
        let uri = parts
            .extensions
            .get::<OriginalUri>()
            .map(|u| u.0.clone())
            .unwrap_or_else(|| parts.uri.clone());
        Paging::parse(uri.path(), uri.query())
    }
}

/// The OpenAPI description of `limit` and `cursor`, for the lists'
/// operations (`params(Paging)` in `#[utoipa::path]`).
impl utoipa::IntoParams for Paging {
    fn into_params(_: impl Fn() -> Option<ParameterIn>) -> Vec<Parameter> {
        paging_parameters()
    }
}

pub fn paging_parameters() -> Vec<Parameter> {
    vec![
        ParameterBuilder::new()
            .name("limit")
            .parameter_in(ParameterIn::Query)
            .required(Required::False)
            .description(Some("At most this many items (1–1000, 100 by default)."))
            .schema(Some(
                ObjectBuilder::new()
                    .schema_type(Type::Integer)
                    .format(Some(utoipa::openapi::SchemaFormat::KnownFormat(
                        utoipa::openapi::KnownFormat::Int64,
                    )))
                    .minimum(Some(1))
                    .maximum(Some(MAX_LIMIT)),
            ))
            .build(),
        ParameterBuilder::new()
            .name("cursor")
            .parameter_in(ParameterIn::Query)
            .required(Required::False)
            .description(Some(
                "Where the page starts: the cursor in the previous page's `Link: <…>; rel=\"next\"` header.",
            ))
            .schema(Some(ObjectBuilder::new().schema_type(Type::String)))
            .build(),
    ]
}

/// The `Link` response header of a paged list, for its OpenAPI responses.
pub fn link_header() -> Header {
    utoipa::openapi::HeaderBuilder::new()
        .schema(ObjectBuilder::new().schema_type(Type::String))
        .description(Some(
            "`<url>; rel=\"next\"` (RFC 8288) when there are more items: the same request from where this page ends.",
        ))
        .build()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cursor_round_trips_and_belongs_to_its_list() {
        let p = Paging::parse("/api/v1/x", Some("a=1&limit=2")).unwrap();
        let (rows, next) = p.page("x", vec![1, 2, 3], |n| *n);
        assert_eq!(rows, vec![1, 2]);
        let next = next.unwrap();
        let q = format!("a=1&limit=2&cursor={next}");
        let p = Paging::parse("/api/v1/x", Some(&q)).unwrap();
        assert_eq!(p.cursor::<i64>("x").unwrap(), Some(2));
        assert!(p.cursor::<i64>("y").is_err());
        assert_eq!(p.next_url("cursor", "Z"), "/api/v1/x?a=1&limit=2&cursor=Z");
    }

    #[test]
    fn limits_out_of_range_and_garbage_cursors_are_refused() {
        for q in ["limit=0", "limit=1001", "limit=x", "limit=-1"] {
            assert!(Paging::parse("/", Some(q)).is_err(), "{q}");
        }
        let p = Paging::parse("/", Some("cursor=%21%21")).unwrap();
        assert!(p.cursor::<i64>("x").is_err());
    }
}
