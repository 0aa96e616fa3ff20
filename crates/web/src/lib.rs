//! thirdplace's web application: the server-rendered pages, the JSON API at
//! `/api/v1` with its generated OpenAPI document, and operational endpoints.
//!
//! Handlers parse input into domain types, ask the domain, persist through
//! the [`Store`] and render. They never compute a rule themselves.

use axum::extract::DefaultBodyLimit;
use axum::http::{header, HeaderName, StatusCode};
use axum::response::IntoResponse;
use axum::routing::{any, get};
use axum::{middleware, Router};
use std::sync::Arc;
use std::time::Duration;
use thirdplace_store::Store;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;

pub mod api;
pub mod auth;
pub mod background;
pub mod bookings;
pub mod cache;
pub mod calendar_cache;
pub mod checkins;
pub mod clock;
pub mod error;
pub mod event_feeds;
pub mod events;
pub mod feeds;
pub mod forms;
pub mod i18n;
pub mod i18n_bookings;
pub mod i18n_calendar;
pub mod i18n_event_forms;
pub mod i18n_events;
pub mod i18n_feeds;
pub mod i18n_mail;
pub mod i18n_memberships;
pub mod i18n_sites;
pub mod mail;
pub mod pages;
pub mod qr;
pub mod signing;
pub mod templates;
pub mod webhooks;

pub use error::{AppError, AppResult};

/// Settings of the web layer; the binary fills them from flags and
/// `THIRDPLACE_*` variables.
#[derive(Debug, Clone)]
pub struct WebConfig {
    /// Mark cookies `Secure` (set when served over HTTPS; also inferred per
    /// request from `X-Forwarded-Proto: https`).
    pub secure_cookies: bool,
    pub session_days: i64,
    pub request_timeout: Duration,
    pub max_body_bytes: usize,
    /// How long anonymous visitors may be shown a cached hub list or page
    /// (zero: no cache). See [`cache`].
    pub public_cache_ttl: Duration,
    /// SMTP and the sender of e-mail (see [`mail`]); no SMTP by default.
    pub mail: mail::MailConfig,
    /// `scheme://host[:port]` people reach the app at, for the addresses
    /// in e-mails and calendar feeds ([`feeds::parse_public_url`]); without
    /// it, each request's `Host` (and `X-Forwarded-Proto`).
    pub public_url: Option<String>,
}

impl Default for WebConfig {
    fn default() -> Self {
        WebConfig {
            secure_cookies: false,
            session_days: 14,
            request_timeout: Duration::from_secs(30),
            max_body_bytes: 1024 * 1024,
            public_cache_ttl: Duration::from_secs(1),
            mail: mail::MailConfig::default(),
            public_url: None,
        }
    }
}

#[derive(Clone)]
pub struct AppState {
    pub store: Arc<dyn Store>,
    pub config: Arc<WebConfig>,
    pub cache: Arc<cache::PublicCache>,
    /// Rendered feeds and calendar pages under the calendar generation.
    pub calendar_cache: Arc<calendar_cache::CalendarCache>,
    /// Each public event's feed text (see [`event_feeds::EventTexts`]).
    pub event_texts: Arc<event_feeds::EventTexts>,
    /// Each public feed's events as last listed (see
    /// [`event_feeds::FeedSnapshots`]).
    pub feed_snapshots: Arc<event_feeds::FeedSnapshots>,
    /// Limits concurrent password hashing (see [`auth::hashing`]).
    pub hashing: Arc<tokio::sync::Semaphore>,
    /// The time every membership rule is judged at (see [`clock`]).
    pub clock: clock::Clock,
    /// Wakes the webhook worker when a delivery is queued by this process.
    pub webhook_wake: Arc<tokio::sync::Notify>,
    /// Wakes the mail worker when this process queues an e-mail.
    pub mail_wake: Arc<tokio::sync::Notify>,
}

impl AppState {
    pub fn new(store: Arc<dyn Store>, config: WebConfig) -> Self {
        AppState {
            store,
            cache: Arc::new(cache::PublicCache::new(config.public_cache_ttl)),
            calendar_cache: Arc::new(calendar_cache::CalendarCache::new()),
            event_texts: Arc::new(event_feeds::EventTexts::new()),
            feed_snapshots: Arc::new(event_feeds::FeedSnapshots::new()),
            hashing: Arc::new(tokio::sync::Semaphore::new(auth::HASHING_SLOTS)),
            config: Arc::new(config),
            clock: clock::Clock::default(),
            webhook_wake: Arc::new(tokio::sync::Notify::new()),
            mail_wake: Arc::new(tokio::sync::Notify::new()),
        }
    }

    pub fn now(&self) -> chrono::DateTime<chrono::Utc> {
        self.clock.now()
    }
}

static REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// The whole application, ready to serve or to drive with `oneshot` in tests.
pub fn app(state: AppState) -> Router {
    let (api, openapi) = api::router();
    let openapi = Arc::new(openapi);
    let api = api
        .route(
            "/api/v1/openapi.json",
            get(move || {
                let doc = openapi.clone();
                async move { axum::Json(doc.as_ref().clone()) }
            }),
        )
        .route("/api/v1", any(|| async { AppError::NotFound }))
        .route("/api/v1/{*rest}", any(|| async { AppError::NotFound }))
        .method_not_allowed_fallback(|| async { AppError::MethodNotAllowed });
    let timeout = state.config.request_timeout;
    let body_limit = state.config.max_body_bytes;
    Router::new()
        .merge(pages::router(state.clone()))
        .merge(feeds::router())
        .merge(api)
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .route("/static/app.css", get(stylesheet))
        .layer(middleware::from_fn_with_state(state.clone(), cache::invalidate_on_write))
        .layer(DefaultBodyLimit::max(body_limit))
        .layer(TimeoutLayer::with_status_code(StatusCode::REQUEST_TIMEOUT, timeout))
        .layer(PropagateRequestIdLayer::new(REQUEST_ID.clone()))
        .layer(TraceLayer::new_for_http().make_span_with(|req: &axum::http::Request<_>| {
            let id = req.headers().get(&REQUEST_ID).and_then(|v| v.to_str().ok()).unwrap_or("-");
            tracing::info_span!("request", method = %req.method(), uri = %feeds::loggable_uri(req.uri()), request_id = %id)
        }))
        .layer(SetRequestIdLayer::new(REQUEST_ID.clone(), MakeRequestUuid))
        .with_state(state)
}

/// Serves until `shutdown` completes, then finishes in-flight requests.
pub async fn serve(
    listener: tokio::net::TcpListener,
    state: AppState,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let workers = background::spawn(state.clone());
    let result = axum::serve(listener, app(state))
        .with_graceful_shutdown(shutdown)
        .await;
    workers.abort();
    result
}

/// The process is alive.
async fn healthz() -> &'static str {
    "ok"
}

/// The process can reach its database.
async fn readyz(axum::extract::State(state): axum::extract::State<AppState>) -> impl IntoResponse {
    match state.store.ping().await {
        Ok(()) => (StatusCode::OK, "ready").into_response(),
        Err(e) => {
            tracing::warn!(error = %e, "database not reachable");
            (StatusCode::SERVICE_UNAVAILABLE, "database unreachable").into_response()
        }
    }
}

async fn stylesheet() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        include_str!("../static/app.css"),
    )
}
