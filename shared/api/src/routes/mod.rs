//! Route handlers, one module per Lambda function. `ROUTES` names each function's handler
//! so the local gateway can serve the same code; `template.yaml` says which path each serves.

pub mod admin;
pub mod auth;
pub mod availability;
pub mod blocks;
pub mod conversations;
pub mod matches;
pub mod me;
pub mod presence;
pub mod push;
pub mod reports;
pub mod system;
pub mod ws;

use std::future::Future;
use std::pin::Pin;

use lambda_http::Request;

use crate::App;
use crate::edge::dispatch::HandlerResult;

/// A handler behind a uniform, storable signature.
pub type HandlerFn = fn(App, Request) -> Pin<Box<dyn Future<Output = HandlerResult> + Send>>;

/// A Lambda function of the HTTP API: its binary name (`functions/src/bin/<name>.rs`,
/// the SAM `Binary`) and its handler.
pub struct HttpFunction {
    pub name: &'static str,
    pub handler: HandlerFn,
}

pub const HTTP_FUNCTIONS: &[HttpFunction] = &[
    HttpFunction { name: "auth-register", handler: |a, r| Box::pin(auth::register::handle(a, r)) },
    HttpFunction { name: "auth-login", handler: |a, r| Box::pin(auth::login::handle(a, r)) },
    HttpFunction { name: "auth-refresh", handler: |a, r| Box::pin(auth::refresh::handle(a, r)) },
    HttpFunction { name: "auth-logout", handler: |a, r| Box::pin(auth::logout::handle(a, r)) },
    HttpFunction { name: "auth-oidc", handler: |a, r| Box::pin(auth::oidc::handle(a, r)) },
    HttpFunction { name: "me-get", handler: |a, r| Box::pin(me::get::handle(a, r)) },
    HttpFunction { name: "me-profile-put", handler: |a, r| Box::pin(me::profile_put::handle(a, r)) },
    HttpFunction { name: "me-notifications-get", handler: |a, r| Box::pin(me::notifications_get::handle(a, r)) },
    HttpFunction { name: "me-notifications-put", handler: |a, r| Box::pin(me::notifications_put::handle(a, r)) },
    HttpFunction { name: "me-rewards-get", handler: |a, r| Box::pin(me::rewards_get::handle(a, r)) },
    HttpFunction { name: "me-ghosting-acknowledge", handler: |a, r| Box::pin(me::ghosting_acknowledge::handle(a, r)) },
    HttpFunction { name: "me-export", handler: |a, r| Box::pin(me::export::handle(a, r)) },
    HttpFunction { name: "me-deletion-request", handler: |a, r| Box::pin(me::deletion_request::handle(a, r)) },
    HttpFunction { name: "me-deletion-cancel", handler: |a, r| Box::pin(me::deletion_cancel::handle(a, r)) },
    HttpFunction { name: "push-tokens-create", handler: |a, r| Box::pin(push::tokens_create::handle(a, r)) },
    HttpFunction { name: "push-tokens-list", handler: |a, r| Box::pin(push::tokens_list::handle(a, r)) },
    HttpFunction { name: "push-tokens-delete", handler: |a, r| Box::pin(push::tokens_delete::handle(a, r)) },
    HttpFunction { name: "availability-put", handler: |a, r| Box::pin(availability::put::handle(a, r)) },
    HttpFunction { name: "availability-delete", handler: |a, r| Box::pin(availability::delete::handle(a, r)) },
    HttpFunction { name: "availability-get", handler: |a, r| Box::pin(availability::get::handle(a, r)) },
    HttpFunction { name: "presence-heartbeat", handler: |a, r| Box::pin(presence::heartbeat::handle(a, r)) },
    HttpFunction { name: "blocks-create", handler: |a, r| Box::pin(blocks::create::handle(a, r)) },
    HttpFunction { name: "blocks-list", handler: |a, r| Box::pin(blocks::list::handle(a, r)) },
    HttpFunction { name: "blocks-delete", handler: |a, r| Box::pin(blocks::delete::handle(a, r)) },
    HttpFunction { name: "match-today", handler: |a, r| Box::pin(matches::today::handle(a, r)) },
    HttpFunction { name: "conversations-get", handler: |a, r| Box::pin(conversations::get::handle(a, r)) },
    HttpFunction {
        name: "conversations-messages-list",
        handler: |a, r| Box::pin(conversations::messages_list::handle(a, r)),
    },
    HttpFunction {
        name: "conversations-messages-send",
        handler: |a, r| Box::pin(conversations::messages_send::handle(a, r)),
    },
    HttpFunction { name: "conversations-read", handler: |a, r| Box::pin(conversations::read::handle(a, r)) },
    HttpFunction { name: "conversations-close", handler: |a, r| Box::pin(conversations::close::handle(a, r)) },
    HttpFunction { name: "conversations-extend", handler: |a, r| Box::pin(conversations::extend::handle(a, r)) },
    HttpFunction { name: "conversations-panic", handler: |a, r| Box::pin(conversations::panic::handle(a, r)) },
    HttpFunction { name: "reports-create", handler: |a, r| Box::pin(reports::create::handle(a, r)) },
    HttpFunction { name: "reports-list", handler: |a, r| Box::pin(reports::list::handle(a, r)) },
    HttpFunction { name: "reports-get", handler: |a, r| Box::pin(reports::get::handle(a, r)) },
    HttpFunction { name: "admin-reports-list", handler: |a, r| Box::pin(admin::reports_list::handle(a, r)) },
    HttpFunction { name: "admin-reports-get", handler: |a, r| Box::pin(admin::reports_get::handle(a, r)) },
    HttpFunction { name: "admin-reports-action", handler: |a, r| Box::pin(admin::reports_action::handle(a, r)) },
    HttpFunction { name: "admin-users-get", handler: |a, r| Box::pin(admin::users_get::handle(a, r)) },
    HttpFunction { name: "admin-users-premium", handler: |a, r| Box::pin(admin::users_premium::handle(a, r)) },
    HttpFunction { name: "system-health", handler: |a, r| Box::pin(system::health::handle(a, r)) },
    HttpFunction { name: "system-version", handler: |a, r| Box::pin(system::version::handle(a, r)) },
    HttpFunction { name: "system-openapi", handler: |a, r| Box::pin(system::openapi::handle(a, r)) },
];

pub fn http_function(name: &str) -> Option<&'static HttpFunction> {
    HTTP_FUNCTIONS.iter().find(|function| function.name == name)
}
