//! The shared plumbing of every capability: the error type and its JSON
//! and HTML shapes, who is asking ([`auth::Auth`], cookies, CSRF), the
//! API's extractors and role checks, the page context and rendering, form
//! parsing and the admin form helpers, ids from paths, where people reach
//! the app ([`origin::Origin`]), the iCalendar writer, signing keys, the
//! clock, the public cache, the templates and the security headers of
//! every response.
//!
//! A leaf: it imports no capability (`network`, `people`, …), so that every
//! capability can use it and none reaches a sibling through it. The layout
//! test (`tests/web/layout.rs`) holds it to that.

pub mod api;
pub mod api_resource;
pub mod audit;
pub mod auth;
pub mod cache;
pub mod clock;
pub mod error;
pub mod feed_token;
pub mod form_data;
pub mod form_fields;
pub mod forms;
pub mod headers;
pub mod ical;
pub mod id_form;
pub mod idempotency;
pub mod included_hours;
pub mod mail;
pub mod one_time_links;
pub mod openapi;
pub mod origin;
pub mod page;
pub mod paging;
pub mod parse;
pub mod roles;
pub mod sign_in;
pub mod signing;
pub mod source;
pub mod spreadsheet;
pub mod templates;
pub mod upload;
pub mod worker;
