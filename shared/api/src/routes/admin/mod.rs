//! `/v1/admin/...`: triage for users with the admin role (403 for anyone else). The role is
//! granted by an operator with `tandem-ops grant-admin`, never through the API.

pub mod reports_action;
pub mod reports_get;
pub mod reports_list;
pub mod users_get;
pub mod users_premium;
