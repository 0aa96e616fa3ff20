//! Invoicing for thirdplace: what an operator's invoice to an organisation
//! contains and the formats it leaves the system in.
//!
//! Pure and testable without a database: it depends on `thirdplace-domain`
//! and nothing above it. The web crate and the CLI call it; the store keeps
//! what it produces.

pub mod bgmax;
pub mod sie;
