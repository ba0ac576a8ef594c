//! `/v1/match/*`: today's match.

pub mod today;
