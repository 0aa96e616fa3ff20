//! thirdplace's web application: the server-rendered pages, the JSON API at
//! `/api/v1` with its generated OpenAPI document, and operational endpoints.
//!
//! Handlers parse input into domain types, ask the domain, persist through
//! the [`Store`] and render. They never compute a rule themselves.
//!
//! One folder per capability (`network`, `people`, `access`, `sso`, `memberships`,
//! `bookings`, `events`, `invoicing`, `sites`, `outbox`), each with its service, API,
//! pages and feeds; shared plumbing in the leaf [`http`] and the texts in
//! the leaf [`i18n`]. This file is the composition root: it merges each
//! capability's routers and reads like a table of contents.

use axum::extract::DefaultBodyLimit;
use axum::http::{header, HeaderName, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{any, get};
use axum::{middleware, Router};
use http::error::ErrorBody;
use std::sync::Arc;
use std::time::Duration;
use thirdplace_store::Store;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;
use utoipa::openapi::security::{Http, HttpAuthScheme, SecurityScheme};
use utoipa::{Modify, OpenApi};
use utoipa_axum::router::OpenApiRouter;

// Shared leaves: they import no capability.
pub mod http;
pub mod i18n;

// The capabilities: each imports the leaves, never a sibling.
pub mod access;
pub mod audit;
pub mod bookings;
pub mod evaluation;
pub mod events;
pub mod invoicing;
pub mod memberships;
pub mod network;
pub mod outbox;
pub mod people;
pub mod retention;
pub mod sites;
pub mod sso;

// The composition of the capabilities' background work.
pub mod background;

pub use http::error::{AppError, AppResult};

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
    /// (zero: no cache). See [`http::cache`].
    pub public_cache_ttl: Duration,
    /// SMTP and the sender of e-mail (see [`outbox::mail`]); no SMTP by default.
    pub mail: outbox::mail::MailConfig,
    /// `scheme://host[:port]` people reach the app at, for the addresses
    /// in e-mails and calendar feeds ([`http::origin::parse_public_url`]); without
    /// it, each request's `Host` (and `X-Forwarded-Proto`).
    pub public_url: Option<String>,
    /// The app sits behind a reverse proxy that appends the client's
    /// address to `X-Forwarded-For`: sign-ins are then throttled per that
    /// address instead of the proxy's (see [`http::source`]). Off, the
    /// header is ignored, since any client can send it.
    pub behind_proxy: bool,
    /// `http://<address>` the server listens on, set by `serve`: where a
    /// password reset link leads when no public URL is configured. An
    /// anonymous request's `Host` header must not choose where a secret
    /// link points (host header poisoning).
    pub listen_origin: Option<String>,
    /// How long a password reset link stays valid, in minutes.
    pub reset_link_minutes: i64,
    /// How long an invitation link stays valid, in days.
    pub invitation_days: i64,
    /// The key that seals secrets at rest (identity providers' client
    /// secrets, see [`sso::seal`]); at least 32 characters. Without it, no
    /// client secret can be stored.
    pub secret_key: Option<String>,
}

impl Default for WebConfig {
    fn default() -> Self {
        WebConfig {
            secure_cookies: false,
            session_days: 14,
            request_timeout: Duration::from_secs(30),
            max_body_bytes: 1024 * 1024,
            public_cache_ttl: Duration::from_secs(1),
            mail: outbox::mail::MailConfig::default(),
            public_url: None,
            behind_proxy: false,
            listen_origin: None,
            reset_link_minutes: 60,
            invitation_days: 7,
            secret_key: None,
        }
    }
}

#[derive(Clone)]
pub struct AppState {
    pub store: Arc<dyn Store>,
    pub config: Arc<WebConfig>,
    pub cache: Arc<http::cache::PublicCache>,
    /// Rendered feeds and calendar pages under the calendar generation.
    pub calendar_cache: Arc<events::calendar_cache::CalendarCache>,
    /// Each public event's feed text (see [`events::feeds::EventTexts`]).
    pub event_texts: Arc<events::feeds::EventTexts>,
    /// Each public feed's events as last listed (see
    /// [`events::feeds::FeedSnapshots`]).
    pub feed_snapshots: Arc<events::feeds::FeedSnapshots>,
    /// Limits concurrent password hashing (see [`http::sign_in::hashing`]).
    pub hashing: Arc<tokio::sync::Semaphore>,
    /// The time every membership rule is judged at (see [`http::clock`]).
    pub clock: http::clock::Clock,
    /// Wakes the webhook worker when a delivery is queued by this process.
    pub webhook_wake: Arc<tokio::sync::Notify>,
    /// Wakes the mail worker when this process queues an e-mail.
    pub mail_wake: Arc<tokio::sync::Notify>,
}

impl AppState {
    pub fn new(store: Arc<dyn Store>, config: WebConfig) -> Self {
        AppState {
            store,
            cache: Arc::new(http::cache::PublicCache::new(config.public_cache_ttl)),
            calendar_cache: Arc::new(events::calendar_cache::CalendarCache::new()),
            event_texts: Arc::new(events::feeds::EventTexts::new()),
            feed_snapshots: Arc::new(events::feeds::FeedSnapshots::new()),
            hashing: Arc::new(tokio::sync::Semaphore::new(http::sign_in::hashing_slots())),
            config: Arc::new(config),
            clock: http::clock::Clock::default(),
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
    let (api, openapi) = api_router();
    let token_writes = Arc::new(http::api::TokenWrites::from_openapi(&openapi));
    let openapi = Arc::new(openapi);
    let api = api
        // Writes that need a token are refused without one before their
        // body is read (see `http::api::token_first`).
        .route_layer(middleware::from_fn_with_state(
            (state.clone(), token_writes),
            http::api::token_first,
        ))
        .route(
            "/api/v1/openapi.json",
            get(move || {
                let doc = openapi.clone();
                async move { axum::Json(doc.as_ref().clone()) }
            }),
        )
        .route("/api/v1", any(|| async { AppError::NotFound }))
        .route("/api/v1/{*rest}", any(|| async { AppError::NotFound }))
        .route("/api", any(|| async { AppError::NotFound }))
        .route("/api/", any(|| async { AppError::NotFound }))
        .route("/api/{*rest}", any(|| async { AppError::NotFound }))
        .method_not_allowed_fallback(|| async { AppError::MethodNotAllowed });
    let timeout = state.config.request_timeout;
    let body_limit = state.config.max_body_bytes;
    Router::new()
        .merge(pages(state.clone()))
        .merge(bookings::feeds_router())
        .merge(events::feeds_router())
        .merge(api)
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .route("/static/app.css", get(stylesheet))
        .route("/static/icon.svg", get(icon_svg))
        .route("/static/icon-192.png", get(icon_192))
        .route("/static/icon-512.png", get(icon_512))
        .route("/manifest.webmanifest", get(manifest))
        .layer(middleware::from_fn_with_state(state.clone(), http::cache::invalidate_on_write))
        .layer(DefaultBodyLimit::max(body_limit))
        .layer(TimeoutLayer::with_status_code(StatusCode::REQUEST_TIMEOUT, timeout))
        // Outside the timeout, so that its 408 gets the API's error shape
        // and every answer the security headers.
        .layer(middleware::from_fn(http::error::api_error_shape))
        .layer(middleware::from_fn_with_state(state.clone(), http::headers::security_headers))
        .layer(PropagateRequestIdLayer::new(REQUEST_ID.clone()))
        .layer(TraceLayer::new_for_http().make_span_with(|req: &axum::http::Request<_>| {
            let id = req.headers().get(&REQUEST_ID).and_then(|v| v.to_str().ok()).unwrap_or("-");
            tracing::info_span!("request", method = %req.method(), uri = %http::origin::loggable_uri(req.uri()), request_id = %id)
        }))
        .layer(SetRequestIdLayer::new(REQUEST_ID.clone(), MakeRequestUuid))
        .with_state(state)
}

/// The server-rendered pages of every capability, each request passing
/// [`http::page::html_context`] (language, person, CSRF token, and any
/// error as a readable page).
fn pages(state: AppState) -> Router<AppState> {
    Router::new()
        .merge(network::router())
        .merge(people::router())
        .merge(access::router())
        .merge(sso::router())
        .merge(memberships::router())
        .merge(sites::router())
        .merge(outbox::router())
        .merge(audit::router())
        .merge(retention::router())
        .merge(events::router())
        .merge(bookings::router())
        .merge(invoicing::router())
        .merge(evaluation::router())
        .fallback(|| async { AppError::NotFound })
        .method_not_allowed_fallback(|| async { AppError::MethodNotAllowed })
        .layer(middleware::from_fn_with_state(
            state,
            http::page::html_context,
        ))
}

// The JSON API at `/api/v1`. The OpenAPI document at
// `/api/v1/openapi.json` is generated from the handlers' annotations, so it
// cannot drift from the routes.

#[derive(OpenApi)]
#[openapi(
    info(title = "thirdplace API", version = "1", description = "The network's hubs, zones, rooms, regions, municipalities, operators, organisations and people. Errors always have the shape {\"error\": {\"code\", \"message\"}}."),
    components(schemas(ErrorBody)),
    modifiers(&BearerAuth),
    tags((name = "network", description = "Regions, municipalities and operators"), (name = "hubs", description = "Hubs, their zones and rooms"), (name = "people", description = "Organisations and people"), (name = "memberships", description = "Plans, seats, members' cards and profiles"), (name = "checkins", description = "Check-in, check-out, guests, who is here, access summary"), (name = "bookings", description = "Room availability, bookings with prices and included hours, series, cancellation, booking rules"), (name = "events", description = "The open calendar: events, sign-up with a waiting list, colleagues, invitations, attendance and summaries"), (name = "webhooks", description = "Signed event deliveries for door locks and screens"), (name = "sites", description = "Where the next hubs should go (site selection on GeoNames locality data, CC BY 4.0)"), (name = "audit", description = "The append-only trail of administrative actions, for network admins"), (name = "retention", description = "How long details about people are kept, and reducing them, for network admins"), (name = "invoicing", description = "Operators' monthly invoice runs, issued invoices and credit notes with Peppol BIS 3 XML and PDF, payments"), (name = "evaluation", description = "Pilots with their goals, and every indicator per hub and for the pilot with each goal's verdict"))
)]
struct ApiDoc;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "token",
            SecurityScheme::Http(Http::new(HttpAuthScheme::Bearer)),
        );
    }
}

/// The API's routes with their full paths (`/api/v1/...`), and the
/// OpenAPI document generated from them. The order of the capabilities is
/// the order of the document's paths.
pub fn api_router() -> (Router<AppState>, utoipa::openapi::OpenApi) {
    let v1 = OpenApiRouter::new();
    let v1 = network::api_routes(v1);
    let v1 = people::api_routes(v1);
    let v1 = memberships::api_routes(v1);
    let v1 = sites::api_routes(v1);
    let v1 = bookings::api_routes(v1);
    let v1 = events::api_routes(v1);
    let v1 = invoicing::api_routes(v1);
    let v1 = evaluation::api_routes(v1);
    let v1 = audit::api_routes(v1);
    let v1 = retention::api_routes(v1);
    let (router, mut doc) = OpenApiRouter::with_openapi(ApiDoc::openapi())
        .nest("/api/v1", v1)
        .split_for_parts();
    http::openapi::document_common_errors(&mut doc);
    (router, doc)
}

/// Serves until `shutdown` completes, then finishes in-flight requests.
pub async fn serve(
    listener: tokio::net::TcpListener,
    state: AppState,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let workers = background::spawn(state.clone());
    let app = app(state).into_make_service_with_connect_info::<std::net::SocketAddr>();
    let result = axum::serve(listener, app)
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

/// A static file of the app, cached by browsers for an hour like the
/// stylesheet.
fn asset(content_type: &'static str, body: &'static [u8]) -> Response {
    (
        [
            (header::CONTENT_TYPE, content_type),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        body,
    )
        .into_response()
}

/// The app icon (the favicon), drawn by hand; the PNGs are made from it
/// by `static/icons.sh`, for home screens that take no SVG.
async fn icon_svg() -> Response {
    asset("image/svg+xml", include_bytes!("../static/icon.svg"))
}

async fn icon_192() -> Response {
    asset("image/png", include_bytes!("../static/icon-192.png"))
}

async fn icon_512() -> Response {
    asset("image/png", include_bytes!("../static/icon-512.png"))
}

/// The web app manifest, so that a phone can add the app to its home
/// screen and open it without the browser's bars. Same-origin, so the
/// Content-Security-Policy's `default-src 'self'` lets it load.
async fn manifest() -> Response {
    asset(
        "application/manifest+json",
        include_bytes!("../static/manifest.webmanifest"),
    )
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
