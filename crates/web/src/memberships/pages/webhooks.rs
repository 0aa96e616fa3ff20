//! Webhooks for network admins: register a receiver (door lock, screen),
//! see its signing secret, follow its deliveries and retry failed ones.

use crate::http::error::AppResult;
use crate::http::form_data::FormData;
use crate::http::forms::{
    bool_str, done_redirect, render_form, render_list, save, DoneQuery, Form, FormPage, Row,
    NO_ERRORS,
};
use crate::http::page::parse_id;
use crate::http::page::Page;
use crate::http::parse::local_date_time;
use crate::http::roles::require_network_admin;
use crate::memberships::webhooks_api::{delivery_status, retargeted, webhook_for};
use crate::AppState;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use axum::routing::{get, post};
use axum::Router;
use minijinja::context;
use thirdplace_domain::membership::{Webhook, WebhookEvent, WebhookInput};
use thirdplace_domain::ValidationErrors;
use uuid::Uuid;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/admin/webhooks", get(list))
        .route("/admin/webhooks/new", get(new_webhook).post(create))
        .route("/admin/webhooks/{id}", get(show).post(update))
        .route(
            "/admin/webhooks/{id}/deliveries/{delivery}/retry",
            post(retry),
        )
}

fn webhook_href(id: Uuid) -> String {
    format!("/admin/webhooks/{id}")
}

fn fields<'a>(page: &'a Page, input: &WebhookInput, errors: &'a ValidationErrors) -> Form<'a> {
    let events = WebhookEvent::ALL
        .iter()
        .map(|e| {
            (
                e.key().to_string(),
                format!(
                    "{} ({})",
                    page.t(&format!("webhook.event.{}", e.key())),
                    e.key()
                ),
            )
        })
        .collect();
    Form::new(page, errors)
        .text("url", &input.url)
        .required()
        .help("field.url_help")
        .multi("events", &input.events, events)
        .checkbox("active", &input.active)
}

async fn list(State(state): State<AppState>, page: Page) -> AppResult<Response> {
    require_network_admin(&page)?;
    let rows = state
        .store
        .list_webhooks()
        .await?
        .into_iter()
        .map(|w| Row {
            href: webhook_href(w.id),
            cells: vec![
                w.url,
                w.events
                    .iter()
                    .map(|e| e.key())
                    .collect::<Vec<_>>()
                    .join(", "),
                page.t(if w.active {
                    "admin.active"
                } else {
                    "webhook.inactive"
                }),
            ],
        })
        .collect();
    render_list(
        &page,
        "admin.webhooks",
        Some("/admin/webhooks/new".into()),
        &["field.url", "field.events", "admin.status"],
        rows,
    )
}

fn new_page() -> FormPage<'static> {
    let (action, back) = ("/admin/webhooks/new".into(), "/admin/webhooks".into());
    FormPage::new("admin.new_webhook", action, back)
}

async fn new_webhook(page: Page) -> AppResult<Response> {
    require_network_admin(&page)?;
    let input = WebhookInput {
        events: WebhookEvent::ALL
            .iter()
            .map(|e| e.key().to_string())
            .collect(),
        active: "true".into(),
        ..WebhookInput::default()
    };
    render_form(&page, new_page(), fields(&page, &input, NO_ERRORS))
}

async fn create(State(state): State<AppState>, page: Page, body: Bytes) -> AppResult<Response> {
    let form = FormData::parse(&page, &body)?;
    require_network_admin(&page)?;
    let input: WebhookInput = form.decode()?;
    let validated = input.validate().map(|t| webhook_for(t, state.now()));
    match save(validated, async |w| state.store.insert_webhook(w).await).await? {
        Ok(w) => Ok(done_redirect(&webhook_href(w.id), "created")),
        Err(e) => render_form(&page, new_page(), fields(&page, &input, &e)),
    }
}

async fn render_webhook(
    state: &AppState,
    page: &Page,
    w: &Webhook,
    input: &WebhookInput,
    errors: &ValidationErrors,
    done: Option<&str>,
) -> AppResult<Response> {
    let form = fields(page, input, errors);
    let status = form.status();
    let (fields, errors) = form.into_parts();
    let deliveries: Vec<_> = state
        .store
        .list_deliveries(Some(w.id), 50)
        .await?
        .into_iter()
        .map(|d| {
            let status = delivery_status(&d);
            context! {
                id => d.id.to_string(),
                event => d.event.key(),
                created_at => local_date_time(d.created_at),
                status,
                attempts => d.attempts,
                last_error => d.last_error,
                when => d.delivered_at.map(local_date_time).or_else(|| (status == "pending").then(|| local_date_time(d.next_attempt_at))),
            }
        })
        .collect();
    page.render_with_status(
        status,
        "memberships/webhook.html",
        context! {
            webhook => context! {
                id => w.id.to_string(),
                url => w.url,
                secret => w.secret,
                created_at => local_date_time(w.created_at),
            },
            created => done == Some("created"),
            saved => done == Some("saved"),
            retried => done == Some("retried"),
            fields,
            errors,
            deliveries,
        },
    )
}

fn input_from(w: &Webhook) -> WebhookInput {
    WebhookInput {
        url: w.url.clone(),
        events: w.events.iter().map(|e| e.key().to_string()).collect(),
        active: bool_str(w.active),
    }
}

async fn show(
    State(state): State<AppState>,
    page: Page,
    Path(id): Path<String>,
    Query(d): Query<DoneQuery>,
) -> AppResult<Response> {
    require_network_admin(&page)?;
    let w = state.store.get_webhook(parse_id(&id)?).await?;
    render_webhook(
        &state,
        &page,
        &w,
        &input_from(&w),
        NO_ERRORS,
        d.done.as_deref(),
    )
    .await
}

async fn update(
    State(state): State<AppState>,
    page: Page,
    Path(id): Path<String>,
    body: Bytes,
) -> AppResult<Response> {
    let form = FormData::parse(&page, &body)?;
    require_network_admin(&page)?;
    let old = state.store.get_webhook(parse_id(&id)?).await?;
    let input: WebhookInput = form.decode()?;
    let validated = input.validate().map(|t| retargeted(old.clone(), t));
    match save(validated, async |w| state.store.update_webhook(w).await).await? {
        Ok(_) => Ok(done_redirect(&webhook_href(old.id), "saved")),
        Err(e) => render_webhook(&state, &page, &old, &input, &e, None).await,
    }
}

async fn retry(
    State(state): State<AppState>,
    page: Page,
    Path((id, delivery)): Path<(String, String)>,
    body: Bytes,
) -> AppResult<Response> {
    FormData::parse(&page, &body)?;
    require_network_admin(&page)?;
    let w = state.store.get_webhook(parse_id(&id)?).await?;
    let delivery: Uuid = parse_id(&delivery)?;
    state.store.retry_delivery(delivery, state.now()).await?;
    state.webhook_wake.notify_one();
    Ok(done_redirect(&webhook_href(w.id), "retried"))
}
