//! `/v1/admin/...`: triage for users with the admin role (403 for anyone else). The role is
//! granted by an operator with `tandem-ops grant-admin`, never through the API.

pub mod prompts_create;
pub mod prompts_list;
pub mod prompts_update;
pub mod reports_action;
pub mod reports_get;
pub mod reports_list;
pub mod users_get;
pub mod users_premium;

use tandem_domain::FieldError;

use crate::Request;
use crate::edge::http::query_param;

/// An optional query parameter naming one of a fixed set of values.
pub(crate) fn named<T>(
    request: &Request,
    name: &str,
    parse: fn(&str) -> Option<T>,
    valid: impl Iterator<Item = &'static str>,
) -> Result<Option<T>, FieldError> {
    match query_param(request, name) {
        None => Ok(None),
        Some(raw) => parse(raw)
            .map(Some)
            .ok_or_else(|| FieldError::new(name, format!("one of: {}", valid.collect::<Vec<_>>().join(", ")))),
    }
}
