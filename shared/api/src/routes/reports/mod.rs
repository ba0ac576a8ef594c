//! `/v1/reports`: a user reports someone they shared a conversation with, and follows it.

pub mod create;
pub mod get;
pub mod list;

use tandem_domain::FieldError;

use crate::Request;
use crate::edge::http::limit_param;

const DEFAULT_LIMIT: i32 = 20;
const MAX_LIMIT: i32 = 50;

/// `?limit=` 1–50, 20 by default (shared by the report lists, admin's too).
pub(crate) fn page_limit(request: &Request) -> Result<i32, FieldError> {
    limit_param(request, DEFAULT_LIMIT, MAX_LIMIT)
}
