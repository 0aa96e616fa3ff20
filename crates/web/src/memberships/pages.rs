//! The membership pages: plans and webhooks for network admins, seats for
//! organisation admins, a member's card and profile, a hub's check-in page
//! and kiosk, and who is here.
//!
//! Every rule is decided by the services these pages share with the API
//! ([`crate::memberships::checkins`], [`crate::memberships::api`]); the pages only turn
//! forms into their inputs and show their answers, refusals included, in the
//! page's language.

use crate::http::error::{AppError, AppResult};
use crate::http::page::Page;
use crate::i18n::{self, Lang};
use axum::http::StatusCode;
use axum::Router;
use minijinja::{context, Value};

use crate::AppState;

mod bulk;
mod card;
mod plans;
mod seats;
mod visits;
mod webhooks;

pub fn router() -> Router<AppState> {
    Router::new()
        .merge(plans::router())
        .merge(seats::router())
        .merge(bulk::router())
        .merge(card::router())
        .merge(visits::router())
        .merge(webhooks::router())
}

/// A sentence at the top of a page: what was just done, or why not.
struct Notice {
    error: bool,
    text: String,
}

impl Notice {
    fn done(text: String) -> Self {
        Notice { error: false, text }
    }

    fn value(self) -> Value {
        context! { error => self.error, text => self.text }
    }
}

/// A refusal or a form problem as a notice for the page, with its status;
/// other errors (not found, forbidden, internal) are handed back for the
/// generic error page.
fn refusal(page: &Page, e: AppError) -> AppResult<(StatusCode, Notice)> {
    let (status, text) = match e {
        AppError::Refused {
            status,
            code,
            message,
        } => (status, translated(page, code, &message)),
        AppError::Validation(v) => {
            let text = v
                .errors
                .iter()
                .map(|f| page.field_message(f))
                .collect::<Vec<_>>()
                .join(" ");
            (StatusCode::UNPROCESSABLE_ENTITY, text)
        }
        e => return Err(e),
    };
    Ok((status, Notice { error: true, text }))
}

/// Swedish from the table by the error's code; English uses the service's
/// own sentence, which names the hub and the time.
fn translated(page: &Page, code: &str, message: &str) -> String {
    match page.lang {
        Lang::En => crate::http::page::capitalise(message),
        Lang::Sv => i18n::lookup(Lang::Sv, &format!("error.{code}"))
            .map(str::to_string)
            .unwrap_or_else(|| message.to_string()),
    }
}

fn yes_no(page: &Page, b: bool) -> String {
    page.t(if b { "common.yes" } else { "common.no" })
}
