//! What every server-rendered page shares. Each request on the pages'
//! routes passes [`html_context`] (the root wraps every capability's pages
//! in it), which resolves the language, the signed-in person and the CSRF
//! token once, and turns any [`AppError`] into a readable page; handlers
//! get the result as [`Page`] and render with it. Also ids from a page's
//! path, safe `next=` targets and refusal texts.

use crate::http::auth::{self, cookie_value, Auth, CSRF_COOKIE};
use crate::http::error::{AppError, AppResult, ErrorDetail};
use crate::http::templates;
use crate::i18n::{self, Lang};
use crate::AppState;
use axum::extract::{FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::http::{Method, StatusCode};
use axum::middleware::Next;
use axum::response::{Html, IntoResponse, Redirect, Response};
use minijinja::{context, Value};
use thirdplace_domain::{FieldError, Principal};
use uuid::Uuid;

/// What every page needs to know about its request.
#[derive(Debug, Clone)]
pub struct Page {
    pub lang: Lang,
    pub csrf: String,
    pub user: Option<Principal>,
    pub session_hash: Option<String>,
    pub path: String,
}

impl FromRequestParts<AppState> for Page {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, _: &AppState) -> Result<Self, Self::Rejection> {
        parts.extensions.get::<Page>().cloned().ok_or_else(|| {
            AppError::Internal("page context missing: route outside html_context".into())
        })
    }
}

impl Page {
    pub fn t(&self, key: &str) -> String {
        i18n::t(self.lang, key)
    }

    pub fn user(&self) -> AppResult<&Principal> {
        self.user.as_ref().ok_or(AppError::Unauthorized)
    }

    /// A field error in the page's language: Swedish from the table by its
    /// code; English uses the domain's own, more specific, sentence.
    pub fn field_message(&self, e: &FieldError) -> String {
        match self.lang {
            Lang::En => capitalise(&e.message),
            Lang::Sv => i18n::lookup(Lang::Sv, &format!("error.{}", e.code))
                .map(str::to_string)
                .unwrap_or_else(|| e.message.clone()),
        }
    }

    pub fn render(&self, name: &str, ctx: Value) -> AppResult<Response> {
        self.render_with_status(StatusCode::OK, name, ctx)
    }

    pub fn render_with_status(
        &self,
        status: StatusCode,
        name: &str,
        ctx: Value,
    ) -> AppResult<Response> {
        Ok((status, Html(self.render_string(name, ctx)?)).into_response())
    }

    pub fn render_string(&self, name: &str, ctx: Value) -> AppResult<String> {
        let user = self.user.as_ref().map(|u| {
            context! { first_name => u.first_name, has_admin => u.has_admin_pages(), is_network_admin => u.is_network_admin }
        });
        let base = context! {
            lang => self.lang.code(),
            other_lang => self.lang.other().code(),
            csrf => self.csrf,
            path => self.path,
            user => user,
        };
        templates::render(name, context! { ..ctx, ..base })
            .map_err(|e| AppError::Internal(Box::new(e)))
    }

    /// Renders a public page. Anonymous visitors are served from the
    /// public cache (keyed by language and path, with each visitor's own
    /// CSRF token put into the cached HTML); signed-in people always get a
    /// fresh page, since theirs shows who they are.
    pub async fn render_public<F, Fut>(
        &self,
        state: &AppState,
        name: &str,
        ctx: F,
    ) -> AppResult<Response>
    where
        F: FnOnce() -> Fut,
        Fut: std::future::Future<Output = AppResult<Value>>,
    {
        if self.user.is_some() {
            return self.render(name, ctx().await?);
        }
        // Random-free and HTML-safe, so escaping leaves it as it is.
        const CSRF_PLACEHOLDER: &str = "CSRFTOKENPLACEHOLDER";
        let anonymous = Page {
            csrf: CSRF_PLACEHOLDER.to_string(),
            ..self.clone()
        };
        let key = format!("page:{}:{}", self.lang.code(), self.path);
        let html = state
            .cache
            .get_or_render(&key, || async move {
                anonymous.render_string(name, ctx().await?)
            })
            .await?;
        Ok(Html(html.replace(CSRF_PLACEHOLDER, &self.csrf)).into_response())
    }
}

pub fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_uppercase().chain(c).collect())
        .unwrap_or_default()
}

/// Where `next=` (after signing in, choosing a language, checking out) may
/// send someone: a path on this site, or else the start page `/`.
///
/// Decided by parsing, not by pattern: the value is resolved as a URL
/// against a fixed base and must keep that base's origin. Before that,
/// anything a browser reads differently from a URL parser is refused:
/// browsers drop tabs and line breaks inside a URL (`/\t/evil.example`
/// becomes `//evil.example`) and read `\` as `/`, and characters outside
/// printable ASCII may look like `/` (`／`, `∕`). Percent-encoded control
/// characters and an encoded second slash at the start (`/%2F/evil`) are
/// refused too, for whatever decodes the path again later. What passes is
/// printable ASCII, so it is always a valid `Location` header.
pub fn safe_next(next: &str) -> &str {
    if is_local_path(next) {
        next
    } else {
        "/"
    }
}

fn is_local_path(next: &str) -> bool {
    if !next.starts_with('/') || !next.bytes().all(|b| b.is_ascii_graphic() && b != b'\\') {
        return false;
    }
    let base = url::Url::parse("http://next.invalid/").expect("a fixed, valid base URL");
    let Ok(resolved) = base.join(next) else {
        return false;
    };
    let path = percent_encoding::percent_decode_str(resolved.path()).decode_utf8_lossy();
    let decoded = percent_encoding::percent_decode_str(next).decode_utf8_lossy();
    resolved.origin() == base.origin()
        && !resolved.path().starts_with("//")
        && !path.starts_with("//")
        && !path.starts_with("/\\")
        && !decoded.chars().any(char::is_control)
}

/// Resolves what every page needs (see [`Page`]) and turns any
/// [`AppError`] into a readable page; the root wraps all page routes in it.
pub async fn html_context(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let (mut parts, body) = req.into_parts();
    let lang = auth::lang_of(&parts.headers);
    let existing_csrf = cookie_value(&parts.headers, CSRF_COOKIE)
        .filter(|v| v.len() >= 32)
        .map(str::to_string);
    let fresh_csrf = existing_csrf.is_none();
    let csrf = existing_csrf.unwrap_or_else(auth::random_secret);
    let secure = auth::is_secure(&state, &parts.headers);
    let path = parts.uri.path().to_string();
    let path_and_query = parts
        .uri
        .path_and_query()
        .map(|p| p.as_str().to_string())
        .unwrap_or_else(|| path.clone());
    let method = parts.method.clone();
    let mut page = Page {
        lang,
        csrf: csrf.clone(),
        user: None,
        session_hash: None,
        path,
    };
    let auth = Auth::from_request_parts(&mut parts, &state).await;
    let resp = match auth {
        Ok(a) => {
            page.lang = auth::lang_for(&parts.headers, a.language);
            page.user = a.principal;
            page.session_hash = a.session_hash;
            parts.extensions.insert(page.clone());
            next.run(Request::from_parts(parts, body)).await
        }
        Err(e) => e.into_response(),
    };
    // An extractor's plain-text rejection becomes a readable page too.
    let mut resp = crate::http::error::adopt(resp).await;
    if let Some(detail) = resp.extensions().get::<ErrorDetail>().cloned() {
        let status = resp.status();
        resp = if status == StatusCode::UNAUTHORIZED && method == Method::GET && page.user.is_none()
        {
            let target = format!("/login?next={}", urlencode(&path_and_query));
            Redirect::to(&target).into_response()
        } else {
            error_page(&page, status, &detail)
        };
    }
    if fresh_csrf {
        auth::set_cookie(
            resp.headers_mut(),
            CSRF_COOKIE,
            &csrf,
            365 * 86_400,
            true,
            secure,
        );
    }
    resp
}

fn error_page(page: &Page, status: StatusCode, detail: &ErrorDetail) -> Response {
    let translated = i18n::lookup(page.lang, &format!("error.{}", detail.code));
    let message = match (translated, detail.fields.is_empty()) {
        (Some(t), true) => t.to_string(),
        _ => detail.message.clone(),
    };
    let ctx = context! { message => message, show_login => status == StatusCode::UNAUTHORIZED };
    page.render_with_status(status, "error.html", ctx)
        .unwrap_or_else(|_| (status, detail.message.clone()).into_response())
}

pub fn urlencode(s: &str) -> String {
    serde_urlencoded::to_string([("", s)])
        .map(|v| v[1..].to_string())
        .unwrap_or_default()
}

/// An id from a page's path; a malformed one is simply not found.
pub fn parse_id(raw: &str) -> AppResult<Uuid> {
    Uuid::parse_str(raw).map_err(|_| AppError::NotFound)
}

/// A refusal's text in the page's language: the booking texts first
/// (`booking.refusal.<code>`), then the shared ones. Here rather than with
/// the bookings because events that book a room refuse with the same codes.
pub fn refusal_text(page: &Page, code: &str, message: &str) -> String {
    match page.lang {
        Lang::En => capitalise(message),
        Lang::Sv => i18n::lookup(Lang::Sv, &format!("booking.refusal.{code}"))
            .or_else(|| i18n::lookup(Lang::Sv, &format!("error.{code}")))
            .map(str::to_string)
            .unwrap_or_else(|| message.to_string()),
    }
}
