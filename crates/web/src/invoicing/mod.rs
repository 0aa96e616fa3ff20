//! Invoicing (issue 16): each operator's monthly invoice run over the
//! organisations it sells to (preview, then issue), issued invoices and
//! credit notes with their Peppol BIS 3 XML and PDF, and payments marked
//! by hand, reminders of overdue invoices (reminders.rs) and the monthly
//! settlement between operators (settlement.rs). The rules and formats are
//! the `thirdplace-invoicing` crate's; the numbers and what was charged are
//! kept by the store. Who sees what
//! is [`thirdplace_domain::Principal`]'s: network admins everything,
//! operators' staff their operators' invoicing, organisation admins their
//! invoices, hub hosts their hub's lines (`hub_lines`).

use crate::AppState;
use axum::Router;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub mod api;
pub mod hub_lines;
pub mod pages;
pub mod payments;
pub mod reminders;
pub mod service;
pub mod settlement;

/// The pages (the root wraps them in the page context).
pub fn router() -> Router<AppState> {
    pages::router()
        .merge(payments::router())
        .merge(reminders::router())
        .merge(settlement::router())
        .merge(hub_lines::router())
}

/// The API's routes, under `/api/v1`.
pub fn api_routes(r: OpenApiRouter<AppState>) -> OpenApiRouter<AppState> {
    let r = r
        .routes(routes!(api::preview_run, api::issue_run))
        .routes(routes!(api::list_invoices))
        .routes(routes!(api::get_invoice))
        .routes(routes!(api::get_ubl))
        .routes(routes!(api::get_pdf))
        .routes(routes!(api::credit_invoice))
        .routes(routes!(api::pay_invoice))
        .routes(routes!(api::get_sie))
        .routes(routes!(api::import_bank_file))
        .routes(routes!(payments::list_waiting))
        .routes(routes!(payments::resolve_payment))
        .routes(routes!(reminders::list_reminders, reminders::send_reminder))
        .routes(routes!(hub_lines::list_hub_lines));
    settlement::api_routes(r)
}
