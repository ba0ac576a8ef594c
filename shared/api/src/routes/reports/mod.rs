//! `/v1/reports`: a user reports someone they shared a conversation with, and follows it.

pub mod create;
pub mod get;
pub mod list;

use tandem_domain::FieldError;

use crate::Request;
use crate::edge::http::query_param;

const DEFAULT_LIMIT: i32 = 20;
const MAX_LIMIT: i32 = 50;

/// `?limit=` 1–50, 20 by default (shared by the report lists, admin's too).
pub(crate) fn page_limit(request: &Request) -> Result<i32, FieldError> {
    match query_param(request, "limit") {
        None => Ok(DEFAULT_LIMIT),
        Some(raw) => raw
            .parse::<i32>()
            .ok()
            .filter(|l| (1..=MAX_LIMIT).contains(l))
            .ok_or_else(|| FieldError::new("limit", format!("must be an integer from 1 to {MAX_LIMIT}"))),
    }
}
