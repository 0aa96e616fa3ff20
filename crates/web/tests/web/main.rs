//! The web crate's integration tests, one module per area, linked into
//! one test binary (a binary per file linked the whole app 29 times, most
//! of the test build on two cores). Run one area with a filter:
//! `cargo test -p thirdplace-web --test web invoicing::`.

#[macro_use]
mod common;

mod access;
mod api;
mod audit;
mod bookings;
mod bulk;
mod evaluation;
mod events;
mod feeds;
mod invoicing;
mod invoicing_access;
mod layout;
mod mail;
mod matrix;
mod memberships;
mod pages;
mod pages_bookings;
mod pages_events;
mod pages_memberships;
mod pages_sites;
mod paging;
mod privacy;
mod retention;
mod retries;
mod sessions;
mod settlement;
mod sign_in;
mod sites;
mod snapshots;
mod sso;
mod trust;
