//! What the web tests share, one module per concept: the served app and its
//! fixture ([`app`]), JSON API calls and the error shape ([`api`]), forms
//! and pages ([`pages`]), room bookings ([`bookings`]), extra people
//! ([`people`]), seats ([`seats`]), check-ins and webhooks ([`checkins`]),
//! iCalendar feeds ([`calendar`]) and spreadsheet downloads
//! ([`spreadsheets`]). Each
//! test binary uses only part of it.

#![allow(dead_code)]

pub mod api;
#[macro_use]
pub mod app;
pub mod bookings;
pub mod calendar;
pub mod checkins;
pub mod pages;
pub mod people;
pub mod seats;
pub mod spreadsheets;

#[allow(unused_imports)] // each test binary uses only some of these
pub use api::*;
#[allow(unused_imports)]
pub use app::*;
#[allow(unused_imports)]
pub use pages::*;
#[allow(unused_imports)]
pub use people::*;
#[allow(unused_imports)]
pub use seats::*;
#[allow(unused_imports)]
pub use spreadsheets::*;
