//! Route handlers, one module per Lambda function. `ROUTES` names each function's handler
//! so the local gateway can serve the same code; `template.yaml` says which path each serves.

pub mod admin;
pub mod auth;
pub mod availability;
pub mod blocks;
pub mod conversations;
pub mod friends;
pub mod matches;
pub mod me;
pub mod presence;
pub mod prompts;
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
    HttpFunction { name: "me-intent-put", handler: |a, r| Box::pin(me::intent_put::handle(a, r)) },
    HttpFunction {
        name: "conversations-decision-gate",
        handler: |a, r| Box::pin(conversations::decision_gate::handle(a, r)),
    },
    HttpFunction {
        name: "conversations-reveal-consent",
        handler: |a, r| Box::pin(conversations::reveal_consent::handle(a, r)),
    },
    HttpFunction { name: "friends-list", handler: |a, r| Box::pin(friends::list::handle(a, r)) },
    HttpFunction { name: "friends-delete", handler: |a, r| Box::pin(friends::delete::handle(a, r)) },
    HttpFunction { name: "prompts-today", handler: |a, r| Box::pin(prompts::today::handle(a, r)) },
    HttpFunction { name: "prompts-answer", handler: |a, r| Box::pin(prompts::answer::handle(a, r)) },
    HttpFunction { name: "admin-prompts-list", handler: |a, r| Box::pin(admin::prompts_list::handle(a, r)) },
    HttpFunction { name: "admin-prompts-create", handler: |a, r| Box::pin(admin::prompts_create::handle(a, r)) },
    HttpFunction { name: "admin-prompts-update", handler: |a, r| Box::pin(admin::prompts_update::handle(a, r)) },
    HttpFunction {
        name: "conversations-stay-friends",
        handler: |a, r| Box::pin(conversations::stay_friends::handle(a, r)),
    },
    HttpFunction { name: "me-trust-get", handler: |a, r| Box::pin(me::trust_get::handle(a, r)) },
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
    HttpFunction {
        name: "conversations-reflection",
        handler: |a, r| Box::pin(conversations::reflection::handle(a, r)),
    },
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
    HttpFunction { name: "system-not-found", handler: |a, r| Box::pin(system::not_found::handle(a, r)) },
];

pub fn http_function(name: &str) -> Option<&'static HttpFunction> {
    HTTP_FUNCTIONS.iter().find(|function| function.name == name)
}

/// Runs a sensitive mutation once per `Idempotency-Key` (when the client sends one): the
/// same key and request within 24 hours replays the first answer (`Idempotent-Replayed:
/// true`), the same key with another request is 422. Server errors give the key back, so
/// a retry runs again; an answer too large to keep (an export) is not replayed but
/// produced afresh.
pub(crate) async fn idempotent<F, Fut>(
    app: &App,
    request: &Request,
    user: &tandem_domain::UserId,
    run: F,
) -> HandlerResult
where
    F: FnOnce() -> Fut,
    Fut: Future<Output = HandlerResult>,
{
    use crate::services::idempotency::{Begin, abandon, begin, finish};
    /// What fits in one item with room to spare.
    const REPLAY_MAX_BYTES: usize = 300 * 1024;
    let Some(key) = request.headers().get("idempotency-key") else { return run().await };
    let key = key.to_str().map_err(|_| crate::ApiError::InvalidBody("Idempotency-Key is not text".into()))?.to_owned();
    let fingerprint = {
        use sha2::{Digest, Sha256};
        let mut digest = Sha256::new();
        digest.update(request.method().as_str().as_bytes());
        digest.update(b"\n");
        digest.update(request.uri().path().as_bytes());
        digest.update(b"\n");
        digest.update(request.body().as_ref());
        digest.finalize().iter().map(|b| format!("{b:02x}")).collect::<String>()
    };
    let now = chrono::Utc::now();
    if let Begin::Replay { status, body } = begin(app, user, &key, &fingerprint, now).await? {
        return lambda_http::Response::builder()
            .status(status)
            .header(http::header::CONTENT_TYPE, "application/json")
            .header("idempotent-replayed", "true")
            .body(lambda_http::Body::Text(body))
            .map_err(|e| crate::ApiError::Internal(e.to_string()));
    }
    let response = match run().await {
        Ok(response) => response,
        Err(error) if error.status().is_server_error() => {
            abandon(app, user, &key).await?;
            return Err(error);
        }
        Err(error) => error.to_response(&crate::edge::http::request_id(request)),
    };
    let text = match response.body() {
        lambda_http::Body::Text(text) => text.clone(),
        lambda_http::Body::Empty => String::new(),
        lambda_http::Body::Binary(bytes) => String::from_utf8_lossy(bytes).into_owned(),
        _ => String::new(),
    };
    if text.len() > REPLAY_MAX_BYTES {
        abandon(app, user, &key).await?;
    } else {
        finish(app, user, &key, response.status().as_u16(), &text).await?;
    }
    Ok(response)
}
