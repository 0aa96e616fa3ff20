//! Site selection for networks of coworking hubs: where the next hubs should go.
//!
//! * [`data`]: the Swedish locality table shipped with the binary (GeoNames,
//!   CC-BY 4.0) and parsers for user CSV files of demand points and candidates.
//! * [`geo`]: great-circle distances and the spatial grid that finds, for every
//!   site, the demand points within reach.
//! * [`gaps`]: gap analysis: who is within reach of an existing hub and who is not.
//! * [`mclp`]: the maximal covering location problem, solved exactly by branch
//!   and bound with a Lagrangian bound, and its inverse (fewest sites for a
//!   target share).
//!
//! The crate is pure computation: no I/O beyond parsing strings it is given.

pub mod data;
pub mod gaps;
pub mod geo;
pub mod mclp;

pub use data::{
    default_candidates, parse_candidates, parse_demand, parse_localities, sweden, Candidate,
    DemandPoint, Locality, ATTRIBUTION,
};
pub use gaps::{gap_analysis, GapReport};
pub use geo::{haversine_km, Coverage, Point, Reach};
pub use mclp::{greedy, solve_max_cover, solve_min_sites, Limits, MinSitesSolution, Solution};

/// Everything that can go wrong in this crate, with enough detail for a user
/// to fix the input.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum SitesError {
    /// A CSV file is malformed; `line` is 1-based and counts the header.
    #[error("{source_name}, line {line}, column {column}: {message}")]
    Csv {
        source_name: String,
        line: usize,
        column: String,
        message: String,
    },
    /// A parameter (radius, count, target share, county, ...) is out of range.
    #[error("{0}")]
    Invalid(String),
}

pub type Result<T> = std::result::Result<T, SitesError>;
